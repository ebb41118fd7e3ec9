import pytest
from django.test import override_settings
from django.urls import reverse

from directory.services import app_right_set, class_teacher_detach
from nati import portal
from nati.models import AuditEntry

AUDIT = reverse("console-audit")


@pytest.fixture
def entries(world):
    group = world.school_b.groups.get(kind="profile", role="pupils")
    app_right_set(group=group, app=portal.GAR, granted=True, actor=world.project_lead)
    class_teacher_detach(
        klass=world.cm1, teacher=world.teacher_cm1, actor=world.director
    )
    return AuditEntry.objects.all()


@pytest.mark.parametrize("persona", ["director", "ien", "teacher_cm1", "parent_cm1"])
def test_only_the_project_lead_reads_the_audit_log(persona, client_for, world):
    assert client_for(getattr(world, persona)).get(AUDIT).status_code == 403


def test_the_audit_log_refuses_the_wrong_method(client_for, world):
    assert client_for(world.project_lead).post(AUDIT).status_code == 405


def test_the_project_lead_reads_who_did_what_on_which_object(
    client_for, world, entries
):
    response = client_for(world.project_lead).get(AUDIT)
    assert response.status_code == 200
    assert "class.teacher_detach" in response.text and "directeur" in response.text
    assert "app_right.grant" in response.text and "chef.projet" in response.text


def test_the_audit_log_filters_by_action_and_structure(client_for, world, entries):
    client = client_for(world.project_lead)
    by_action = client.get(AUDIT, {"action": "class.teacher_detach"})
    assert [e.action for e in by_action.context["page"].object_list] == [
        "class.teacher_detach"
    ]
    by_school = client.get(AUDIT, {"structure": world.school_b.pk})
    assert [e.action for e in by_school.context["page"].object_list] == [
        "app_right.grant"
    ]


@override_settings(NATI_CONSOLE_PAGE_SIZE=1)
def test_the_audit_log_is_paginated_with_a_fixed_number_of_queries(
    client_for, world, entries, django_assert_num_queries
):
    client = client_for(world.project_lead)
    client.get("/")
    # project lead, actions, the page with its total, the structures of the
    # filter (the user and the app rights come from the cache).
    with django_assert_num_queries(4):
        response = client.get(AUDIT)
    assert len(response.context["page"].object_list) == 1
    assert response.context["page"].paginator.num_pages == entries.count()


def test_the_console_links_the_audit_log_for_the_project_lead_only(client_for, world):
    assert AUDIT in client_for(world.project_lead).get(reverse("console-home")).text
    assert AUDIT not in client_for(world.director).get(reverse("console-home")).text
