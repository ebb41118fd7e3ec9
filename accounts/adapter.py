from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings

from accounts import throttle
from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts come from the directory (feeds, console), never self-signup.
        return False

    def pre_authenticate(self, request, **credentials):
        # Replaces allauth's login_failed limit (see ACCOUNT_RATE_LIMITS).
        if throttle.login_locked(request, credentials.get("username", "")):
            raise forms.ValidationError(
                "Trop d'essais manqués pour cet identifiant depuis cette adresse : "
                f"réessayez dans {settings.NATI_LOGIN_LOCK_MINUTES} minutes.",
                code="too_many_login_attempts",
            )

    def authentication_failed(self, request, **credentials):
        login = credentials.get("username", "")
        user = User.objects.filter(username__iexact=login).only("pk").first()
        throttle.login_failure_record(request, login, user=user)

    def login(self, request, user):
        throttle.login_failures_clear(request, user.username)
        super().login(request, user)
