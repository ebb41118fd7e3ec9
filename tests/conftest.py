"""Shared personas and helpers. Each app's tests may add a conftest of their own."""

import os

import pytest
from django.db import connections
from django.test import Client

from tests.world import PASSWORD, build_world

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Each test starts from an empty cache: the databases of two test runs
    reuse ids, and a page's cached facts (nati/cache.py) must not leak."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def director(world):
    return world.director


@pytest.fixture
def teacher_cm1(world):
    return world.teacher_cm1


@pytest.fixture
def parent_cm1(world):
    return world.parent_cm1


@pytest.fixture
def pupil_cm1(world):
    return world.pupil_cm1


@pytest.fixture
def outsider(world):
    """A teacher of the other school, in the other district."""
    return world.teacher_b


@pytest.fixture
def client_for():
    """client_for(user) -> a test client logged in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def browser():
    """A headless Debian chromium driven by Playwright; skips where it is absent."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make between page actions are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS
            )
            yield instance
            instance.close()
    finally:
        # The flag must not leak into later tests (check --deploy refuses it),
        # nor a connection opened under it keep the test database from dropping.
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        connections.close_all()


@pytest.fixture
def phone_page(browser):
    """A page the size of a 360-px phone screen."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def celery_live_worker(transactional_db):
    """A real Celery worker thread consuming the Redis broker of the tests."""
    from celery.contrib.testing.worker import start_worker

    from nati.celery import app

    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        yield app
