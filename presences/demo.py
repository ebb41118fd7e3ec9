"""Présences for the demo school: an initialised year with a call to take today.

Idempotent: a school already initialised is left alone. The demo's week counts
every day, Saturday and Sunday included, as a full school day, so that whoever
opens the demo, whatever the weekday, has a call to take (a real school keeps
the territory's week: Wednesday morning, no weekend).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from directory.models import Structure
from nati.dates import current_school_year
from presences import selectors, services
from presences.models import FULL

DEMO_UAI = "9840001D"


@transaction.atomic
def seed() -> None:
    school = Structure.objects.filter(uai=DEMO_UAI).first()
    director = User.objects.filter(username="demo.directeur").first()
    if school is None or director is None:
        return
    if selectors.year_of(school.pk) is not None:
        return
    year = current_school_year()
    today = timezone.localdate()
    start = min(dt.date(year, 8, 16), today)
    end = max(dt.date(year + 1, 6, 30), today)
    holidays = []
    christmas = (dt.date(year, 12, 19), dt.date(year + 1, 1, 4))
    if christmas[0] > today:
        holidays.append(("Vacances de Noël", *christmas))
    services.year_initialise(
        structure=school,
        actor=director,
        start=start,
        end=end,
        week={str(day): FULL for day in range(7)},
        holidays=holidays,
        school_year=year,
    )
