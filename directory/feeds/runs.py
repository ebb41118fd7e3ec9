"""An import, start to end: read, apply, keep the run and its report.

The commands, the daily Celery job and the console all go through these, so a
run looks the same in the console whoever started it.
"""

import gc
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from directory.feeds import aaf, onde
from directory.feeds.apply import delivery_apply
from directory.feeds.report import FeedError, Report
from directory.models import (
    HeldDelivery,
    ImportKind,
    ImportRun,
    ImportStatus,
    Structure,
)
from nati.audit import audit_record

logger = logging.getLogger(__name__)


def _run_finish(run: ImportRun, report: Report, started: float) -> ImportRun:
    run.status = report.status
    run.report = report.to_dict()
    run.duration = round(time.monotonic() - started, 3)
    run.progress = 100
    run.save(update_fields=["status", "report", "duration", "progress"])
    if report.status == ImportStatus.HELD and not run.dry_run:
        HeldDelivery.objects.bulk_create(
            [
                HeldDelivery(
                    run=run,
                    structure_id=held["structure_id"],
                    disappearing=held["disappearing"],
                    population=held["population"],
                )
                for held in report.held.values()
            ]
        )
    logger.info("import run %s finished: %s in %.1fs", run.pk, run.status, run.duration)
    return run


def _progress_saver(run: ImportRun, progress: Callable | None):
    """Progress goes to the caller (a terminal) and to the run, for the console.

    The run row is written outside the import's transaction only by queued
    runs (see tasks.py); here it is only kept on the instance."""

    def step(name: str, percent: int) -> None:
        run.progress = percent
        if progress:
            progress(name, percent)

    return step


@contextmanager
def _gc_paused():
    """No cyclic garbage collection during an import: the delivery's records
    live until its end, and at the territory's size the collector would scan
    them again and again (a tenth of the run) for nothing to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def aaf_import(
    *,
    path: Path | str,
    dry_run: bool = False,
    started_by: User | None = None,
    force_structures: frozenset[str] = frozenset(),
    progress: Callable[[str, int], None] | None = None,
) -> ImportRun:
    """Import one AAF delivery folder; the run says how it went."""
    started = time.monotonic()
    run = ImportRun.objects.create(
        kind=ImportKind.AAF,
        source_path=str(path),
        started_by=started_by,
        dry_run=dry_run,
    )
    with _gc_paused():
        try:
            delivery = aaf.delivery_read(
                path, progress=lambda name: progress and progress(f"lecture {name}", 0)
            )
        except FeedError as error:
            report = Report()
            report.fail(str(error))
            return _run_finish(run, report, started)
        report = delivery_apply(
            delivery,
            dry_run=dry_run,
            force_structures=force_structures,
            progress=_progress_saver(run, progress),
        )
        # Freed now, by reference counting: the collector, enabled again,
        # need not walk the whole delivery once more.
        del delivery
    return _run_finish(run, report, started)


def onde_import(
    *,
    uai: str,
    pupils: Path | str,
    representatives: Path | str,
    teachers: Path | str,
    dry_run: bool = False,
    started_by: User | None = None,
    names: tuple[str, str, str] | None = None,
    run: ImportRun | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> ImportRun:
    """Import one school's three ONDE files (one transaction for the school)."""
    started = time.monotonic()
    structure = Structure.objects.filter(uai=uai.strip().upper()).first()
    if run is None:
        run = ImportRun.objects.create(
            kind=ImportKind.ONDE,
            source_path=str(Path(pupils).parent),
            structure=structure,
            started_by=started_by,
            dry_run=dry_run,
        )
    try:
        delivery = onde.extraction_read(
            uai=uai,
            pupils=pupils,
            representatives=representatives,
            teachers=teachers,
            names=names,
        )
    except FeedError as error:
        report = Report()
        report.fail(str(error))
        return _run_finish(run, report, started)
    report = delivery_apply(
        delivery, dry_run=dry_run, progress=_progress_saver(run, progress)
    )
    return _run_finish(run, report, started)


@transaction.atomic
def held_apply(*, held: HeldDelivery, actor: User) -> ImportRun:
    """ "Appliquer quand même": the held delivery again, this structure forced."""
    run = aaf_import(
        path=held.run.source_path,
        started_by=actor,
        force_structures=frozenset({held.structure.uai}),
    )
    _held_decide(held=held, actor=actor, state="applied")
    audit_record(
        action="feed.held_apply",
        actor=actor,
        target=held,
        structure=held.structure,
        data={"run": run.pk},
    )
    return run


@transaction.atomic
def held_ignore(*, held: HeldDelivery, actor: User) -> None:
    """ "Ignorer": the structure keeps what it had; the delivery is not applied."""
    _held_decide(held=held, actor=actor, state="ignored")
    audit_record(
        action="feed.held_ignore", actor=actor, target=held, structure=held.structure
    )


def _held_decide(*, held: HeldDelivery, actor: User, state: str) -> None:
    HeldDelivery.objects.filter(pk=held.pk).update(
        state=state, decided_by=actor, decided_at=timezone.now()
    )
