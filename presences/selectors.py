"""Reads of Présences that more than one caller needs.

Who is who here: a *director* is a member of a school's direction or ADML
function group; a class's *teachers* are its ClassTeacher links. A director
reaches every class of their school; a teacher only their own classes.
"""

import datetime as dt
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import Truncator

from accounts.models import User
from directory.models import (
    ClassPupil,
    GroupKind,
    GroupRole,
    Link,
    Membership,
    SchoolClass,
    Structure,
)
from nati.dates import current_school_year
from nati.text import normalise_name
from presences import calendar
from presences.models import (
    PRESENCE_KINDS,
    AbsenceReason,
    Event,
    Half,
    Kind,
    LatenessReason,
    Register,
    YearSettings,
)

DIRECTOR_ROLES = (GroupRole.DIRECTION, GroupRole.ADML)


def directed_school_ids(user: User) -> QuerySet:
    """Ids of the schools `user` directs (lazy: used as a subquery)."""
    return Membership.objects.filter(
        user=user, group__kind=GroupKind.FUNCTION, group__role__in=DIRECTOR_ROLES
    ).values("group__structure_id")


def directed_schools(user: User) -> list[Structure]:
    return list(Structure.objects.filter(pk__in=directed_school_ids(user)))


def directed_school_or_404(user: User, school_id: int) -> Structure:
    school = Structure.objects.filter(
        pk=school_id, pk__in=directed_school_ids(user)
    ).first()
    if school is None:
        raise Http404
    return school


def callable_classes(user: User) -> QuerySet:
    """Classes of this year whose call `user` may take: their teachers, and the
    director for every class of the school."""
    return SchoolClass.objects.filter(
        Q(teacher_links__user=user) | Q(structure_id__in=directed_school_ids(user)),
        school_year=current_school_year(),
    ).distinct()


# --- The call's hot path ---------------------------------------------------------
# Opening the call, each mark and the validation run at 8:00 for every class of
# the territory at once. Their queries are written in SQL (portable: PostgreSQL
# and the demo's SQLite): building them through the ORM costs about 2.5 ms of
# CPU each on this hardware, the SQL below about 0.2 ms. Who may take a class's
# call is the rule of callable_classes (any school year here): its teachers,
# and the direction of its school (directed_school_ids); test_call.py and
# test_call_hot_path.py in tests/presences check both, and the 404s.

# Who may take the call of class `c`: a ClassTeacher link of the user to it,
# or a membership of its school's direction or ADML function group.
_MAY_CALL = """
  AND (EXISTS (SELECT 1 FROM directory_classteacher t
               WHERE t.klass_id = c.id AND t.user_id = %(user)s)
       OR c.structure_id IN (
           SELECT g.structure_id FROM directory_membership m
           JOIN directory_group g ON g.id = m.group_id
           WHERE m.user_id = %(user)s AND g.kind = %(function)s
             AND g.role IN (%(direction)s, %(adml)s)))
"""

_CALL_CLASS_SELECT = """
SELECT c.id, c.name, c.structure_id, c.school_year,
       y.id AS year_id, y.version AS year_version
FROM directory_schoolclass c
LEFT JOIN presences_yearsettings y
       ON y.structure_id = c.structure_id AND y.school_year = %(school_year)s
WHERE c.id = %(pk)s"""
_CALL_CLASS_SQL = f"{_CALL_CLASS_SELECT}{_MAY_CALL}"

_CALL_REGISTER_SELECT = """
SELECT r.*, y.id AS year_id, y.version AS year_version,
       EXISTS (SELECT 1 FROM directory_classpupil p
               WHERE p.klass_id = r.klass_id AND p.user_id = %(pupil)s) AS enrolled
FROM presences_register r
JOIN directory_schoolclass c ON c.id = r.klass_id
LEFT JOIN presences_yearsettings y
       ON y.structure_id = r.structure_id AND y.school_year = %(school_year)s
WHERE r.id = %(pk)s"""
_CALL_REGISTER_SQL = f"{_CALL_REGISTER_SELECT}{_MAY_CALL}"

_CLASS_PUPILS_SQL = """
SELECT u.id, u.last_name, u.first_name
FROM accounts_user u JOIN directory_classpupil p ON p.user_id = u.id
WHERE p.klass_id = %s
ORDER BY u.last_name, u.first_name, u.id
"""


def _call_params(user: User, pk: int, **more) -> dict:
    direction, adml = DIRECTOR_ROLES
    return {
        "pk": pk,
        "user": user.pk,
        "function": GroupKind.FUNCTION.value,
        "direction": direction.value,
        "adml": adml.value,
        "school_year": current_school_year(),
        **more,
    }


def call_class_or_404(user: User, class_id: int) -> SchoolClass:
    """The class whose call `user` may take (see the rule above), with
    `year_id` and `year_version` of its school's current year (None when
    Présences is not initialised). One query."""
    found = list(SchoolClass.objects.raw(_CALL_CLASS_SQL, _call_params(user, class_id)))
    if not found:
        raise Http404
    return found[0]


def register_for_call_or_404(
    user: User, register_id: int, pupil_id: int | None = None
) -> Register:
    """The register, if `user` may take its call, and with `pupil_id` only if
    that pupil is of its class; with `year_id` and `year_version` like
    call_class_or_404. One query."""
    params = _call_params(user, register_id, pupil=pupil_id or 0)
    found = list(Register.objects.raw(_CALL_REGISTER_SQL, params))
    if not found or (pupil_id is not None and not found[0].enrolled):
        raise Http404
    return found[0]


@dataclass(frozen=True)
class SchoolSettings:
    """What the call reads of a school's Présences settings. Shared between
    requests (see school_settings): never changed in place. Each reason carries
    `value` (its pk as text) and `choice` (its option's wording) for the call's
    menus."""

    year: YearSettings | None  # its exclusions prefetched
    reasons: tuple[AbsenceReason, ...]
    lateness_reasons: tuple[LatenessReason, ...]

    def reason(self, pk: int) -> AbsenceReason | None:
        return next((r for r in self.reasons if r.pk == pk), None)

    def lateness_reason(self, pk: int) -> LatenessReason | None:
        return next((r for r in self.lateness_reasons if r.pk == pk), None)


def school_settings(structure_id: int, year_id, version) -> SchoolSettings:
    """The school's year (with its exclusions) and reasons, read once per process
    and version: every change of them draws a new YearSettings.version
    (services.settings_changed), so a stale copy is never read again. Without
    a year (Présences not initialised) they are read each time."""
    if year_id is None:
        return _school_settings_read(structure_id, None)
    return _school_settings_cached(structure_id, year_id, str(version))


@functools.lru_cache(maxsize=1024)
def _school_settings_cached(structure_id: int, year_id: int, version: str):
    return _school_settings_read(structure_id, year_id)


def _school_settings_read(structure_id: int, year_id: int | None) -> SchoolSettings:
    year = None
    if year_id is not None:
        year = YearSettings.objects.prefetch_related("exclusions").get(pk=year_id)
    reasons = tuple(AbsenceReason.objects.filter(structure_id=structure_id))
    lateness = tuple(LatenessReason.objects.filter(structure_id=structure_id))
    # The call's <select> options, worded once here rather than at each mark.
    for reason in reasons:
        reason.value = str(reason.pk)
        reason.choice = f"{reason.code} – {Truncator(reason.label).chars(40)}"
    for reason in lateness:
        reason.value, reason.choice = str(reason.pk), reason.label
    return SchoolSettings(year=year, reasons=reasons, lateness_reasons=lateness)


def call_pupils(klass_id: int) -> list[dict]:
    """The class's pupils in the register's order, as {"pk", "id", "name"}:
    "id" is the pk as text, ready for the page's ids and URLs."""
    with connection.cursor() as cursor:
        cursor.execute(_CLASS_PUPILS_SQL, [klass_id])
        rows = cursor.fetchall()
    return [
        {"pk": pk, "id": str(pk), "name": f"{last} {first}"} for pk, last, first in rows
    ]


def year_of(structure_id: int, school_year: int | None = None) -> YearSettings | None:
    return (
        YearSettings.objects.filter(
            structure_id=structure_id, school_year=school_year or current_school_year()
        )
        .prefetch_related("exclusions")
        .first()
    )


def class_pupils(klass_id: int) -> list[User]:
    return list(
        User.objects.filter(pupil_links__klass_id=klass_id)
        .only("id", "first_name", "last_name", "username")
        .order_by("last_name", "first_name", "pk")
    )


def current_events(**filters) -> QuerySet:
    return Event.objects.filter(replaced_at__isnull=True, **filters)


def pupil_school_or_404(school: Structure, pupil_id: int) -> User:
    pupil = (
        User.objects.filter(
            pk=pupil_id,
            pupil_links__klass__structure=school,
            pupil_links__klass__school_year=current_school_year(),
        )
        .distinct()
        .first()
    )
    if pupil is None:
        raise Http404
    return pupil


def pupil_class(pupil_id: int, structure_id: int) -> SchoolClass | None:
    link = (
        ClassPupil.objects.filter(
            user_id=pupil_id,
            klass__structure_id=structure_id,
            klass__school_year=current_school_year(),
        )
        .select_related("klass")
        .first()
    )
    return link.klass if link else None


def own_child_or_404(parent: User, child_id: int) -> User:
    child = User.objects.filter(pk=child_id, parent_links__parent=parent).first()
    if child is None:
        raise Http404
    return child


def representatives_of(pupil_ids) -> dict[int, list[User]]:
    by_pupil: dict[int, list[User]] = defaultdict(list)
    links = Link.objects.filter(
        child_id__in=pupil_ids, legal_representative=True
    ).select_related("parent")
    for link in links:
        by_pupil[link.child_id].append(link.parent)
    return by_pupil


# --- The director's dashboard -------------------------------------------------


def day_counts(school: Structure, day: dt.date) -> dict:
    """Absent and present pupils of the school today. Two queries."""
    enrolled = ClassPupil.objects.filter(
        klass__structure=school, klass__school_year=current_school_year()
    ).count()
    absent = (
        current_events(structure=school, date=day, kind=Kind.ABSENCE)
        .values("pupil_id")
        .distinct()
        .count()
    )
    return {"enrolled": enrolled, "absent": absent, "present": enrolled - absent}


def forgotten_calls(school: Structure, year: YearSettings, now) -> list[dict]:
    """Today's half-days started more than 15 minutes ago whose class has no
    validated register. Three queries whatever the number of classes."""
    today = timezone.localdate(now)
    info = calendar.day_info(year, today, year.exclusions.all())
    started = [
        half
        for half in info.halves
        if calendar.is_forgotten(calendar.half_start(year, today, half), False, now)
    ]
    if not started:
        return []
    classes = list(
        SchoolClass.objects.filter(
            structure=school, school_year=year.school_year
        ).prefetch_related("teachers")
    )
    validated = set(
        Register.objects.filter(
            structure=school, date=today, validated_at__isnull=False
        ).values_list("klass_id", "half")
    )
    labels = dict(Half.choices)
    return [
        {
            "klass": klass,
            "half": labels[half],
            "teachers": list(klass.teachers.all()),
        }
        for half in reversed(started)
        for klass in classes
        if (klass.pk, half) not in validated
    ]


def alerts(school: Structure, year: YearSettings) -> list[dict]:
    """Pupils over a threshold this year, by type. Two queries."""
    events = (
        current_events(structure=school, date__gte=year.start, date__lte=year.end)
        .filter(kind__in=[Kind.ABSENCE, Kind.LATENESS, Kind.INCIDENT, Kind.NOTEBOOK])
        .select_related("reason")
        .only(
            "pupil_id",
            "kind",
            "reason__alert_when_regularised",
            "reason__alert_when_not_regularised",
            "reason_id",
            "lateness_reason_id",
            "regularised_at",
        )
    )
    counts: Counter = Counter()
    for event in events:
        if _counts_in_alerts(event, year):
            counts[(event.kind, event.pupil_id)] += 1
    thresholds = {
        Kind.ABSENCE: year.absence_threshold,
        Kind.LATENESS: year.lateness_threshold,
        Kind.INCIDENT: year.incident_threshold,
        Kind.NOTEBOOK: year.notebook_threshold,
    }
    over = {key: n for key, n in counts.items() if n >= thresholds[key[0]] > 0}
    names = User.objects.in_bulk({pupil for _, pupil in over})
    labels = dict(Kind.choices)
    by_kind = []
    for kind in (Kind.ABSENCE, Kind.LATENESS, Kind.INCIDENT, Kind.NOTEBOOK):
        rows = sorted(
            (
                {"pupil": names[p], "count": n}
                for (k, p), n in over.items()
                if k == kind
            ),
            key=lambda row: -row["count"],
        )
        by_kind.append(
            {
                "kind": kind,
                "label": labels[kind],
                "threshold": thresholds[kind],
                "rows": rows,
            }
        )
    return by_kind


def _counts_in_alerts(event: Event, year: YearSettings) -> bool:
    if event.kind == Kind.ABSENCE:
        if event.reason_id is None:
            return year.count_without_reason
        if event.regularised_at:
            return event.reason.alert_when_regularised
        return event.reason.alert_when_not_regularised
    if event.kind == Kind.LATENESS and event.lateness_reason_id is None:
        return year.count_without_reason
    return True


def to_regularise(school: Structure, start: dt.date, end: dt.date) -> QuerySet:
    return (
        current_events(
            structure=school,
            kind=Kind.ABSENCE,
            date__gte=start,
            date__lte=end,
            regularised_at__isnull=True,
        )
        .exclude(reason__needs_regularisation=False)
        .select_related("pupil", "klass", "reason")
        .order_by("date", "half", "klass__name", "pupil__last_name")
    )


# --- The monthly register -----------------------------------------------------


def month_register(klass: SchoolClass, year: YearSettings, first: dt.date) -> dict:
    """Pupils × days of the month, with totals and the absence rate in half-day
    units. Four queries whatever the size of the class."""
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    last -= dt.timedelta(days=1)
    days = list(calendar.days_between(year, first, last, year.exclusions.all()))
    pupils = class_pupils(klass.pk)
    registers = {
        (r.date, r.half): r
        for r in Register.objects.filter(klass=klass, date__gte=first, date__lte=last)
    }
    marks = defaultdict(list)
    events = current_events(
        klass=klass, date__gte=first, date__lte=last, kind__in=PRESENCE_KINDS
    ).select_related("reason")
    for event in events:
        marks[(event.pupil_id, event.date, event.half)].append(event)

    school_halves = [(d.date, h) for d in days for h in d.halves]
    rows = []
    for pupil in pupils:
        cells, absent, late, left = [], 0, 0, 0
        for info in days:
            for half in (Half.MORNING, Half.AFTERNOON):
                cell = _cell(
                    info, half, registers, marks.get((pupil.pk, info.date, half))
                )
                absent += cell["code"] == "absence"
                late += cell["code"] == "late"
                left += cell["code"] == "left"
                cells.append(cell)
        rate = 100 * absent / len(school_halves) if school_halves else 0
        rows.append(
            {
                "pupil": pupil,
                "cells": cells,
                "absent": absent,
                "late": late,
                "left": left,
                "rate": rate,
            }
        )
    total_absent = sum(row["absent"] for row in rows)
    possible = len(school_halves) * len(pupils)
    return {
        "klass": klass,
        "first": first,
        "days": days,
        "half_columns": 2 * len(days),
        "rows": rows,
        "school_halves": len(school_halves),
        "total_absent": total_absent,
        "total_late": sum(row["late"] for row in rows),
        "possible": possible,
        "rate": 100 * total_absent / possible if possible else 0,
    }


def _cell(info, half: str, registers: dict, events) -> dict:
    if info.outside_year:
        return {"code": "outside", "text": ""}
    if info.excluded:
        return {"code": "excluded", "text": "V"}
    if half not in info.halves:
        return {"code": "off", "text": ""}
    if events:
        event = events[0]
        if event.kind == Kind.ABSENCE:
            text = event.reason.code if event.reason_id else "X"
            return {"code": "absence", "text": text}
        return {"code": event.kind, "text": "R" if event.kind == Kind.LATENESS else "D"}
    register = registers.get((info.date, half))
    if register is None or not register.is_validated:
        if info.date > timezone.localdate():
            return {"code": "future", "text": ""}
        return {"code": "not_taken", "text": "?"}
    return {"code": "present", "text": ""}


def pupil_calendar(pupil: User, year: YearSettings, first: dt.date, weeks: int):
    """Weeks (Monday first) of half-days with the pupil's events."""
    first -= dt.timedelta(days=first.weekday())
    last = first + dt.timedelta(days=7 * weeks - 1)
    events = defaultdict(list)
    for event in current_events(
        pupil=pupil, date__gte=first, date__lte=last
    ).select_related("reason", "lateness_reason"):
        events[(event.date, event.half)].append(event)
    days = list(calendar.days_between(year, first, last, year.exclusions.all()))
    result = []
    for week in range(weeks):
        week_days = days[week * 7 : week * 7 + 7]
        result.append(
            [
                {
                    "info": info,
                    "halves": [
                        {
                            "half": half,
                            "school": half in info.halves,
                            "events": events.get((info.date, half), []),
                        }
                        for half in (Half.MORNING, Half.AFTERNOON)
                    ],
                }
                for info in week_days
            ]
        )
    return result


def school_search(school: Structure, query: str, limit: int = 20) -> dict:
    words = normalise_name(query).split()
    if not words:
        return {"pupils": [], "classes": []}
    pupils = User.objects.filter(
        pupil_links__klass__structure=school,
        pupil_links__klass__school_year=current_school_year(),
    )
    for word in words:
        pupils = pupils.filter(search_name__contains=word)
    classes = SchoolClass.objects.filter(
        structure=school, school_year=current_school_year(), name__icontains=query
    )
    return {
        "pupils": list(pupils.distinct().order_by("last_name")[:limit]),
        "classes": list(classes[:limit]),
    }
