import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse

from accounts.crypto import secret_decrypt
from accounts.letters import accounts_inform
from accounts.models import AccountState

LOGIN = reverse("account_login")
FIRST = reverse("accounts-first-login")


def _inform(world, user):
    accounts_inform(structure=world.school_a, users=[user], actor=world.director)
    user.refresh_from_db()
    return secret_decrypt(user.provisional_password)


def test_a_provisional_password_leads_to_choosing_a_password_first(world):
    provisional = _inform(world, world.pupil_cm1)
    client = Client()
    answer = client.post(LOGIN, {"login": "eleve.cm1", "password": provisional})
    assert answer.status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home.url.startswith(FIRST)
    assert client.get(reverse("accounts-my-data")).url.startswith(FIRST)
    assert "Choisissez votre mot de passe" in client.get(FIRST).content.decode()


def test_a_pupil_chooses_an_eight_character_password_and_is_active(world):
    provisional = _inform(world, world.pupil_cm1)
    client = Client()
    client.post(LOGIN, {"login": "eleve.cm1", "password": provisional})
    answer = client.post(FIRST, {"password1": "tortue92x", "password2": "tortue92x"})
    assert answer.status_code == 302 and answer.url == reverse("home")
    assert client.get("/").status_code == 200
    pupil = world.pupil_cm1
    pupil.refresh_from_db()
    assert pupil.account_state == AccountState.ACTIVE
    assert pupil.provisional_password == "" and pupil.check_password("tortue92x")
    other = Client()
    assert (
        other.post(LOGIN, {"login": "eleve.cm1", "password": provisional}).status_code
        == 200
    )


def test_a_parent_needs_twelve_characters_and_may_leave_email_and_mobile(world):
    provisional = _inform(world, world.parent_ce1)
    client = Client()
    client.post(LOGIN, {"login": "parent.ce1", "password": provisional})
    short = client.post(FIRST, {"password1": "tortue92x", "password2": "tortue92x"})
    assert "au moins 12 caractères" in short.content.decode()
    answer = client.post(
        FIRST,
        {
            "password1": "le lagon est bleu ce matin",
            "password2": "le lagon est bleu ce matin",
            "email": "lai.chan@example.pf",
            "mobile": "87 70 99 11",
        },
    )
    assert answer.status_code == 302
    parent = world.parent_ce1
    parent.refresh_from_db()
    assert parent.email == "lai.chan@example.pf" and parent.mobile == "+68987709911"


def test_a_common_password_is_refused(world):
    provisional = _inform(world, world.parent_ce1)
    client = Client()
    client.post(LOGIN, {"login": "parent.ce1", "password": provisional})
    answer = client.post(
        FIRST, {"password1": "password1234", "password2": "password1234"}
    )
    assert answer.status_code == 200
    assert "trop courant" in answer.content.decode()


def test_a_pupil_is_not_asked_for_an_email(world):
    provisional = _inform(world, world.pupil_cm1)
    client = Client()
    client.post(LOGIN, {"login": "eleve.cm1", "password": provisional})
    html = client.get(FIRST).content.decode()
    assert 'name="email"' not in html and "aucune adresse de courriel" in html


def test_a_provisional_password_stops_after_three_months(world):
    provisional = _inform(world, world.pupil_cm1)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=93)
    with time_machine.travel(later):
        answer = Client().post(LOGIN, {"login": "eleve.cm1", "password": provisional})
    assert answer.status_code == 200


def test_the_first_login_keeps_where_the_user_was_going(world):
    provisional = _inform(world, world.pupil_cm1)
    client = Client()
    client.post(LOGIN, {"login": "eleve.cm1", "password": provisional})
    target = reverse("accounts-my-data")
    answer = client.post(
        f"{FIRST}?next={target}",
        {"password1": "tortue92x", "password2": "tortue92x", "next": target},
    )
    assert answer.url == target
