from django.contrib.auth.backends import ModelBackend
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.crypto import secret_decrypt
from accounts.models import User


class ProvisionalPasswordBackend(ModelBackend):
    """Logs in with the provisional password of the last account letter, while
    it is valid; the user must then choose a password before anything else."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = (
            User.objects.filter(
                username__iexact=username,
                provisional_until__gt=timezone.now(),
            )
            .exclude(provisional_password="")
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        expected = secret_decrypt(user.provisional_password)
        if expected and constant_time_compare(expected, password):
            return user
        return None
