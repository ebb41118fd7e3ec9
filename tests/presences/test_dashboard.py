import datetime as dt
import io

from django.urls import reverse
from pypdf import PdfReader

from presences import selectors
from tests.presences.conftest import at
from tests.presences.helpers import call, cm1_absence


def _dashboard(client, world):
    return client.get(reverse("presences-dashboard", args=[world.school_a.pk]))


def test_a_call_is_not_forgotten_at_14_minutes(
    client_for, world, year_a, monday, time_machine
):
    time_machine.move_to(at(monday, 8, 14), tick=False)
    call(year_a, world.cm1, monday, "am", world.teacher_cm1, validate=False)
    assert selectors.forgotten_calls(world.school_a, year_a, at(monday, 8, 14)) == []
    page = _dashboard(client_for(world.director), world).content.decode()
    assert "Aucun appel oublié." in page


def test_a_call_is_forgotten_at_16_minutes_with_its_teacher_and_class(
    client_for, world, year_a, monday, time_machine
):
    time_machine.move_to(at(monday, 8, 16), tick=False)
    call(year_a, world.cm1, monday, "am", world.teacher_cm1, validate=False)
    call(year_a, world.ce1, monday, "am", world.director)  # validated in time
    forgotten = selectors.forgotten_calls(world.school_a, year_a, at(monday, 8, 16))
    assert [(f["klass"], f["teachers"]) for f in forgotten] == [
        (world.cm1, [world.teacher_cm1])
    ]
    page = _dashboard(client_for(world.director), world).content.decode()
    assert "Vaimiti Tehaamoana" in page and "Aucun appel oublié." not in page


def test_a_call_never_opened_is_forgotten_too(world, year_a, monday):
    forgotten = selectors.forgotten_calls(world.school_a, year_a, at(monday, 8, 16))
    assert {f["klass"] for f in forgotten} == {world.cm1, world.ce1}


def test_the_dashboard_counts_the_day(client_for, world, year_a, monday, time_machine):
    time_machine.move_to(at(monday, 8, 30), tick=False)
    cm1_absence(world, year_a, monday)
    assert selectors.day_counts(world.school_a, monday) == {
        "enrolled": 3,
        "absent": 1,
        "present": 2,
    }
    page = _dashboard(client_for(world.director), world).content.decode()
    assert "<strong>1</strong> élève absent" in page


def _absences(year_a, world, days, reason=None):
    for day in days:
        cm1_absence(world, year_a, day, reason=reason)


def _alert_rows(world, year_a, kind):
    alerts = {a["kind"]: a for a in selectors.alerts(world.school_a, year_a)}
    return [(row["pupil"], row["count"]) for row in alerts[kind]["rows"]]


def test_absences_raise_an_alert_at_the_threshold_not_below(world, year_a, monday):
    days = [monday, monday + dt.timedelta(1), monday + dt.timedelta(3)]
    _absences(year_a, world, days[:2])
    assert _alert_rows(world, year_a, "absence") == []
    _absences(year_a, world, days[2:])
    assert _alert_rows(world, year_a, "absence") == [(world.pupil_cm1, 3)]


def test_regularised_absences_do_not_count_unless_the_reason_says_so(
    world, year_a, monday
):
    from presences import services

    reason = world.school_a.absence_reasons.get(code="A")
    days = [monday, monday + dt.timedelta(1), monday + dt.timedelta(3)]
    _absences(year_a, world, days, reason)
    assert _alert_rows(world, year_a, "absence") == [(world.pupil_cm1, 3)]
    for event in selectors.current_events(pupil=world.pupil_cm1):
        services.event_regularise(event=event, reason=reason, actor=world.director)
    assert _alert_rows(world, year_a, "absence") == []
    services.reason_update(
        reason=reason, actor=world.director, alert_when_regularised=True
    )
    assert _alert_rows(world, year_a, "absence") == [(world.pupil_cm1, 3)]


def test_events_without_reason_count_only_when_the_setting_says_so(
    world, year_a, monday
):
    from presences import services

    _absences(
        year_a, world, [monday, monday + dt.timedelta(1), monday + dt.timedelta(3)]
    )
    services.year_settings_update(
        year=year_a, actor=world.director, count_without_reason=False
    )
    assert _alert_rows(world, year_a, "absence") == []


def test_one_incident_raises_an_alert(world, year_a, monday):
    cm1_absence(world, year_a, monday, pupil=world.pupil_cm1_bis, kind="incident")
    assert _alert_rows(world, year_a, "incident") == [(world.pupil_cm1_bis, 1)]


def test_the_dashboard_costs_the_same_queries_whatever_the_classes(
    client_for, world, year_a, monday, time_machine, django_assert_num_queries
):
    from directory import services as directory_services

    time_machine.move_to(at(monday, 9), tick=False)
    client = client_for(world.director)
    _dashboard(client, world)
    with django_assert_num_queries(12) as small:
        _dashboard(client, world)
    small_count = len(small.captured_queries)  # before the query log wraps
    for name in ("CP", "CE2", "CM2"):
        klass = directory_services.class_create(
            structure=world.school_a, school_year=year_a.school_year, name=name
        )
        directory_services.class_teacher_attach(klass=klass, teacher=world.staff_a)
    _dashboard(client, world)  # the directory changed: the cache is read again
    with django_assert_num_queries(small_count):
        page = _dashboard(client, world).content.decode()
    assert "CE2" in page


# --- The monthly register, on a month counted by hand ------------------------


def _october(world, year_a, time_machine):
    """CM1 in October 2026 (22 school half-days, see test_year), seen on
    2 November:
    1 Oct am: Māhina absent (A); 1 Oct pm: full class; 2 Oct am: Teiki late;
    5 Oct am: Māhina absent, no reason; 5 Oct pm: Māhina absent (O).
    Every other half-day: call never taken."""
    a = world.school_a.absence_reasons.get(code="A")
    o = world.school_a.absence_reasons.get(code="O")
    t, p, q = world.teacher_cm1, world.pupil_cm1, world.pupil_cm1_bis
    time_machine.move_to(at(dt.date(2026, 11, 2), 9), tick=False)
    day = dt.date
    call(year_a, world.cm1, day(2026, 10, 1), "am", t, [(p, "absence", a)])
    call(year_a, world.cm1, day(2026, 10, 1), "pm", t)
    call(year_a, world.cm1, day(2026, 10, 2), "am", t, [(q, "late", None)])
    call(year_a, world.cm1, day(2026, 10, 5), "am", t, [(p, "absence", None)])
    call(year_a, world.cm1, day(2026, 10, 5), "pm", t, [(p, "absence", o)])


def test_the_month_register_figures_match_the_hand_count(world, year_a, time_machine):
    _october(world, year_a, time_machine)
    data = selectors.month_register(world.cm1, year_a, dt.date(2026, 10, 1))
    assert data["school_halves"] == 22
    assert len(data["days"]) == 31
    rows = {row["pupil"]: row for row in data["rows"]}
    mahina, teiki = rows[world.pupil_cm1], rows[world.pupil_cm1_bis]
    assert (mahina["absent"], mahina["late"]) == (3, 0)
    assert round(mahina["rate"], 2) == round(100 * 3 / 22, 2)  # 13.64 %
    assert (teiki["absent"], teiki["late"]) == (0, 1)
    assert data["total_absent"] == 3 and data["possible"] == 44
    assert round(data["rate"], 2) == round(100 * 3 / 44, 2)  # 6.82 %

    texts = [cell["text"] for cell in mahina["cells"]]
    codes = [cell["code"] for cell in mahina["cells"]]
    assert texts[0:2] == ["A", ""]  # 1 Oct: absent (A) then present
    assert codes[1] == "present"
    assert codes[4:6] == ["off", "off"]  # Saturday 3
    assert texts[8:10] == ["X", "O"]  # Monday 5
    assert codes[12:14] == ["not_taken", "off"]  # Wednesday 7: morning only
    assert codes[32:34] == ["excluded", "excluded"]  # 17 Oct: Toussaint
    assert rows[world.pupil_cm1_bis]["cells"][2]["text"] == "R"


def test_the_days_to_come_are_not_calls_missed(world, year_a, time_machine):
    time_machine.move_to(at(dt.date(2026, 10, 6), 9), tick=False)
    data = selectors.month_register(world.cm1, year_a, dt.date(2026, 10, 1))
    codes = [cell["code"] for cell in data["rows"][0]["cells"]]
    assert codes[8:12] == ["not_taken", "not_taken", "not_taken", "not_taken"]
    assert codes[14:16] == ["future", "future"]  # Thursday 8


def test_the_month_register_on_screen(client_for, world, year_a, time_machine):
    _october(world, year_a, time_machine)
    url = reverse("presences-month", args=[world.school_a.pk, world.cm1.pk, "2026-10"])
    page = client_for(world.director).get(url).content.decode()
    assert "Pūtai Māhina" in page and "13,6&nbsp;%" in page and "6,8&nbsp;%" in page


def test_the_month_register_pdf_reads_back(client_for, world, year_a, time_machine):
    _october(world, year_a, time_machine)
    url = reverse("presences-month", args=[world.school_a.pk, world.cm1.pk, "2026-10"])
    response = client_for(world.director).get(url + "?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    text = page.extract_text()
    assert "Registre d'appel" in text and "9840001D" in text
    assert "Pūtai Māhina" in text or "Māhina" in text
    assert "13,6" in text and "6,8" in text


def test_the_month_register_csv(client_for, world, year_a, time_machine):
    _october(world, year_a, time_machine)
    url = reverse("presences-month", args=[world.school_a.pk, world.cm1.pk, "2026-10"])
    response = client_for(world.director).get(url + "?format=csv")
    text = response.content.decode("utf-8-sig")
    header, *rows = text.strip().split("\r\n")
    assert header.startswith("Élève;01/10 matin;01/10 après-midi")
    mahina = next(r for r in rows if "Māhina" in r).split(";")
    assert mahina[1:3] == ["A", "présent"] and mahina[-3:] == ["3", "0", "13.6"]


def test_a_class_of_another_school_answers_404(client_for, world, year_a):
    url = reverse(
        "presences-month", args=[world.school_a.pk, world.cm1_b.pk, "2026-10"]
    )
    assert client_for(world.director).get(url).status_code == 404


def test_the_pupil_calendar_shows_events_and_their_state(
    client_for, world, year_a, time_machine
):
    _october(world, year_a, time_machine)
    url = reverse("presences-pupil", args=[world.school_a.pk, world.pupil_cm1.pk])
    page = client_for(world.director).get(url + "?debut=2026-10-01").content.decode()
    assert "À régulariser" in page and "Non justifiable" in page
    assert "Absence A" in page


def test_the_search_finds_a_pupil_and_a_class(client_for, world, year_a):
    url = reverse("presences-dashboard", args=[world.school_a.pk])
    page = client_for(world.director).get(url, {"q": "putai"}).content.decode()
    assert "Pūtai Māhina" in page and "Jade" not in page
    page = client_for(world.director).get(url, {"q": "CE1"}).content.decode()
    assert "Registre de CE1" in page


def test_regularisation_lists_the_absences_of_the_range_and_regularises(
    client_for, world, year_a, time_machine
):
    _october(world, year_a, time_machine)
    client = client_for(world.director)
    url = reverse("presences-regularisation", args=[world.school_a.pk])
    page = client.get(url, {"start": "2026-10-01", "end": "2026-10-31"})
    # A (1 Oct) and the one without reason (5 Oct am); O needs no regularisation.
    assert len(page.context["page"].object_list) == 2
    event = page.context["page"].object_list[1]
    reason = world.school_a.absence_reasons.get(code="B")
    client.post(
        reverse("presences-regularise", args=[world.school_a.pk, event.pk]),
        {"reason": reason.pk},
    )
    event.refresh_from_db()
    assert event.is_regularised and event.reason == reason
