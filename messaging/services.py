"""Every write of Messagerie, the news feed and the flash messages."""

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from directory import selectors as directory_selectors
from directory.models import Group, GroupKind, Membership, Structure, StructureKind
from messaging.models import (
    Attachment,
    Delivery,
    EmailMode,
    FlashMessage,
    FlashRead,
    Message,
    MessageState,
    MessageTarget,
    MessagingPreference,
    Notification,
)
from messaging.selectors import target_ids
from nati import cache
from nati.audit import audit_record

logger = logging.getLogger(__name__)


class MessageRefused(Exception):
    """The message cannot be saved or sent; str() is the French reason."""


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
    cache.bump_users(cache.INBOX, ids)
    if connection.vendor == "postgresql" and len(ids) > 500:
        return _notifications_insert(ids, kind, text[:300], url, structure)
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
        batch_size=5000,
    )
    return len(ids)


def _notifications_insert(ids: set[int], kind, text, url, structure) -> int:
    """Thousands of entries in one statement: the ids travel as one array."""
    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (recipient_id, kind, text, url, structure_id,"  # noqa: S608
            " created_at) SELECT unnest(%s::bigint[]), %s, %s, %s, %s, %s",
            [
                sorted(ids),
                kind,
                text,
                url,
                getattr(structure, "pk", structure),
                timezone.now(),
            ],
        )
    return len(ids)


# --- Writing ------------------------------------------------------------------


def attachment_max_bytes() -> int:
    return settings.MESSAGING_ATTACHMENT_MAX_MB * 1024 * 1024


@transaction.atomic
def message_draft_save(
    *,
    sender: User,
    subject: str,
    body: str,
    user_ids: Iterable[int],
    group_ids: Iterable[int],
    files: Iterable = (),
    parent: Message | None = None,
    forwarded: Iterable[Attachment] = (),
    removed_attachment_ids: Iterable[int] = (),
    message: Message | None = None,
) -> Message:
    """Create or update a draft: its text, its chosen recipients, its files.

    Recipients are not checked here (the rules may change before it leaves):
    message_send checks them all."""
    files = list(files)
    for upload in files:
        if upload.size > attachment_max_bytes():
            raise MessageRefused(
                f"La pièce jointe « {upload.name} » dépasse la taille permise "
                f"({settings.MESSAGING_ATTACHMENT_MAX_MB} Mo)."
            )
    if message is None:
        message = Message.objects.create(
            sender=sender, subject=subject[:200], body=body, parent=parent
        )
    else:
        if message.state != MessageState.DRAFT or message.sender_id != sender.pk:
            raise MessageRefused("Ce message n'est plus un brouillon.")
        message.subject, message.body = subject[:200], body
        message.save(update_fields=["subject", "body", "updated_at"])
        message.targets.all().delete()
        message.attachments.filter(pk__in=list(removed_attachment_ids)).delete()

    users = set(User.objects.filter(pk__in=set(user_ids)).values_list("pk", flat=True))
    groups = set(
        Group.objects.filter(pk__in=set(group_ids))
        .exclude(kind=GroupKind.FAVOURITES)
        .values_list("pk", flat=True)
    )
    MessageTarget.objects.bulk_create(
        [MessageTarget(message=message, user_id=pk) for pk in sorted(users)]
        + [MessageTarget(message=message, group_id=pk) for pk in sorted(groups)]
    )
    Attachment.objects.bulk_create(
        [
            # A forward shares the stored file: attachments are never rewritten.
            Attachment(
                message=message,
                file=a.file.name,
                name=a.name,
                size=a.size,
                content_type=a.content_type,
            )
            for a in forwarded
        ]
    )
    for upload in files:
        Attachment.objects.create(
            message=message,
            file=upload,
            name=upload.name[:200],
            size=upload.size,
            content_type=(upload.content_type or "")[:100],
        )
    return message


def recipients_expanded(message: Message) -> QuerySet:
    """The user ids a message reaches now: the people chosen and the members of
    the groups chosen, each through a group the sender may write to — so the
    expansion itself re-applies the rules. Lazy, distinct."""
    users, groups = target_ids(message)
    return (
        Membership.objects.filter(
            Q(group_id__in=groups) | Q(user_id__in=users),
            group_id__in=directory_selectors.writable_groups(message.sender).values(
                "pk"
            ),
            user__is_active=True,
            user__predeleted_at__isnull=True,
        )
        .exclude(user_id=message.sender_id)
        .values("user_id")
        .distinct()
    )


def recipients_check(message: Message, *, limit: int | None = None) -> int:
    """Refuse, naming them, every chosen person or group out of the sender's
    reach; else the number of people the message reaches (counted up to
    `limit` only, when the caller needs no more)."""
    users, groups = target_ids(message)
    if not users and not groups:
        raise MessageRefused("Choisissez au moins un destinataire.")
    writable = set(
        directory_selectors.writable_groups(message.sender)
        .filter(pk__in=groups)
        .values_list("pk", flat=True)
    )
    refused = [
        f"le groupe « {name} »"
        for name in Group.objects.filter(pk__in=groups - writable)
        .order_by("name")
        .values_list("name", flat=True)
    ]
    unreachable = directory_selectors.unreachable_among(message.sender, users)
    refused += [
        user.display_name
        for user in User.objects.filter(pk__in=unreachable).order_by(
            "last_name", "first_name"
        )
    ]
    if refused:
        raise MessageRefused(
            "Envoi refusé : vous ne pouvez pas écrire à "
            + ", ".join(refused)
            + ". Retirez ces destinataires ; rien n'a été envoyé."
        )
    expanded = recipients_expanded(message)
    count = (expanded[:limit] if limit else expanded).count()
    if count == 0:
        raise MessageRefused(
            "Ce message n'atteindrait personne : les groupes choisis sont vides."
        )
    return count


def reaches_families(message: Message) -> bool:
    """Does the message go to a group of pupils or parents (the sender then
    confirms the number of people first)?"""
    return message.targets.filter(group__role__in=["pupils", "parents"]).exists()


@transaction.atomic
def message_send(*, message: Message, sender: User, request=None) -> Message:
    """Check every recipient now, then deliver: at once for a small sending,
    through a Celery task after commit for a large one (state "sending")."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.sender_id != sender.pk or message.state != MessageState.DRAFT:
        raise MessageRefused("Ce message a déjà été envoyé.")
    # Counting thousands of recipients is the task's work: here only whether
    # there are more than the sync limit.
    count = recipients_check(message, limit=settings.MESSAGING_SYNC_LIMIT + 1)

    message.state = MessageState.SENDING
    message.sent_at = timezone.now()
    message.save(update_fields=["state", "sent_at", "updated_at"])
    audit_record(action="message.send", actor=sender, target=message, request=request)
    if count <= settings.MESSAGING_SYNC_LIMIT:
        message_deliver(message_id=message.pk)
        message.refresh_from_db()
    else:
        from messaging.tasks import message_deliver_task

        transaction.on_commit(lambda: message_deliver_task.delay(message.pk))
    return message


def _sender_school(user: User) -> Structure | None:
    return (
        Structure.objects.filter(affiliations__user=user, kind=StructureKind.SCHOOL)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def message_deliver(*, message_id: int) -> int:
    """Write one Delivery per recipient, in one INSERT … SELECT, then post the
    news-feed entries. Safe to run twice: a delivered message is left alone."""
    message = (
        Message.objects.select_for_update()
        .select_related("sender")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.state != MessageState.SENDING:
        return 0

    # One statement, however many recipients: the expansion is the ORM's own
    # SQL (parameters kept apart), the table name the model's.
    subquery, params = recipients_expanded(message).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Delivery._meta.db_table} (message_id, recipient_id, sent_at)"  # noqa: S608
            f" SELECT %s, expanded.user_id, %s FROM ({subquery}) expanded WHERE true"
            " ON CONFLICT DO NOTHING",
            [
                message.pk,
                connection.ops.adapt_datetimefield_value(message.sent_at),
                *params,
            ],
        )
    recipient_ids = list(
        Delivery.objects.filter(message=message).values_list("recipient_id", flat=True)
    )
    # (notification_post below bumps these inboxes' generations.)
    message.state = MessageState.SENT
    message.recipient_count = len(recipient_ids)
    message.save(update_fields=["state", "recipient_count", "updated_at"])

    notification_post(
        recipients=recipient_ids,
        kind="message",
        text=f"Nouveau message de {message.sender.display_name} : "
        f"{message.subject or '(sans objet)'}",
        url=reverse("messaging-message", args=[message.pk]),
        structure=_sender_school(message.sender),
    )
    from messaging.tasks import message_email_task

    transaction.on_commit(lambda: message_email_task.delay(message.pk))
    logger.info("message %s delivered to %s", message.pk, len(recipient_ids))
    return len(recipient_ids)


@transaction.atomic
def message_draft_delete(*, message: Message) -> None:
    if message.state != MessageState.DRAFT:
        raise MessageRefused("Seul un brouillon peut être supprimé ainsi.")
    message.delete()


@transaction.atomic
def message_withdraw(*, message: Message, actor: User, request=None) -> None:
    """A moderator takes a message out of every inbox (the rows stay)."""
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(withdrawn_at=now, withdrawn_by=actor)
    Delivery.objects.filter(message=message).update(withdrawn_at=now)
    cache.bump_users(
        cache.INBOX,
        Delivery.objects.filter(message=message).values_list("recipient_id", flat=True),
    )
    Notification.objects.filter(
        kind="message", url=reverse("messaging-message", args=[message.pk])
    ).delete()
    audit_record(
        action="message.withdraw", actor=actor, target=message, request=request
    )


# --- Reading ------------------------------------------------------------------


def _inbox_changed(delivery: Delivery) -> None:
    cache.bump(cache.INBOX.format(user=delivery.recipient_id))


def delivery_read_set(*, delivery: Delivery, read: bool) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        read_at=timezone.now() if read else None
    )
    _inbox_changed(delivery)


def delivery_trash(*, delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(trashed_at=timezone.now())
    _inbox_changed(delivery)


def delivery_restore(*, delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk, deleted_at__isnull=True).update(
        trashed_at=None
    )
    _inbox_changed(delivery)


def delivery_delete(*, delivery: Delivery) -> None:
    """Gone from the trash for good (the row stays for the moderation record)."""
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        deleted_at=now, trashed_at=delivery.trashed_at or now
    )
    _inbox_changed(delivery)


def sent_trash(*, message: Message) -> None:
    """The sender's own copy to the trash; the recipients keep theirs."""
    Message.objects.filter(pk=message.pk).update(sender_trashed_at=timezone.now())


def sent_restore(*, message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(sender_trashed_at=None)


def sent_delete(*, message: Message) -> None:
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(
        sender_deleted_at=now, sender_trashed_at=message.sender_trashed_at or now
    )


def preference_set(*, user: User, email_mode: str) -> MessagingPreference:
    preference, _ = MessagingPreference.objects.update_or_create(
        user=user, defaults={"email_mode": email_mode}
    )
    return preference


# --- Mail ---------------------------------------------------------------------


def _site_url(path: str) -> str:
    return settings.NATI_SITE_URL.rstrip("/") + path


def message_email_send(*, message_id: int) -> int:
    """Tell by mail the recipients who asked for it at once. Safe to run twice
    only in the sense that it sends again: the task runs once per delivery."""
    from django.core.mail import get_connection
    from django.core.mail.message import EmailMessage

    message = Message.objects.select_related("sender").filter(pk=message_id).first()
    if message is None or message.withdrawn_at is not None:
        return 0
    emails = list(
        User.objects.filter(
            deliveries__message=message,
            deliveries__read_at__isnull=True,
            messaging_preference__email_mode=EmailMode.IMMEDIATE,
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    url = _site_url(reverse("messaging-message", args=[message.pk]))
    text = (
        f"Bonjour,\n\nVous avez reçu un nouveau message de "
        f"{message.sender.display_name} dans nati : « {message.subject} ».\n"
        f"Lisez-le ici : {url}\n\n"
        "Vous recevez ce courriel parce que vous l'avez demandé dans les "
        "préférences de la Messagerie."
    )
    mails = [
        EmailMessage("Nouveau message dans nati", text, None, [email])
        for email in emails
    ]
    if mails:
        get_connection().send_messages(mails)
    logger.info("message %s: %s immediate mails", message.pk, len(mails))
    return len(mails)


def digest_send(*, now: dt.datetime | None = None) -> int:
    """One mail a day to each user who chose the digest and has unread
    messages since the last one."""
    from django.core.mail import get_connection
    from django.core.mail.message import EmailMessage

    now = now or timezone.now()
    preferences = MessagingPreference.objects.filter(
        email_mode=EmailMode.DIGEST
    ).exclude(user__email="")
    mails, sent_to = [], []
    for preference in preferences.select_related("user").iterator():
        since = preference.digest_sent_at or preference.user.date_joined
        unread = list(
            Delivery.objects.filter(
                recipient_id=preference.user_id,
                sent_at__gt=since,
                sent_at__lte=now,
                read_at__isnull=True,
                trashed_at__isnull=True,
                withdrawn_at__isnull=True,
            )
            .select_related("message__sender")
            .order_by("-sent_at")[:50]
        )
        sent_to.append(preference.pk)
        if not unread:
            continue
        lines = [
            f"- {d.message.sender.display_name} : {d.message.subject}" for d in unread
        ]
        text = (
            f"Bonjour,\n\nVous avez {len(unread)} nouveau(x) message(s) non lu(s) "
            "dans nati :\n" + "\n".join(lines) + "\n\nLisez-les ici : "
            f"{_site_url(reverse('messaging-inbox'))}\n"
        )
        mails.append(
            EmailMessage(
                "Vos nouveaux messages dans nati",
                text,
                None,
                [preference.user.email],
            )
        )
    if mails:
        get_connection().send_messages(mails)
    MessagingPreference.objects.filter(pk__in=sent_to).update(digest_sent_at=now)
    logger.info("messaging digest: %s mails", len(mails))
    return len(mails)


# --- Flash messages -----------------------------------------------------------

FLASH_FIELDS = [
    "title",
    "starts_on",
    "ends_on",
    "profiles",
    "language",
    "colour",
    "signature",
    "body",
    "notify_mail",
    "notify_mobile",
]


def flash_notify_allowed(*, structure: Structure, starts_on: dt.date) -> bool:
    """Mail and mobile notifications only for a message that starts today and
    concerns one school."""
    return structure.kind == StructureKind.SCHOOL and starts_on == timezone.localdate()


@transaction.atomic
def flash_save(
    *,
    structure: Structure,
    actor: User,
    fields: dict,
    flash: FlashMessage | None = None,
    request=None,
) -> FlashMessage:
    if fields["ends_on"] < fields["starts_on"]:
        raise MessageRefused("La date de fin précède la date de début.")
    if (fields.get("notify_mail") or fields.get("notify_mobile")) and not (
        flash_notify_allowed(structure=structure, starts_on=fields["starts_on"])
    ):
        raise MessageRefused(
            "La notification mail ou mobile n'est possible que pour un message "
            "qui commence aujourd'hui et ne concerne qu'une école."
        )
    created = flash is None
    flash = flash or FlashMessage(structure=structure, created_by=actor)
    was_notified = not created and (flash.notify_mail or flash.notify_mobile)
    for name in FLASH_FIELDS:
        setattr(flash, name, fields[name])
    flash.save()
    cache.bump(cache.FLASHES)
    audit_record(
        action="flash.create" if created else "flash.update",
        actor=actor,
        target=flash,
        structure=structure,
        request=request,
    )
    if (flash.notify_mail or flash.notify_mobile) and not was_notified:
        from messaging.tasks import flash_notify_task

        transaction.on_commit(lambda: flash_notify_task.delay(flash.pk))
    return flash


@transaction.atomic
def flash_delete(*, flash: FlashMessage, actor: User, request=None) -> None:
    audit_record(
        action="flash.delete",
        actor=actor,
        target=flash,
        structure=flash.structure,
        request=request,
    )
    flash.delete()
    cache.bump(cache.FLASHES)


def flash_close(*, flash: FlashMessage, user: User) -> None:
    FlashRead.objects.bulk_create(
        [FlashRead(flash=flash, user=user)], ignore_conflicts=True
    )
    cache.bump(cache.INBOX.format(user=user.pk))


def flash_audience(flash: FlashMessage) -> QuerySet:
    """The users a flash message speaks to: members of the profile (or ADML)
    groups of its structure and of the structures below it."""
    return User.objects.filter(
        memberships__group__structure__path__startswith=flash.structure.path,
        memberships__group__kind__in=[GroupKind.PROFILE, GroupKind.FUNCTION],
        memberships__group__role__in=flash.profiles,
        is_active=True,
        predeleted_at__isnull=True,
    ).distinct()


def flash_notify(*, flash_id: int) -> tuple[int, int]:
    """Send the mail and mobile notifications of a flash message (once)."""
    from django.core.mail import get_connection
    from django.core.mail.message import EmailMessage

    from nati.sms import SmsError, sms_send

    flash = FlashMessage.objects.select_related("structure").filter(pk=flash_id).first()
    if flash is None:
        return 0, 0
    audience = flash_audience(flash)
    mails = texts = 0
    if flash.notify_mail:
        batch = [
            EmailMessage(flash.title, f"{flash.body}\n\n{flash.signature}", None, [e])
            for e in audience.exclude(email="").values_list("email", flat=True)
        ]
        if batch:
            get_connection().send_messages(batch)
        mails = len(batch)
    if flash.notify_mobile:
        for mobile in audience.exclude(mobile="").values_list("mobile", flat=True):
            try:
                sms_send(to=mobile, text=f"{flash.title} : {flash.body}"[:300])
                texts += 1
            except SmsError:
                logger.warning("flash %s: one SMS refused by the gateway", flash.pk)
    logger.info("flash %s notified: %s mails, %s SMS", flash.pk, mails, texts)
    return mails, texts
