from collections.abc import Iterable

from django.db import transaction

from messaging.models import Notification


@transaction.atomic
def notification_post(
    *,
    recipients: Iterable,
    kind: str,
    text: str,
    url: str = "",
    structure=None,
) -> int:
    """Post one entry to each recipient's news feed (users or user ids)."""
    ids = {getattr(r, "pk", r) for r in recipients}
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                text=text[:300],
                url=url,
                structure=structure,
            )
            for pk in ids
        ],
        batch_size=2000,
    )
    return len(ids)
