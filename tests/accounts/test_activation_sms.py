import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import AccountState, User
from nati.models import AuditEntry
from tests.accounts.conftest import code_in

START = reverse("accounts-activate")
CODE = reverse("accounts-activate-code")
CHILDREN = reverse("accounts-activate-children")
PASSWORD = reverse("accounts-activate-password")
NEW = "le lagon de maupiti au matin"


@pytest.fixture
def parent(world):
    User.objects.filter(pk=world.parent_cm1.pk).update(
        account_state=AccountState.NOT_INFORMED, password="!"
    )
    return world.parent_cm1


def _ask(client, number="87 70 12 34"):
    return client.post(START, {"mobile": number}, follow=True)


def test_a_parent_activates_by_sms_then_birth_dates_then_password(
    parent, world, sms_gateway
):
    client = Client()
    answer = _ask(client)
    assert "un code à 6 chiffres vient de lui être envoyé" in answer.content.decode()
    (message,) = sms_gateway
    assert message["to"] == "+68987701234"
    assert message["authorization"] == "Bearer jeton-de-test"

    assert client.post(CODE, {"code": code_in(message)}).url == CHILDREN
    page = client.get(CHILDREN).content.decode()
    assert "Date de naissance de Māhina" in page
    field = f"enfant_{world.pupil_cm1.pk}"
    birth = world.pupil_cm1.birth_date.isoformat()
    assert client.post(CHILDREN, {field: birth}).url == PASSWORD
    done = client.post(PASSWORD, {"password1": NEW, "password2": NEW})
    assert done.url == reverse("home")
    assert client.get("/").status_code == 200
    parent.refresh_from_db()
    assert parent.account_state == AccountState.ACTIVE and parent.check_password(NEW)


def _main(html: str) -> str:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


def test_an_unknown_number_gets_the_same_answer_and_no_sms(parent, sms_gateway):
    known = _ask(Client())
    unknown = _ask(Client(), "87 00 00 00")
    assert known.redirect_chain == unknown.redirect_chain == [(CODE, 302)]
    assert _main(known.content.decode()) == _main(unknown.content.decode())
    assert len(sms_gateway) == 1


def test_a_wrong_code_reads_the_same_for_an_unknown_number(parent, sms_gateway):
    known, unknown = Client(), Client()
    _ask(known)
    _ask(unknown, "87 00 00 00")
    right = code_in(sms_gateway[0])
    wrong = "000000" if right != "000000" else "111111"
    known_answer = known.post(CODE, {"code": wrong}).content.decode()
    unknown_answer = unknown.post(CODE, {"code": wrong}).content.decode()
    assert _main(known_answer) == _main(unknown_answer)
    assert "Ce code n&#x27;est pas le bon, ou il a expiré." in known_answer


def test_three_wrong_codes_end_the_attempt(parent, sms_gateway):
    client = Client()
    _ask(client)
    right = code_in(sms_gateway[0])
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(2):
        assert client.post(CODE, {"code": wrong}).status_code == 200
    assert client.post(CODE, {"code": wrong}).url == START
    assert client.post(CODE, {"code": right}).url == START


def test_the_code_lasts_ten_minutes(parent, sms_gateway):
    with time_machine.travel(dt.datetime.now(dt.UTC)) as clock:
        client = Client()
        _ask(client)
        clock.shift(dt.timedelta(minutes=11))
        answer = client.post(CODE, {"code": code_in(sms_gateway[0])})
    assert answer.status_code == 200
    assert "pas le bon, ou il a expiré" in answer.content.decode()


def test_a_wrong_birth_date_does_not_activate(parent, world, sms_gateway):
    client = Client()
    _ask(client)
    client.post(CODE, {"code": code_in(sms_gateway[0])})
    field = f"enfant_{world.pupil_cm1.pk}"
    answer = client.post(CHILDREN, {field: "2001-01-01"})
    assert "ne correspond pas" in answer.content.decode()
    assert client.get(PASSWORD).url == START


def test_codes_are_rate_limited_per_number(parent, sms_gateway, settings):
    settings.NATI_ACTIVATION_SMS_PER_NUMBER = 3
    for _ in range(5):
        _ask(Client(REMOTE_ADDR=f"10.1.0.{len(sms_gateway) + 1}"))
    assert len(sms_gateway) == 3
    assert AuditEntry.objects.filter(action="auth.activation_throttled").count() == 2


def test_requests_are_rate_limited_per_address(parent, sms_gateway, settings):
    settings.NATI_ACTIVATION_PER_ADDRESS = 2
    client = Client(REMOTE_ADDR="10.2.0.1")
    _ask(client, "87 00 00 01")
    _ask(client, "87 00 00 02")
    answer = _ask(client)
    assert "Trop de demandes depuis cette connexion" in answer.content.decode()
    assert sms_gateway == []


def test_an_active_account_gets_no_code(world, sms_gateway):
    _ask(Client())
    assert sms_gateway == []


def test_the_pages_refuse_other_methods(db):
    client = Client()
    assert client.put(START).status_code == 405
    assert client.delete(CODE).status_code == 405


def test_the_later_steps_need_the_earlier_ones(db):
    client = Client()
    assert client.get(CODE).url == START
    assert client.get(CHILDREN).url == START
    assert client.get(PASSWORD).url == START
