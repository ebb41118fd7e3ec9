"""nati's CAS server under the live server, python-cas as the real client."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import time_machine
from cas import CASClient

from accounts.cas.models import ServiceTicket
from nati.models import AuditEntry
from tests.accounts.conftest import PRONOTE, live_login

OTHER_PAGE = "https://pronote.rimbaud.example/pronote/parent.html"


def _get(*args, **kwargs):
    """A request without cookies: the service (Pronote) calling nati."""
    return requests.get(*args, timeout=10, **kwargs)


def _post(*args, **kwargs):
    return requests.post(*args, timeout=10, **kwargs)


def _client(live_server, version, service=PRONOTE):
    return CASClient(
        version=version, service_url=service, server_url=f"{live_server.url}/cas/"
    )


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _ticket_via_login(
    live_server, login, password, client
) -> tuple[str, requests.Session]:
    """Open the service's login URL, log in through the real form, follow the
    redirect back to the service and take the ticket from it."""
    first = _get(client.get_login_url(), allow_redirects=False)
    assert first.status_code == 302 and "/compte/login/" in first.headers["Location"]
    answer = live_login(live_server.url, login, password, _path(client.get_login_url()))
    assert answer.status_code == 302, answer.text[:500]
    back = answer.session.get(
        live_server.url + answer.headers["Location"], allow_redirects=False
    )
    assert back.status_code == 302
    location = back.headers["Location"]
    assert location.startswith(client.service_url + "?ticket=ST-")
    return parse_qs(urlsplit(location).query)["ticket"][0], answer.session


def _ticket_of(answer) -> str:
    return parse_qs(urlsplit(answer.headers["Location"]).query)["ticket"][0]


def _sso_ticket(session, client) -> str:
    """The ticket an already logged-in browser gets, without the login form."""
    return _ticket_of(session.get(client.get_login_url(), allow_redirects=False))


@pytest.fixture
def pupil_ticket(live_server, world, pronote, password):
    """A CAS 3 client of Pronote and the ticket it got for the CM1 pupil."""
    client = _client(live_server, 3)
    ticket, _ = _ticket_via_login(live_server, "eleve.cm1", password, client)
    return client, ticket


def test_cas3_whole_flow_releases_the_pronote_attributes(
    live_server, world, pronote, password
):
    client = _client(live_server, 3)
    ticket, _ = _ticket_via_login(live_server, "eleve.cm1", password, client)
    assert len(ticket) >= 3 + 32
    user, attributes, pgtiou = client.verify_ticket(ticket)
    assert user == "eleve.cm1" and pgtiou is None
    assert attributes["user"] == "eleve.cm1"
    assert attributes["nom"] == "Pūtai" and attributes["prenom"] == "Māhina"
    birth = world.pupil_cm1.birth_date
    assert attributes["dateNaissance"] == birth.strftime("%d/%m/%Y")
    assert attributes["codePostal"] == "98714"
    assert attributes["categories"] == "National_1"
    issued = AuditEntry.objects.get(action="cas.ticket_issued")
    assert issued.target_id == str(pronote.pk) and issued.actor == world.pupil_cm1
    assert ticket not in str(issued.data)


def test_cas2_flow_and_its_attributes(live_server, world, pronote, password):
    client = _client(live_server, 2)
    ticket, _ = _ticket_via_login(live_server, "parent.cm1", password, client)
    user, attributes, _ = client.verify_ticket(ticket)
    assert user == "parent.cm1" and attributes["categories"] == "National_2"


def test_saml11_validation_with_multi_valued_categories(
    live_server, world, pronote, password
):
    client = _client(live_server, "CAS_2_SAML_1_0")
    ticket, _ = _ticket_via_login(live_server, "directeur", password, client)
    user, attributes, _ = client.verify_ticket(ticket)
    assert user == "directeur"
    assert attributes["categories"] == ["National_3", "National_6"]
    assert attributes["nom"] == "Teriitahi"


def test_saml_is_also_reachable_at_saml_validate(live_server, world, pronote, password):
    client = _client(live_server, "CAS_2_SAML_1_0")
    ticket, _ = _ticket_via_login(live_server, "eleve.cm1", password, client)
    answer = _post(
        f"{live_server.url}/cas/saml/validate",
        client.get_saml_assertion(ticket),
        params={"TARGET": PRONOTE},
        headers={"content-type": "text/xml"},
    )
    assert 'Value="samlp:Success"' in answer.text and "eleve.cm1" in answer.text


def test_an_existing_session_gets_a_ticket_without_logging_in_again(
    live_server, world, pronote, password
):
    client = _client(live_server, 3)
    _, session = _ticket_via_login(live_server, "eleve.cm1", password, client)
    assert client.verify_ticket(_sso_ticket(session, client))[0] == "eleve.cm1"


def test_a_ticket_is_validated_once(pupil_ticket):
    client, ticket = pupil_ticket
    assert client.verify_ticket(ticket)[0] == "eleve.cm1"
    assert client.verify_ticket(ticket)[0] is None
    replay = client.get_verification_response(ticket).decode()
    assert 'code="INVALID_TICKET"' in replay and "déjà été utilisé" in replay


def test_a_ticket_for_another_service_is_refused_and_spent(
    live_server, pronote, pupil_ticket
):
    client, ticket = pupil_ticket
    elsewhere = _client(live_server, 3, service=OTHER_PAGE)
    answer = elsewhere.get_verification_response(ticket).decode()
    assert 'code="INVALID_SERVICE"' in answer
    assert client.verify_ticket(ticket)[0] is None
    assert AuditEntry.objects.filter(
        action="cas.refused", target_id=str(pronote.pk), data__code="INVALID_SERVICE"
    ).exists()


def test_an_expired_ticket_is_refused(pupil_ticket):
    client, ticket = pupil_ticket
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6)
    with time_machine.travel(later):
        answer = client.get_verification_response(ticket).decode()
    assert 'code="INVALID_TICKET"' in answer and "expiré" in answer


def test_tickets_last_five_minutes_and_have_one_service(pupil_ticket):
    _, ticket = pupil_ticket
    stored = ServiceTicket.objects.get(ticket=ticket)
    lifetime = stored.expires_at - stored.created_at
    assert abs(lifetime - dt.timedelta(minutes=5)) < dt.timedelta(seconds=1)
    assert stored.service == PRONOTE


def test_missing_parameters_and_foreign_tickets_get_the_spec_codes(live_server, db):
    base = f"{live_server.url}/cas"
    assert 'code="INVALID_REQUEST"' in _get(f"{base}/serviceValidate").text
    answer = _get(
        f"{base}/p3/serviceValidate", params={"ticket": "XY-1", "service": PRONOTE}
    )
    assert 'code="INVALID_TICKET_SPEC"' in answer.text
    answer = _get(
        f"{base}/serviceValidate", params={"ticket": "ST-nope", "service": PRONOTE}
    )
    assert 'code="INVALID_TICKET"' in answer.text


def test_proxy_validate_answers_without_granting_a_proxy(
    live_server, world, pronote, password
):
    client = _client(live_server, 3)
    ticket, _ = _ticket_via_login(live_server, "eleve.cm1", password, client)
    answer = _get(
        f"{live_server.url}/cas/proxyValidate",
        params={
            "ticket": ticket,
            "service": PRONOTE,
            "pgtUrl": "https://pronote.rimbaud.example/pgt",
        },
    )
    assert "<cas:user>eleve.cm1</cas:user>" in answer.text
    assert "proxyGrantingTicket" not in answer.text
    pt = _get(
        f"{live_server.url}/cas/proxyValidate",
        params={"ticket": "PT-123", "service": PRONOTE},
    )
    assert 'code="INVALID_TICKET"' in pt.text


def test_cas1_validate_answers_yes_and_the_login(live_server, world, pronote, password):
    client = _client(live_server, 1)
    ticket, _ = _ticket_via_login(live_server, "eleve.cm1", password, client)
    assert client.verify_ticket(ticket)[0] == "eleve.cm1"
    assert client.verify_ticket(ticket)[0] is None


def test_renew_asks_for_the_password_again(live_server, world, pronote, password):
    client = _client(live_server, 3)
    _, session = _ticket_via_login(live_server, "eleve.cm1", password, client)
    renewing = CASClient(
        version=3, service_url=PRONOTE, server_url=f"{live_server.url}/cas/", renew=True
    )
    answer = session.get(renewing.get_login_url(), allow_redirects=False)
    assert "/compte/login/" in answer.headers["Location"]

    again = live_login(
        live_server.url, "eleve.cm1", password, _path(renewing.get_login_url())
    )
    back = again.session.get(
        live_server.url + again.headers["Location"], allow_redirects=False
    )
    ticket = _ticket_of(back)
    validated = _get(
        f"{live_server.url}/cas/p3/serviceValidate",
        params={"ticket": ticket, "service": PRONOTE, "renew": "true"},
    )
    assert "<cas:user>eleve.cm1</cas:user>" in validated.text


def test_renew_validation_refuses_a_single_sign_on_ticket(
    live_server, world, pronote, password
):
    client = _client(live_server, 3)
    _, session = _ticket_via_login(live_server, "eleve.cm1", password, client)
    ticket = _sso_ticket(session, client)
    validated = _get(
        f"{live_server.url}/cas/serviceValidate",
        params={"ticket": ticket, "service": PRONOTE, "renew": "true"},
    )
    assert 'code="INVALID_TICKET"' in validated.text


def test_gateway_returns_to_the_service_without_a_ticket(live_server, world, pronote):
    answer = _get(
        f"{live_server.url}/cas/login",
        params={"service": PRONOTE, "gateway": "true"},
        allow_redirects=False,
    )
    assert answer.status_code == 302 and answer.headers["Location"] == PRONOTE


def test_a_user_without_the_right_gets_a_french_refusal_and_no_ticket(
    live_server, world, pronote, password
):
    client = _client(live_server, 3)
    answer = live_login(
        live_server.url, "personnel.a", password, _path(client.get_login_url())
    )
    refusal = answer.session.get(
        live_server.url + answer.headers["Location"], allow_redirects=False
    )
    assert refusal.status_code == 403
    assert "n&#x27;a pas accès à « Pronote Rimbaud »" in refusal.text
    assert not ServiceTicket.objects.exists()
    assert AuditEntry.objects.filter(
        action="cas.refused", target_id=str(pronote.pk), data__code="NO_RIGHT"
    ).exists()


def test_an_unknown_service_gets_a_refusal(live_server, world, pronote, password):
    answer = live_login(
        live_server.url,
        "eleve.cm1",
        password,
        "/cas/login?service=https://evil.example/",
    )
    refusal = answer.session.get(
        live_server.url + answer.headers["Location"], allow_redirects=False
    )
    assert refusal.status_code == 403 and "pas déclaré auprès de nati" in refusal.text
    assert not ServiceTicket.objects.exists()


def test_logout_ends_the_session_and_returns_to_the_service(
    live_server, world, pronote, password
):
    client = _client(live_server, 3)
    _, session = _ticket_via_login(live_server, "eleve.cm1", password, client)
    out = session.get(client.get_logout_url(PRONOTE), allow_redirects=False)
    assert out.headers["Location"] == PRONOTE
    after = session.get(client.get_login_url(), allow_redirects=False)
    assert "/compte/login/" in after.headers["Location"]


@pytest.mark.django_db
def test_mes_applis_shows_the_connector_tile_to_those_with_the_right(
    client_for, world, pronote
):
    html = client_for(world.parent_cm1).get("/").content.decode()
    assert (
        "Pronote Rimbaud" in html and "/cas/login?service=https%3A%2F%2Fpronote" in html
    )
    assert "Pronote Rimbaud" not in client_for(world.staff_a).get("/").content.decode()
    assert "Pronote Rimbaud" not in client_for(world.parent_b).get("/").content.decode()
    assert "Mon compte" in html
