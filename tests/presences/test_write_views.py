"""Every write view: the wrong method, the wrong role, the other school."""

import pytest
from django.urls import reverse

from directory import services as directory_services
from directory.models import GroupRole
from presences import services
from presences.models import Declaration, Exclusion
from tests.presences.helpers import call


@pytest.fixture
def objects(world, year_a, monday):
    register = call(year_a, world.cm1, monday, "am", world.teacher_cm1, validate=False)
    reason = world.school_a.absence_reasons.get(code="A")
    absent = call(
        year_a,
        world.ce1,
        monday,
        "am",
        world.director,
        [(world.pupil_ce1, "absence", None)],
    ).events.get()
    declaration = services.declaration_create(
        parent=world.parent_cm1,
        pupil=world.pupil_cm1,
        structure=world.school_a,
        start=monday,
        start_half="am",
        end=monday,
        end_half="pm",
        reason=reason,
    )
    return {
        "register": register,
        "reason": reason,
        "event": absent,
        "declaration": declaration,
        "exclusion": Exclusion.objects.filter(year=year_a).last(),
    }


def _director_urls(world, o):
    school = world.school_a.pk
    return [
        ("presences-thresholds", [school], {"absence_threshold": 4}),
        ("presences-exclusion-add", [school], {"label": "X"}),
        ("presences-exclusion-remove", [school, o["exclusion"].pk], {}),
        ("presences-reason-edit", [school, o["reason"].pk], {"label": "Maladie"}),
        ("presences-lateness-add", [school], {"label": "Bus"}),
        ("presences-regularise", [school, o["event"].pk], {"reason": o["reason"].pk}),
        (
            "presences-declaration-process",
            [school, o["declaration"].pk],
            {"decision": "accept"},
        ),
        ("presences-template-add", [school], {"name": "M", "body": "B"}),
    ]


WRITE_VIEWS = [
    "presences-thresholds",
    "presences-exclusion-add",
    "presences-exclusion-remove",
    "presences-reason-edit",
    "presences-lateness-add",
    "presences-regularise",
    "presences-declaration-process",
    "presences-template-add",
]


@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_a_director_write_view_answers_405_to_a_get(client_for, world, objects, name):
    url_name, args, _ = next(u for u in _director_urls(world, objects) if u[0] == name)
    response = client_for(world.director).get(reverse(url_name, args=args))
    assert response.status_code == 405


@pytest.mark.parametrize("name", WRITE_VIEWS)
@pytest.mark.parametrize("who", ["teacher_cm1", "parent_cm1", "staff_a"])
def test_a_director_write_view_answers_404_to_another_role(
    client_for, world, objects, name, who
):
    url_name, args, data = next(
        u for u in _director_urls(world, objects) if u[0] == name
    )
    response = client_for(getattr(world, who)).post(reverse(url_name, args=args), data)
    # They all open Présences, but the school's direction is out of their reach.
    assert response.status_code == 404
    assert Declaration.objects.get().state == "pending"


@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_a_director_write_view_answers_404_to_the_director_of_another_school(
    client_for, world, objects, name
):
    directory_services.function_grant(
        user=world.teacher_b, structure=world.school_b, role=GroupRole.DIRECTION
    )
    url_name, args, data = next(
        u for u in _director_urls(world, objects) if u[0] == name
    )
    response = client_for(world.teacher_b).post(reverse(url_name, args=args), data)
    assert response.status_code == 404


def test_another_school_s_objects_answer_404_under_one_s_own_school(
    client_for, world, objects, year_a
):
    """A director of B passing B's id with A's objects gets 404 too."""
    directory_services.function_grant(
        user=world.teacher_b, structure=world.school_b, role=GroupRole.DIRECTION
    )
    directory_services.class_teacher_attach(klass=world.cm1_b, teacher=world.teacher_b)
    services.year_initialise(
        structure=world.school_b,
        actor=world.teacher_b,
        start=year_a.start,
        end=year_a.end,
    )
    client = client_for(world.teacher_b)
    school_b = world.school_b.pk
    for name, args in [
        ("presences-regularise", [school_b, objects["event"].pk]),
        ("presences-declaration-process", [school_b, objects["declaration"].pk]),
        ("presences-reason-edit", [school_b, objects["reason"].pk]),
        ("presences-exclusion-remove", [school_b, objects["exclusion"].pk]),
    ]:
        response = client.post(reverse(name, args=args), {"reason": 1, "label": "x"})
        assert response.status_code == 404, name


@pytest.mark.parametrize("view", ["presences-mark", "presences-validate"])
@pytest.mark.parametrize("who", ["teacher_b", "parent_cm1", "staff_a", "pupil_cm1"])
def test_the_call_write_views_answer_404_or_403_to_others(
    client_for, world, objects, view, who
):
    register = objects["register"]
    args = (
        [register.pk, world.pupil_cm1.pk] if view == "presences-mark" else [register.pk]
    )
    response = client_for(getattr(world, who)).post(
        reverse(view, args=args), {"action": "absence"}
    )
    # A pupil has no Présences right (403); everyone else does but the class
    # is out of their reach (404).
    assert response.status_code == (403 if who == "pupil_cm1" else 404)
    register.refresh_from_db()
    assert not register.is_validated and not register.events.exists()


def test_the_mailing_views_refuse_the_wrong_method_role_and_school(
    client_for, world, objects
):
    url = reverse("presences-mailing", args=[world.school_a.pk])
    assert client_for(world.director).put(url).status_code == 405
    assert client_for(world.teacher_cm1).post(url, {}).status_code == 404
    directory_services.function_grant(
        user=world.teacher_b, structure=world.school_b, role=GroupRole.DIRECTION
    )
    assert client_for(world.teacher_b).post(url, {}).status_code == 404


def test_the_initialisation_refuses_the_wrong_method_role_and_school(client_for, world):
    url = reverse("presences-initialise", args=[world.school_a.pk])
    assert client_for(world.director).put(url).status_code == 405
    assert client_for(world.teacher_cm1).post(url, {}).status_code == 404
    assert client_for(world.teacher_b).post(url, {}).status_code == 404
