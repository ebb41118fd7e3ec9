import datetime as dt

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from directory.merge import merge_handlers
from presences import calendar, selectors, services
from presences.models import Declaration, Event, Exclusion, YearSettings
from tests.presences.helpers import cm1_absence


def test_a_merge_moves_the_pupil_s_events_and_declarations(world, year_a, monday):
    cm1_absence(world, year_a, monday, pupil=world.pupil_cm1_bis)
    services.declaration_create(
        parent=world.parent_cm1,
        pupil=world.pupil_cm1_bis,
        structure=world.school_a,
        start=monday,
        start_half="am",
        end=monday,
        end_half="am",
        reason=world.school_a.absence_reasons.get(code="A"),
    )
    assert services.pupil_rows_move in merge_handlers()
    for handler in merge_handlers():
        handler(kept=world.pupil_cm1, removed=world.pupil_cm1_bis)
    assert Event.objects.get().pupil == world.pupil_cm1
    assert Declaration.objects.get().pupil == world.pupil_cm1


def test_seed_demo_initialises_presences_with_a_call_today_and_is_idempotent(
    db, client_for, time_machine
):
    from directory import demo as directory_demo
    from presences import demo

    # A Sunday: the demo still has a call to take.
    time_machine.move_to(
        dt.datetime(2026, 11, 8, 8, 30, tzinfo=timezone.get_current_timezone()),
        tick=False,
    )
    directory_demo.seed()
    demo.seed()
    year = YearSettings.objects.get(structure__uai=demo.DEMO_UAI)
    today = timezone.localdate()
    info = calendar.day_info(year, today, year.exclusions.all())
    assert info.halves == ("am", "pm")
    counts = (YearSettings.objects.count(), Exclusion.objects.count())

    demo.seed()
    assert (YearSettings.objects.count(), Exclusion.objects.count()) == counts

    teacher = User.objects.get(username="demo.enseignant")
    klass = selectors.callable_classes(teacher).filter(teacher_links__user=teacher)[0]
    page = client_for(teacher).get(reverse("presences-call", args=[klass.pk]))
    assert "Valider l'appel" in page.content.decode()
