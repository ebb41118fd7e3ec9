import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from directory.models import Membership

ROOT = Path(__file__).resolve().parents[2]


def _check_deploy(*, without=()):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 64 + "production-like-secret-0123456789",
        "ALLOWED_HOSTS": "nati.pf",
    }
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", *without):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "nati.pf"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_a_bad_boolean_in_the_environment_fails_loudly():
    env = {**os.environ, "DEBUG": "peut-être"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "is not a boolean" in result.stderr


def test_seed_demo_builds_rimbaud_and_a_second_run_changes_nothing(
    db, capsys, settings
):
    settings.DEBUG = True
    call_command("seed_demo")
    out = capsys.readouterr().out
    for login in ["demo.directeur", "demo.enseignant", "demo.parent", "demo.eleve"]:
        assert login in out
    rimbaud_pupils = User.objects.filter(
        profile="pupil", affiliations__structure__uai="9840001D"
    )
    assert 9 * 25 <= rimbaud_pupils.count() <= 9 * 25 + 1
    counts = (User.objects.count(), Membership.objects.count())

    call_command("seed_demo")
    assert (User.objects.count(), Membership.objects.count()) == counts


def test_seed_demo_is_refused_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG est désactivé"):
        call_command("seed_demo")


def test_a_celery_task_runs_on_a_real_worker(celery_live_worker):
    from nati.tasks import heartbeat

    assert heartbeat.delay().get(timeout=10) == "ok"


def test_check_deploy_warns_when_processes_would_not_share_a_cache():
    result = _check_deploy(without=["REDIS_URL"])
    assert result.returncode != 0
    assert "nati.W001" in result.stdout + result.stderr
