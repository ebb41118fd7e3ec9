import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from messaging.models import Notification
from presences.models import Declaration, DeclarationState, Event, Kind
from tests.presences.helpers import call, cm1_absence


def _declare(client, child, **extra):
    reason = child.pupil_links.first().klass.structure.absence_reasons.get(code="A")
    data = {
        "start": "2026-10-05",
        "start_half": "am",
        "end": "2026-10-06",
        "end_half": "am",
        "reason": reason.pk,
        "comment": "Fièvre",
        **extra,
    }
    return client.post(reverse("presences-declare", args=[child.pk]), data)


def test_a_parent_declares_an_absence_of_their_child(client_for, world, year_a):
    client = client_for(world.parent_cm1)
    form = client.get(reverse("presences-declare", args=[world.pupil_cm1.pk]))
    assert form.status_code == 200
    assert "Absence illégitime" not in form.content.decode()  # O is not offered
    response = _declare(
        client,
        world.pupil_cm1,
        attachment=SimpleUploadedFile("certificat.pdf", b"%PDF-1.4 test"),
    )
    assert response.status_code == 302
    declaration = Declaration.objects.get()
    assert declaration.parent == world.parent_cm1
    assert declaration.pupil == world.pupil_cm1
    assert declaration.state == DeclarationState.PENDING
    assert declaration.attachment.name.startswith("declarations/")
    assert "/media/" not in declaration.attachment.path


def test_a_parent_cannot_declare_for_another_child(client_for, world, year_a):
    client = client_for(world.parent_cm1)
    for child in (world.pupil_ce1, world.pupil_b, world.pupil_cm1_bis):
        url = reverse("presences-declare", args=[child.pk])
        assert client.get(url).status_code == 404
        response = client.post(url, {"start": "2026-10-05"})
        assert response.status_code == 404
    assert not Declaration.objects.exists()


def test_the_declaration_view_answers_405_to_put(client_for, world, year_a):
    url = reverse("presences-declare", args=[world.pupil_cm1.pk])
    assert client_for(world.parent_cm1).put(url).status_code == 405


def test_the_director_turns_a_declaration_into_justified_absences(
    client_for, world, year_a
):
    _declare(client_for(world.parent_cm1), world.pupil_cm1)
    declaration = Declaration.objects.get()
    url = reverse(
        "presences-declaration-process", args=[world.school_a.pk, declaration.pk]
    )
    client_for(world.director).post(url, {"decision": "accept"})
    declaration.refresh_from_db()
    assert declaration.state == DeclarationState.ACCEPTED
    events = Event.objects.filter(pupil=world.pupil_cm1).order_by("date", "half")
    # Mon 5 am, Mon 5 pm, Tue 6 am: three half-days.
    assert [(e.date.day, e.half) for e in events] == [(5, "am"), (5, "pm"), (6, "am")]
    assert all(e.kind == Kind.ABSENCE and e.is_regularised for e in events)
    assert all(e.reason.code == "A" and e.declaration == declaration for e in events)
    assert Notification.objects.filter(
        recipient=world.parent_cm1, text__contains="acceptée"
    ).exists()


def test_the_director_declines_a_declaration_with_a_word(client_for, world, year_a):
    _declare(client_for(world.parent_cm1), world.pupil_cm1)
    declaration = Declaration.objects.get()
    url = reverse(
        "presences-declaration-process", args=[world.school_a.pk, declaration.pk]
    )
    client = client_for(world.director)
    client.post(url, {"decision": "decline", "answer": ""})
    declaration.refresh_from_db()
    assert declaration.state == DeclarationState.PENDING  # a word is required
    client.post(url, {"decision": "decline", "answer": "Pas de certificat"})
    declaration.refresh_from_db()
    assert declaration.state == DeclarationState.DECLINED
    assert declaration.answer == "Pas de certificat"
    page = client_for(world.parent_cm1).get(reverse("presences-family"))
    assert "Pas de certificat" in page.content.decode()


def test_the_attachment_is_served_only_to_its_parent_and_the_direction(
    client_for, world, year_a
):
    _declare(
        client_for(world.parent_cm1),
        world.pupil_cm1,
        attachment=SimpleUploadedFile("certificat.pdf", b"%PDF-1.4 test"),
    )
    url = reverse("presences-attachment", args=[Declaration.objects.get().pk])
    assert client_for(world.parent_cm1).get(url).status_code == 200
    response = client_for(world.director).get(url)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    for other in (world.parent_ce1, world.teacher_cm1, world.teacher_b):
        assert client_for(other).get(url).status_code == 404


def test_a_parent_sees_each_child_s_absences_and_their_state(
    client_for, world, year_a, monday
):
    call(
        year_a,
        world.cm1,
        monday,
        "am",
        world.teacher_cm1,
        [(world.pupil_cm1, "absence", None), (world.pupil_cm1_bis, "late", None)],
    )
    page = client_for(world.parent_cm1).get(reverse("presences-family"))
    body = page.content.decode()
    assert "Māhina" in body and "Absence" in body and "À régulariser" in body
    assert "Teiki" not in body  # not this parent's child


def test_the_parent_is_notified_when_an_absence_is_recorded(world, year_a, monday):
    cm1_absence(world, year_a, monday)
    # Inside the test's transaction the on_commit callbacks are run by hand.
    from presences.services import events_notify

    assert events_notify(register_id=None) == 1
    note = Notification.objects.get(recipient=world.parent_cm1)
    assert note.text == f"Absence de Māhina le {monday:%d/%m} (matin)"
    assert events_notify(register_id=None) == 0  # safe to run twice
    assert not Notification.objects.filter(recipient=world.parent_ce1).exists()


def test_the_home_page_shows_the_notification(client_for, world, year_a, monday):
    from presences.services import events_notify

    cm1_absence(world, year_a, monday)
    events_notify()
    page = client_for(world.parent_cm1).get("/").content.decode()
    assert "Absence de Māhina" in page


def test_a_declaration_over_a_holiday_covers_only_school_half_days(
    client_for, world, year_a
):
    _declare(
        client_for(world.parent_cm1),
        world.pupil_cm1,
        start="2026-10-16",
        end="2026-11-02",
        end_half="pm",
    )
    declaration = Declaration.objects.get()
    from presences.services import declaration_accept

    assert declaration_accept(declaration=declaration, actor=world.director) == 4
    days = sorted({e.date for e in Event.objects.all()})
    assert days == [dt.date(2026, 10, 16), dt.date(2026, 11, 2)]
