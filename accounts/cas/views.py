"""The CAS endpoints under /cas/ (Apereo CAS protocol 2.0 and 3.0)."""

import re
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from accounts.cas import responses
from accounts.cas import services as cas
from accounts.cas.sessions import fresh_login_pop

_ARTIFACT = re.compile(rb"<(?:\w+:)?AssertionArtifact>\s*([^<\s]+)\s*</")
_REQUEST_ID = re.compile(rb'RequestID="([^"]{1,100})"')
_TRUE = {"true", "1", "yes"}


def _with_ticket(service: str, ticket: str | None) -> str:
    if ticket is None:
        return service
    return f"{service}{'&' if '?' in service else '?'}{urlencode({'ticket': ticket})}"


def _refusal(request, reason: str, status: int = 403):
    return render(
        request, "accounts/cas/refused.html", {"reason": reason}, status=status
    )


@require_GET
def cas_login(request):
    service = request.GET.get("service", "")
    renew = request.GET.get("renew", "").lower() in _TRUE
    gateway = request.GET.get("gateway", "").lower() in _TRUE and not renew
    fresh = fresh_login_pop(request)
    user = request.user

    if not service:
        if user.is_authenticated:
            return render(request, "accounts/cas/logged_in.html")
        return _to_login(request)

    connectors = cas.connectors_for_service(service)
    if not connectors:
        cas.refusal_record(
            code="UNKNOWN_SERVICE",
            request=request,
            user=user if user.is_authenticated else None,
        )
        return _refusal(
            request,
            "Ce service n'est pas déclaré auprès de nati : "
            "il ne peut pas vous connecter.",
        )
    if not user.is_authenticated:
        if gateway:
            return HttpResponseRedirect(service)
        return _to_login(request)
    if renew and not fresh:
        # renew: the password is asked again, whatever the existing session.
        logout(request)
        return _to_login(request)

    connector = cas.connector_allowed(user, connectors)
    if connector is None:
        cas.refusal_record(
            code="NO_RIGHT", request=request, connector=connectors[0], user=user
        )
        return _refusal(
            request,
            f"Votre compte n'a pas accès à « {connectors[0].name} ». "
            "Demandez à votre école de vous l'attribuer.",
        )
    ticket = cas.ticket_issue(
        user=user,
        connector=connector,
        service=service,
        from_new_login=fresh,
        request=request,
    )
    return HttpResponseRedirect(_with_ticket(service, ticket.ticket))


def _to_login(request):
    return redirect(
        f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"
    )


@require_GET
def cas_logout(request):
    # Shortcoming: no single logout is sent back to the services (CAS SLO
    # back-channel POST to each service that received a ticket); a service's
    # own session lasts until it ends. Tickets would need to keep the session.
    if request.user.is_authenticated:
        logout(request)
    target = request.GET.get("service") or request.GET.get("url") or ""
    if target and cas.connectors_for_service(target):
        return HttpResponseRedirect(target)
    return render(request, "accounts/cas/logged_out.html")


def _validated(request):
    return cas.ticket_validate(
        ticket=request.GET.get("ticket", ""),
        service=request.GET.get("service", ""),
        renew=request.GET.get("renew", "").lower() in _TRUE,
        request=request,
    )


@require_GET
def cas_validate(request):
    """CAS 1.0: 'yes\\n<user>\\n' or 'no\\n'."""
    try:
        ticket = _validated(request)
    except cas.CasError:
        return responses.text_answer(None)
    return responses.text_answer(cas.Release(ticket.user.username, []))


def _service_validate(request, *, with_attributes: bool):
    # A pgtUrl is accepted and ignored: nati grants no proxy-granting ticket,
    # which the specification allows (the validation itself still succeeds).
    try:
        ticket = _validated(request)
    except cas.CasError as error:
        return responses.service_failure(error.code, error.message)
    release = cas.attributes_release(ticket.user, ticket.connector)
    return responses.service_success(release, with_attributes=with_attributes)


@require_GET
def service_validate(request):
    return _service_validate(request, with_attributes=True)


@require_GET
def p3_service_validate(request):
    return _service_validate(request, with_attributes=True)


@require_GET
def proxy_validate(request):
    """Proxy tickets (PT-) are never issued: a service ticket validates as on
    /serviceValidate; anything else is INVALID_TICKET."""
    ticket = request.GET.get("ticket", "")
    if ticket.startswith("PT-"):
        cas.refusal_record(code="INVALID_TICKET", request=request)
        return responses.service_failure(
            "INVALID_TICKET",
            f"Le ticket {ticket} est inconnu : nati n'émet pas de ticket de proxy.",
        )
    return _service_validate(request, with_attributes=True)


@require_GET
def proxy(request):
    cas.refusal_record(code="UNAUTHORIZED_SERVICE_PROXY", request=request)
    body = (
        f'<cas:serviceResponse xmlns:cas="{responses.CAS_NS}">'
        '<cas:proxyFailure code="UNAUTHORIZED_SERVICE_PROXY">'
        "nati n'accorde pas de ticket de proxy."
        "</cas:proxyFailure></cas:serviceResponse>"
    )
    return HttpResponse(body, content_type=responses.XML)


@csrf_exempt
@require_http_methods(["POST"])
def saml_validate(request):
    """SAML 1.1: the ticket is the AssertionArtifact of the POSTed SOAP body,
    the service is the TARGET parameter."""
    body = request.body[:20000]
    artifact = _ARTIFACT.search(body)
    request_id = _REQUEST_ID.search(body)
    in_response_to = (
        request_id.group(1).decode("ascii", "replace") if request_id else ""
    )
    service = request.GET.get("TARGET", "")
    try:
        ticket = cas.ticket_validate(
            ticket=artifact.group(1).decode("ascii", "replace") if artifact else "",
            service=service,
            renew=False,
            request=request,
        )
    except cas.CasError as error:
        return responses.saml_failure(
            error.code, error.message, in_response_to=in_response_to
        )
    release = cas.attributes_release(ticket.user, ticket.connector)
    return responses.saml_success(
        release,
        service=service,
        in_response_to=in_response_to,
        issuer=request.get_host(),
    )
