"""Sending SMS through the gateway named by SMS_BACKEND.

`file` writes one JSON line per message under var/sms/ (the local default),
`console` logs that a message left (never its text), `http` posts to
SMS_GATEWAY_URL with a bearer token.
"""

import json
import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway refused or could not be reached."""


@dataclass(frozen=True)
class Sms:
    to: str
    text: str
    sender: str = ""


def _send_file(sms: Sms) -> None:
    settings.SMS_FILE_PATH.mkdir(parents=True, exist_ok=True)
    path = settings.SMS_FILE_PATH / f"{timezone.localdate():%Y-%m-%d}.jsonl"
    line = {"at": timezone.now().isoformat(), "to": sms.to, "from": sms.sender}
    line["text"] = sms.text
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


def _send_console(sms: Sms) -> None:
    logger.info("sms sent sender=%s length=%d", sms.sender, len(sms.text))


def _send_http(sms: Sms) -> None:
    try:
        response = requests.post(
            settings.SMS_GATEWAY_URL,
            json={"to": sms.to, "text": sms.text, "sender": sms.sender},
            headers={"Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
            timeout=10,
        )
    except requests.RequestException as error:
        logger.warning("sms gateway unreachable: %s", type(error).__name__)
        raise SmsError("La passerelle SMS ne répond pas.") from error
    if response.status_code >= 300:
        logger.warning("sms gateway answered %s", response.status_code)
        raise SmsError(
            f"La passerelle SMS a refusé le message ({response.status_code})."
        )


_BACKENDS = {"file": _send_file, "console": _send_console, "http": _send_http}


def sms_send(*, to: str, text: str) -> None:
    """Send one SMS; raises SmsError when the gateway refuses it."""
    _BACKENDS[settings.SMS_BACKEND](
        Sms(to=to, text=text, sender=settings.SMS_SENDER_NAME)
    )
