from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """One entry of a user's news feed ("fil de nouveautés").

    Apps post through messaging.services.notification_post, never directly.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # What it is about: "message", "absence", "flash", "account", …
    kind = models.CharField(max_length=32)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    structure = models.ForeignKey(
        "directory.Structure", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class MessageState(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SENDING = "sending", "En cours d'envoi"
    SENT = "sent", "Envoyé"


class Message(models.Model):
    """A message as its sender wrote it; who received it is in Delivery."""

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_messages"
    )
    subject = models.CharField("objet", max_length=200, blank=True)
    body = models.TextField("message", blank=True)
    state = models.CharField(
        max_length=8, choices=MessageState.choices, default=MessageState.DRAFT
    )
    # The message this one answers or forwards, for the "Re :" thread.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Number of deliveries once delivered; what the sender sees in "Envoyés".
    recipient_count = models.PositiveIntegerField(default=0)
    # A moderator's withdrawal: every list and every view of recipients skips
    # the message from then on; the rows stay for the moderation record.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The sender's own copy: in the trash, then gone from their lists.
    sender_trashed_at = models.DateTimeField(null=True, blank=True)
    sender_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["sender", "state", "-sent_at"]),
        ]

    def __str__(self) -> str:
        return f"message {self.pk}"


class MessageTarget(models.Model):
    """A recipient as the sender chose it: a person or a group. Expanded into
    Delivery rows when the message is sent."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="targets"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    group = models.ForeignKey(
        "directory.Group",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) ^ Q(group__isnull=False),
                name="message_target_user_xor_group",
            )
        ]

    def __str__(self) -> str:
        return f"target of {self.message_id}"


class Delivery(models.Model):
    """One recipient's copy of a sent message: read, trashed, deleted.

    Written in bulk by raw INSERT … SELECT (messaging.delivery): every column
    but the keys is nullable so that the insert names only what it sets.
    """

    # No index of its own: delivery_unique (message, recipient) leads with it,
    # and every index less is faster bulk inserts.
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    # A copy of the message's sent_at, so that an inbox is one index scan.
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    trashed_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # A copy of the message's withdrawn_at, written with it: the inbox and the
    # unread count then stay on this table's partial indexes, no join.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "recipient"], name="delivery_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-sent_at"],
                condition=Q(trashed_at__isnull=True, withdrawn_at__isnull=True),
                name="delivery_inbox",
            ),
            models.Index(
                fields=["recipient"],
                condition=Q(
                    read_at__isnull=True,
                    trashed_at__isnull=True,
                    withdrawn_at__isnull=True,
                ),
                name="delivery_unread",
            ),
            models.Index(
                fields=["recipient", "-trashed_at"],
                condition=Q(trashed_at__isnull=False, deleted_at__isnull=True),
                name="delivery_trash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} to {self.recipient_id}"


def attachment_path(instance, filename: str) -> str:
    # A random name under a private folder: the original name is kept in
    # `name`, never trusted as a path.
    import uuid

    return f"messaging/{uuid.uuid4().hex}"


class Attachment(models.Model):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField("nom", max_length=200)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return self.name


class EmailMode(models.TextChoices):
    OFF = "off", "Pas de courriel"
    IMMEDIATE = "immediate", "Un courriel à chaque nouveau message"
    DIGEST = "digest", "Un résumé par jour"


class MessagingPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="messaging_preference",
    )
    email_mode = models.CharField(
        "notification par courriel",
        max_length=10,
        choices=EmailMode.choices,
        default=EmailMode.OFF,
    )
    # The digest covers deliveries after this moment.
    digest_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"preference of {self.user_id}"


class FlashColour(models.TextChoices):
    BLUE = "blue", "Bleu"
    GREEN = "green", "Vert"
    ORANGE = "orange", "Orange"
    RED = "red", "Rouge"


class FlashLanguage(models.TextChoices):
    FR = "fr", "Français"
    TY = "ty", "Reo Tahiti"
    EN = "en", "Anglais"


class FlashProfile(models.TextChoices):
    """Who a flash message speaks to: the group role that gathers them."""

    PUPILS = "pupils", "Élèves"
    PARENTS = "parents", "Parents"
    TEACHERS = "teachers", "Enseignants"
    STAFF = "staff", "Personnels"
    ADML = "adml", "ADML"


class FlashMessage(models.Model):
    """A banner on the home page of a structure's users (and of the structures
    below it), for the profiles chosen, between two dates."""

    structure = models.ForeignKey(
        "directory.Structure", on_delete=models.CASCADE, related_name="flash_messages"
    )
    title = models.CharField("titre", max_length=150)
    starts_on = models.DateField("date de début")
    ends_on = models.DateField("date de fin")
    # FlashProfile codes.
    profiles = models.JSONField("profils", default=list)
    language = models.CharField(
        "langue", max_length=2, choices=FlashLanguage.choices, default="fr"
    )
    colour = models.CharField(
        "couleur du bandeau",
        max_length=8,
        choices=FlashColour.choices,
        default=FlashColour.BLUE,
    )
    signature = models.CharField("signature", max_length=150, blank=True)
    body = models.TextField("message")
    notify_mail = models.BooleanField("notification mail", default=False)
    notify_mobile = models.BooleanField("notification mobile", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["structure", "ends_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def profile_labels(self) -> str:
        labels = dict(FlashProfile.choices)
        return ", ".join(labels.get(code, code) for code in self.profiles)


class FlashRead(models.Model):
    """A user closed the banner: it no longer shows to them; counted as read."""

    flash = models.ForeignKey(
        FlashMessage, on_delete=models.CASCADE, related_name="reads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["flash", "user"], name="flash_read_unique")
        ]

    def __str__(self) -> str:
        return f"{self.flash_id} read by {self.user_id}"
