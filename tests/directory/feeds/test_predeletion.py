"""Pre-deleted users: the sweep after PREDELETION_DAYS, and Réintégrer."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from directory.feeds.predeletion import predeleted_sweep, predeletion_cancel
from directory.feeds.runs import aaf_import
from nati.models import AuditEntry
from tests.directory.feeds.conftest import pupil, write_delivery


def _stamp(user, days_ago):
    User.objects.filter(pk=user.pk).update(
        predeleted_at=timezone.now() - dt.timedelta(days=days_ago)
    )


def test_the_sweep_deletes_only_after_thirty_days(world):
    _stamp(world.pupil_cm1, 31)
    _stamp(world.pupil_ce1, 29)

    assert predeleted_sweep() == 1

    assert not User.objects.filter(pk=world.pupil_cm1.pk).exists()
    assert User.objects.filter(pk=world.pupil_ce1.pk).exists()


def test_the_command_prints_and_needs_for_real(world, capsys):
    _stamp(world.pupil_cm1, 40)

    call_command("sweep_predeleted")
    out = capsys.readouterr().out
    assert f"utilisateur {world.pupil_cm1.pk}" in out and "--for-real" in out
    assert User.objects.filter(pk=world.pupil_cm1.pk).exists()

    call_command("sweep_predeleted", "--for-real")
    assert not User.objects.filter(pk=world.pupil_cm1.pk).exists()


def test_reintegrate_restores_and_keeps_the_feed_away_for_thirty_days(db, tmp_path):
    from tests.world import build_world

    world = build_world()
    folder = write_delivery(
        tmp_path / "d", pupils=[pupil("10", "A", "B"), pupil("11", "C", "D")]
    )
    aaf_import(path=folder)
    write_delivery(tmp_path / "d", pupils=[pupil("11", "C", "D")])
    aaf_import(path=folder)
    gone = User.objects.get(external_id="10")
    assert gone.is_predeleted

    predeletion_cancel(user=gone, actor=world.project_lead)
    run = aaf_import(path=folder)

    gone.refresh_from_db()
    assert not gone.is_predeleted
    assert run.report["counts"]["disappeared"] == 0
    assert AuditEntry.objects.filter(
        action="user.predeletion_cancel", target_id=str(gone.pk)
    ).exists()
