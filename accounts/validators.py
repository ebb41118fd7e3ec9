from django.core.exceptions import ValidationError

from accounts.models import Profile

PUPIL_MIN_LENGTH = 8
OTHERS_MIN_LENGTH = 12


class ProfileLengthValidator:
    """Pupils: at least 8 characters; everyone else: at least 12."""

    def _minimum(self, user) -> int:
        if user is not None and getattr(user, "profile", None) == Profile.PUPIL:
            return PUPIL_MIN_LENGTH
        return OTHERS_MIN_LENGTH

    def validate(self, password, user=None):
        minimum = self._minimum(user)
        if len(password) < minimum:
            raise ValidationError(
                "Ce mot de passe est trop court : il faut au moins "
                f"{minimum} caractères. Une phrase de passe est bienvenue.",
                code="password_too_short",
            )

    def get_help_text(self):
        return (
            "Au moins 12 caractères (8 pour un élève). Une phrase de plusieurs "
            "mots, facile à retenir, est bienvenue."
        )
