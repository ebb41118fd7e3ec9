"""Failed logins, throttled per identifier AND address.

After NATI_LOGIN_FAILURES failures, that identifier is refused from that address
for NATI_LOGIN_LOCK_MINUTES; the same identifier from elsewhere, or another
pupil behind the same school address, is not affected. State lives in the
cache (Redis in production), keyed by a hash: no identifier in the cache keys.

Shortcoming: one identifier attacked from many addresses is slowed only per
address. A per-identifier ceiling (say 50 failures an hour from anywhere, then a
captcha rather than a lock) would close that without letting anyone lock a
pupil out.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from nati.audit import audit_record, client_ip


def _key(kind: str, login: str, ip: str | None) -> str:
    digest = hashlib.sha256(f"{login.strip().lower()}|{ip or ''}".encode()).hexdigest()
    return f"login-{kind}:{digest}"


def login_locked(request, login: str) -> bool:
    # The lock holds its own end: the cache's expiry is only its clean-up.
    until = cache.get(_key("lock", login, client_ip(request)))
    return until is not None and until > time.time()


def login_failure_record(request, login: str, user=None) -> bool:
    """Count one failure; True when it locks the identifier at this address."""
    ip = client_ip(request)
    seconds = settings.NATI_LOGIN_LOCK_MINUTES * 60
    counter = _key("fail", login, ip)
    cache.add(counter, 0, timeout=seconds)
    failures = cache.incr(counter)
    audit_record(action="auth.login_failed", target=user, request=request)
    if failures < settings.NATI_LOGIN_FAILURES:
        return False
    cache.set(_key("lock", login, ip), time.time() + seconds, timeout=seconds)
    cache.delete(counter)
    audit_record(action="auth.lockout", target=user, request=request)
    return True


def login_failures_clear(request, login: str) -> None:
    cache.delete(_key("fail", login, client_ip(request)))


def counter_hit(name: str, value: str, *, limit: int, seconds: int) -> bool:
    """Count one hit on (name, value) in a fixed window; False past `limit`."""
    key = f"hits-{name}:{hashlib.sha256(value.encode()).hexdigest()}"
    cache.add(key, 0, timeout=seconds)
    return cache.incr(key) <= limit
