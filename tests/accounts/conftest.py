"""Fixtures of the accounts tests: the Pronote connector of school A, a fake
SMS gateway (a real HTTP server on loopback), and a live-server login helper."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from accounts.cas.services import connector_attribution_set, connector_create
from directory.models import Group, GroupKind, GroupRole

PRONOTE = "https://pronote.rimbaud.example/pronote/eleve.html"


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttles and codes live in Redis: each test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pronote(world):
    """Pronote of school A, given to its pupils, parents and teachers (not to
    its staff profile group: staff_a is the persona without the right)."""
    connector = connector_create(
        structure=world.school_a,
        name="Pronote Rimbaud",
        service_pattern="https://pronote.rimbaud.example/pronote/*",
        launch_url=PRONOTE,
    )
    groups = Group.objects.filter(
        structure=world.school_a,
        kind=GroupKind.PROFILE,
        role__in=[GroupRole.PUPILS, GroupRole.PARENTS, GroupRole.TEACHERS],
    ).values_list("pk", flat=True)
    connector_attribution_set(
        connector=connector, group_ids=set(groups), actor=world.director
    )
    return connector


class _Gateway(BaseHTTPRequestHandler):
    messages: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", 0))
        payload = json.loads(self.rfile.read(length))
        payload["authorization"] = self.headers.get("Authorization")
        type(self).messages.append(payload)
        self.send_response(202)
        self.end_headers()
        self.wfile.write(b'{"status":"queued"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_gateway(settings):
    """A fake SMS operator on loopback; nati posts to it through SMS_BACKEND=http.
    Yields the list of messages it received."""
    handler = type("Gateway", (_Gateway,), {"messages": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "http"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "jeton-de-test"
    yield handler.messages
    server.shutdown()
    server.server_close()


def code_in(message: dict) -> str:
    return re.search(r"\b(\d{6})\b", message["text"]).group(1)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def live_login(
    base: str, login: str, password: str, next_url: str
) -> requests.Response:
    """Log in through the real login form, as a browser would; returns the
    answer of the last redirect inside nati (allow_redirects stops at the
    outside service)."""
    session = requests.Session()
    page = session.get(f"{base}/compte/login/", params={"next": next_url})
    answer = session.post(
        f"{base}/compte/login/",
        data={
            "login": login,
            "password": password,
            "next": next_url,
            "csrfmiddlewaretoken": csrf_of(page.text),
        },
        headers={"Referer": page.url},
        allow_redirects=False,
    )
    answer.session = session
    return answer
