"""Pre-deletion: whoever a full delivery no longer names is stamped, kept for
PREDELETION_DAYS (able to log in, but only to "Mes données"), then deleted by
the sweep. "Réintégrer" gives them PREDELETION_DAYS more."""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from directory import services
from directory.models import Affiliation, PredeletionReprieve
from nati.audit import audit_record
from nati.cache import DIRECTORY, writes

logger = logging.getLogger(__name__)


def _days() -> dt.timedelta:
    return dt.timedelta(days=settings.PREDELETION_DAYS)


def predeleted_due(*, now: dt.datetime | None = None) -> QuerySet:
    """Pre-deleted users whose PREDELETION_DAYS are over."""
    now = now or timezone.now()
    return User.objects.filter(predeleted_at__lte=now - _days()).order_by("pk")


def reprieved_ids(*, now: dt.datetime | None = None) -> set[int]:
    """Users the feed may not pre-delete again yet."""
    now = now or timezone.now()
    return set(
        PredeletionReprieve.objects.filter(until__gt=now).values_list(
            "user_id", flat=True
        )
    )


@writes(DIRECTORY)
@transaction.atomic
def predeleted_sweep(*, now: dt.datetime | None = None) -> int:
    """Delete the pre-deleted users whose time is over; returns how many."""
    due = list(predeleted_due(now=now).values_list("pk", flat=True))
    if not due:
        return 0
    structures = set(
        Affiliation.objects.filter(user_id__in=due).values_list(
            "structure_id", flat=True
        )
    )
    User.objects.filter(pk__in=due).delete()
    services.memberships_rebuild(structure_ids=structures)
    audit_record(action="user.sweep", data={"users": due[:1000], "count": len(due)})
    logger.info("sweep deleted %d pre-deleted users", len(due))
    return len(due)


@writes(DIRECTORY)
@transaction.atomic
def predeletion_cancel(*, user: User, actor: User, request=None) -> None:
    """ "Réintégrer": restore the user now, and keep the feed from pre-deleting
    them again for PREDELETION_DAYS."""
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(predeleted_at=None)
    user.predeleted_at = None
    PredeletionReprieve.objects.update_or_create(
        user=user, defaults={"until": now + _days(), "granted_by": actor}
    )
    structures = Affiliation.objects.filter(user=user).values_list(
        "structure_id", flat=True
    )
    services.memberships_rebuild(structure_ids=structures)
    audit_record(
        action="user.predeletion_cancel", actor=actor, target=user, request=request
    )
