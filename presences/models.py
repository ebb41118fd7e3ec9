"""The roll-call register: a school's year settings, reasons, registers, events,
parents' declarations and mailings.

Registers are created lazily (see services.register_open): the calendar of a
school's half-days is derived from its YearSettings, so a register row exists
only once a call was opened. Missing rows are computed ("call never taken"),
never stored, which keeps a late change of exclusions free of clean-up.
"""

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q

# Weekday kinds of YearSettings.week: what each weekday (0 = Monday) holds.
FULL, MORNING, AFTERNOON, OFF = "full", "am", "pm", "off"
DAY_KINDS = [
    (FULL, "Journée complète"),
    (MORNING, "Matin seulement"),
    (AFTERNOON, "Après-midi seulement"),
    (OFF, "Pas d'école"),
]
DEFAULT_WEEK = {
    "0": FULL,
    "1": FULL,
    "2": MORNING,
    "3": FULL,
    "4": FULL,
    "5": OFF,
    "6": OFF,
}

# Declarations' attachments live outside MEDIA_ROOT's URL space: only the
# attachment view, which checks who asks, reads them.
_private_storage = FileSystemStorage(location=settings.VAR_DIR / "private")


def private_storage() -> FileSystemStorage:
    """Attachments and letters: outside MEDIA_ROOT, served only by views that
    check who asks. A callable, so that migrations do not freeze a path."""
    return _private_storage


class Half(models.TextChoices):
    MORNING = "am", "Matin"
    AFTERNOON = "pm", "Après-midi"


class YearSettings(models.Model):
    """A school's initialised year: the calendar every register derives from."""

    structure = models.ForeignKey(
        "directory.Structure", on_delete=models.CASCADE, related_name="presence_years"
    )
    school_year = models.PositiveSmallIntegerField("année scolaire")
    start = models.DateField("début de l'année")
    end = models.DateField("fin de l'année")
    morning_start = models.TimeField("début du matin")
    morning_end = models.TimeField("fin du matin")
    afternoon_start = models.TimeField("début de l'après-midi")
    afternoon_end = models.TimeField("fin de l'après-midi")
    # {"0": "full", "2": "am", ...}: each weekday's kind (DAY_KINDS).
    week = models.JSONField("semaine type", default=dict)
    absence_threshold = models.PositiveSmallIntegerField("seuil absences", default=3)
    lateness_threshold = models.PositiveSmallIntegerField("seuil retards", default=3)
    incident_threshold = models.PositiveSmallIntegerField("seuil incidents", default=1)
    notebook_threshold = models.PositiveSmallIntegerField(
        "seuil oublis de carnet", default=3
    )
    count_without_reason = models.BooleanField(
        "les évènements sans motif comptent dans les alertes", default=True
    )
    # One call per half-day is the only mode nati supports; the flag is stored
    # so that the setting reads as the territory asks ("appels multiples : non").
    multiple_calls = models.BooleanField("appels multiples", default=False)
    initialised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    initialised_at = models.DateTimeField(auto_now_add=True)
    # Drawn anew by every change of the school's settings, exclusions or reasons
    # (services.settings_changed): with the row's id, the key of the per-process
    # cache of them that the 8:00 call reads (selectors.school_settings).
    version = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "school_year"], name="presence_year_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.structure_id} {self.school_year}"


class Exclusion(models.Model):
    """Days without a call: holidays ("Autre système"), closures."""

    year = models.ForeignKey(
        YearSettings, on_delete=models.CASCADE, related_name="exclusions"
    )
    label = models.CharField("libellé", max_length=120)
    start = models.DateField("du")
    end = models.DateField("au")
    system = models.CharField("type", max_length=40, default="Autre système")

    class Meta:
        ordering = ["start"]

    def __str__(self) -> str:
        return self.label


class AbsenceReason(models.Model):
    structure = models.ForeignKey(
        "directory.Structure", on_delete=models.CASCADE, related_name="absence_reasons"
    )
    code = models.CharField("code", max_length=4)
    label = models.CharField("libellé", max_length=200)
    # O (illegitimate) can never be justified; A–F are justified once regularised.
    can_be_justified = models.BooleanField("peut être justifiée", default=True)
    needs_regularisation = models.BooleanField(
        "nécessite une régularisation", default=True
    )
    counts_in_record = models.BooleanField("compte dans le dossier", default=True)
    alert_when_regularised = models.BooleanField(
        "compte dans les alertes si régularisée", default=False
    )
    alert_when_not_regularised = models.BooleanField(
        "compte dans les alertes si non régularisée", default=True
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "code"], name="absence_reason_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.label}"


class LatenessReason(models.Model):
    structure = models.ForeignKey(
        "directory.Structure", on_delete=models.CASCADE, related_name="lateness_reasons"
    )
    label = models.CharField("libellé", max_length=120)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class Register(models.Model):
    """One class's call for one half-day."""

    klass = models.ForeignKey(
        "directory.SchoolClass", on_delete=models.CASCADE, related_name="registers"
    )
    # Denormalised from klass: the dashboard reads a school's day in one query.
    structure = models.ForeignKey(
        "directory.Structure", on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField()
    half = models.CharField(max_length=2, choices=Half.choices)
    starts_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set at validation: no mark at all ("classe complète"), distinct from a
    # call never taken (no row, or a row never validated).
    full_class = models.BooleanField(default=False)
    # The last change after validation (a correction), or the validation itself.
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["klass", "date", "half"], name="register_unique_half_day"
            )
        ]
        indexes = [models.Index(fields=["structure", "date"])]

    def __str__(self) -> str:
        return f"{self.klass_id} {self.date} {self.half}"

    @property
    def is_validated(self) -> bool:
        return self.validated_at is not None


class Kind(models.TextChoices):
    ABSENCE = "absence", "Absence"
    LATENESS = "late", "Retard"
    EARLY_LEAVE = "left", "Départ anticipé"
    INCIDENT = "incident", "Incident"
    NOTEBOOK = "notebook", "Oubli de carnet"


# A pupil has at most one current "presence" mark per register (absent, late
# or left early); incidents and forgotten notebooks sit beside it.
PRESENCE_KINDS = (Kind.ABSENCE, Kind.LATENESS, Kind.EARLY_LEAVE)


class Event(models.Model):
    """A mark of the register. Before validation a mark is edited in place;
    after it, a change closes the row (replaced_at) and, unless the mark is
    withdrawn, opens a new one flagged as a correction: nothing is lost."""

    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="events"
    )
    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Denormalised from register for the dashboard, alerts and month queries.
    structure = models.ForeignKey(
        "directory.Structure", on_delete=models.CASCADE, related_name="+"
    )
    klass = models.ForeignKey(
        "directory.SchoolClass", on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField()
    half = models.CharField(max_length=2, choices=Half.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # "presence" for the three presence kinds, else the kind: the unique slot.
    slot = models.CharField(max_length=10)
    at_time = models.TimeField("heure", null=True, blank=True)
    reason = models.ForeignKey(
        AbsenceReason, null=True, blank=True, on_delete=models.PROTECT
    )
    lateness_reason = models.ForeignKey(
        LatenessReason, null=True, blank=True, on_delete=models.PROTECT
    )
    comment = models.CharField("commentaire", max_length=300, blank=True)
    regularised_at = models.DateTimeField(null=True, blank=True)
    regularised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    declaration = models.ForeignKey(
        "Declaration", null=True, blank=True, on_delete=models.SET_NULL
    )
    is_correction = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    replaced_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["register", "pupil", "slot"],
                condition=Q(replaced_at__isnull=True),
                name="event_one_current_per_slot",
            )
        ]
        indexes = [
            models.Index(fields=["structure", "date"]),
            models.Index(fields=["pupil", "date"]),
            models.Index(fields=["klass", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pupil_id} {self.date} {self.half}"

    @property
    def is_regularised(self) -> bool:
        return self.regularised_at is not None

    @property
    def state_label(self) -> str:
        if self.kind != Kind.ABSENCE:
            return ""
        if self.reason_id and not self.reason.needs_regularisation:
            return "Non justifiable" if not self.reason.can_be_justified else ""
        if self.is_regularised:
            return "Justifiée" if self.reason_id else "Régularisée"
        return "À régulariser"


class DeclarationState(models.TextChoices):
    PENDING = "pending", "À traiter"
    ACCEPTED = "accepted", "Absence justifiée"
    DECLINED = "declined", "Refusée"


class Declaration(models.Model):
    """A parent's declaration of their child's absence, for the director."""

    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    structure = models.ForeignKey(
        "directory.Structure", on_delete=models.CASCADE, related_name="+"
    )
    start = models.DateField("du")
    start_half = models.CharField("à partir du", max_length=2, choices=Half.choices)
    end = models.DateField("au")
    end_half = models.CharField("jusqu'à", max_length=2, choices=Half.choices)
    reason = models.ForeignKey(
        AbsenceReason, on_delete=models.PROTECT, verbose_name="motif"
    )
    comment = models.CharField("commentaire", max_length=500, blank=True)
    attachment = models.FileField(
        "pièce jointe",
        storage=private_storage,
        upload_to="declarations/%Y/%m/",
        blank=True,
    )
    state = models.CharField(
        max_length=10,
        choices=DeclarationState.choices,
        default=DeclarationState.PENDING,
    )
    answer = models.CharField("réponse", max_length=300, blank=True)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["structure", "state"])]

    def __str__(self) -> str:
        return f"declaration {self.pk}"


class Channel(models.TextChoices):
    MAIL = "mail", "Courriel"
    SMS = "sms", "SMS"
    LETTER = "letter", "Courrier PDF"


class MessageTemplate(models.Model):
    structure = models.ForeignKey(
        "directory.Structure", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField("nom", max_length=120)
    subject = models.CharField("objet", max_length=200, blank=True)
    body = models.TextField("message")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MailingState(models.TextChoices):
    QUEUED = "queued", "En file"
    SENT = "sent", "Envoyé"
    FAILED = "failed", "Échec partiel"


class Mailing(models.Model):
    """One publipostage: what was asked, to whom, and how it went."""

    structure = models.ForeignKey(
        "directory.Structure", on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    start = models.DateField()
    end = models.DateField()
    kinds = models.JSONField(default=list)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    state = models.CharField(
        max_length=8, choices=MailingState.choices, default=MailingState.QUEUED
    )
    letters = models.FileField(
        storage=private_storage, upload_to="letters/", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"mailing {self.pk}"


class MailingRecipient(models.Model):
    mailing = models.ForeignKey(
        Mailing, on_delete=models.CASCADE, related_name="recipients"
    )
    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    address = models.CharField(max_length=255)
    text = models.TextField()
    events = models.ManyToManyField(Event, related_name="mailings")
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.mailing_id} to {self.representative_id}"
