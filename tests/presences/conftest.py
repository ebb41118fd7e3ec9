"""Présences fixtures. Time is frozen on 10 August 2026 before the world is
built (so every figure below is for the school year 2026-2027, whatever the
day the tests run); school A is initialised then, with the territory's week
(Wednesday morning only, no weekend) and two holidays."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from nati.dates import current_school_year
from presences import services

TAHITI = ZoneInfo("Pacific/Tahiti")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TAHITI)


def weekday_of(year: int, weekday: int, after: dt.date | None = None) -> dt.date:
    """The first date of that weekday from 1 October of the school year on."""
    day = after or dt.date(year, 10, 1)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


@pytest.fixture(autouse=True)
def frozen_year(request):
    """Freeze time for every test but the browser and live-worker ones: a live
    browser would drop a session cookie that expired by the real clock, and a
    Celery worker's timers need a clock that moves."""
    if {"live_server", "celery_live_worker"} & set(request.fixturenames):
        yield
        return
    time_machine = request.getfixturevalue("time_machine")
    time_machine.move_to(at(dt.date(2026, 8, 10), 9), tick=False)
    yield


@pytest.fixture
def school_year():
    return current_school_year()


@pytest.fixture
def year_a(world, school_year):
    year = services.year_initialise(
        structure=world.school_a,
        actor=world.director,
        start=dt.date(school_year, 8, 17),
        end=dt.date(school_year + 1, 6, 30),
        holidays=[
            (
                "Vacances de la Toussaint",
                dt.date(school_year, 10, 17),
                dt.date(school_year, 11, 1),
            ),
            (
                "Vacances de Noël",
                dt.date(school_year, 12, 19),
                dt.date(school_year + 1, 1, 4),
            ),
        ],
    )
    return year


@pytest.fixture
def monday(school_year):
    """A school Monday outside the holidays (the first Monday of October)."""
    return weekday_of(school_year, 0)


@pytest.fixture
def morning(monday, time_machine, year_a):
    """Time frozen on that Monday at 8:05, the call of the morning open."""
    time_machine.move_to(at(monday, 8, 5), tick=False)
    return monday


@pytest.fixture
def live_year(world):
    """A year initialised today, by the real clock (for the live browser and
    Celery tests), every day of the week a school day."""
    today = timezone.localdate()
    return services.year_initialise(
        structure=world.school_a,
        actor=world.director,
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=30),
        week={str(d): "full" for d in range(7)},
    )
