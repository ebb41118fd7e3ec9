from django.test import override_settings
from django.urls import reverse

from directory import selectors
from directory.models import CommunicationRule, Group, GroupKind, GroupRole
from nati.models import AuditEntry


def groups_url(world, tab=None):
    url = reverse("console-groups", args=[world.school_a.pk])
    return f"{url}?onglet={tab}" if tab else url


def school_group(world, role, kind=GroupKind.PROFILE):
    return Group.objects.get(structure=world.school_a, kind=kind, role=role)


def test_groups_are_shown_in_tabs_by_kind(client_for, world):
    client = client_for(world.director)
    dynamic = client.get(groups_url(world, "profils")).text
    functions = client.get(groups_url(world, "fonctions")).text
    manual = client.get(groups_url(world, "manuels")).text
    assert "Élèves de CM1" in dynamic and "Enseignants" in dynamic
    assert "ADML" not in dynamic and "ADML" in functions
    assert "Aucun groupe manuel" in manual and "Créer un groupe" in manual


@override_settings(NATI_CONSOLE_PAGE_SIZE=2)
def test_a_group_page_lists_its_members_paginated(client_for, world):
    group = Group.objects.get(klass=world.cm1, role=GroupRole.PUPILS)
    url = reverse("console-group", args=[world.school_a.pk, group.pk])
    response = client_for(world.director).get(url)
    names = [m.user.username for m in response.context["page"].object_list]
    assert sorted(names) == ["eleve.cm1", "eleve.cm1.bis"]
    assert "Enseignants de CM1" in response.text  # whom they may write to


def test_the_group_list_runs_a_fixed_number_of_queries(
    client_for, world, django_assert_num_queries
):
    client = client_for(world.director)
    client.get("/")
    # school, the page with its total and member counts (the user, the app
    # rights and the header's count come from the cache).
    with django_assert_num_queries(2):
        client.get(groups_url(world, "profils"))


def test_the_group_members_run_a_fixed_number_of_queries(
    client_for, world, django_assert_num_queries
):
    group = school_group(world, GroupRole.PUPILS)
    url = reverse("console-group", args=[world.school_a.pk, group.pk])
    client = client_for(world.director)
    client.get("/")
    # school, group, the page with its total, and whom the group writes to and
    # is written by (the user and the app rights come from the cache).
    with django_assert_num_queries(5):
        client.get(url)


def test_creating_a_manual_group_with_members_visibility_and_rules(client_for, world):
    teachers = school_group(world, GroupRole.TEACHERS)
    parents = school_group(world, GroupRole.PARENTS)
    response = client_for(world.director).post(
        reverse("console-group-create", args=[world.school_a.pk]),
        {
            "name": "Conseil d'école",
            "members": [world.parent_cm1.pk, world.teacher_cm1.pk],
            "visible_to": [teachers.pk],
            "written_by": [parents.pk],
            "may_write_to": [teachers.pk],
            "inner_communication": "on",
        },
    )
    group = Group.objects.get(kind=GroupKind.MANUAL, name="Conseil d'école")
    assert response.status_code == 302
    assert set(group.members.all()) == {world.parent_cm1, world.teacher_cm1}
    assert list(group.visible_to.all()) == [teachers]
    assert group.inner_communication
    assert CommunicationRule.objects.filter(source=parents, target=group).exists()
    assert CommunicationRule.objects.filter(source=group, target=teachers).exists()
    assert selectors.can_communicate(world.parent_ce1, world.parent_cm1)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"group.create", "group.update"} <= actions


def test_members_of_another_school_are_refused(client_for, world):
    response = client_for(world.director).post(
        reverse("console-group-create", args=[world.school_a.pk]),
        {"name": "Mélange", "members": [world.pupil_b.pk]},
    )
    assert response.status_code == 200
    assert "members" in response.context["form"].errors
    assert not Group.objects.filter(name="Mélange").exists()


def test_editing_a_manual_group_changes_its_members_and_rules(client_for, world):
    from directory.services import manual_group_create

    group = manual_group_create(
        structure=world.school_a,
        name="Atelier",
        actor=world.director,
        members=[world.pupil_cm1],
    )
    url = reverse("console-group-edit", args=[world.school_a.pk, group.pk])
    client = client_for(world.director)
    form = client.get(url)
    assert form.status_code == 200 and "Atelier" in form.text
    client.post(url, {"name": "Atelier théâtre", "members": [world.pupil_ce1.pk]})
    group.refresh_from_db()
    assert group.name == "Atelier théâtre"
    assert list(group.members.all()) == [world.pupil_ce1]


def test_a_dynamic_group_is_not_editable(client_for, world):
    group = school_group(world, GroupRole.PUPILS)
    url = reverse("console-group-edit", args=[world.school_a.pk, group.pk])
    assert client_for(world.director).get(url).status_code == 404


def test_a_users_favourites_list_is_not_a_console_group(client_for, world):
    from directory.services import favourites_save

    favourites = favourites_save(
        owner=world.teacher_cm1, structure=world.school_a, name="Mes", members=[]
    )
    url = reverse("console-group", args=[world.school_a.pk, favourites.pk])
    assert client_for(world.director).get(url).status_code == 404
