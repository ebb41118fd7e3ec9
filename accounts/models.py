from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q

from nati.text import user_search_name


class Profile(models.TextChoices):
    PUPIL = "pupil", "Élève"
    PARENT = "parent", "Responsable légal"
    TEACHER = "teacher", "Enseignant"
    STAFF = "staff", "Personnel"
    GUEST = "guest", "Invité"


class Source(models.TextChoices):
    AAF = "aaf", "AAF"
    ONDE = "onde", "ONDE"
    MANUAL = "manual", "Manuel"


class AccountState(models.TextChoices):
    NOT_INFORMED = "not_informed", "Non informé"
    INFORMED = "informed", "Non activé - Informé"
    ACTIVE = "active", "Activé"


class User(AbstractUser):
    """One person, one account, whatever the number of structures.

    `username` is the login ("Identifiant"): generated once, never changed.
    """

    profile = models.CharField(
        "profil", max_length=16, choices=Profile.choices, default=Profile.GUEST
    )
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    other_names = models.CharField("autres prénoms", max_length=150, blank=True)
    title = models.CharField("civilité", max_length=8, blank=True)
    # Source and external id make imports idempotent: (source, external_id) is
    # the feed's identity of the person (ENTPersonJointure for AAF).
    source = models.CharField(
        "source", max_length=8, choices=Source.choices, default=Source.MANUAL
    )
    external_id = models.CharField("identifiant source", max_length=64, blank=True)
    ine = models.CharField("INE", max_length=16, blank=True, db_index=True)
    mobile = models.CharField("téléphone portable", max_length=32, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    town = models.CharField("commune", max_length=120, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    photo = models.ImageField("photo", upload_to="photos/", blank=True)
    motto = models.CharField("devise", max_length=200, blank=True)

    account_state = models.CharField(
        "état du compte",
        max_length=16,
        choices=AccountState.choices,
        default=AccountState.NOT_INFORMED,
    )
    informed_at = models.DateTimeField("dernière information", null=True, blank=True)
    blocked = models.BooleanField("bloqué", default=False)
    predeleted_at = models.DateTimeField("pré-supprimé le", null=True, blank=True)
    # Why no account letter may be issued yet (no INE, multi-enrolment, an
    # incomplete record); empty when the person is eligible.
    letter_blocked_reason = models.CharField(
        "motif de blocage du courrier", max_length=200, blank=True
    )
    # Set on a parent account given up in a merge: where its owner goes instead.
    merged_into = models.ForeignKey(
        "self",
        verbose_name="fusionné dans",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_accounts",
    )
    search_name = models.CharField(max_length=300, blank=True, db_index=True)
    # The provisional password of the last letter, encrypted (accounts.crypto)
    # so that "Lister les comptes" can print it again; wiped at first login.
    provisional_password = models.CharField(max_length=255, blank=True)
    provisional_until = models.DateTimeField(
        "mot de passe provisoire valable jusqu'au", null=True, blank=True
    )

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="user_unique_source_external_id",
            )
        ]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.username

    @property
    def is_predeleted(self) -> bool:
        return self.predeleted_at is not None

    @property
    def has_provisional_password(self) -> bool:
        return bool(self.provisional_password)

    @property
    def is_staff_profile(self) -> bool:
        return self.profile in (Profile.TEACHER, Profile.STAFF)

    def save(self, *args, **kwargs):
        self.search_name = user_search_name(self)
        super().save(*args, **kwargs)


class MergeKey(models.Model):
    """A key generated on the parent account to give up, pasted on the one to
    keep. Only its hash is stored; single use, 24 hours."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="merge_keys")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "clé de fusion"

    def __str__(self) -> str:
        return f"merge key of {self.user_id}"


# The CAS server's models live in their package; importing them here registers
# them with the accounts app.
from accounts.cas.models import Connector, ServiceTicket  # noqa: E402, F401
