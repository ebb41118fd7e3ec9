"""The feed's Celery tasks, run as tasks by a real worker on Redis."""

import os
import time

import pytest
from django.urls import reverse

from accounts.models import User
from directory.models import ImportRun
from directory.tasks import feed_daily, newest_delivery
from messaging.models import Notification
from tests.directory.feeds.conftest import (
    fixture_dir,
    onde_files,
    pupil,
    write_delivery,
)
from tests.world import build_world


@pytest.fixture
def live_world(celery_live_worker):
    return build_world()


def test_the_daily_job_imports_the_newest_delivery_and_archives_it(
    live_world, settings, tmp_path
):
    settings.FEED_DIR = tmp_path / "in"
    settings.FEED_ARCHIVE_DIR = tmp_path / "archive"
    old = write_delivery(tmp_path / "in" / "20260801", pupils=[pupil("1", "A", "B")])
    new = write_delivery(
        tmp_path / "in" / "20260802", pupils=[pupil("2", "C", "D")], date="20260802"
    )
    os.utime(old, (1, 1))
    assert newest_delivery(settings.FEED_DIR) == new

    run_id = feed_daily.delay().get(timeout=60)

    run = ImportRun.objects.get(pk=run_id)
    assert run.status == "applied" and run.started_by is None
    assert User.objects.filter(external_id="2").exists()
    assert (tmp_path / "archive" / "20260802").is_dir()
    assert not new.exists() and old.exists()


def test_a_failed_daily_run_tells_the_project_lead(live_world, settings, tmp_path):
    settings.FEED_DIR = tmp_path / "in"
    settings.FEED_ARCHIVE_DIR = tmp_path / "archive"
    folder = write_delivery(tmp_path / "in" / "d", pupils=[pupil("1", "A", "B")])
    eleve = next(folder.glob("*_Eleve_*"))
    eleve.write_bytes(eleve.read_bytes()[:-40])

    run_id = feed_daily.delay().get(timeout=60)

    assert ImportRun.objects.get(pk=run_id).status == "failed"
    note = Notification.objects.get(recipient=live_world.project_lead)
    assert note.url == reverse("imports-run", args=[run_id])


def test_the_onde_upload_applies_as_a_task(live_world, client_for, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client = client_for(live_world.director)
    files = onde_files(fixture_dir("onde-emile-zola"))
    with (
        open(files["pupils"], "rb") as p,
        open(files["representatives"], "rb") as r,
        open(files["teachers"], "rb") as t,
    ):
        client.post(
            reverse("imports-onde", args=[live_world.school_a.pk]),
            {"pupils": p, "representatives": r, "teachers": t},
        )
    dry = ImportRun.objects.get(dry_run=True)

    response = client.post(reverse("imports-onde-apply", args=[dry.pk]))

    run = ImportRun.objects.exclude(pk=dry.pk).get()
    assert response.url == reverse("imports-run", args=[run.pk])
    for _ in range(120):
        run.refresh_from_db()
        if run.status != "running":
            break
        time.sleep(0.5)
    assert run.status == "applied", run.report
    assert User.objects.filter(source="onde", profile="pupil").count() == 247
    fragment = client.get(reverse("imports-progress", args=[run.pk]))
    assert "Appliqué" in fragment.content.decode()
