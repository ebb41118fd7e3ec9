from django.urls import reverse

from messaging.models import Notification
from messaging.services import notification_post
from moderation.models import Report


def test_a_report_reaches_the_schools_administrators(client_for, world):
    notification_post(
        recipients=[world.parent_cm1],
        kind="message",
        text="Un texte déplacé",
        structure=world.school_a,
    )
    note = Notification.objects.get(recipient=world.parent_cm1)
    client = client_for(world.parent_cm1)
    url = reverse("messaging-report", args=[note.pk])
    assert "Signaler" in client.get("/").content.decode()
    assert client.get(url).status_code == 200

    client.post(url, {"reason": "Propos blessants"})

    report = Report.objects.get()
    assert report.structure == world.school_a and report.reporter == world.parent_cm1
    assert report.excerpt == "Un texte déplacé"
    assert Notification.objects.filter(recipient=world.director, kind="report").exists()
    home = client_for(world.director).get("/").content.decode()
    assert "Signalements" in home and "1 à traiter" in home
    page = client_for(world.director).get(reverse("moderation-reports"))
    assert "Propos blessants" in page.content.decode()
    assert '<span class="badge warn">1</span>' in page.content.decode()
    # Another school's administrator and a parent do not see it.
    assert (
        client_for(world.parent_cm1).get(reverse("moderation-reports")).status_code
        == 403
    )


def test_reporting_someone_elses_entry_is_404_and_needs_post(client_for, world):
    notification_post(recipients=[world.parent_cm1], kind="x", text="t")
    note = Notification.objects.get()
    url = reverse("messaging-report", args=[note.pk])
    assert client_for(world.parent_b).post(url, {"reason": "r"}).status_code == 404
    assert client_for(world.parent_cm1).put(url).status_code == 405
    assert not Report.objects.exists()
