import datetime as dt
import time

import pytest
from django.urls import reverse

from messaging.models import Notification
from presences.models import Event, Kind, Register
from tests.presences.conftest import at


def _open(client, klass):
    response = client.get(reverse("presences-call", args=[klass.pk]))
    assert response.status_code == 200
    return response


def _register(klass, day, half="am"):
    return Register.objects.get(klass=klass, date=day, half=half)


def _mark(client, register, pupil, action, **extra):
    return client.post(
        reverse("presences-mark", args=[register.pk, pupil.pk]),
        {"action": action, **extra},
        HTTP_HX_REQUEST="true",
    )


def test_faire_l_appel_opens_today_s_morning_register_with_everyone_present(
    client_for, world, morning
):
    response = _open(client_for(world.teacher_cm1), world.cm1)
    register = _register(world.cm1, morning)
    assert register.opened_by == world.teacher_cm1
    assert register.starts_at == at(morning, 8)
    body = response.content.decode()
    assert "Pūtai Māhina" in body and "Temauri Teiki" in body
    assert body.count('value="present" aria-pressed="true"') == 2
    assert "Valider l'appel" in body


def test_the_afternoon_call_opens_the_afternoon_register(
    client_for, world, morning, time_machine
):
    time_machine.move_to(at(morning, 14, 2), tick=False)
    _open(client_for(world.teacher_cm1), world.cm1)
    assert _register(world.cm1, morning, "pm").starts_at == at(morning, 14)


def test_each_mark_is_saved_the_moment_it_is_made(client_for, world, morning):
    client = client_for(world.teacher_cm1)
    _open(client, world.cm1)
    register = _register(world.cm1, morning)

    response = _mark(client, register, world.pupil_cm1, "absence")
    assert response.status_code == 200
    assert f'id="m-{world.pupil_cm1.pk}"' in response.content.decode()
    event = Event.objects.get(register=register, pupil=world.pupil_cm1)
    assert event.kind == Kind.ABSENCE and event.created_by == world.teacher_cm1

    _mark(client, register, world.pupil_cm1_bis, "late")
    late = Event.objects.get(register=register, pupil=world.pupil_cm1_bis)
    assert late.kind == Kind.LATENESS and late.at_time == dt.time(8, 5)

    _mark(client, register, world.pupil_cm1_bis, "late", at_time="08:20")
    late.refresh_from_db()
    assert late.at_time == dt.time(8, 20)

    _mark(client, register, world.pupil_cm1_bis, "left", at_time="10:30")
    assert Event.objects.get(pupil=world.pupil_cm1_bis).kind == Kind.EARLY_LEAVE

    _mark(client, register, world.pupil_cm1, "present")
    assert not Event.objects.filter(pupil=world.pupil_cm1).exists()


def test_an_absence_takes_an_optional_reason_of_the_school(client_for, world, morning):
    client = client_for(world.teacher_cm1)
    _open(client, world.cm1)
    register = _register(world.cm1, morning)
    reason = world.school_a.absence_reasons.get(code="A")
    _mark(client, register, world.pupil_cm1, "absence", reason=reason.pk)
    assert Event.objects.get(pupil=world.pupil_cm1).reason == reason


def test_a_reason_of_another_school_answers_404(client_for, world, morning, year_a):
    from presences.services import reasons_ensure

    reasons_ensure(structure=world.school_b)
    client = client_for(world.teacher_cm1)
    _open(client, world.cm1)
    register = _register(world.cm1, morning)
    other = world.school_b.absence_reasons.get(code="A")
    response = _mark(client, register, world.pupil_cm1, "absence", reason=other.pk)
    assert response.status_code == 404


def test_validating_with_no_mark_records_a_full_class(client_for, world, morning):
    client = client_for(world.teacher_cm1)
    _open(client, world.cm1)
    register = _register(world.cm1, morning)
    response = client.post(
        reverse("presences-validate", args=[register.pk]), HTTP_HX_REQUEST="true"
    )
    assert "classe complète" in response.content.decode()
    register.refresh_from_db()
    assert register.full_class and register.validated_by == world.teacher_cm1


def test_validating_with_marks_is_not_a_full_class(client_for, world, morning):
    client = client_for(world.teacher_cm1)
    _open(client, world.cm1)
    register = _register(world.cm1, morning)
    _mark(client, register, world.pupil_cm1, "absence")
    client.post(reverse("presences-validate", args=[register.pk]))
    register.refresh_from_db()
    assert register.is_validated and not register.full_class


def test_validation_tells_the_parents_through_a_celery_task(
    client_for, world, live_year, celery_live_worker
):
    client = client_for(world.teacher_cm1)
    _open(client, world.cm1)
    register = Register.objects.get(klass=world.cm1)
    _mark(client, register, world.pupil_cm1, "absence")
    assert not Notification.objects.filter(recipient=world.parent_cm1).exists()
    client.post(reverse("presences-validate", args=[register.pk]))
    deadline = time.monotonic() + 30
    while not Notification.objects.filter(recipient=world.parent_cm1).exists():
        assert time.monotonic() < deadline, "the notification task did not run"
        time.sleep(0.2)
    note = Notification.objects.get(recipient=world.parent_cm1)
    assert note.text.startswith("Absence de Māhina le ")
    assert note.url == reverse("presences-family")
    assert not Notification.objects.filter(recipient=world.parent_ce1).exists()


def test_incidents_and_forgotten_notebooks_sit_beside_the_presence_mark(
    client_for, world, morning
):
    client = client_for(world.teacher_cm1)
    _open(client, world.cm1)
    register = _register(world.cm1, morning)
    _mark(client, register, world.pupil_cm1, "absence")
    response = _mark(client, register, world.pupil_cm1, "incident")
    assert "Incident ✕" in response.content.decode()
    _mark(client, register, world.pupil_cm1, "notebook")
    kinds = set(
        Event.objects.filter(pupil=world.pupil_cm1).values_list("kind", flat=True)
    )
    assert kinds == {Kind.ABSENCE, Kind.INCIDENT, Kind.NOTEBOOK}
    _mark(client, register, world.pupil_cm1, "no_incident")
    kinds = set(
        Event.objects.filter(pupil=world.pupil_cm1).values_list("kind", flat=True)
    )
    assert kinds == {Kind.ABSENCE, Kind.NOTEBOOK}


def test_a_correction_after_validation_is_a_new_event(client_for, world, morning):
    client = client_for(world.teacher_cm1)
    _open(client, world.cm1)
    register = _register(world.cm1, morning)
    _mark(client, register, world.pupil_cm1, "absence")
    client.post(reverse("presences-validate", args=[register.pk]))
    first = Event.objects.get(pupil=world.pupil_cm1)

    director = client_for(world.director)
    _mark(director, register, world.pupil_cm1, "late", at_time="08:40")

    first.refresh_from_db()
    assert first.replaced_at is not None and first.replaced_by == world.director
    correction = Event.objects.get(pupil=world.pupil_cm1, replaced_at__isnull=True)
    assert correction.kind == Kind.LATENESS and correction.is_correction
    assert correction.created_by == world.director
    register.refresh_from_db()
    assert register.changed_by == world.director
    assert register.validated_by == world.teacher_cm1


def test_the_director_takes_the_call_of_every_class_of_the_school(
    client_for, world, morning
):
    client = client_for(world.director)
    _open(client, world.ce1)
    _open(client, world.cm1)


@pytest.mark.parametrize("who", ["teacher_b", "parent_cm1", "staff_a"])
def test_anyone_else_gets_404_for_the_class(client_for, world, morning, who):
    client = client_for(getattr(world, who))
    response = client.get(reverse("presences-call", args=[world.cm1.pk]))
    assert response.status_code in (403, 404)
    if who != "parent_cm1":
        assert response.status_code == 404


def test_a_teacher_cannot_mark_in_another_class_register(client_for, world, morning):
    _open(client_for(world.director), world.ce1)
    register = _register(world.ce1, morning)
    response = _mark(
        client_for(world.teacher_cm1), register, world.pupil_ce1, "absence"
    )
    assert response.status_code == 404
    assert not Event.objects.exists()


def test_a_pupil_of_another_class_cannot_be_marked(client_for, world, morning):
    client = client_for(world.teacher_cm1)
    _open(client, world.cm1)
    register = _register(world.cm1, morning)
    assert _mark(client, register, world.pupil_ce1, "absence").status_code == 404


def test_marking_answers_405_to_a_get(client_for, world, morning):
    client = client_for(world.teacher_cm1)
    _open(client, world.cm1)
    register = _register(world.cm1, morning)
    url = reverse("presences-mark", args=[register.pk, world.pupil_cm1.pk])
    assert client.get(url).status_code == 405
    url = reverse("presences-validate", args=[register.pk])
    assert client.get(url).status_code == 405


def test_a_mark_costs_a_fixed_number_of_queries(
    client_for, world, morning, django_assert_max_num_queries
):
    client = client_for(world.teacher_cm1)
    _open(client, world.cm1)
    register = _register(world.cm1, morning)
    with django_assert_max_num_queries(4):
        _mark(client, register, world.pupil_cm1, "absence")


def test_no_call_on_a_day_without_school(client_for, world, year_a, time_machine):
    saturday = dt.date(year_a.school_year, 10, 3)
    while saturday.weekday() != 5:
        saturday += dt.timedelta(days=1)
    time_machine.move_to(at(saturday, 8, 5), tick=False)
    response = _open(client_for(world.teacher_cm1), world.cm1)
    assert "Pas d'appel aujourd'hui" in response.content.decode()
    assert not Register.objects.exists()
