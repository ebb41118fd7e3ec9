import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    load_backend,
    logout,
)
from django.contrib.auth.middleware import AuthenticationMiddleware, get_user
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode

from nati import cache

# Where a user who must first choose a password may still go.
_OPEN_DURING_FIRST_LOGIN = ("accounts-first-login", "account_logout")
# The idle stamp is rewritten at most once a minute, not on every request.
_STAMP_EVERY = 60


# The logged-in user's row, kept in their cache (nati/cache.py): a save of the
# user bumps USER, the feeds' bulk writes bump DIRECTORY.
AUTH_ENTRY = "auth:user"
AUTH_SCOPES = (cache.USER, cache.DIRECTORY)


def _session_user(request):
    """The session's user read from the cache with the request's common
    entries, in one round trip. Only a session whose hash matches the kept
    row is trusted; anything else goes Django's own way (a query, the
    fallback secrets, a flush)."""
    if hasattr(request, "_cached_user"):
        return request._cached_user
    try:
        user_id = int(request.session[SESSION_KEY])
        backend_path = request.session[BACKEND_SESSION_KEY]
    except (KeyError, TypeError, ValueError):
        return get_user(request)
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return get_user(request)
    store = cache.UserCache(user_id)
    store.prefetch({**cache.COMMON, AUTH_ENTRY: AUTH_SCOPES})
    user = store.get(
        AUTH_ENTRY, AUTH_SCOPES, lambda: load_backend(backend_path).get_user(user_id)
    )
    session_hash = request.session.get(HASH_SESSION_KEY)
    if (
        user is not None
        and session_hash
        and constant_time_compare(session_hash, user.get_session_auth_hash())
    ):
        request._cached_user = user
        request._nati_cache = store
        return user
    return get_user(request)


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's, with the user read from the cache (`_session_user`)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _session_user(request))


def idle_stamp(request) -> None:
    request.session["nati_seen"] = int(time.time())


class AccountRulesMiddleware:
    """Rules that hold on every request of a logged-in user: a merged account is
    logged out, an idle session ends, a provisional password is changed first."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.open_paths = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            answer = self._check(request, user)
            if answer is not None:
                return answer
        return self.get_response(request)

    def _check(self, request, user):
        if user.merged_into_id:
            logout(request)
            return redirect("account_login")

        now = int(time.time())
        seen = request.session.get("nati_seen")
        limit = (
            settings.NATI_IDLE_MINUTES_STAFF
            if user.is_staff_profile
            else settings.NATI_IDLE_MINUTES
        )
        if seen is not None and now - seen > limit * 60:
            logout(request)
            messages.warning(
                request,
                "Votre session a pris fin après une période d'inactivité : "
                "reconnectez-vous.",
            )
            return redirect("account_login")
        if seen is None or now - seen > _STAMP_EVERY:
            idle_stamp(request)

        if user.has_provisional_password and not self._open(request):
            url = reverse("accounts-first-login")
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return None

    def _open(self, request) -> bool:
        if self.open_paths is None:
            self.open_paths = {reverse(name) for name in _OPEN_DURING_FIRST_LOGIN}
        return request.path in self.open_paths or request.path.startswith(
            settings.STATIC_URL
        )
