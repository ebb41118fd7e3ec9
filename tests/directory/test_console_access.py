"""Every console page and action refuses the wrong method (405), the wrong role
(403) and another school's objects (404)."""

import pytest
from django.urls import reverse

from nati.models import AuditEntry
from tests.directory.conftest import CONSOLE_PAGES, url_of

PAGE_IDS = [p.name for p in CONSOLE_PAGES]


def call(client, page, url, method=None):
    method = (method or page.method).lower()
    return getattr(client, method)(url, dict(page.data))


@pytest.mark.parametrize("page", CONSOLE_PAGES, ids=PAGE_IDS)
def test_a_console_page_refuses_the_wrong_method(page, client_for, world, objects):
    url = url_of(page, objects(world.school_a))
    wrong = "put" if page.method == "GET" else "get"
    if page.name in ("console-group-create", "console-group-edit"):
        wrong = "delete"  # these answer GET (the form) and POST (the save)
    assert call(client_for(world.director), page, url, wrong).status_code == 405


@pytest.mark.parametrize("persona", ["pupil_cm1", "parent_cm1", "teacher_cm1"])
@pytest.mark.parametrize("page", CONSOLE_PAGES, ids=PAGE_IDS)
def test_a_console_page_refuses_who_has_no_console_right(
    page, persona, client_for, world, objects
):
    url = url_of(page, objects(world.school_a))
    before = AuditEntry.objects.count()
    assert call(client_for(getattr(world, persona)), page, url).status_code == 403
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("page", CONSOLE_PAGES, ids=PAGE_IDS)
def test_the_director_of_a_gets_404_for_the_other_school(
    page, client_for, world, objects
):
    url = url_of(page, objects(world.school_b))
    before = AuditEntry.objects.count()
    assert call(client_for(world.director), page, url).status_code == 404
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    "page", [p for p in CONSOLE_PAGES if len(p.args) > 1], ids=lambda p: p.name
)
def test_school_b_objects_under_school_a_answer_404(page, client_for, world, objects):
    """The school in the URL is the director's, the object is of school B."""
    mixed = objects(world.school_b) | {"school": world.school_a}
    assert (
        call(client_for(world.director), page, url_of(page, mixed)).status_code == 404
    )


@pytest.mark.parametrize("page", CONSOLE_PAGES, ids=PAGE_IDS)
def test_district_staff_administers_the_schools_of_their_district_only(
    page, client_for, world, objects
):
    client = client_for(world.ien)
    own = call(client, page, url_of(page, objects(world.school_a)))
    other = call(client, page, url_of(page, objects(world.school_b)))
    assert own.status_code in (200, 302)
    assert other.status_code == 404


@pytest.mark.parametrize("page", CONSOLE_PAGES, ids=PAGE_IDS)
def test_the_project_lead_administers_every_school(page, client_for, world, objects):
    client = client_for(world.project_lead)
    for school in (world.school_a, world.school_b):
        response = call(client, page, url_of(page, objects(school)))
        assert response.status_code in (200, 302), (page.name, school.uai)


def test_a_district_is_not_a_school_page(client_for, world):
    url = reverse("console-users", args=[world.district_a.pk])
    assert client_for(world.ien).get(url).status_code == 404


def test_the_console_home_lists_the_schools_in_scope(client_for, world):
    html_director = client_for(world.director).get(reverse("console-home")).text
    html_ien = client_for(world.ien).get(reverse("console-home")).text
    html_lead = client_for(world.project_lead).get(reverse("console-home")).text
    assert "École Arthur Rimbaud" in html_director
    assert "Tiare Apetahi" not in html_director
    assert "École Arthur Rimbaud" in html_ien and "Tiare Apetahi" not in html_ien
    assert "École Arthur Rimbaud" in html_lead and "Tiare Apetahi" in html_lead
    assert reverse("console-users", args=[world.school_a.pk]) in html_director


def test_the_console_home_refuses_the_wrong_method_and_role(client_for, world):
    assert client_for(world.director).post(reverse("console-home")).status_code == 405
    assert client_for(world.pupil_cm1).get(reverse("console-home")).status_code == 403
