"""A teacher's whole call on a 360-px phone, through the real login form."""

import datetime as dt
import os

from django.utils import timezone

from presences import services
from presences.models import Event, Kind, Register


def test_a_teacher_takes_the_whole_call_on_a_phone(
    world, live_server, phone_page, password
):
    today = timezone.localdate()
    services.year_initialise(
        structure=world.school_a,
        actor=world.director,
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=30),
        week={str(d): "full" for d in range(7)},  # a call today, whatever the day
    )
    page = phone_page
    page.goto(f"{live_server.url}/compte/login/")
    page.fill("#id_login", world.teacher_cm1.username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.click("text=Présences")
    page.click("text=CM1")
    page.wait_for_selector("text=Valider l'appel")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.evaluate("window.sameDocument = true")  # gone if the page reloads

    mahina = page.locator(f"#p-{world.pupil_cm1.pk}")
    teiki = page.locator(f"#p-{world.pupil_cm1_bis.pk}")
    mahina.locator("button[value=absence]").click()
    page.wait_for_selector(f"#m-{world.pupil_cm1.pk}.is-absence")
    teiki.locator("button[value=late]").click()
    page.wait_for_selector(f"#m-{world.pupil_cm1_bis.pk}.is-late")
    # The time is pre-filled with now; the teacher corrects it, saved on change.
    time_input = teiki.locator("input[name=at_time]")
    assert time_input.input_value()
    time_input.fill("08:20")
    time_input.dispatch_event("change")
    page.wait_for_function(
        f"document.querySelector('#p-{world.pupil_cm1_bis.pk} input[name=at_time]')"
        ".value === '08:20'"
    )
    button = page.locator("button.validate")
    box = button.bounding_box()
    assert box["width"] >= 300  # a thumb-sized button across the phone
    button.click()
    page.wait_for_selector("text=Appel validé")
    if os.environ.get("PRESENCES_SCREENSHOT"):
        page.screenshot(path=os.environ["PRESENCES_SCREENSHOT"], full_page=True)

    register = Register.objects.get(klass=world.cm1, date=today)
    assert register.is_validated and register.validated_by == world.teacher_cm1
    events = {e.pupil_id: e for e in Event.objects.filter(register=register)}
    assert events[world.pupil_cm1.pk].kind == Kind.ABSENCE
    assert events[world.pupil_cm1_bis.pk].kind == Kind.LATENESS
    assert events[world.pupil_cm1_bis.pk].at_time == dt.time(8, 20)
    assert page.evaluate("window.sameDocument === true")
