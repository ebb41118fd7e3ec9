import time

from django.core import mail
from django.urls import reverse

from directory.models import Group, GroupKind, GroupRole
from messaging import services
from messaging.models import Delivery, MessageState, MessagingPreference
from nati.celery import app
from tests.world import build_world


def _parents_of_a(world):
    return Group.objects.get(
        structure=world.school_a, kind=GroupKind.PROFILE, role=GroupRole.PARENTS
    )


def _wait_for(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_large_sending_is_delivered_by_the_celery_task(celery_live_worker, settings):
    settings.MESSAGING_SYNC_LIMIT = 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = build_world()
    world.parent_ce1.email = "lai@example.pf"
    world.parent_ce1.save()
    MessagingPreference.objects.create(user=world.parent_ce1, email_mode="immediate")
    draft = services.message_draft_save(
        sender=world.director,
        subject="Rentrée",
        body="Lundi",
        user_ids=[],
        group_ids=[_parents_of_a(world).pk],
    )

    accepted = services.message_send(message=draft, sender=world.director)

    assert accepted.state == MessageState.SENDING  # handed to the task
    assert _wait_for(
        lambda: (
            Delivery.objects.filter(message=draft).count() == 2
            and draft.__class__.objects.get(pk=draft.pk).state == MessageState.SENT
        )
    )
    got = set(
        Delivery.objects.filter(message=draft).values_list("recipient", flat=True)
    )
    assert got == {world.parent_cm1.pk, world.parent_ce1.pk}
    assert _wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["lai@example.pf"]
    assert "Rentrée" in mail.outbox[0].body

    # Run twice, the task changes nothing.
    assert services.message_deliver(message_id=draft.pk) == 0
    assert Delivery.objects.filter(message=draft).count() == 2


def test_the_sender_sees_a_large_sending_as_being_sent_until_it_is(
    client_for, world, settings
):
    settings.MESSAGING_SYNC_LIMIT = 1
    draft = services.message_draft_save(
        sender=world.director,
        subject="Rentrée",
        body="",
        user_ids=[],
        group_ids=[_parents_of_a(world).pk],
    )
    # In a test transaction the on-commit task never leaves: still "sending".
    services.message_send(message=draft, sender=world.director)
    client = client_for(world.director)
    assert "En cours d'envoi" in client.get(reverse("messaging-sent")).content.decode()
    assert not Delivery.objects.filter(message=draft).exists()

    services.message_deliver(message_id=draft.pk)
    html = client.get(reverse("messaging-sent")).content.decode()
    assert "En cours d'envoi" not in html and "2 personnes" in html


def test_the_daily_digest_lists_unread_messages_once(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.parent_cm1.email = "hina@example.pf"
    world.parent_cm1.save()
    MessagingPreference.objects.create(user=world.parent_cm1, email_mode="digest")
    for subject in ("Cantine", "Piscine"):
        draft = services.message_draft_save(
            sender=world.teacher_cm1,
            subject=subject,
            body="",
            user_ids=[world.parent_cm1.pk],
            group_ids=[],
        )
        services.message_send(message=draft, sender=world.teacher_cm1)
    # Immediate mails are not for digest users.
    assert services.message_email_send(message_id=draft.pk) == 0

    assert services.digest_send() == 1
    assert mail.outbox[0].to == ["hina@example.pf"]
    assert "Cantine" in mail.outbox[0].body and "Piscine" in mail.outbox[0].body
    assert services.digest_send() == 0
    entry = app.conf.beat_schedule["messaging-digest"]
    assert entry["task"] == "messaging.tasks.messaging_digest_task"
