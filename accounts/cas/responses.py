"""The CAS server's answers: CAS 1.0 text, CAS 2.0/3.0 XML, SAML 1.1 SOAP.

Built as strings with escaping: these answers are small, fixed in shape and on
the path every Pronote login takes, so no template engine sits in between.
"""

import datetime as dt
import secrets
from xml.sax.saxutils import escape, quoteattr

from django.http import HttpResponse
from django.utils import timezone

from accounts.cas.services import Release

CAS_NS = "http://www.yale.edu/tp/cas"
XML = "application/xml; charset=utf-8"


def text_answer(release: Release | None) -> HttpResponse:
    body = f"yes\n{release.user}\n" if release else "no\n"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


def service_success(release: Release, *, with_attributes: bool) -> HttpResponse:
    parts = [
        f'<cas:serviceResponse xmlns:cas="{CAS_NS}">',
        "<cas:authenticationSuccess>",
        f"<cas:user>{escape(release.user)}</cas:user>",
    ]
    if with_attributes and release.attributes:
        parts.append("<cas:attributes>")
        parts += [
            f"<cas:{name}>{escape(value)}</cas:{name}>"
            for name, value in release.attributes
        ]
        parts.append("</cas:attributes>")
    parts += ["</cas:authenticationSuccess>", "</cas:serviceResponse>"]
    return HttpResponse("\n".join(parts), content_type=XML)


def service_failure(code: str, message: str) -> HttpResponse:
    body = (
        f'<cas:serviceResponse xmlns:cas="{CAS_NS}">\n'
        f"<cas:authenticationFailure code={quoteattr(code)}>{escape(message)}"
        "</cas:authenticationFailure>\n</cas:serviceResponse>"
    )
    return HttpResponse(body, content_type=XML)


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _saml_envelope(inner: str, *, in_response_to: str, status: str, message="") -> str:
    now = _instant(timezone.now())
    status_message = (
        f"<samlp:StatusMessage>{escape(message)}</samlp:StatusMessage>"
        if message
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
        "<SOAP-ENV:Header/><SOAP-ENV:Body>"
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" '
        'MajorVersion="1" MinorVersion="1" '
        f'ResponseID="_{secrets.token_hex(16)}" IssueInstant="{now}" '
        f"InResponseTo={quoteattr(in_response_to)}>"
        f'<samlp:Status><samlp:StatusCode Value="samlp:{status}"/>{status_message}'
        f"</samlp:Status>{inner}</samlp:Response></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )


def saml_success(
    release: Release, *, service: str, in_response_to: str, issuer: str
) -> HttpResponse:
    now = timezone.now()
    subject = (
        "<saml:Subject>"
        f"<saml:NameIdentifier>{escape(release.user)}</saml:NameIdentifier>"
        "<saml:SubjectConfirmation><saml:ConfirmationMethod>"
        "urn:oasis:names:tc:SAML:1.0:cm:artifact"
        "</saml:ConfirmationMethod></saml:SubjectConfirmation></saml:Subject>"
    )
    values: dict[str, list[str]] = {}
    for name, value in release.attributes:
        values.setdefault(name, []).append(value)
    attributes = "".join(
        f"<saml:Attribute AttributeName={quoteattr(name)} "
        'AttributeNamespace="http://www.ja-sig.org/products/cas/">'
        + "".join(
            f"<saml:AttributeValue>{escape(v)}</saml:AttributeValue>" for v in vals
        )
        + "</saml:Attribute>"
        for name, vals in values.items()
    )
    assertion = (
        '<saml:Assertion MajorVersion="1" MinorVersion="1" '
        f'AssertionID="_{secrets.token_hex(16)}" Issuer={quoteattr(issuer)} '
        f'IssueInstant="{_instant(now)}">'
        f'<saml:Conditions NotBefore="{_instant(now - dt.timedelta(seconds=30))}" '
        f'NotOnOrAfter="{_instant(now + dt.timedelta(seconds=30))}">'
        "<saml:AudienceRestrictionCondition>"
        f"<saml:Audience>{escape(service)}</saml:Audience>"
        "</saml:AudienceRestrictionCondition></saml:Conditions>"
        f"<saml:AttributeStatement>{subject}{attributes}</saml:AttributeStatement>"
        "<saml:AuthenticationStatement AuthenticationMethod="
        '"urn:oasis:names:tc:SAML:1.0:am:password" '
        f'AuthenticationInstant="{_instant(now)}">{subject}'
        "</saml:AuthenticationStatement></saml:Assertion>"
    )
    body = _saml_envelope(assertion, in_response_to=in_response_to, status="Success")
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


def saml_failure(code: str, message: str, *, in_response_to: str) -> HttpResponse:
    # SAML 1.1 has no CAS codes: the status says whose fault it is, the
    # code itself goes into the message so that the log and the client see it.
    status = "Requester" if code == "INVALID_REQUEST" else "Responder"
    body = _saml_envelope(
        "", in_response_to=in_response_to, status=status, message=f"{code}: {message}"
    )
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
