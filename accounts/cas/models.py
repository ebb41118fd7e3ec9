import fnmatch

from django.conf import settings
from django.db import models

from directory.models import Structure


class AttributeProfile(models.TextChoices):
    PRONOTE = "pronote", "Pronote"
    BASIC = "basic", "Identifiant seul"


class Connector(models.Model):
    """An outside service that logs its users in through nati's CAS server.

    Who may use it is an AppRight on the code `connector:<id>` ("Attribution").
    """

    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="connectors"
    )
    name = models.CharField("nom", max_length=120)
    # A shell-style pattern: `https://demo.index-education.net/pronote/*`.
    service_pattern = models.CharField("adresse du service (motif)", max_length=500)
    # Where the tile of "Mes applis" sends the user, through /cas/login.
    launch_url = models.URLField("adresse d'ouverture", max_length=500)
    attribute_profile = models.CharField(
        "profil d'attributs",
        max_length=16,
        choices=AttributeProfile.choices,
        default=AttributeProfile.PRONOTE,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "connecteur"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def app_code(self) -> str:
        return f"connector:{self.pk}"

    def matches(self, service: str) -> bool:
        return fnmatch.fnmatchcase(service, self.service_pattern)


class ServiceTicket(models.Model):
    """A CAS service ticket: one service, validated once, short-lived."""

    ticket = models.CharField(max_length=80, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="tickets"
    )
    service = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # Set by the first validation, successful or not: a ticket is single use.
    consumed_at = models.DateTimeField(null=True, blank=True)
    # Issued right after the password was typed (what `renew=true` asks for).
    from_new_login = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"ticket {self.pk} for {self.connector_id}"
