"""The login and home pages stay light for a parent's phone on a slow island
link: with everything they load, at most 40 KB before compression and 15 KB
gzipped (each resource compressed on its own, as a server sends it)."""

import gzip
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

RAW_LIMIT = 40 * 1024
GZIP_LIMIT = 15 * 1024
RESOURCE = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"')


def weight(html: str) -> tuple[int, int]:
    """(raw, gzip) bytes of the page and the static files it loads."""
    bodies = [html.encode()]
    for url in RESOURCE.findall(html):
        if url.startswith("data:"):
            continue
        assert url.startswith(settings.STATIC_URL), f"{url} is not a static file"
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        with open(path, "rb") as static:
            bodies.append(static.read())
    return sum(map(len, bodies)), sum(len(gzip.compress(b)) for b in bodies)


def test_the_login_page_weighs_under_the_limits(client, db):
    raw, zipped = weight(client.get(reverse("account_login")).text)
    assert raw <= RAW_LIMIT and zipped <= GZIP_LIMIT, (raw, zipped)


@pytest.mark.parametrize("persona", ["director", "teacher_cm1", "parent_cm1"])
def test_the_home_page_weighs_under_the_limits(persona, client_for, world):
    html = client_for(getattr(world, persona)).get("/").text
    assert "nati.css" in html and "htmx" not in html
    raw, zipped = weight(html)
    assert raw <= RAW_LIMIT and zipped <= GZIP_LIMIT, (raw, zipped)
