import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# Where a user who must first choose a password may still go.
_OPEN_DURING_FIRST_LOGIN = ("accounts-first-login", "account_logout")
# The idle stamp is rewritten at most once a minute, not on every request.
_STAMP_EVERY = 60


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
