from django.urls import reverse

from directory.models import AppRight, Group, GroupKind, GroupRole
from nati import portal
from nati.models import AuditEntry


def pupils_group(world):
    return Group.objects.get(
        structure=world.school_a, kind=GroupKind.PROFILE, role=GroupRole.PUPILS
    )


def test_the_rights_page_shows_each_group_and_app(client_for, world):
    html = (
        client_for(world.director)
        .get(reverse("console-rights", args=[world.school_a.pk]))
        .text
    )
    assert "Affectation GAR" in html and "Élèves de CM1" in html
    assert "Retirer la Messagerie aux élèves et parents" in html
    assert "Rendre la Messagerie" in html


def test_granting_and_revoking_an_app_to_a_group_is_audited(client_for, world):
    group = pupils_group(world)
    url = reverse("console-right-set", args=[world.school_a.pk, group.pk])
    client = client_for(world.director)

    granted = client.post(
        url, {"app": portal.GAR, "granted": "on"}, HTTP_HX_REQUEST="true"
    )
    assert granted.status_code == 200 and "Ouverte" in granted.text
    assert AppRight.objects.filter(group=group, app=portal.GAR).exists()
    assert client_for(world.pupil_cm1).get(reverse("gar-home")).status_code == 200

    revoked = client.post(url, {"app": portal.GAR})
    assert revoked.status_code == 302
    assert not AppRight.objects.filter(group=group, app=portal.GAR).exists()
    actions = list(
        AuditEntry.objects.filter(target_id=str(group.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["app_right.grant", "app_right.revoke"]


def test_an_unknown_app_answers_404(client_for, world):
    url = reverse("console-right-set", args=[world.school_a.pk, pupils_group(world).pk])
    response = client_for(world.director).post(url, {"app": "inconnue"})
    assert response.status_code == 404


def test_messagerie_is_taken_from_families_and_given_back_in_one_action_each(
    client_for, world
):
    url = reverse("console-family-messaging", args=[world.school_a.pk])
    client = client_for(world.director)
    parent = client_for(world.parent_cm1)

    asked = client.post(url, {"enabled": "0"})
    assert "Confirmer" in asked.text
    assert parent.get(reverse("messaging-inbox")).status_code == 200

    client.post(url, {"enabled": "0", "confirm": "1"})
    assert parent.get(reverse("messaging-inbox")).status_code == 403
    assert (
        client_for(world.pupil_cm1).get(reverse("messaging-inbox")).status_code == 403
    )
    assert (
        client_for(world.teacher_cm1).get(reverse("messaging-inbox")).status_code == 200
    )
    assert client_for(world.parent_b).get(reverse("messaging-inbox")).status_code == 200

    client.post(url, {"enabled": "1", "confirm": "1"})
    assert parent.get(reverse("messaging-inbox")).status_code == 200
    actions = list(
        AuditEntry.objects.filter(structure=world.school_a)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["messagerie.families_off", "messagerie.families_on"]
