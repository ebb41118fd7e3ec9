"""The console end to end in headless Chromium, through the real login form."""

import os

import pytest
from django.db import connections

from directory.services import affiliation_add
from tests.world import person


def log_in(page, base_url, login, password):
    page.goto(f"{base_url}/compte/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def log_out(page):
    page.click("header.top button")


@pytest.fixture
def page(desktop_page):
    """The desktop page. At its end this thread's database connections are
    closed while Playwright's loop still runs: one opened under that loop is not
    closed by the end of the run, and would keep the test database from being
    dropped ("being accessed by other users"). The `browser` fixture's
    DJANGO_ALLOW_ASYNC_UNSAFE is taken back too: left in the environment, it
    reaches the subprocesses of later tests (`check --deploy` warns of it)."""
    yield desktop_page
    connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_the_director_attaches_a_teacher_who_then_sees_the_class(
    transactional_db, live_server, world, page, password
):
    newcomer = person("Tamatoa", "Raapoto", "teacher", username="prof.nouveau")
    affiliation_add(user=newcomer, structure=world.school_a)
    base = live_server.url

    log_in(page, base, "directeur", password)
    page.click("text=Console d'administration")
    page.click("text=École Arthur Rimbaud")
    page.click("text=Associer les enseignants à leur classe")
    row = page.locator(f"#class-{world.cm1.pk}")
    row.locator("select[name=teacher]").select_option(str(newcomer.pk))
    row.locator("button", has_text="Associer").click()
    # htmx swaps the row in place: the newcomer now appears among its teachers.
    page.locator(f"#class-{world.cm1.pk} li", has_text="Tamatoa Raapoto").wait_for()
    assert page.url.endswith(f"/ecoles/{world.school_a.pk}/classes/")
    log_out(page)

    log_in(page, base, "prof.nouveau", password)
    panel = page.locator("section", has_text="Mes classes")
    assert "CM1" in panel.inner_text()
    assert "École Arthur Rimbaud" in panel.inner_text()
