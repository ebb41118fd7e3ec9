import io
import json
import time

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from presences import services
from presences.mailing import fill, mailing_preview
from presences.models import Mailing, MailingState, MessageTemplate
from tests.presences.helpers import call, cm1_absence

BODY = "Bonjour {responsable}, {enfant} ({classe}) a {absences} absence(s) : {dates}."


def _absences(world, year, day):
    cm1_absence(world, year, day)
    call(
        year,
        world.ce1,
        day,
        "am",
        world.director,
        [(world.pupil_ce1, "absence", None)],
    )


def _preview(world, day, channel):
    return mailing_preview(
        school=world.school_a,
        start=day,
        end=day,
        class_ids=[],
        kinds=["absence"],
        regularised="any",
        already_sent="any",
        channel=channel,
        body=BODY,
    )


def test_placeholders_are_filled_and_unknown_ones_left(world):
    assert fill("{enfant} {inconnu}", {"enfant": "Moana"}) == "Moana {inconnu}"


def test_the_summary_lists_recipients_and_anomalies_by_channel(world, year_a, monday):
    _absences(world, year_a, monday)
    sms = _preview(world, monday, "sms")
    assert sms["pupils"] == 2 and sms["events"] == 2
    assert [r["representative"] for r in sms["recipients"]] == [world.parent_cm1]
    assert sms["recipients"][0]["address"] == "+68987701234"
    assert sms["recipients"][0]["text"] == (
        f"Bonjour Hinatea Pūtai, Māhina Pūtai (CM1) a 1 absence(s) : {monday:%d/%m}."
    )
    assert [(a["representative"], a["problem"]) for a in sms["anomalies"]] == [
        (world.parent_ce1, "pas de téléphone portable")
    ]
    mail_preview = _preview(world, monday, "mail")
    assert {a["problem"] for a in mail_preview["anomalies"]} == {
        "pas d'adresse électronique"
    }
    assert len(mail_preview["anomalies"]) == 2
    letter = _preview(world, monday, "letter")
    assert {a["problem"] for a in letter["anomalies"]} == {"pas d'adresse postale"}


def test_the_mailing_page_shows_the_sender_and_that_parents_cannot_reply(
    client_for, world, year_a
):
    page = client_for(world.director).get(
        reverse("presences-mailing", args=[world.school_a.pk])
    )
    body = page.content.decode()
    assert "« nati »" in body and "ne peuvent pas y répondre" in body


def test_a_template_fills_the_message(client_for, world, year_a):
    client = client_for(world.director)
    client.post(
        reverse("presences-template-add", args=[world.school_a.pk]),
        {"name": "Rappel", "subject": "Absences", "body": BODY},
    )
    template = MessageTemplate.objects.get()
    page = client.get(
        reverse("presences-mailing", args=[world.school_a.pk]),
        {"modele": template.pk},
    )
    assert "{responsable}" in page.content.decode()


def _form(day, **fields) -> dict:
    return {
        "start": day.isoformat(),
        "end": day.isoformat(),
        "kinds": ["absence"],
        "regularised": "any",
        "already_sent": "any",
        "body": BODY,
        **fields,
    }


def _wait_for(mailing_id, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        mailing = Mailing.objects.get(pk=mailing_id)
        if mailing.state != MailingState.QUEUED:
            return mailing
        time.sleep(0.2)
    raise AssertionError("the mailing task did not run")


def test_an_sms_mailing_is_sent_by_a_celery_task_and_listed_in_the_history(
    client_for, world, live_year, celery_live_worker, settings, tmp_path
):
    settings.SMS_FILE_PATH = tmp_path
    today = timezone.localdate()
    _absences(world, live_year, today)
    client = client_for(world.director)
    url = reverse("presences-mailing", args=[world.school_a.pk])
    form = _form(today, channel="sms", already_sent="no")
    preview = client.post(url, form | {"step": "preview"})
    assert "pas de téléphone portable" in preview.content.decode()
    key = preview.context["preview"]["recipients"][0]["key"]

    response = client.post(url, form | {"step": "send", "keep": [key]})
    assert response.status_code == 302
    mailing = _wait_for(Mailing.objects.get().pk)
    assert mailing.state == MailingState.SENT
    lines = [json.loads(x) for x in (tmp_path / f"{today:%Y-%m-%d}.jsonl").open()]
    assert [(x["to"], x["from"]) for x in lines] == [("+68987701234", "nati")]
    assert "Māhina Pūtai (CM1)" in lines[0]["text"]

    history = client.get(reverse("presences-mailing-history", args=[world.school_a.pk]))
    assert "Māhina Pūtai" in history.content.decode()
    again = client.post(url, form | {"step": "preview"})
    assert again.context["preview"]["pupils"] == 1  # already sent: left out


def test_a_recipient_left_out_receives_nothing(
    client_for, world, live_year, celery_live_worker, settings
):
    world.parent_ce1.email = "lai.chan@example.pf"
    world.parent_ce1.save()
    world.parent_cm1.email = "hinatea@example.pf"
    world.parent_cm1.save()
    today = timezone.localdate()
    _absences(world, live_year, today)
    client = client_for(world.director)
    url = reverse("presences-mailing", args=[world.school_a.pk])
    form = _form(today, channel="mail", subject="Absences")
    preview = client.post(url, form | {"step": "preview"})
    keys = {
        r["representative"].pk: r["key"]
        for r in preview.context["preview"]["recipients"]
    }
    client.post(url, form | {"step": "send", "keep": [keys[world.parent_ce1.pk]]})
    _wait_for(Mailing.objects.get().pk)
    assert [m.to for m in mail.outbox] == [["lai.chan@example.pf"]]
    assert "pas possible d'y répondre" in mail.outbox[0].body


def test_a_letter_mailing_renders_one_pdf_of_letters(world, year_a, monday):
    world.parent_cm1.address = "BP 120"
    world.parent_cm1.postal_code = "98714"
    world.parent_cm1.town = "Papeete"
    world.parent_cm1.save()
    _absences(world, year_a, monday)
    preview = _preview(world, monday, "letter")
    mailing = Mailing.objects.create(
        structure=world.school_a,
        channel="letter",
        start=monday,
        end=monday,
        kinds=["absence"],
        body=BODY,
    )
    for item in preview["recipients"]:
        mailing.recipients.create(
            pupil=item["pupil"],
            representative=item["representative"],
            address=item["address"],
            text=item["text"],
        )
    services.mailing_send(mailing_id=mailing.pk)
    mailing.refresh_from_db()
    assert mailing.state == MailingState.SENT
    reader = PdfReader(io.BytesIO(mailing.letters.read()))
    text = reader.pages[0].extract_text()
    assert "BP 120, 98714 Papeete" in text and "Māhina Pūtai" in text
    services.mailing_send(mailing_id=mailing.pk)  # a second run sends nothing new
    assert mailing.recipients.filter(sent_at__isnull=True).count() == 0
