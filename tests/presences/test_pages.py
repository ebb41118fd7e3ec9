"""The read pages open for whom they are for, and lists pin their queries."""

import datetime as dt

import pytest
from django.urls import reverse

from presences.models import Mailing
from tests.presences.helpers import cm1_absence


def test_the_settings_page_shows_every_section(client_for, world, year_a):
    page = client_for(world.director).get(
        reverse("presences-settings", args=[world.school_a.pk])
    )
    body = page.content.decode()
    for text in (
        "Vacances de la Toussaint",
        "Absence illégitime",
        "Panne de réveil",
        "Seuils d'alerte",
        "Appels multiples : <strong>non</strong>",
    ):
        assert text in body


def test_a_threshold_is_saved(client_for, world, year_a):
    client_for(world.director).post(
        reverse("presences-thresholds", args=[world.school_a.pk]),
        {
            "absence_threshold": 4,
            "lateness_threshold": 3,
            "incident_threshold": 1,
            "notebook_threshold": 3,
        },
    )
    year_a.refresh_from_db()
    assert year_a.absence_threshold == 4 and not year_a.count_without_reason


def test_the_home_of_presences_fits_each_person(client_for, world, year_a):
    teacher = client_for(world.teacher_cm1).get("/presences/").content.decode()
    assert "Faire l'appel" in teacher and "Direction" not in teacher
    director = client_for(world.director).get("/presences/").content.decode()
    assert "Tableau de bord" in director and "CE1" in director
    parent = client_for(world.parent_cm1).get("/presences/").content.decode()
    assert "Māhina" in parent and "Faire l'appel" not in parent


def test_a_teacher_s_home_page_offers_the_call(client_for, world, year_a):
    page = client_for(world.teacher_cm1).get("/").content.decode()
    assert reverse("presences-call", args=[world.cm1.pk]) in page


@pytest.mark.parametrize("absences", [1, 12])
def test_the_regularisation_list_pins_its_queries(
    client_for, world, year_a, monday, django_assert_num_queries, absences
):
    for n in range(absences):
        day = monday + dt.timedelta(days=7 * (n // 4) + [0, 1, 3, 4][n % 4])
        cm1_absence(world, year_a, day)
    client = client_for(world.director)
    url = reverse("presences-regularisation", args=[world.school_a.pk])
    with django_assert_num_queries(9):
        page = client.get(url, {"start": "2026-10-01", "end": "2026-12-18"})
    assert len(page.context["page"].object_list) == absences


@pytest.mark.parametrize("mailings", [1, 5])
def test_the_mailing_history_pins_its_queries(
    client_for, world, year_a, monday, django_assert_num_queries, mailings
):
    for _ in range(mailings):
        mailing = Mailing.objects.create(
            structure=world.school_a,
            channel="sms",
            start=monday,
            end=monday,
            kinds=["absence"],
            body="x",
        )
        mailing.recipients.create(
            pupil=world.pupil_cm1,
            representative=world.parent_cm1,
            address="+68987701234",
            text="x",
        )
    client = client_for(world.director)
    url = reverse("presences-mailing-history", args=[world.school_a.pk])
    with django_assert_num_queries(10):
        page = client.get(url)
    assert page.content.decode().count("Māhina Pūtai") == mailings


def test_the_parents_page_pins_its_queries_per_child(
    client_for, world, year_a, monday, django_assert_num_queries
):
    cm1_absence(world, year_a, monday)
    cm1_absence(world, year_a, monday + dt.timedelta(days=1))
    client = client_for(world.parent_cm1)
    # a parent of one child: two reads for that child (events, declarations)
    with django_assert_num_queries(6):
        page = client.get(reverse("presences-family"))
    assert page.content.decode().count("À régulariser") == 2
