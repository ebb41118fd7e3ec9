from django.conf import settings
from django.db import models


class Report(models.Model):
    """ "Signaler": a user reports a news-feed entry (or a message) to the
    administrators of the school it came from."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports"
    )
    structure = models.ForeignKey(
        "directory.Structure",
        null=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    notification = models.ForeignKey(
        "messaging.Notification",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    message = models.ForeignKey(
        "messaging.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    # What was reported, as it read then: the entry may change or go.
    excerpt = models.CharField("contenu signalé", max_length=300)
    reason = models.TextField("motif", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["structure", "handled_at"])]

    def __str__(self) -> str:
        return f"report {self.pk}"
