from django.urls import reverse

from directory import services as directory_services
from directory.models import GroupRole
from messaging import services
from messaging.models import Delivery, Message, MessageState, Notification
from tests.directory.test_communication_rules import CELLS, expected
from tests.messaging.conftest import class_group


def _draft(sender, *, users=(), groups=()):
    return services.message_draft_save(
        sender=sender,
        subject="Sortie",
        body="Bonjour",
        user_ids=[u.pk for u in users],
        group_ids=[g.pk for g in groups],
    )


def test_the_rule_matrix_holds_at_send_time_for_every_profile_pair(world):
    wrong = []
    for sender_name, recipient_name in CELLS:
        sender = getattr(world, sender_name)
        recipient = getattr(world, recipient_name)
        draft = _draft(sender, users=[recipient])
        try:
            services.message_send(message=draft, sender=sender)
            delivered = Delivery.objects.filter(
                message=draft, recipient=recipient
            ).exists()
        except services.MessageRefused as refusal:
            assert recipient.display_name in str(refusal)
            assert not Delivery.objects.filter(message=draft).exists()
            delivered = False
        if delivered is not expected(sender_name, recipient_name):
            wrong.append(f"{sender_name} -> {recipient_name}")
    assert wrong == []


def test_a_refused_recipient_among_others_stops_the_whole_sending(world):
    draft = _draft(world.parent_cm1, users=[world.teacher_cm1, world.parent_b])
    try:
        services.message_send(message=draft, sender=world.parent_cm1)
        raise AssertionError("the sending should have been refused")
    except services.MessageRefused as refusal:
        assert "Noé Wong" in str(refusal) and "rien n'a été envoyé" in str(refusal)
    draft.refresh_from_db()
    assert draft.state == MessageState.DRAFT
    assert not Delivery.objects.filter(message=draft).exists()


def test_a_forged_post_to_another_schools_parent_is_refused(send, world):
    response = send(world.pupil_cm1, users=[world.parent_b])
    assert response.status_code == 400
    assert "Noé Wong" in response.content.decode()
    assert not Delivery.objects.filter(recipient=world.parent_b).exists()


def test_a_forged_group_of_another_school_is_refused_by_name(send, world):
    parents_b = class_group(world.cm1_b, GroupRole.PARENTS)
    response = send(world.teacher_cm1, groups=[parents_b])
    assert response.status_code == 400
    assert f"le groupe « {parents_b.name} »" in response.content.decode()
    assert not Delivery.objects.exists()


def test_a_group_reaches_its_members_at_the_time_of_sending(world, parents_cm1):
    draft = _draft(world.teacher_cm1, groups=[parents_cm1])
    # A parent linked after the draft was written, before it is sent.
    directory_services.link_create(parent=world.parent_ce1, child=world.pupil_cm1_bis)
    directory_services.memberships_rebuild(structure_ids=[world.school_a.pk])

    services.message_send(message=draft, sender=world.teacher_cm1)

    got = set(
        Delivery.objects.filter(message=draft).values_list("recipient", flat=True)
    )
    assert got == {world.parent_cm1.pk, world.parent_ce1.pk}
    draft.refresh_from_db()
    assert draft.state == MessageState.SENT and draft.recipient_count == 2


def test_a_new_message_posts_a_notification_linking_to_it(world):
    draft = _draft(world.teacher_cm1, users=[world.parent_cm1])
    services.message_send(message=draft, sender=world.teacher_cm1)
    note = Notification.objects.get(recipient=world.parent_cm1, kind="message")
    assert note.url == reverse("messaging-message", args=[draft.pk])
    assert note.structure == world.school_a


def test_a_message_to_parents_asks_for_confirmation_with_the_count(
    send, client_for, world, parents_cm1
):
    response = send(world.teacher_cm1, groups=[parents_cm1])
    draft = Message.objects.get(sender=world.teacher_cm1)
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging-confirm", args=[draft.pk])
    assert not Delivery.objects.exists()

    client = client_for(world.teacher_cm1)
    page = client.get(response["Location"]).content.decode()
    assert "1 personne" in page and parents_cm1.name in page

    done = client.post(response["Location"])
    assert done.status_code == 302
    assert Delivery.objects.filter(message=draft, recipient=world.parent_cm1).exists()


def test_a_withdrawn_message_leaves_every_inbox(client_for, world):
    draft = _draft(world.teacher_cm1, users=[world.parent_cm1])
    services.message_send(message=draft, sender=world.teacher_cm1)
    client = client_for(world.parent_cm1)
    assert "Sortie" in client.get(reverse("messaging-inbox")).content.decode()

    services.message_withdraw(message=draft, actor=world.director)

    assert "Sortie" not in client.get(reverse("messaging-inbox")).content.decode()
    url = reverse("messaging-message", args=[draft.pk])
    assert client.get(url).status_code == 404
    assert not Notification.objects.filter(recipient=world.parent_cm1).exists()


def test_plain_text_keeps_lines_and_links_and_escapes_the_rest(client_for, world):
    draft = services.message_draft_save(
        sender=world.teacher_cm1,
        subject="Liens",
        body="Ligne 1\nVoir https://nati.pf <script>alert(1)</script>",
        user_ids=[world.parent_cm1.pk],
        group_ids=[],
    )
    services.message_send(message=draft, sender=world.teacher_cm1)
    html = (
        client_for(world.parent_cm1)
        .get(reverse("messaging-message", args=[draft.pk]))
        .content.decode()
    )
    assert "Ligne 1<br>" in html
    assert '<a href="https://nati.pf"' in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
