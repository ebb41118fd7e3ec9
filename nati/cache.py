"""What every page of a user reads, kept in the cache and stamped with
generations.

A page of nati reads the same few things again and again: the user's app
rights, their structures, the classes they teach, their unread count. Each is
computed once and stored under the user's id together with the *generations*
it was computed at: one token per scope of facts it depends on (the directory,
this user, this user's inbox…). A write bumps the generations of what it
changed; the next read finds a stamp that no longer matches and computes again.
Nothing expires to be right: the timeout only frees memory.

One request reads all it needs in one round trip (`UserCache.prefetch`); a
generation is a random token, so a flushed or evicted cache can never make an
old entry look current.
"""

import uuid
from collections.abc import Callable, Iterable
from functools import wraps

from django.core.cache import cache
from django.db import transaction

# Scopes. A scope is a string; those with "{user}" are filled with a user's id.
DIRECTORY = "dir"  # structures, classes, groups, memberships, app rights, links
USER = "user:{user}"  # the user's own row (profile, state, names)
INBOX = "inbox:{user}"  # deliveries, news feed, flash messages closed
FLASHES = "flashes"  # flash messages written or removed
REPORTS = "reports"  # moderation reports

ENTRY_TIMEOUT = 6 * 3600
# Raise it when what an entry holds changes shape: a deploy then reads none of
# the entries the previous code wrote.
ENTRY_SHAPE = 3

# Bumps made by this process: a request that wrote after its first read reads
# the generations again rather than trust what it fetched before its write.
_bumps = 0


def _gen_key(scope: str) -> str:
    return f"gen:{scope}"


def _entry_key(user_id: int, name: str) -> str:
    return f"uc{ENTRY_SHAPE}:{user_id}:{name}"


def bump(*scopes: str) -> None:
    """Make every entry depending on these (filled) scopes stale: now, and
    again when the current transaction commits, so that a page read between
    the write and its commit cannot keep the old facts under the new stamp."""
    global _bumps
    scopes = tuple(scopes)
    if not scopes:
        return
    _bumps += 1

    def write():
        token = uuid.uuid4().hex[:16]
        cache.set_many({_gen_key(scope): token for scope in scopes}, timeout=None)

    write()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(write)


def bump_users(scope: str, user_ids: Iterable[int]) -> None:
    """The same per-user scope bumped for many users, in one round trip."""
    bump(*{scope.format(user=pk) for pk in user_ids})


def writes(*scopes: str):
    """A service that changes these (unfilled) scopes bumps them when it
    returns: put it above @transaction.atomic, so the bump follows the
    commit (and follows it again when an outer transaction commits)."""

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            result = func(*args, **kwargs)
            bump(*scopes)
            return result

        return wrapper

    return decorator


class UserCache:
    """The cache as one request of one user sees it."""

    def __init__(self, user_id: int):
        self.user_id = user_id
        self._raw: dict[str, object] = {}
        self._seen_bumps = _bumps

    def _scope_keys(self, scopes: Iterable[str]) -> list[str]:
        return [_gen_key(scope.format(user=self.user_id)) for scope in scopes]

    def prefetch(self, entries: dict[str, Iterable[str]]) -> None:
        """Read these entries and their generations in one round trip."""
        if self._seen_bumps != _bumps:
            self._raw.clear()
            self._seen_bumps = _bumps
        keys = set()
        for name, scopes in entries.items():
            keys.add(_entry_key(self.user_id, name))
            keys.update(self._scope_keys(scopes))
        missing = [key for key in keys if key not in self._raw]
        if missing:
            found = cache.get_many(missing)
            for key in missing:
                self._raw[key] = found.get(key)
            # A scope never written (or flushed) starts now, all in one trip.
            # Two processes starting one at once only make each other's
            # entries stale: starting a scope is a bump.
            started = {
                key: uuid.uuid4().hex[:16]
                for key in missing
                if key.startswith("gen:") and self._raw[key] is None
            }
            if started:
                cache.set_many(started, timeout=None)
                self._raw.update(started)

    def _stamp(self, scopes: Iterable[str]) -> tuple:
        return tuple(self._raw[key] for key in self._scope_keys(scopes))

    def get(self, name: str, scopes: Iterable[str], build: Callable):
        """The entry `name`, computed by `build()` when its stamp is stale."""
        scopes = tuple(scopes)
        self.prefetch({name: scopes})
        stamp = self._stamp(scopes)
        key = _entry_key(self.user_id, name)
        stored = self._raw.get(key)
        if stored is not None and stored[0] == stamp:
            return stored[1]
        value = build()
        cache.set(key, (stamp, value), ENTRY_TIMEOUT)
        self._raw[key] = (stamp, value)
        return value


def user_cache(request) -> UserCache:
    """The request's view of the cache, made on first use."""
    found = getattr(request, "_nati_cache", None)
    if found is None or found.user_id != request.user.pk:
        found = request._nati_cache = UserCache(request.user.pk)
    return found


# What nearly every page of a logged-in user reads: fetched together.
COMMON = {"apps": (DIRECTORY, USER), "unread": (INBOX, DIRECTORY, USER)}


def common_prefetch(request) -> UserCache:
    store = user_cache(request)
    store.prefetch(COMMON)
    return store


def prefetched(entries: Callable[..., dict[str, tuple[str, ...]]]):
    """A view whose entries (`entries(request, *args, **kwargs)`: name →
    scopes) are read with the common ones, in the request's first round trip.
    Put it above the access decorator."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated:
                user_cache(request).prefetch(
                    {**COMMON, **entries(request, *args, **kwargs)}
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
