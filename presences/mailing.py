"""Publipostage: who would receive what, the anomalies, and the delivery."""

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.utils import timezone

from directory.models import Structure
from nati.documents import pdf_render
from nati.sms import SmsError, sms_send
from presences import selectors
from presences.models import Channel, Kind, Mailing, MailingState

logger = logging.getLogger(__name__)

PLACEHOLDERS = {
    "enfant": "prénom et nom de l'enfant",
    "responsable": "nom du responsable légal",
    "classe": "classe de l'enfant",
    "ecole": "nom de l'école",
    "dates": "dates des évènements",
    "absences": "nombre d'absences (demi-journées)",
    "retards": "nombre de retards",
}


class _Blank(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def fill(text: str, values: dict) -> str:
    """Replace {placeholders}; an unknown one is left as written."""
    return text.format_map(_Blank(values))


def address_of(representative, channel: str) -> str:
    if channel == Channel.MAIL:
        return representative.email
    if channel == Channel.SMS:
        return representative.mobile
    if representative.address and representative.town:
        return (
            f"{representative.address}, {representative.postal_code} "
            f"{representative.town}"
        ).strip()
    return ""


_MISSING = {
    Channel.MAIL: "pas d'adresse électronique",
    Channel.SMS: "pas de téléphone portable",
    Channel.LETTER: "pas d'adresse postale",
}


def mailing_preview(
    *,
    school: Structure,
    start: dt.date,
    end: dt.date,
    class_ids: list[int],
    kinds: list[str],
    regularised: str,
    already_sent: str,
    channel: str,
    body: str,
) -> dict:
    """The recipients a mailing would have, and the anomalies. Four queries."""
    events = selectors.current_events(
        structure=school, date__gte=start, date__lte=end, kind__in=kinds
    ).select_related("pupil", "klass")
    if class_ids:
        events = events.filter(klass_id__in=class_ids)
    if regularised == "yes":
        events = events.filter(regularised_at__isnull=False)
    elif regularised == "no":
        events = events.filter(regularised_at__isnull=True)
    if already_sent == "yes":
        events = events.filter(mailings__isnull=False)
    elif already_sent == "no":
        events = events.filter(mailings__isnull=True)
    by_pupil = defaultdict(list)
    for event in events.order_by("date", "half").distinct():
        by_pupil[event.pupil_id].append(event)
    parents = selectors.representatives_of(by_pupil)

    recipients, anomalies = [], []
    for pupil_events in by_pupil.values():
        pupil = pupil_events[0].pupil
        values = {
            "enfant": pupil.display_name,
            "classe": pupil_events[-1].klass.name,
            "ecole": school.name,
            "dates": ", ".join(sorted({f"{e.date:%d/%m}" for e in pupil_events})),
            "absences": sum(e.kind == Kind.ABSENCE for e in pupil_events),
            "retards": sum(e.kind == Kind.LATENESS for e in pupil_events),
        }
        for parent in parents.get(pupil.pk, []):
            address = address_of(parent, channel)
            row = {
                "key": f"{pupil.pk}-{parent.pk}",
                "pupil": pupil,
                "representative": parent,
                "address": address,
                "event_ids": [e.pk for e in pupil_events],
                "text": fill(body, values | {"responsable": parent.display_name}),
                "values": values,
            }
            if address:
                recipients.append(row)
            else:
                anomalies.append(row | {"problem": _MISSING[channel]})
    return {
        "recipients": recipients,
        "anomalies": anomalies,
        "pupils": len(by_pupil),
        "events": sum(len(v) for v in by_pupil.values()),
    }


def mailing_deliver(mailing: Mailing) -> None:
    pending = list(
        mailing.recipients.filter(sent_at__isnull=True).select_related(
            "pupil", "representative"
        )
    )
    if mailing.channel == Channel.LETTER:
        if pending:
            pdf = pdf_render(
                "presences/letters.pdf.html",
                {"mailing": mailing, "letters": pending, "school": mailing.structure},
            )
            mailing.letters.save(f"courriers-{mailing.pk}.pdf", ContentFile(pdf))
            mailing.recipients.filter(pk__in=[r.pk for r in pending]).update(
                sent_at=timezone.now()
            )
        failed = 0
    else:
        failed = 0
        for recipient in pending:
            try:
                _send_one(mailing, recipient)
            except (SmsError, OSError) as error:
                failed += 1
                recipient.error = str(error)[:200]
                recipient.save(update_fields=["error"])
                continue
            recipient.sent_at = timezone.now()
            recipient.save(update_fields=["sent_at"])
    mailing.state = MailingState.FAILED if failed else MailingState.SENT
    mailing.sent_at = timezone.now()
    mailing.save(update_fields=["state", "sent_at"])
    logger.info(
        "mailing %s sent channel=%s recipients=%d failed=%d",
        mailing.pk,
        mailing.channel,
        len(pending),
        failed,
    )


NO_REPLY = "Message automatique : il n'est pas possible d'y répondre."


def _send_one(mailing: Mailing, recipient) -> None:
    if mailing.channel == Channel.SMS:
        sms_send(to=recipient.address, text=recipient.text)
    else:
        send_mail(
            mailing.subject or "Absences de votre enfant",
            f"{recipient.text}\n\n{NO_REPLY}",
            settings.DEFAULT_FROM_EMAIL,
            [recipient.address],
        )
