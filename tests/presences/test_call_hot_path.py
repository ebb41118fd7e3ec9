"""The 8:00 hot path: the call page, a mark and the validation in a few
queries, the school's settings cached per process yet never stale, the
register's rules kept when two requests cross."""

import datetime as dt

import pytest
from django.urls import reverse

from directory import services as directory_services
from directory.models import GroupRole
from nati.models import AuditEntry
from presences import selectors, services
from presences.models import Event, Kind, Register


def _open(client, klass):
    response = client.get(reverse("presences-call", args=[klass.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _mark(client, register, pupil, action, **extra):
    response = client.post(
        reverse("presences-mark", args=[register.pk, pupil.pk]),
        {"action": action, **extra},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    return response.content.decode()


def _validate(client, register):
    return client.post(
        reverse("presences-validate", args=[register.pk]), HTTP_HX_REQUEST="true"
    )


def test_the_call_page_costs_a_fixed_number_of_queries(
    client_for, world, morning, django_assert_max_num_queries
):
    _open(client_for(world.director), world.ce1)  # reads the school's settings
    client = client_for(world.teacher_cm1)
    client.get("/_floor/")  # the session and its idle stamp, outside the count
    # User, app rights, the class, the register, the pupils, the header's
    # unread count: the school's settings come from the process's copy.
    with django_assert_max_num_queries(6):
        _open(client, world.cm1)
    # Reopened: the register is read back, and its marks.
    with django_assert_max_num_queries(8):
        _open(client, world.cm1)


def test_marks_and_validation_cost_a_fixed_number_of_queries(
    client_for, world, morning, django_assert_max_num_queries
):
    client = client_for(world.teacher_cm1)
    _open(client, world.cm1)
    register = Register.objects.get(klass=world.cm1)
    # User, app rights, the register with the pupil's enrolment, the mark.
    with django_assert_max_num_queries(4):
        _mark(client, register, world.pupil_cm1, "absence")
    with django_assert_max_num_queries(4):
        _mark(client, register, world.pupil_cm1, "late")
    # User, app rights, the register, the validation.
    with django_assert_max_num_queries(4):
        assert _validate(client, register).status_code == 200


def test_opening_the_call_twice_gives_the_same_register(world, year_a, morning):
    first, created = services.register_open(
        klass=world.cm1, year=year_a, day=morning, half="am", actor=world.teacher_cm1
    )
    again, created_again = services.register_open(
        klass=world.cm1, year=year_a, day=morning, half="am", actor=world.director
    )
    assert created and not created_again
    assert first.pk == again.pk and again.opened_by == world.teacher_cm1
    assert Register.objects.count() == 1


def test_a_renamed_reason_shows_at_once_on_the_call(client_for, world, morning):
    client = client_for(world.teacher_cm1)
    _open(client, world.cm1)
    register = Register.objects.get(klass=world.cm1)
    assert "Maladie de l&#x27;enfant" in _mark(
        client, register, world.pupil_cm1, "absence"
    )
    reason = world.school_a.absence_reasons.get(code="A")
    services.reason_update(reason=reason, actor=world.director, label="Enfant malade")
    body = _mark(client, register, world.pupil_cm1, "absence")
    assert "A – Enfant malade" in body and "Maladie de l&#x27;enfant" not in body


def test_a_new_lateness_reason_is_offered_at_once(client_for, world, morning):
    client = client_for(world.teacher_cm1)
    _open(client, world.cm1)
    register = Register.objects.get(klass=world.cm1)
    assert "Pirogue en retard" not in _mark(client, register, world.pupil_cm1, "late")
    services.lateness_reason_add(
        structure=world.school_a, label="Pirogue en retard", actor=world.director
    )
    assert "Pirogue en retard" in _mark(client, register, world.pupil_cm1, "late")


def test_an_exclusion_from_today_closes_today_s_call_at_once(
    client_for, world, morning, year_a
):
    client = client_for(world.teacher_cm1)
    assert "Valider l'appel" in _open(client, world.cm1)
    services.exclusion_add(
        year=year_a,
        label="Cyclone",
        start=morning,
        end=morning + dt.timedelta(days=1),
        actor=world.director,
    )
    assert "Pas d'appel aujourd'hui (Cyclone)" in _open(client, world.cm1)


def test_the_cached_settings_are_those_of_the_school_asked(world, year_a):
    services.reasons_ensure(structure=world.school_b)
    settings_a = selectors.school_settings(world.school_a.pk, year_a.pk, year_a.version)
    assert {r.structure_id for r in settings_a.reasons} == {world.school_a.pk}
    assert settings_a.year.pk == year_a.pk
    assert selectors.school_settings(world.school_b.pk, None, None).year is None


def test_a_mark_on_a_register_validated_meanwhile_is_a_correction(
    world, year_a, morning
):
    register, _ = services.register_open(
        klass=world.cm1, year=year_a, day=morning, half="am", actor=world.teacher_cm1
    )
    stale = Register.objects.get(pk=register.pk)
    services.register_validate(register=register, actor=world.teacher_cm1)

    event = services.mark_set(
        register=stale,
        pupil_id=world.pupil_cm1.pk,
        slot="presence",
        kind=Kind.ABSENCE,
        actor=world.director,
    )
    assert event.is_correction and event.created_by == world.director
    assert AuditEntry.objects.filter(action="presences.call_correct").exists()
    register.refresh_from_db()
    assert register.changed_by == world.director and not register.full_class


def test_withdrawing_a_mark_of_a_register_validated_meanwhile_is_traced(
    world, year_a, morning
):
    register, _ = services.register_open(
        klass=world.cm1, year=year_a, day=morning, half="am", actor=world.teacher_cm1
    )
    services.mark_set(
        register=register,
        pupil_id=world.pupil_cm1.pk,
        slot="presence",
        kind=Kind.ABSENCE,
        actor=world.teacher_cm1,
    )
    stale = Register.objects.get(pk=register.pk)
    services.register_validate(register=register, actor=world.teacher_cm1)

    services.mark_set(
        register=stale,
        pupil_id=world.pupil_cm1.pk,
        slot="presence",
        kind=None,
        actor=world.director,
    )
    absence = Event.objects.get(pupil=world.pupil_cm1)
    assert absence.replaced_by == world.director
    assert AuditEntry.objects.filter(action="presences.call_correct").exists()


def test_a_second_validation_keeps_the_first(world, year_a, morning):
    register, _ = services.register_open(
        klass=world.cm1, year=year_a, day=morning, half="am", actor=world.teacher_cm1
    )
    stale = Register.objects.get(pk=register.pk)
    services.register_validate(register=register, actor=world.teacher_cm1)
    again = services.register_validate(register=stale, actor=world.director)
    assert again.validated_by == world.teacher_cm1 and again.full_class


def test_the_full_class_is_read_when_the_register_closes(world, year_a, morning):
    register, _ = services.register_open(
        klass=world.cm1, year=year_a, day=morning, half="am", actor=world.teacher_cm1
    )
    Event.objects.create(
        register=register,
        pupil=world.pupil_cm1,
        structure=world.school_a,
        klass=world.cm1,
        date=morning,
        half="am",
        kind=Kind.ABSENCE,
        slot="presence",
    )
    services.register_validate(register=register, actor=world.teacher_cm1)
    register.refresh_from_db()
    assert register.is_validated and not register.full_class


def test_an_adml_of_the_school_takes_its_calls(client_for, world, morning):
    directory_services.function_grant(
        user=world.staff_a, structure=world.school_a, role=GroupRole.ADML
    )
    assert "Valider l'appel" in _open(client_for(world.staff_a), world.cm1)


@pytest.mark.parametrize("view", ["call", "mark", "validate"])
def test_the_director_of_another_school_gets_404_on_the_call(
    client_for, world, morning, view
):
    _open(client_for(world.teacher_cm1), world.cm1)
    register = Register.objects.get(klass=world.cm1)
    directory_services.function_grant(
        user=world.teacher_b, structure=world.school_b, role=GroupRole.DIRECTION
    )
    client = client_for(world.teacher_b)
    if view == "call":
        response = client.get(reverse("presences-call", args=[world.cm1.pk]))
    elif view == "mark":
        response = client.post(
            reverse("presences-mark", args=[register.pk, world.pupil_cm1.pk]),
            {"action": "absence"},
        )
    else:
        response = client.post(reverse("presences-validate", args=[register.pk]))
    assert response.status_code == 404
    register.refresh_from_db()
    assert not register.is_validated and not register.events.exists()


def test_an_unmarked_call_is_the_templates_own_markup(client_for, world, rf):
    """The rows of a call not marked yet are filled into the template's own
    unmarked row: the same bytes as the template's loop, names escaped."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from presences import views

    rows = [
        {
            "id": "12",
            "name": "Māhina <Pūtai> & co",
            "url": mark_safe("/presences/registres/3/eleves/12/"),
            "presence": None,
            "incident": None,
            "notebook": None,
        },
        {
            "id": "13",
            "name": "Teva {Chan}",
            "url": mark_safe("/presences/registres/3/eleves/13/"),
            "presence": None,
            "incident": None,
            "notebook": None,
        },
    ]
    csrf = mark_safe('<input type="hidden" name="csrfmiddlewaretoken" value="t0k">')
    by_template = render_to_string(
        "presences/_pupil_rows.html", {"rows": rows, "whole": True, "csrf_input": csrf}
    )
    assert views._unmarked_rows_html(rows, csrf) == by_template
    assert "Māhina &lt;Pūtai&gt; &amp; co" in by_template
