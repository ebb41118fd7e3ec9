"""The feed's background jobs: the daily AAF import, the sweep, a director's
ONDE upload. Each fetches what it needs and calls a service; safe to run twice."""

import logging
import shutil
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from directory.feeds import predeletion, runs
from directory.models import GroupKind, GroupRole, ImportRun, ImportStatus

logger = logging.getLogger(__name__)


def progress_key(run_id: int) -> str:
    return f"feeds:progress:{run_id}"


def newest_delivery(folder: Path) -> Path | None:
    """The newest delivery folder of FEED_DIR (names carry the date)."""
    if not folder.is_dir():
        return None
    deliveries = [p for p in folder.iterdir() if p.is_dir()]
    return max(deliveries, key=lambda p: (p.stat().st_mtime, p.name), default=None)


def _project_leads():
    return User.objects.filter(
        memberships__group__kind=GroupKind.FUNCTION,
        memberships__group__role=GroupRole.PROJECT_LEAD,
        is_active=True,
    ).distinct()


def _lead_tell(run: ImportRun) -> None:
    from messaging.services import notification_post

    verdict = "en échec" if run.status == ImportStatus.FAILED else "retenu"
    notification_post(
        recipients=_project_leads(),
        kind="feed",
        text=f"Import du flux quotidien {verdict} : à examiner dans la console.",
        url=reverse("imports-run", args=[run.pk]),
    )


@shared_task
def feed_daily() -> int | None:
    """Import the newest delivery of FEED_DIR, archive it, tell the project lead
    when it failed or was held. Returns the run's id (None: nothing to do)."""
    delivery = newest_delivery(Path(settings.FEED_DIR))
    if delivery is None:
        logger.info("feed_daily: no delivery in FEED_DIR")
        return None
    archive = Path(settings.FEED_ARCHIVE_DIR)
    archive.mkdir(parents=True, exist_ok=True)
    target = archive / delivery.name
    if target.exists():
        shutil.rmtree(target)
    # Archived first, so that a held delivery can be applied later from there.
    shutil.move(str(delivery), str(target))
    run = runs.aaf_import(path=target)
    if run.status in (ImportStatus.FAILED, ImportStatus.HELD):
        _lead_tell(run)
    return run.pk


@shared_task
def predeleted_sweep() -> int:
    return predeletion.predeleted_sweep()


@shared_task
def onde_upload_import(run_id: int, dry_run: bool = False) -> str | None:
    """Import the three files a director uploaded for run `run_id`."""
    run = ImportRun.objects.filter(pk=run_id).select_related("structure").first()
    if run is None or run.status != ImportStatus.RUNNING:
        return None  # already done: a second delivery of the task does nothing
    folder = Path(run.source_path)

    def progress(name: str, percent: int) -> None:
        # The import is one transaction: the row would not show progress until
        # the end, so progress goes through the cache the page polls.
        cache.set(progress_key(run_id), percent, 3600)

    runs.onde_import(
        uai=run.structure.uai,
        pupils=folder / "eleves.csv",
        representatives=folder / "responsables.csv",
        teachers=folder / "enseignants.csv",
        names=(
            run.report.get("files", {}).get("pupils"),
            run.report.get("files", {}).get("representatives"),
            run.report.get("files", {}).get("teachers"),
        ),
        dry_run=dry_run,
        run=run,
        progress=progress,
    )
    cache.delete(progress_key(run_id))
    return run.status
