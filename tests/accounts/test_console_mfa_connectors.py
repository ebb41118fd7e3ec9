import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.cas.models import Connector
from accounts.cas.services import ticket_validate
from directory.models import AppRight, Group, GroupKind, GroupRole
from tests.accounts.conftest import PRONOTE


def test_the_adml_sees_who_has_two_factor(client_for, world):
    Authenticator.objects.create(
        user=world.teacher_cm1, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    url = reverse("accounts-console-mfa", args=[world.school_a.pk])
    html = client_for(world.director).get(url).content.decode()
    row = html.split("prof.cm1")[1].split("</tr>")[0]
    assert "activée" in row
    assert "non" in html.split("personnel.a")[1].split("</tr>")[0]
    assert "prof.b" not in html


def test_the_mfa_page_is_closed_to_teachers_and_other_schools(client_for, world):
    url = reverse("accounts-console-mfa", args=[world.school_a.pk])
    assert client_for(world.teacher_cm1).get(url).status_code == 403
    other = reverse("accounts-console-mfa", args=[world.school_b.pk])
    assert client_for(world.director).get(other).status_code == 404


def test_staff_reach_the_two_factor_pages(client_for, world):
    client = client_for(world.teacher_cm1)
    assert (
        "Gérer la double authentification"
        in client.get(reverse("accounts-my-account")).content.decode()
    )
    assert client.get(reverse("mfa_index")).status_code == 200
    # activating TOTP asks for the password again first (allauth's reauthentication)
    assert "reauthenticate" in client.get(reverse("mfa_activate_totp")).url


def _declare(client_for, world, **fields):
    url = reverse("cas-connectors", args=[world.school_a.pk])
    form = {
        "name": "Pronote Rimbaud",
        "service_pattern": "https://pronote.rimbaud.example/pronote/*",
        "launch_url": PRONOTE,
        "attribute_profile": "pronote",
    }
    return client_for(world.director).post(url, form | fields)


def test_an_administrator_declares_a_connector(client_for, world):
    answer = _declare(client_for, world)
    connector = Connector.objects.get()
    assert answer.url == reverse(
        "cas-connector", args=[world.school_a.pk, connector.pk]
    )
    assert connector.structure == world.school_a


def test_a_connector_pattern_must_be_https_and_match_its_launch_url(client_for, world):
    answer = _declare(
        client_for,
        world,
        service_pattern="http://pronote.example/*",
        launch_url="https://elsewhere.example/",
    )
    assert "doit commencer par https://" in answer.content.decode()
    assert not Connector.objects.exists()


def test_attribution_gives_the_connector_to_the_chosen_groups(
    client_for, world, pronote
):
    staff = Group.objects.get(
        structure=world.school_a, kind=GroupKind.PROFILE, role=GroupRole.STAFF
    )
    pupils = Group.objects.get(
        structure=world.school_a, kind=GroupKind.PROFILE, role=GroupRole.PUPILS
    )
    url = reverse("cas-connector", args=[world.school_a.pk, pronote.pk])
    client_for(world.director).post(url, {"groupes": [staff.pk, pupils.pk]})
    held = set(
        AppRight.objects.filter(app=pronote.app_code).values_list("group", flat=True)
    )
    assert held == {staff.pk, pupils.pk}


def test_the_connector_page_lists_its_refusals(client_for, world, pronote, rf):
    request = rf.get("/cas/serviceValidate", REMOTE_ADDR="10.3.0.1")
    from accounts.cas.services import CasError, ticket_issue

    ticket = ticket_issue(
        user=world.pupil_cm1,
        connector=pronote,
        service=PRONOTE,
        from_new_login=False,
        request=request,
    )
    with pytest.raises(CasError):
        ticket_validate(
            ticket=ticket.ticket,
            service="https://x.example/",
            renew=False,
            request=request,
        )
    url = reverse("cas-connector", args=[world.school_a.pk, pronote.pk])
    html = client_for(world.director).get(url).content.decode()
    assert "ticket émis pour un autre service" in html and "10.3.0.1" in html


def test_connector_pages_check_method_role_and_school(client_for, world, pronote):
    url = reverse("cas-connector", args=[world.school_a.pk, pronote.pk])
    assert client_for(world.director).delete(url).status_code == 405
    assert client_for(world.teacher_cm1).post(url, {"groupes": []}).status_code == 403
    other = reverse("cas-connector", args=[world.school_b.pk, pronote.pk])
    assert client_for(world.director).post(other, {"groupes": []}).status_code == 404
    assert client_for(world.teacher_b).get(url).status_code == 403
    assert AppRight.objects.filter(app=pronote.app_code).count() == 3


def test_seed_demo_declares_pronote_for_the_demo_school_idempotently(world):
    from accounts.demo import seed_pronote

    seed_pronote()
    seed_pronote()
    connector = Connector.objects.get()
    assert connector.service_pattern == "https://demo.index-education.net/pronote/*"
    roles = set(
        AppRight.objects.filter(app=connector.app_code).values_list(
            "group__role", flat=True
        )
    )
    assert roles == {"pupils", "parents", "teachers", "staff"}


def test_a_teacher_with_totp_gives_a_code_after_the_password(world, password):
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        generate_totp_secret,
        hotp_value,
        yield_hotp_counters_from_time,
    )
    from django.test import Client

    secret = generate_totp_secret()
    TOTP.activate(world.teacher_cm1, secret)
    client = Client()
    answer = client.post(
        reverse("account_login"), {"login": "prof.cm1", "password": password}
    )
    assert answer.url == reverse("mfa_authenticate")
    assert client.get("/").status_code == 302
    counter = next(yield_hotp_counters_from_time())
    code = format_hotp_value(hotp_value(secret, counter))
    answer = client.post(reverse("mfa_authenticate"), {"code": code})
    assert answer.status_code == 302
    assert client.get("/").status_code == 200
