import os

import pytest

from accounts.models import AccountState, User
from tests.accounts.conftest import code_in

NEW = "le lagon de maupiti au matin"


@pytest.fixture
def async_unsafe_cleared():
    """tests/conftest.py's `browser` sets DJANGO_ALLOW_ASYNC_UNSAFE for good; a
    later `check --deploy` subprocess would inherit it. Set up before the
    browser, this is torn down after it and takes the variable away again."""
    yield
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_parent_activates_their_account_by_sms_on_a_phone(
    async_unsafe_cleared, live_server, phone_page, world, sms_gateway
):
    User.objects.filter(pk=world.parent_cm1.pk).update(
        account_state=AccountState.NOT_INFORMED, password="!"
    )
    page = phone_page
    page.goto(f"{live_server.url}/compte/login/")
    page.get_by_role("link", name="Je n'ai pas de compte").click()
    assert _fits_the_screen(page)

    page.get_by_label("Votre numéro de téléphone portable").fill("87 70 12 34")
    page.get_by_role("button", name="Recevoir un code").click()
    page.wait_for_url("**/compte/activer/code/")
    assert "vient de lui être envoyé" in page.content()
    page.get_by_label("Code reçu par SMS").fill(code_in(sms_gateway[0]))
    page.get_by_role("button", name="Valider le code").click()

    page.wait_for_url("**/compte/activer/enfants/")
    page.get_by_label("Date de naissance de Māhina").fill(
        world.pupil_cm1.birth_date.isoformat()
    )
    assert _fits_the_screen(page)
    page.get_by_role("button", name="Continuer").click()

    page.wait_for_url("**/compte/activer/mot-de-passe/")
    assert "parent.cm1" in page.content()
    page.get_by_label("Nouveau mot de passe").fill(NEW)
    page.get_by_label("Le même, une seconde fois").fill(NEW)
    page.get_by_role("button", name="Activer mon compte").click()

    page.wait_for_url(f"{live_server.url}/")
    assert "Votre compte est activé" in page.content()
    assert _fits_the_screen(page)
    parent = User.objects.get(pk=world.parent_cm1.pk)
    assert parent.account_state == AccountState.ACTIVE and parent.check_password(NEW)
