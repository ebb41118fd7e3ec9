"""'Je n'ai pas de compte': a parent activates their account with a code sent by
SMS to the mobile number the school base knows, then the birth dates of their
children, then a password of their own.

The answers never tell whether a number is known: the same page follows a
request, and a wrong code reads the same as a code never sent. Codes live in
the cache (Redis), hashed, for NATI_ACTIVATION_CODE_MINUTES.
"""

import datetime as dt
import hashlib
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from accounts import throttle
from accounts.models import AccountState, Profile, User
from accounts.services import mobile_normalise
from nati.audit import audit_record, client_ip
from nati.sms import SmsError, sms_send

logger = logging.getLogger(__name__)
HOUR = 3600


class ActivationRefused(Exception):
    """Said to the person as it is (never whether the number is known)."""


def _code_key(number: str) -> str:
    return "activation-code:" + hashlib.sha256(number.encode()).hexdigest()


def _code_hash(number: str, code: str) -> str:
    return hashlib.sha256(f"{number}|{code}|{settings.SECRET_KEY}".encode()).hexdigest()


def activation_candidate(number: str) -> User | None:
    """The one parent account, not yet active, holding this number. Two
    parents sharing a number get no code: the school must tell them apart."""
    parents = list(
        User.objects.filter(
            profile=Profile.PARENT,
            mobile=number,
            merged_into__isnull=True,
            predeleted_at__isnull=True,
            is_active=True,
        ).exclude(account_state=AccountState.ACTIVE)[:2]
    )
    return parents[0] if len(parents) == 1 else None


def activation_code_send(*, mobile: str, request) -> str:
    """Send a code when the number is known; returns the normalised number."""
    if not throttle.counter_hit(
        "activation-ip",
        client_ip(request) or "",
        limit=settings.NATI_ACTIVATION_PER_ADDRESS,
        seconds=HOUR,
    ):
        raise ActivationRefused(
            "Trop de demandes depuis cette connexion : réessayez dans une heure."
        )
    number = mobile_normalise(mobile)
    user = activation_candidate(number)
    if user is None:
        audit_record(action="auth.activation_request", request=request)
        return number
    if not throttle.counter_hit(
        "activation-number",
        number,
        limit=settings.NATI_ACTIVATION_SMS_PER_NUMBER,
        seconds=HOUR,
    ):
        audit_record(action="auth.activation_throttled", target=user, request=request)
        return number
    code = f"{secrets.randbelow(10**6):06d}"
    seconds = settings.NATI_ACTIVATION_CODE_MINUTES * 60
    cache.set(
        _code_key(number),
        # The entry holds its own end; the cache's expiry only cleans up.
        {
            "user": user.pk,
            "hash": _code_hash(number, code),
            "until": time.time() + seconds,
        },
        timeout=seconds,
    )
    try:
        sms_send(
            to=number,
            text=f"nati : votre code d'activation est {code}. Il est valable "
            f"{settings.NATI_ACTIVATION_CODE_MINUTES} minutes.",
        )
    except SmsError:
        # The same page follows; the log says the gateway failed (no number).
        logger.warning("activation sms failed user=%s", user.pk)
    audit_record(action="auth.activation_request", target=user, request=request)
    return number


def activation_code_check(*, number: str, code: str) -> User | None:
    """The account when `code` is the one sent to `number`; the code is then
    spent. Tries are counted by the caller, whatever the number."""
    entry = cache.get(_code_key(number))
    if not entry or entry["until"] <= time.time():
        return None
    if not secrets.compare_digest(entry["hash"], _code_hash(number, code.strip())):
        return None
    cache.delete(_code_key(number))
    return User.objects.filter(pk=entry["user"]).first()


def activation_code_forget(number: str) -> None:
    cache.delete(_code_key(number))


@dataclass(frozen=True)
class ChildCheck:
    id: int
    first_name: str
    birth_date: dt.date | None


def children_to_confirm(user: User) -> list[ChildCheck]:
    return [
        ChildCheck(child.pk, child.first_name, child.birth_date)
        for child in User.objects.filter(parent_links__parent=user).order_by(
            "first_name", "pk"
        )
    ]


def birth_dates_match(user: User, answers: dict[int, dt.date | None]) -> bool:
    children = children_to_confirm(user)
    return bool(children) and all(
        c.birth_date is not None and answers.get(c.id) == c.birth_date for c in children
    )
