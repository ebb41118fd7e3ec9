"""Reads of Messagerie. Every list respects withdrawal and the trash, and runs a
fixed number of queries whatever its length."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from messaging.models import (
    Delivery,
    FlashMessage,
    Message,
    MessageState,
    Notification,
)
from nati.text import normalise_name


def _search(queryset: QuerySet, query: str, *, sender: bool) -> QuerySet:
    for word in query.split():
        match = Q(message__subject__icontains=word)
        if sender:
            match |= Q(message__sender__search_name__contains=normalise_name(word))
        queryset = queryset.filter(match)
    return queryset


def inbox(user: User, query: str = "") -> QuerySet:
    deliveries = Delivery.objects.filter(
        recipient=user, trashed_at__isnull=True, withdrawn_at__isnull=True
    )
    return (
        _search(deliveries, query, sender=True)
        .select_related("message__sender")
        # What the list shows, not the wide user rows.
        .only(
            "sent_at",
            "read_at",
            "message__subject",
            "message__sender__first_name",
            "message__sender__last_name",
            "message__sender__username",
        )
        .order_by("-sent_at", "-id")
    )


def trash(user: User) -> QuerySet:
    return (
        Delivery.objects.filter(
            recipient=user,
            trashed_at__isnull=False,
            deleted_at__isnull=True,
            withdrawn_at__isnull=True,
        )
        .select_related("message__sender")
        .order_by("-trashed_at", "-id")
    )


def sent(user: User, query: str = "") -> QuerySet:
    messages = Message.objects.filter(
        sender=user,
        state__in=[MessageState.SENDING, MessageState.SENT],
        sender_trashed_at__isnull=True,
    )
    for word in query.split():
        messages = messages.filter(subject__icontains=word)
    return messages.order_by("-sent_at", "-id")


def sent_trash(user: User) -> QuerySet:
    return Message.objects.filter(
        sender=user, sender_trashed_at__isnull=False, sender_deleted_at__isnull=True
    ).order_by("-sender_trashed_at", "-id")


def sent_or_404(user: User, message_id: int) -> Message:
    """A message the user sent and has not deleted for good, else 404."""
    message = (
        Message.objects.filter(
            pk=message_id, sender=user, sender_deleted_at__isnull=True
        )
        .exclude(state=MessageState.DRAFT)
        .first()
    )
    if message is None:
        raise Http404
    return message


def drafts(user: User) -> QuerySet:
    return Message.objects.filter(sender=user, state=MessageState.DRAFT).order_by(
        "-updated_at", "-id"
    )


def target_ids(message: Message) -> tuple[set[int], set[int]]:
    """(user ids, group ids) the sender chose."""
    users, groups = set(), set()
    for user_id, group_id in message.targets.values_list("user_id", "group_id"):
        (users if user_id else groups).add(user_id or group_id)
    return users, groups


UNREAD_CAP = 100


def unread_count(user: User) -> int:
    """One query on the partial index of unread deliveries, stopped at
    UNREAD_CAP: the header shows "99+" beyond, and a user with thousands of
    unread messages costs no more than one with a hundred."""
    return Delivery.objects.filter(
        recipient=user,
        read_at__isnull=True,
        trashed_at__isnull=True,
        withdrawn_at__isnull=True,
    )[:UNREAD_CAP].count()


def delivery_or_404(user: User, message_id: int) -> Delivery:
    delivery = (
        Delivery.objects.filter(
            recipient=user,
            message_id=message_id,
            deleted_at__isnull=True,
            withdrawn_at__isnull=True,
        )
        .select_related("message__sender")
        .first()
    )
    if delivery is None:
        raise Http404
    return delivery


def readable_message_or_404(user: User, message_id: int) -> tuple[Message, Delivery]:
    """A message the user sent (delivery None) or received, else 404."""
    message = (
        Message.objects.filter(
            pk=message_id, sender=user, sender_deleted_at__isnull=True
        )
        .exclude(state=MessageState.DRAFT)
        .select_related("sender")
        .first()
    )
    if message is not None:
        return message, None
    delivery = delivery_or_404(user, message_id)
    return delivery.message, delivery


def draft_or_404(user: User, message_id: int) -> Message:
    message = Message.objects.filter(
        pk=message_id, sender=user, state=MessageState.DRAFT
    ).first()
    if message is None:
        raise Http404
    return message


def may_open_attachment(user: User, message: Message) -> bool:
    if message.sender_id == user.pk:
        return True
    return (
        message.withdrawn_at is None
        and Delivery.objects.filter(
            message=message, recipient=user, deleted_at__isnull=True
        ).exists()
    )


def feed(user: User) -> QuerySet:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


# Hand-written because the home page runs it for every user: the ORM's version
# (five correlated EXISTS) cost more to compile than to execute. Portable SQL:
# the JSON list of profiles is matched as text ('"parents"' is a whole code).
_FLASHES_SQL = """
SELECT f.* FROM messaging_flashmessage f
JOIN directory_structure fs ON fs.id = f.structure_id
WHERE f.starts_on <= %s AND f.ends_on >= %s
AND NOT EXISTS (
    SELECT 1 FROM messaging_flashread r WHERE r.flash_id = f.id AND r.user_id = %s
)
AND EXISTS (
    SELECT 1 FROM directory_membership m
    JOIN directory_group g ON g.id = m.group_id
    JOIN directory_structure gs ON gs.id = g.structure_id
    WHERE m.user_id = %s
    AND g.kind IN ('profile', 'function')
    AND g.role IN ('pupils', 'parents', 'teachers', 'staff', 'adml')
    AND gs.path LIKE fs.path || '%%'
    AND CAST(f.profiles AS TEXT) LIKE '%%"' || g.role || '"%%'
)
ORDER BY f.starts_on DESC, f.id DESC
"""


def flashes_for(user: User, today) -> list[FlashMessage]:
    """The banners to show a user today: those of a structure above one of
    their groups, for a profile they hold there, not closed yet. One query."""
    day = today.isoformat()
    return list(FlashMessage.objects.raw(_FLASHES_SQL, [day, day, user.pk, user.pk]))
