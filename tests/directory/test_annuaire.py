import pytest
from django.urls import reverse

from directory.models import Group, GroupKind
from directory.services import favourites_save

ANNUAIRE = reverse("directory-annuaire")
CREATE = reverse("directory-favourites-create")


def lists_of(user):
    return Group.objects.filter(owner=user, kind=GroupKind.FAVOURITES)


def test_search_finds_reachable_people_with_a_checkbox_for_favourites(
    client_for, world
):
    html = client_for(world.parent_cm1).get(ANNUAIRE, {"q": "tehaamoana"}).text
    assert "Vaimiti Tehaamoana" in html
    assert f'value="{world.teacher_cm1.pk}" form="favourites-form"' in html


def test_the_htmx_search_answers_the_results_only(client_for, world):
    response = client_for(world.parent_cm1).get(
        ANNUAIRE, {"q": "vaimiti"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in response.text and "Vaimiti" in response.text


def test_a_parent_keeps_a_list_of_favourites(client_for, world):
    client = client_for(world.parent_cm1)
    response = client.post(
        CREATE, {"name": "École", "members": [world.teacher_cm1.pk, world.staff_a.pk]}
    )
    assert response.status_code == 302
    favourites = lists_of(world.parent_cm1).get()
    assert favourites.structure == world.school_a
    assert set(favourites.members.all()) == {world.teacher_cm1, world.staff_a}
    html = client.get(ANNUAIRE).text
    assert "Mes favoris" in html and "École" in html and "Hina Vanaa" in html


def test_someone_out_of_reach_cannot_be_put_in_favourites(client_for, world):
    client = client_for(world.parent_cm1)
    response = client.post(
        CREATE,
        {"name": "Tous", "members": [world.teacher_cm1.pk, world.pupil_b.pk]},
        follow=True,
    )
    assert not lists_of(world.parent_cm1).exists()
    assert "ne sont pas parmi celles à qui vous pouvez écrire" in response.text


def test_a_list_without_a_name_is_refused(client_for, world):
    client_for(world.parent_cm1).post(CREATE, {"members": [world.teacher_cm1.pk]})
    assert not lists_of(world.parent_cm1).exists()


def test_editing_a_list_changes_its_name_and_members(client_for, world):
    favourites = favourites_save(
        owner=world.parent_cm1,
        structure=world.school_a,
        name="École",
        members=[world.teacher_cm1],
    )
    url = reverse("directory-favourites-edit", args=[favourites.pk])
    client = client_for(world.parent_cm1)
    page = client.get(url, {"q": "vanaa"})
    assert "Vaimiti Tehaamoana" in page.text and "Hina Vanaa" in page.text
    client.post(url, {"name": "Direction", "members": [world.staff_a.pk]})
    favourites.refresh_from_db()
    assert favourites.name == "Direction"
    assert list(favourites.members.all()) == [world.staff_a]


def test_deleting_a_list_asks_first(client_for, world):
    favourites = favourites_save(
        owner=world.parent_cm1, structure=world.school_a, name="École", members=[]
    )
    url = reverse("directory-favourites-delete", args=[favourites.pk])
    client = client_for(world.parent_cm1)
    assert "Confirmer" in client.post(url).text
    assert lists_of(world.parent_cm1).exists()
    client.post(url, {"confirm": "1"})
    assert not lists_of(world.parent_cm1).exists()


@pytest.mark.parametrize(
    "name", ["directory-favourites-edit", "directory-favourites-delete"]
)
def test_someone_elses_list_answers_404(name, client_for, world):
    favourites = favourites_save(
        owner=world.parent_cm1, structure=world.school_a, name="École", members=[]
    )
    client = client_for(world.parent_ce1)
    url = reverse(name, args=[favourites.pk])
    assert client.post(url, {"name": "x", "confirm": "1"}).status_code == 404
    assert lists_of(world.parent_cm1).exists()


@pytest.mark.parametrize(
    ("url", "wrong"),
    [
        (CREATE, "get"),
        (ANNUAIRE, "post"),
    ],
)
def test_the_annuaire_refuses_the_wrong_method(url, wrong, client_for, world):
    assert getattr(client_for(world.parent_cm1), wrong)(url).status_code == 405


def test_the_delete_and_edit_views_refuse_the_wrong_method(client_for, world):
    favourites = favourites_save(
        owner=world.parent_cm1, structure=world.school_a, name="École", members=[]
    )
    client = client_for(world.parent_cm1)
    delete = reverse("directory-favourites-delete", args=[favourites.pk])
    edit = reverse("directory-favourites-edit", args=[favourites.pk])
    assert client.get(delete).status_code == 405
    assert client.delete(edit).status_code == 405


def test_without_the_annuaire_right_favourites_answer_403(client_for, world):
    from directory.models import AppRight
    from nati import portal

    AppRight.objects.filter(app=portal.ANNUAIRE).delete()
    client = client_for(world.parent_cm1)
    response = client.post(CREATE, {"name": "x", "members": [world.teacher_cm1.pk]})
    assert response.status_code == 403
    assert client.get(ANNUAIRE).status_code == 403
