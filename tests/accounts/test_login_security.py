import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse

from accounts.services import password_choose
from nati.models import AuditEntry

LOGIN = reverse("account_login")


def _post(client, login, password):
    return client.post(LOGIN, {"login": login, "password": password})


def test_five_failures_lock_the_identifier_from_that_address(world, password):
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(5):
        assert _post(client, "eleve.cm1", "mauvais mot").status_code == 200
    answer = _post(client, "eleve.cm1", password)
    assert answer.status_code == 200
    assert "réessayez dans 15 minutes" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(
        action="auth.lockout", target_id=str(world.pupil_cm1.pk), ip="10.0.0.7"
    ).exists()


def test_another_pupil_behind_the_same_address_is_not_affected(world, password):
    school_address = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(6):
        _post(school_address, "eleve.cm1", "mauvais mot")
    classmate = Client(REMOTE_ADDR="10.0.0.7")
    assert _post(classmate, "eleve.cm1.bis", password).status_code == 302


def test_the_same_identifier_from_another_address_is_not_affected(world, password):
    for _ in range(6):
        _post(Client(REMOTE_ADDR="10.0.0.7"), "eleve.cm1", "mauvais mot")
    at_home = Client(REMOTE_ADDR="192.0.2.44")
    assert _post(at_home, "eleve.cm1", password).status_code == 302


def test_the_lock_ends_after_fifteen_minutes(world, password):
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)) as clock:
        client = Client(REMOTE_ADDR="10.0.0.8")
        for _ in range(5):
            _post(client, "eleve.ce1", "mauvais mot")
        clock.shift(dt.timedelta(minutes=14))
        assert _post(client, "eleve.ce1", password).status_code == 200
        clock.shift(dt.timedelta(minutes=2))
        assert _post(client, "eleve.ce1", password).status_code == 302


def test_four_failures_then_success_clears_the_count(world, password):
    client = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(4):
        _post(client, "parent.cm1", "mauvais mot")
    assert _post(client, "parent.cm1", password).status_code == 302
    again = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(4):
        _post(again, "parent.cm1", "mauvais mot")
    assert _post(again, "parent.cm1", password).status_code == 302


def test_login_and_failure_are_in_the_audit_log_without_the_password(world, password):
    client = Client(REMOTE_ADDR="10.0.0.10")
    _post(client, "parent.cm1", "mauvais mot")
    _post(client, "parent.cm1", password)
    failure = AuditEntry.objects.get(action="auth.login_failed")
    success = AuditEntry.objects.get(action="auth.login")
    assert failure.target_id == success.target_id == str(world.parent_cm1.pk)
    assert failure.ip == success.ip == "10.0.0.10"
    assert "mauvais" not in str(failure.data) and password not in str(success.data)


def test_the_session_key_changes_at_login(world, password):
    client = Client()
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    _post(client, "parent.cm1", password)
    assert client.session.session_key != before


def test_logout_ends_the_session_on_the_server(client_for, parent_cm1):
    from django.contrib.sessions.models import Session

    client = client_for(parent_cm1)
    key = client.session.session_key
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


def test_a_password_change_ends_every_other_session(world, password):
    phone, laptop = Client(), Client()
    _post(phone, "parent.cm1", password)
    _post(laptop, "parent.cm1", password)
    answer = laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": password,
            "password1": "une toute nouvelle phrase secrète",
            "password2": "une toute nouvelle phrase secrète",
        },
    )
    assert answer.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    assert AuditEntry.objects.filter(action="auth.password_change").exists()


def test_choosing_a_password_ends_the_other_sessions(world, password):
    other = Client()
    _post(other, "parent.ce1", password)
    password_choose(user=world.parent_ce1, password="encore une autre phrase")
    assert other.get("/").status_code == 302


def test_an_idle_staff_session_ends_after_thirty_minutes(world, password):
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)) as clock:
        client = Client()
        _post(client, "prof.cm1", password)
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        answer = client.get("/")
    assert answer.status_code == 302 and answer.url == LOGIN


def test_a_parent_session_lasts_the_longer_setting(world, password, settings):
    settings.NATI_IDLE_MINUTES = 120
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)) as clock:
        client = Client()
        _post(client, "parent.cm1", password)
        clock.shift(dt.timedelta(minutes=90))
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=121))
        assert client.get("/").status_code == 302
