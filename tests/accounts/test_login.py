from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse


def test_login_by_identifier_and_password(client, world, password):
    response = client.post(
        reverse("account_login"), {"login": "parent.cm1", "password": password}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_login_page_is_in_french(client, db):
    html = client.get(reverse("account_login")).content.decode()
    assert "Identifiant" in html and "Mot de passe" in html
    assert '<html lang="fr">' in html


def test_a_wrong_password_is_refused_in_french(client, world):
    response = client.post(
        reverse("account_login"), {"login": "parent.cm1", "password": "mauvais"}
    )
    assert response.status_code == 200
    assert "incorrect" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client_for, parent_cm1):
    client = client_for(parent_cm1)
    client.post(reverse("account_logout"))
    assert client.get("/").status_code == 302


def test_passwords_are_hashed_with_argon2(world):
    world.pupil_cm1.set_password("une autre phrase de passe")
    assert identify_hasher(world.pupil_cm1.password).algorithm == "argon2"


def test_signup_is_closed(client, db):
    response = client.get(reverse("account_signup"))
    assert "inscription" in response.content.decode().lower()
    assert client.post(reverse("account_signup"), {"username": "x"}).status_code != 302
