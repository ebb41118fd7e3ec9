import datetime as dt

from django.utils import timezone

# Polynesian schools start in mid-August: from August on, the school year is
# named after the current calendar year.
SCHOOL_YEAR_FIRST_MONTH = 8


def school_year_of(day: dt.date) -> int:
    return day.year if day.month >= SCHOOL_YEAR_FIRST_MONTH else day.year - 1


def current_school_year() -> int:
    return school_year_of(timezone.localdate())


def school_year_label(year: int) -> str:
    return f"{year}-{year + 1}"
