"""A school's half-days, derived from its YearSettings: pure functions, no query
beyond the exclusions the caller passes in."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from presences.models import AFTERNOON, FULL, MORNING, Half, YearSettings

# A call not validated this long after its half-day starts is forgotten.
FORGOTTEN_AFTER = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    halves: tuple[str, ...]  # the school half-days of that date
    excluded: str = ""  # the exclusion's label when the day is excluded
    outside_year: bool = False

    @property
    def is_school_day(self) -> bool:
        return bool(self.halves)


def weekday_halves(year: YearSettings, day: dt.date) -> tuple[str, ...]:
    kind = year.week.get(str(day.weekday()), "off")
    if kind == FULL:
        return (Half.MORNING, Half.AFTERNOON)
    if kind == MORNING:
        return (Half.MORNING,)
    if kind == AFTERNOON:
        return (Half.AFTERNOON,)
    return ()


def day_info(year: YearSettings, day: dt.date, exclusions) -> DayInfo:
    if day < year.start or day > year.end:
        return DayInfo(day, (), outside_year=True)
    for exclusion in exclusions:
        if exclusion.start <= day <= exclusion.end:
            return DayInfo(day, (), excluded=exclusion.label)
    return DayInfo(day, weekday_halves(year, day))


def days_between(year: YearSettings, start: dt.date, end: dt.date, exclusions):
    day = start
    while day <= end:
        yield day_info(year, day, exclusions)
        day += dt.timedelta(days=1)


def school_half_days(year: YearSettings, start: dt.date, end: dt.date, exclusions):
    """Every (date, half) on which a register is due, in order."""
    return [
        (info.date, half)
        for info in days_between(year, start, end, exclusions)
        for half in info.halves
    ]


def half_start(year: YearSettings, day: dt.date, half: str) -> dt.datetime:
    at = year.morning_start if half == Half.MORNING else year.afternoon_start
    return timezone.make_aware(dt.datetime.combine(day, at))


def current_half(year: YearSettings, now: dt.datetime | None = None) -> str:
    """The half-day a call opened now is for: the morning until the afternoon
    starts (so a late morning call is still the morning's)."""
    local = timezone.localtime(now)
    return Half.MORNING if local.time() < year.afternoon_start else Half.AFTERNOON


def is_forgotten(starts_at: dt.datetime, validated: bool, now=None) -> bool:
    now = now or timezone.now()
    return not validated and now >= starts_at + FORGOTTEN_AFTER
