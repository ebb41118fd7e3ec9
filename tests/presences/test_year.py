import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from directory import services as directory_services
from presences import calendar, services
from presences.models import (
    DEFAULT_WEEK,
    AbsenceReason,
    Exclusion,
    LatenessReason,
    YearSettings,
)

TOUSSAINT = (dt.date(2026, 10, 17), dt.date(2026, 11, 1))
NOEL = (dt.date(2026, 12, 19), dt.date(2027, 1, 4))


def _year() -> tuple[YearSettings, list[Exclusion]]:
    year = YearSettings(
        start=dt.date(2026, 8, 17),
        end=dt.date(2027, 6, 30),
        morning_start=dt.time(8),
        morning_end=dt.time(12),
        afternoon_start=dt.time(14),
        afternoon_end=dt.time(17),
        week=DEFAULT_WEEK,
    )
    exclusions = [
        Exclusion(label="Toussaint", start=TOUSSAINT[0], end=TOUSSAINT[1]),
        Exclusion(label="Noël", start=NOEL[0], end=NOEL[1]),
    ]
    return year, exclusions


def test_the_registers_of_a_year_follow_the_week_and_skip_the_holidays():
    year, exclusions = _year()
    halves = calendar.school_half_days(year, year.start, year.end, exclusions)

    # Four full days and Wednesday morning: 9 half-days a week. 45 whole weeks
    # from Mon 17 Aug 2026 to Sun 27 Jun 2027 (405), minus the Toussaint's two
    # weeks (18), minus Noël's two weeks and Monday 4 January (20), plus Mon 28,
    # Tue 29 and Wed 30 June 2027 (5): 372.
    assert len(halves) == 372
    assert halves[0] == (dt.date(2026, 8, 17), "am")
    assert halves[-1] == (dt.date(2027, 6, 30), "am")  # a Wednesday: morning only
    assert len(set(halves)) == len(halves)
    for day, half in halves:
        assert day.weekday() < 5
        assert not (TOUSSAINT[0] <= day <= TOUSSAINT[1])
        assert not (NOEL[0] <= day <= NOEL[1])
        if day.weekday() == 2:
            assert half == "am"


def test_october_2026_has_22_half_days_before_the_toussaint():
    year, exclusions = _year()
    october = calendar.school_half_days(
        year, dt.date(2026, 10, 1), dt.date(2026, 10, 31), exclusions
    )
    # Thu 1, Fri 2, Mon 5, Tue 6, Thu 8, Fri 9, Mon 12, Tue 13, Thu 15, Fri 16
    # (10 full days = 20 half-days) + Wednesday mornings 7 and 14 = 22.
    assert len(october) == 22
    assert max(day for day, _ in october) == dt.date(2026, 10, 16)


def test_a_half_day_call_is_forgotten_after_15_minutes_not_before():
    starts = calendar.half_start(_year()[0], dt.date(2026, 10, 5), "am")
    assert not calendar.is_forgotten(starts, False, starts + dt.timedelta(minutes=14))
    assert calendar.is_forgotten(starts, False, starts + dt.timedelta(minutes=16))
    assert not calendar.is_forgotten(starts, True, starts + dt.timedelta(minutes=16))


def test_initialisation_stores_the_year_and_the_territory_s_reasons(year_a, world):
    assert year_a.morning_start == dt.time(8) and year_a.afternoon_end == dt.time(17)
    assert year_a.week["2"] == "am" and year_a.week["5"] == "off"
    assert (year_a.absence_threshold, year_a.lateness_threshold) == (3, 3)
    assert (year_a.incident_threshold, year_a.notebook_threshold) == (1, 3)
    assert not year_a.multiple_calls
    assert [e.system for e in year_a.exclusions.all()] == ["Autre système"] * 2
    reasons = {
        r.code: r for r in AbsenceReason.objects.filter(structure=world.school_a)
    }
    assert reasons["O"].label == "Absence illégitime"
    assert not reasons["O"].can_be_justified
    assert not reasons["O"].needs_regularisation
    assert reasons["A"].label == "Maladie de l'enfant"
    assert reasons["B"].label == "Décès d'un membre de la famille"
    assert reasons["C"].label == (
        "Maladie transmissible ou contagieuse d'un membre de la famille"
    )
    assert reasons["D"].label == "Réunion solennelle de famille"
    assert reasons["E"].label == (
        "Empêchement résultant de la difficulté accidentelle des communications"
    )
    assert reasons["F"].label == (
        "Absence temporaire des personnes responsables lorsque les enfants les suivent"
    )
    assert all(reasons[c].needs_regularisation for c in "ABCDEF")
    assert sorted(
        LatenessReason.objects.filter(structure=world.school_a).values_list(
            "label", flat=True
        )
    ) == ["Motif non valable", "Panne de réveil", "Retard de transport"]


def test_initialisation_refuses_while_a_class_has_no_teacher_and_names_it(world):
    directory_services.class_create(
        structure=world.school_a, school_year=world.cm1.school_year, name="CP"
    )
    with pytest.raises(services.InitialisationRefused) as refused:
        services.year_initialise(
            structure=world.school_a,
            actor=world.director,
            start=dt.date(2026, 8, 17),
            end=dt.date(2027, 6, 30),
        )
    assert refused.value.class_names == ["CP"]
    assert "CP" in refused.value.messages[0]
    assert not YearSettings.objects.exists()


def test_the_first_visit_of_a_director_opens_the_initialisation(client_for, world):
    client = client_for(world.director)
    response = client.get("/presences/")
    assert response.status_code == 302
    assert response.url == f"/presences/ecole/{world.school_a.pk}/initialiser/"
    page = client.get(response.url).content.decode()
    assert 'value="08:00"' in page and 'value="17:00"' in page


def test_the_initialisation_form_names_the_classes_without_teacher(client_for, world):
    directory_services.class_create(
        structure=world.school_a, school_year=world.cm1.school_year, name="CP"
    )
    response = client_for(world.director).post(
        f"/presences/ecole/{world.school_a.pk}/initialiser/",
        {
            "start": "2026-08-17",
            "end": "2027-06-30",
            "morning_start": "08:00",
            "morning_end": "12:00",
            "afternoon_start": "14:00",
            "afternoon_end": "17:00",
            **{f"day_{i}": DEFAULT_WEEK[str(i)] for i in range(7)},
            "holidays-TOTAL_FORMS": "4",
            "holidays-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "aucun enseignant n'est rattaché à CP" in response.content.decode()


def test_the_initialisation_form_initialises(client_for, world):
    response = client_for(world.director).post(
        f"/presences/ecole/{world.school_a.pk}/initialiser/",
        {
            "start": "2026-08-17",
            "end": "2027-06-30",
            "morning_start": "07:30",
            "morning_end": "11:30",
            "afternoon_start": "13:30",
            "afternoon_end": "16:00",
            **{f"day_{i}": DEFAULT_WEEK[str(i)] for i in range(7)},
            "holidays-TOTAL_FORMS": "4",
            "holidays-INITIAL_FORMS": "0",
            "holidays-0-label": "Toussaint",
            "holidays-0-start": "2026-10-17",
            "holidays-0-end": "2026-11-01",
        },
    )
    assert response.status_code == 302
    year = YearSettings.objects.get(structure=world.school_a)
    assert year.morning_start == dt.time(7, 30)
    assert year.exclusions.get().label == "Toussaint"


def test_an_exclusion_starting_before_today_is_refused(year_a, world):
    with pytest.raises(ValidationError, match="aujourd'hui au plus tôt"):
        services.exclusion_add(
            year=year_a,
            label="Fermeture",
            start=dt.date(2026, 8, 9),
            end=dt.date(2026, 8, 12),
            actor=world.director,
        )
    services.exclusion_add(
        year=year_a,
        label="Fermeture",
        start=dt.date(2026, 8, 10),
        end=dt.date(2026, 8, 12),
        actor=world.director,
    )


def test_a_started_exclusion_cannot_be_removed(year_a, world, time_machine):
    toussaint = year_a.exclusions.get(label="Vacances de la Toussaint")
    time_machine.move_to(dt.datetime(2026, 10, 20, 9, tzinfo=dt.UTC), tick=False)
    with pytest.raises(ValidationError):
        services.exclusion_remove(exclusion=toussaint, actor=world.director)
