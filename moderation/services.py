"""Reports ("Signaler"): stored, and told to the school's administrators."""

from django.db import transaction
from django.urls import reverse

from accounts.models import User
from directory.models import GroupKind, Membership, Structure
from messaging.models import Notification
from messaging.services import notification_post
from moderation.models import Report
from nati.audit import audit_record
from nati.cache import REPORTS, writes


def _school_of(user: User) -> Structure | None:
    return (
        Structure.objects.filter(affiliations__user=user, kind="school")
        .order_by("pk")
        .first()
    )


@writes(REPORTS)
@transaction.atomic
def report_create(
    *, reporter: User, notification: Notification, reason: str, request=None
) -> Report:
    """Store the report against the school the entry came from (else the
    reporter's school) and post it to that school's ADML and direction."""
    structure = notification.structure or _school_of(reporter)
    report = Report.objects.create(
        reporter=reporter,
        structure=structure,
        notification=notification,
        excerpt=notification.text[:300],
        reason=reason[:2000],
    )
    if structure is not None:
        admins = Membership.objects.filter(
            group__structure=structure,
            group__kind=GroupKind.FUNCTION,
            group__role__in=["adml", "direction"],
        ).values_list("user_id", flat=True)
        notification_post(
            recipients=admins,
            kind="report",
            text="Un contenu du fil de nouveautés a été signalé.",
            url=reverse("moderation-reports"),
            structure=structure,
        )
    audit_record(
        action="report.create",
        actor=reporter,
        target=report,
        structure=structure,
        request=request,
        data={"notification": notification.pk},
    )
    return report
