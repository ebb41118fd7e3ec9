import re

from django.test import override_settings
from django.urls import reverse

from accounts.models import AccountState, User
from nati.models import AuditEntry
from tests.world import person


def users_url(world, **params):
    from urllib.parse import urlencode

    url = reverse("console-users", args=[world.school_a.pk])
    return f"{url}?{urlencode(params)}" if params else url


# A row's second cell is the login.
_ROW_LOGIN = re.compile(r"<tr><td><a [^>]+>[^<]*</a></td><td>([^<]+)</td>")


def listed(response) -> set[str]:
    """The logins of the rows the page shows."""
    return set(_ROW_LOGIN.findall(response.content.decode()))


def test_the_user_list_shows_the_school_and_its_parents_only(client_for, world):
    names = listed(client_for(world.director).get(users_url(world)))
    assert {"eleve.cm1", "parent.cm1", "prof.cm1", "directeur", "personnel.a"} <= names
    assert "parent.ce1" in names
    assert not names & {"eleve.b", "parent.b", "prof.b", "ien.a"}


def test_each_row_links_to_the_users_card(client_for, world):
    html = client_for(world.director).get(users_url(world, q="putai mahina")).text
    card = reverse("console-user", args=[world.school_a.pk, world.pupil_cm1.pk])
    assert f'<a href="{card}">Pūtai Māhina</a>' in html
    assert "CM1" in html and '<span class="badge ok">Activé</span>' in html


def test_search_by_name_ignores_accents_and_case(client_for, world):
    client = client_for(world.director)
    assert listed(client.get(users_url(world, q="PUTAI"))) == {
        "eleve.cm1",
        "parent.cm1",
    }
    assert listed(client.get(users_url(world, q="mahina putai"))) == {"eleve.cm1"}


def test_filters_by_profile_class_and_account_state(client_for, world):
    client = client_for(world.director)
    assert listed(client.get(users_url(world, profile="pupil"))) == {
        "eleve.cm1",
        "eleve.cm1.bis",
        "eleve.ce1",
    }
    in_cm1 = listed(client.get(users_url(world, klass=world.cm1.pk)))
    assert in_cm1 == {"eleve.cm1", "eleve.cm1.bis", "parent.cm1", "prof.cm1"}

    User.objects.filter(pk=world.pupil_ce1.pk).update(
        account_state=AccountState.NOT_INFORMED
    )
    assert listed(client.get(users_url(world, state="not_informed"))) == {"eleve.ce1"}
    User.objects.filter(pk=world.staff_a.pk).update(blocked=True)
    assert listed(client.get(users_url(world, state="blocked"))) == {"personnel.a"}


def test_a_class_of_the_other_school_is_not_a_valid_filter(client_for, world):
    response = client_for(world.director).get(users_url(world, klass=world.cm1_b.pk))
    assert response.status_code == 200
    assert not response.context["form"].is_valid()
    assert "eleve.b" not in listed(response)


def test_an_empty_result_says_what_to_do(client_for, world):
    html = client_for(world.director).get(users_url(world, q="Zyxwvu")).text
    assert "Élargissez la recherche" in html


@override_settings(NATI_CONSOLE_PAGE_SIZE=3)
def test_the_user_list_is_paginated(client_for, world):
    client = client_for(world.director)
    first = client.get(users_url(world))
    second = client.get(users_url(world, page=2))
    assert len(first.context["page"].object_list) == 3
    assert listed(first).isdisjoint(listed(second))
    assert "Page 1 sur" in first.text and "page=2" in first.text


@override_settings(NATI_CONSOLE_PAGE_SIZE=3)
def test_a_page_past_the_end_shows_the_last_page(client_for, world):
    response = client_for(world.director).get(users_url(world, page=99))
    page = response.context["page"]
    assert page.number == page.paginator.num_pages > 1
    assert len(page.object_list) >= 1


def _list_queries(client, world, django_assert_num_queries, size, count):
    with (
        override_settings(NATI_CONSOLE_PAGE_SIZE=size),
        django_assert_num_queries(count),
    ):
        response = client.get(users_url(world, klass=world.cm1.pk, q="a"))
    return response


# The page with its total: the session, the user, the app rights, the header's
# unread count, the school, its classes and who is in which class come from
# the cache (nati/cache.py).
USER_LIST_QUERIES = 1
# The first list of the school reads these once: the school, its classes, who
# is in which class, its roster.
FIRST_LIST_QUERIES = USER_LIST_QUERIES + 4


def test_the_user_list_runs_the_same_queries_whatever_the_page_size(
    client_for, world, django_assert_num_queries
):
    for n in range(20):
        person(f"Tama{n}", "Teriierooiterai", "pupil")
    from directory.services import pupils_enrol

    pupils_enrol(
        klass=world.cm1, pupils=User.objects.filter(first_name__startswith="Tama")
    )
    client = client_for(world.director)
    client.get("/")  # the session is loaded once, outside the count
    _list_queries(client, world, django_assert_num_queries, 2, FIRST_LIST_QUERIES)
    small = _list_queries(
        client, world, django_assert_num_queries, 2, USER_LIST_QUERIES
    )
    big = _list_queries(client, world, django_assert_num_queries, 50, USER_LIST_QUERIES)
    assert len(small.context["page"].object_list) == 2
    assert len(big.context["page"].object_list) > 20


def test_the_user_card_shows_identity_classes_functions_and_family(client_for, world):
    url = reverse("console-user", args=[world.school_a.pk, world.director.pk])
    html = client_for(world.director).get(url).text
    assert "directeur" in html and "Enseignant" in html
    assert "CE1" in html and "principal" in html
    assert "ADML" in html and "Direction" in html
    parent_url = reverse("console-user", args=[world.school_a.pk, world.parent_cm1.pk])
    assert "Māhina Pūtai" in client_for(world.director).get(parent_url).text


def test_removing_a_motto_asks_then_removes_and_is_audited(client_for, world):
    pupil = world.pupil_cm1
    User.objects.filter(pk=pupil.pk).update(motto="Ia ora na")
    client = client_for(world.director)
    url = reverse("console-user-motto-remove", args=[world.school_a.pk, pupil.pk])
    card = reverse("console-user", args=[world.school_a.pk, pupil.pk])
    assert "Supprimer la devise" in client.get(card).text

    asked = client.post(url)
    assert asked.status_code == 200 and "Confirmer" in asked.text
    assert User.objects.get(pk=pupil.pk).motto == "Ia ora na"

    done = client.post(url, {"confirm": "1"})
    assert done.status_code == 302
    assert User.objects.get(pk=pupil.pk).motto == ""
    entry = AuditEntry.objects.get(action="user.motto_remove")
    assert entry.actor == world.director and entry.target_id == str(pupil.pk)
    assert entry.structure == world.school_a


def test_removing_a_photo_asks_then_removes_and_is_audited(
    client_for, world, settings, tmp_path
):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    pupil = world.pupil_cm1
    pupil.photo.save("p.png", ContentFile(b"\x89PNG fake"), save=True)
    stored = tmp_path / pupil.photo.name
    assert stored.exists()
    client = client_for(world.director)
    url = reverse("console-user-photo-remove", args=[world.school_a.pk, pupil.pk])
    card = reverse("console-user", args=[world.school_a.pk, pupil.pk])
    assert "Supprimer la photo" in client.get(card).text

    assert "Confirmer" in client.post(url).text
    assert User.objects.get(pk=pupil.pk).photo

    client.post(url, {"confirm": "1"})
    assert not User.objects.get(pk=pupil.pk).photo
    assert not stored.exists()
    assert AuditEntry.objects.filter(
        action="user.photo_remove", actor=world.director, structure=world.school_a
    ).exists()
