"""The console's Imports pages: who sees what, and every write's edges."""

import pytest
from django.urls import reverse

from accounts.models import Profile, User
from accounts.services import user_create
from directory.feeds.runs import aaf_import, onde_import
from directory.models import (
    DuplicatePair,
    HeldDelivery,
    ImportRun,
)
from tests.directory.feeds.conftest import (
    fixture_dir,
    onde_files,
    pupil,
    write_delivery,
)


@pytest.fixture
def lead(world, client_for):
    return client_for(world.project_lead)


@pytest.fixture
def director_client(world, client_for):
    return client_for(world.director)


@pytest.fixture
def onde_run_b(world, tmp_path):
    """A failed ONDE run of school B: another school for the director of A."""
    return onde_import(
        uai="9840002E",
        pupils=tmp_path / "x",
        representatives=tmp_path / "y",
        teachers=tmp_path / "z",
    )


def test_the_lead_sees_every_run_and_a_director_only_their_school(
    world, tmp_path, lead, director_client, onde_run_b, django_assert_num_queries
):
    feed = aaf_import(path=write_delivery(tmp_path / "d", pupils=[]))
    ImportRun.objects.create(kind="onde", source_path="x", structure=world.school_a)

    page = lead.get(reverse("imports-runs"))
    assert page.status_code == 200
    assert len(page.context["page"].object_list) == 3
    mine = director_client.get(reverse("imports-runs"))
    assert [r.structure for r in mine.context["page"].object_list] == [world.school_a]
    assert (
        director_client.get(reverse("imports-run", args=[feed.pk])).status_code == 404
    )
    assert (
        director_client.get(reverse("imports-run", args=[onde_run_b.pk])).status_code
        == 404
    )
    for _ in range(30):
        ImportRun.objects.create(kind="aaf", source_path="x")
    # Session, lead check, count, page (the scope is a subquery of the list;
    # the user and the app rights come from the cache): whatever the number of
    # runs.
    with django_assert_num_queries(4):
        lead.get(reverse("imports-runs"))


def test_a_teacher_has_no_console(world, client_for):
    client = client_for(world.teacher_cm1)
    assert client.get(reverse("imports-runs")).status_code == 403
    assert client.post(reverse("imports-held")).status_code == 405


def test_the_rejected_records_download_as_csv(world, tmp_path, lead):
    folder = write_delivery(
        tmp_path / "d", pupils=[pupil("10", "A", "B", birth="99/99/2016")]
    )
    run = aaf_import(path=folder)

    response = lead.get(reverse("imports-rejected-csv", args=[run.pk]))

    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "Fichier;Ligne;Identifiant;Motif" in text and ";10;" in text


@pytest.fixture
def held(world, tmp_path):
    schools = (("1", "9840011H"),)
    people = [pupil(str(i), "P", f"N{i}") for i in range(25)]
    folder = write_delivery(tmp_path / "d", schools=schools, pupils=people)
    aaf_import(path=folder)
    write_delivery(tmp_path / "d", schools=schools, pupils=[])
    return HeldDelivery.objects.get(run=aaf_import(path=folder))


def test_held_deliveries_are_the_lead_s_alone(world, held, lead, director_client):
    assert lead.get(reverse("imports-held")).status_code == 200
    assert director_client.get(reverse("imports-held")).status_code == 403
    url = reverse("imports-held-decide", args=[held.pk, "appliquer"])
    assert director_client.post(url).status_code == 403
    assert lead.put(url).status_code == 405


def test_apply_anyway_asks_then_applies(world, held, lead):
    url = reverse("imports-held-decide", args=[held.pk, "appliquer"])

    confirm = lead.get(url)
    assert "Confirmer" in confirm.content.decode()
    assert not User.objects.filter(predeleted_at__isnull=False).exists()
    response = lead.post(url)

    assert response.status_code == 302
    assert User.objects.filter(predeleted_at__isnull=False).count() == 25
    held.refresh_from_db()
    assert held.state == "applied"


def test_ignore_keeps_the_school_as_it_was(world, held, lead):
    lead.post(reverse("imports-held-decide", args=[held.pk, "ignorer"]))

    held.refresh_from_db()
    assert held.state == "ignored"
    assert not User.objects.filter(predeleted_at__isnull=False).exists()


@pytest.fixture
def pair_a(world):
    twin = user_create(first_name="Eleve", last_name="Cm1", profile=Profile.PUPIL)
    from directory.services import class_pupil_add

    class_pupil_add(klass=world.cm1, pupil=twin)
    return DuplicatePair.objects.create(user_a=world.pupil_cm1, user_b=twin)


@pytest.fixture
def pair_b(world):
    twin = user_create(first_name="Eleve", last_name="B", profile=Profile.PUPIL)
    from directory.services import affiliation_add

    affiliation_add(user=twin, structure=world.school_b)
    return DuplicatePair.objects.create(user_a=world.pupil_b, user_b=twin)


def test_duplicates_of_another_school_are_out_of_reach(
    world, pair_a, pair_b, director_client
):
    listed = director_client.get(reverse("imports-duplicates"))
    assert list(listed.context["page"].object_list) == [pair_a]
    for name in ("imports-duplicate", "imports-duplicate-dissociate"):
        method = (
            director_client.get
            if name == "imports-duplicate"
            else (director_client.post)
        )
        assert method(reverse(name, args=[pair_b.pk])).status_code == 404


def test_compare_shows_both_records_side_by_side(world, pair_a, director_client):
    page = director_client.get(reverse("imports-duplicate", args=[pair_a.pk]))

    text = page.content.decode()
    assert world.pupil_cm1.username in text and pair_a.user_b.username in text
    assert "CM1" in text and "Fusionner" in text


def test_dissociate_is_a_post(world, pair_a, director_client, client_for):
    url = reverse("imports-duplicate-dissociate", args=[pair_a.pk])
    assert director_client.get(url).status_code == 405
    assert client_for(world.teacher_cm1).post(url).status_code == 403

    director_client.post(url)

    pair_a.refresh_from_db()
    assert pair_a.state == "dissociated"


def test_merge_needs_the_confirmation(world, pair_a, director_client):
    url = reverse("imports-duplicate-merge", args=[pair_a.pk])
    assert director_client.get(url).status_code == 405

    director_client.post(url)
    pair_a.refresh_from_db()
    assert pair_a.state == "open"
    director_client.post(url, {"confirm": "oui"})

    pair_a.refresh_from_db()
    assert pair_a.state == "merged"
    assert not User.objects.get(pk=pair_a.user_b_id).is_active


def test_reintegrate_from_the_console(world, director_client, client_for):
    User.objects.filter(pk=world.pupil_cm1.pk).update(predeleted_at="2026-01-01T00:00Z")
    User.objects.filter(pk=world.pupil_b.pk).update(predeleted_at="2026-01-01T00:00Z")
    listed = director_client.get(reverse("imports-predeleted"))
    assert list(listed.context["page"].object_list) == [world.pupil_cm1]
    url = reverse("imports-reintegrate", args=[world.pupil_cm1.pk])
    assert director_client.get(url).status_code == 405
    assert client_for(world.teacher_cm1).post(url).status_code == 403
    other = reverse("imports-reintegrate", args=[world.pupil_b.pk])
    assert director_client.post(other).status_code == 404

    director_client.post(url)

    assert not User.objects.get(pk=world.pupil_cm1.pk).is_predeleted


def test_blocked_pupils_show_with_their_reason(
    world, director_client, django_assert_num_queries
):
    User.objects.filter(pk=world.pupil_cm1.pk).update(
        letter_blocked_reason="En attente d'INE"
    )
    User.objects.filter(pk=world.pupil_b.pk).update(letter_blocked_reason="Autre")

    # The list, its count, the rights, and the header's unread count.
    with django_assert_num_queries(6):
        page = director_client.get(reverse("imports-blocked"))

    assert list(page.context["page"].object_list) == [world.pupil_cm1]
    assert "En attente d&#x27;INE" in page.content.decode()


def _upload(client, structure):
    files = onde_files(fixture_dir("onde-emile-zola"))
    with (
        open(files["pupils"], "rb") as p,
        open(files["representatives"], "rb") as r,
        open(files["teachers"], "rb") as t,
    ):
        return client.post(
            reverse("imports-onde", args=[structure.pk]),
            {"pupils": p, "representatives": r, "teachers": t},
        )


def test_the_director_s_upload_is_a_dry_run_first(
    world, director_client, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    response = _upload(director_client, world.school_a)

    run = ImportRun.objects.get(kind="onde")
    assert response.status_code == 302 and run.dry_run and run.status == "dry-run"
    assert run.report["counts"]["created"] == 247 + 14 + 467
    assert not User.objects.filter(source="onde").exists()
    page = director_client.get(reverse("imports-run", args=[run.pk]))
    assert "Appliquer l'import" in page.content.decode()


def test_the_upload_edges(world, director_client, client_for):
    url = reverse("imports-onde", args=[world.school_b.pk])
    assert director_client.get(url).status_code == 404
    assert director_client.put(url).status_code == 405
    teacher = client_for(world.teacher_cm1)
    assert (
        teacher.get(reverse("imports-onde", args=[world.school_a.pk])).status_code
        == 403
    )
