import datetime as dt

from django.urls import reverse
from django.utils import timezone

from messaging import services
from messaging.models import FlashMessage, FlashRead


def _flash(world, structure=None, days=(0, 3), profiles=("parents",), **extra):
    today = timezone.localdate()
    fields = {
        "title": "Fête de l'école",
        "starts_on": today + dt.timedelta(days=days[0]),
        "ends_on": today + dt.timedelta(days=days[1]),
        "profiles": list(profiles),
        "language": "fr",
        "colour": "green",
        "signature": "La direction",
        "body": "Samedi matin",
        "notify_mail": False,
        "notify_mobile": False,
        **extra,
    }
    return services.flash_save(
        structure=structure or world.school_a, actor=world.director, fields=fields
    )


def _shows(client_for, user) -> bool:
    return "Fête de l&#x27;école" in client_for(user).get("/").content.decode()


def test_the_banner_shows_to_the_profiles_chosen_in_that_school(client_for, world):
    _flash(world, profiles=["parents", "adml"])
    assert _shows(client_for, world.parent_cm1) and _shows(client_for, world.parent_ce1)
    assert _shows(client_for, world.director)  # as ADML
    assert not _shows(client_for, world.teacher_cm1)
    assert not _shows(client_for, world.pupil_cm1)
    assert not _shows(client_for, world.parent_b)


def test_a_district_banner_reaches_its_schools_only(client_for, world):
    _flash(world, structure=world.district_a, profiles=["teachers"])
    assert _shows(client_for, world.teacher_cm1)
    assert not _shows(client_for, world.teacher_b)


def test_the_banner_shows_only_between_its_dates(client_for, world):
    _flash(world, days=(1, 2))
    _flash(world, days=(-5, -1), title="Ancienne")
    assert not _shows(client_for, world.parent_cm1)
    assert "Ancienne" not in client_for(world.parent_cm1).get("/").content.decode()
    FlashMessage.objects.filter(title="Fête de l'école").update(
        starts_on=timezone.localdate()
    )
    assert _shows(client_for, world.parent_cm1)


def test_closing_the_banner_hides_it_and_counts_as_read(client_for, world):
    flash = _flash(world)
    client = client_for(world.parent_cm1)
    client.post(reverse("messaging-flash-close", args=[flash.pk]))
    assert not _shows(client_for, world.parent_cm1)
    assert _shows(client_for, world.parent_ce1)
    page = client_for(world.director).get(
        reverse("messaging-flash-list", args=[world.school_a.pk])
    )
    assert "1 personne" in page.content.decode()
    # A banner not shown to someone cannot be closed by them.
    closing = client_for(world.teacher_b).post(
        reverse("messaging-flash-close", args=[flash.pk])
    )
    assert closing.status_code == 404
    assert FlashRead.objects.count() == 1


def _form(**extra):
    today = timezone.localdate().isoformat()
    return {
        "title": "Alerte cyclone",
        "starts_on": today,
        "ends_on": today,
        "profiles": ["parents", "pupils"],
        "language": "fr",
        "colour": "red",
        "signature": "La direction",
        "body": "École fermée",
        "action": "save",
        **extra,
    }


def test_the_console_creates_previews_edits_and_deletes(client_for, world):
    client = client_for(world.director)
    create = reverse("messaging-flash-create", args=[world.school_a.pk])
    preview = client.post(create, _form(action="preview")).content.decode()
    assert "Aperçu" in preview and "École fermée" in preview
    assert not FlashMessage.objects.exists()

    assert client.post(create, _form()).status_code == 302
    flash = FlashMessage.objects.get()
    edit = reverse("messaging-flash-edit", args=[world.school_a.pk, flash.pk])
    client.post(edit, _form(title="Alerte levée"))
    flash.refresh_from_db()
    assert flash.title == "Alerte levée"

    delete = reverse("messaging-flash-delete", args=[world.school_a.pk, flash.pk])
    assert "Confirmer la suppression" in client.get(delete).content.decode()
    assert FlashMessage.objects.exists()
    client.post(delete)
    assert not FlashMessage.objects.exists()


def test_mail_and_mobile_notification_only_today_and_for_one_school(
    client_for, world, settings, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = client_for(world.director)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    later = client.post(
        reverse("messaging-flash-create", args=[world.school_a.pk]),
        _form(starts_on=tomorrow, ends_on=tomorrow, notify_mail="on"),
    )
    assert later.status_code == 200
    assert "commence aujourd&#x27;hui et ne concerne qu&#x27;une école" in (
        later.content.decode()
    )
    assert not FlashMessage.objects.exists()

    lead = client_for(world.project_lead)
    territory = lead.post(
        reverse("messaging-flash-create", args=[world.territory.pk]),
        _form(notify_mobile="on"),
    )
    assert territory.status_code == 200 and not FlashMessage.objects.exists()

    world.parent_cm1.email = "parent@example.pf"
    world.parent_cm1.save()
    settings.SMS_FILE_PATH = tmp_path
    today = client.post(
        reverse("messaging-flash-create", args=[world.school_a.pk]),
        _form(notify_mail="on", notify_mobile="on"),
    )
    assert today.status_code == 302
    flash = FlashMessage.objects.get()
    assert services.flash_notify(flash_id=flash.pk) == (1, 1)


def test_console_views_check_role_school_and_method(client_for, world):
    flash = _flash(world)
    list_a = reverse("messaging-flash-list", args=[world.school_a.pk])
    edit = reverse("messaging-flash-edit", args=[world.school_a.pk, flash.pk])
    delete = reverse("messaging-flash-delete", args=[world.school_a.pk, flash.pk])
    create = reverse("messaging-flash-create", args=[world.school_a.pk])
    # Wrong role: a teacher and a parent have no console.
    for user in (world.teacher_cm1, world.parent_cm1):
        client = client_for(user)
        for url in (list_a, edit, create):
            assert client.get(url).status_code == 403
        assert client.post(delete).status_code == 403
    # Another school's flash through its own school id, or another school: 404.
    b_admin = client_for(world.ien)  # district A's staff: no right on school B
    assert (
        b_admin.get(
            reverse("messaging-flash-list", args=[world.school_b.pk])
        ).status_code
        == 404
    )
    assert (
        client_for(world.director)
        .post(reverse("messaging-flash-delete", args=[world.school_b.pk, flash.pk]))
        .status_code
        == 404
    )
    assert client_for(world.director).put(delete).status_code == 405
    assert client_for(world.director).put(create).status_code == 405
    assert FlashMessage.objects.filter(pk=flash.pk).exists()
