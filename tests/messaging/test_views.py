import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory import services as directory_services
from messaging import selectors, services
from messaging.models import Attachment, Delivery, Message, MessageState


def _sent(sender, recipients, subject="Réunion", body="Texte", files=()):
    draft = services.message_draft_save(
        sender=sender,
        subject=subject,
        body=body,
        user_ids=[u.pk for u in recipients],
        group_ids=[],
        files=files,
    )
    return services.message_send(message=draft, sender=sender)


@pytest.fixture
def message(world):
    return _sent(world.teacher_cm1, [world.parent_cm1])


# --- Reading ------------------------------------------------------------------


def test_unread_counts_follow_reading_and_the_trash(client_for, world, message):
    parent = world.parent_cm1
    _sent(world.director, [parent], subject="Cantine")
    assert selectors.unread_count(parent) == 2

    client = client_for(parent)
    assert 'title="messages non lus">2<' in client.get("/").content.decode()

    client.get(reverse("messaging-message", args=[message.pk]))
    assert selectors.unread_count(parent) == 1

    client.post(reverse("messaging-mark", args=[message.pk]), {"read": "0"})
    assert selectors.unread_count(parent) == 2

    client.post(reverse("messaging-trash-move", args=[message.pk]))
    assert selectors.unread_count(parent) == 1
    trash = client.get(reverse("messaging-trash")).content.decode()
    assert "Réunion" in trash

    client.post(reverse("messaging-restore", args=[message.pk]))
    assert selectors.unread_count(parent) == 2


def test_the_header_count_is_one_query_and_absent_without_the_app(
    client_for, world, message, django_assert_num_queries
):
    from django.test import RequestFactory

    from messaging.context_processors import unread

    request = RequestFactory().get("/")
    request.user = world.parent_cm1
    request._nati_apps = {"messagerie"}
    with django_assert_num_queries(1):
        assert unread(request)["messaging_header"]["unread"] == 1

    directory_services.school_family_messaging_set(
        structure=world.school_a, enabled=False, actor=world.director
    )
    html = client_for(world.parent_cm1).get("/").content.decode()
    assert "messages non lus" not in html


def test_search_finds_by_subject_and_by_sender(client_for, world, message):
    _sent(world.director, [world.parent_cm1], subject="Cantine")
    client = client_for(world.parent_cm1)
    inbox = reverse("messaging-inbox")
    by_subject = client.get(inbox, {"q": "réun"}).content.decode()
    assert "Réunion" in by_subject and "Cantine" not in by_subject
    by_sender = client.get(inbox, {"q": "teriitahi"}).content.decode()
    assert "Cantine" in by_sender and "Réunion" not in by_sender


def test_every_list_pins_its_query_count(client_for, world, django_assert_num_queries):
    for n in range(30):
        _sent(world.teacher_cm1, [world.parent_cm1], subject=f"Message {n}")
    services.message_draft_save(
        sender=world.teacher_cm1, subject="b", body="", user_ids=[], group_ids=[]
    )
    for delivery in Delivery.objects.all()[:27]:
        services.delivery_trash(delivery=delivery)
    parent, teacher = client_for(world.parent_cm1), client_for(world.teacher_cm1)
    parent.get(reverse("messaging-inbox"))  # warm the session
    teacher.get(reverse("messaging-sent"))
    for client, name in [
        (parent, "messaging-inbox"),
        (parent, "messaging-trash"),
        (teacher, "messaging-sent"),
        (teacher, "messaging-drafts"),
    ]:
        # page count, page rows (user, app rights and header count cached);
        # the inbox and the trash keep their size with the inbox's generation
        queries = 1 if name in ("messaging-inbox", "messaging-trash") else 2
        client.get(reverse(name))  # the folder's size read once
        with django_assert_num_queries(queries):
            assert client.get(reverse(name)).status_code == 200
        with django_assert_num_queries(queries):
            assert client.get(reverse(name), {"page": 2}).status_code == 200


def test_a_draft_is_saved_edited_and_sent_later(client_for, world):
    client = client_for(world.teacher_cm1)
    client.post(
        reverse("messaging-compose"),
        {"subject": "Brouillon", "body": "à finir", "action": "save"},
    )
    draft = Message.objects.get(sender=world.teacher_cm1, state=MessageState.DRAFT)
    assert "Brouillon" in client.get(reverse("messaging-drafts")).content.decode()

    response = client.post(
        reverse("messaging-draft", args=[draft.pk]),
        {
            "subject": "Brouillon fini",
            "body": "fini",
            "users": [world.parent_cm1.pk],
            "action": "send",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == MessageState.SENT and draft.subject == "Brouillon fini"
    assert Delivery.objects.filter(message=draft, recipient=world.parent_cm1).exists()


def test_reply_reply_to_all_and_forward_prefill_the_form(client_for, world):
    original = _sent(
        world.teacher_cm1, [world.parent_cm1, world.staff_a], subject="Sortie"
    )
    client = client_for(world.parent_cm1)
    compose = reverse("messaging-compose")

    reply = client.get(compose, {"repondre": original.pk}).content.decode()
    assert 'value="Re : Sortie"' in reply
    assert f'name="users" value="{world.teacher_cm1.pk}" checked' in reply
    assert f'value="{world.staff_a.pk}" checked' not in reply

    to_all = client.get(compose, {"repondre": original.pk, "tous": 1}).content.decode()
    assert f'name="users" value="{world.staff_a.pk}" checked' in to_all

    forward = client.get(compose, {"transferer": original.pk}).content.decode()
    assert 'value="Tr : Sortie"' in forward
    assert 'name="users"' not in forward.split('id="chosen"')[1].split("</div>")[0]

    response = client.post(
        compose,
        {
            "subject": "Re : Sortie",
            "body": "Merci",
            "users": [world.teacher_cm1.pk],
            "parent": original.pk,
            "action": "send",
        },
    )
    assert response.status_code == 302
    answer = Message.objects.get(sender=world.parent_cm1)
    assert answer.parent == original
    assert Delivery.objects.filter(message=answer, recipient=world.teacher_cm1).exists()


def test_recipient_search_offers_only_who_the_user_may_write_to(client_for, world):
    html = (
        client_for(world.pupil_cm1)
        .get(reverse("messaging-recipients"), {"q": "a"})
        .content.decode()
    )
    assert "Vaimiti Tehaamoana" in html
    assert "Noé Wong" not in html and "Teiki Temauri" not in html


# --- Attachments --------------------------------------------------------------


def test_attachments_are_served_to_sender_and_recipients_only(
    client_for, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("menu.pdf", b"%PDF-1.4 menu", "application/pdf")
    message = _sent(world.teacher_cm1, [world.parent_cm1], files=[upload])
    item = Attachment.objects.get(message=message)
    url = reverse("messaging-attachment", args=[item.pk])
    assert not str(item.file.name).endswith("menu.pdf")

    for user in (world.teacher_cm1, world.parent_cm1):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 menu"
        assert 'filename="menu.pdf"' in response["Content-Disposition"]
    for user in (world.parent_ce1, world.director, world.teacher_b):
        assert client_for(user).get(url).status_code == 404


def test_an_attachment_over_the_limit_is_refused_in_french(client_for, world, settings):
    settings.MESSAGING_ATTACHMENT_MAX_MB = 1
    big = SimpleUploadedFile("gros.bin", b"x" * (1024 * 1024 + 1))
    response = client_for(world.teacher_cm1).post(
        reverse("messaging-compose"),
        {
            "subject": "s",
            "body": "b",
            "users": [world.parent_cm1.pk],
            "attachments": [big],
            "action": "send",
        },
    )
    assert response.status_code == 400
    assert "« gros.bin » dépasse la taille permise (1 Mo)" in response.content.decode()
    assert not Message.objects.exists()


# --- App rights ----------------------------------------------------------------


def test_families_without_messagerie_see_a_notice_and_cannot_read_or_send(
    client_for, world, message
):
    directory_services.school_family_messaging_set(
        structure=world.school_a, enabled=False, actor=world.director
    )
    client = client_for(world.parent_cm1)
    for response in (
        client.get(reverse("messaging-inbox")),
        client.get(reverse("messaging-message", args=[message.pk])),
        client.post(
            reverse("messaging-compose"),
            {"subject": "s", "users": [world.teacher_cm1.pk], "action": "send"},
        ),
    ):
        assert response.status_code == 403
        assert "La Messagerie ne vous est pas ouverte" in response.content.decode()
    draft = services.message_draft_save(
        sender=world.parent_cm1, subject="b", body="", user_ids=[], group_ids=[]
    )
    for name, args in [
        ("messaging-mark", [message.pk]),
        ("messaging-trash-move", [message.pk]),
        ("messaging-restore", [message.pk]),
        ("messaging-delete", [message.pk]),
        ("messaging-draft", [draft.pk]),
        ("messaging-confirm", [draft.pk]),
        ("messaging-draft-delete", [draft.pk]),
        ("messaging-preferences", []),
    ]:
        assert client.post(reverse(name, args=args)).status_code == 403, name
    assert Message.objects.filter(sender=world.parent_cm1).get().pk == draft.pk
    # Teachers keep it; the school's families in B too.
    assert (
        client_for(world.teacher_cm1).get(reverse("messaging-inbox")).status_code == 200
    )
    assert client_for(world.parent_b).get(reverse("messaging-inbox")).status_code == 200

    directory_services.school_family_messaging_set(
        structure=world.school_a, enabled=True, actor=world.director
    )
    assert (
        client.get(reverse("messaging-message", args=[message.pk])).status_code == 200
    )


# --- Every write view: wrong method, wrong person --------------------------------


def test_write_views_refuse_the_wrong_method(client_for, world, message):
    parent = client_for(world.parent_cm1)
    for name in ("messaging-mark", "messaging-trash-move", "messaging-restore"):
        assert parent.get(reverse(name, args=[message.pk])).status_code == 405
    assert parent.put(reverse("messaging-compose")).status_code == 405
    assert (
        parent.delete(reverse("messaging-delete", args=[message.pk])).status_code == 405
    )
    assert parent.put(reverse("messaging-preferences")).status_code == 405
    assert parent.get(reverse("messaging-flash-close", args=[1])).status_code == 405


def test_write_views_answer_404_to_someone_else_or_another_school(
    client_for, world, message
):
    draft = services.message_draft_save(
        sender=world.teacher_cm1, subject="b", body="", user_ids=[], group_ids=[]
    )
    for user in (world.parent_ce1, world.teacher_b):
        client = client_for(user)
        for name in ("messaging-mark", "messaging-trash-move", "messaging-restore"):
            assert client.post(reverse(name, args=[message.pk])).status_code == 404
        assert (
            client.post(reverse("messaging-delete", args=[message.pk])).status_code
            == 404
        )
        assert (
            client.get(reverse("messaging-message", args=[message.pk])).status_code
            == 404
        )
        for name in ("messaging-draft", "messaging-confirm", "messaging-draft-delete"):
            assert client.post(reverse(name, args=[draft.pk])).status_code == 404
        reply = client.get(reverse("messaging-compose"), {"repondre": message.pk})
        assert reply.status_code == 404
    assert Delivery.objects.get(message=message).trashed_at is None
    assert Message.objects.filter(pk=draft.pk).exists()


def test_deleting_asks_for_confirmation_first(client_for, world, message):
    client = client_for(world.parent_cm1)
    client.post(reverse("messaging-trash-move", args=[message.pk]))
    url = reverse("messaging-delete", args=[message.pk])
    assert "Confirmer la suppression" in client.get(url).content.decode()
    assert Delivery.objects.get(message=message).deleted_at is None
    client.post(url)
    assert Delivery.objects.get(message=message).deleted_at is not None
    assert "Réunion" not in client.get(reverse("messaging-trash")).content.decode()


def test_the_preference_is_saved(client_for, world):
    client = client_for(world.parent_cm1)
    client.post(reverse("messaging-preferences"), {"email_mode": "digest"})
    assert world.parent_cm1.messaging_preference.email_mode == "digest"


def test_the_header_count_stops_at_99_plus(client_for, world):
    from django.utils import timezone

    now = timezone.now()
    messages = Message.objects.bulk_create(
        [
            Message(
                sender=world.teacher_cm1, subject=f"m{n}", state="sent", sent_at=now
            )
            for n in range(120)
        ]
    )
    Delivery.objects.bulk_create(
        [Delivery(message=m, recipient=world.parent_cm1, sent_at=now) for m in messages]
    )
    assert selectors.unread_count(world.parent_cm1) == selectors.UNREAD_CAP
    html = client_for(world.parent_cm1).get("/").content.decode()
    assert 'title="messages non lus">99+<' in html


def test_without_javascript_the_search_button_keeps_what_was_written(client_for, world):
    response = client_for(world.teacher_cm1).post(
        reverse("messaging-compose"),
        {
            "subject": "Piscine",
            "body": "Jeudi",
            "users": [world.staff_a.pk],
            "q": "putai",
            "action": "search",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Piscine"' in html and "Jeudi" in html
    assert f'name="users" value="{world.staff_a.pk}" checked' in html
    assert f'name="users" value="{world.parent_cm1.pk}"' in html
    assert not Message.objects.exists()


def test_the_sender_trashes_restores_and_deletes_their_copy_only(
    client_for, world, message
):
    client = client_for(world.teacher_cm1)

    def subject_in(name, **query):
        return "Réunion" in client.get(reverse(name), query).content.decode()

    for name in ("messaging-sent-trash-move", "messaging-sent-restore"):
        assert client.get(reverse(name, args=[message.pk])).status_code == 405
        other = client_for(world.parent_cm1).post(reverse(name, args=[message.pk]))
        assert other.status_code == 404

    client.post(reverse("messaging-sent-trash-move", args=[message.pk]))
    assert not subject_in("messaging-sent")
    assert subject_in("messaging-trash", envoyes=1)
    client.post(reverse("messaging-sent-restore", args=[message.pk]))
    assert subject_in("messaging-sent")

    delete = reverse("messaging-sent-delete", args=[message.pk])
    assert "Confirmer la suppression" in client.get(delete).content.decode()
    client.post(delete)
    assert not subject_in("messaging-sent")
    assert not subject_in("messaging-trash", envoyes=1)
    assert (
        client.get(reverse("messaging-message", args=[message.pk])).status_code == 404
    )
    recipient = client_for(world.parent_cm1)
    assert "Réunion" in recipient.get(reverse("messaging-inbox")).content.decode()
