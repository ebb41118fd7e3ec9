"""Console test helpers: every console page, built for a school of the world."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from directory.models import Group, GroupKind, GroupRole


@dataclass(frozen=True)
class Page:
    name: str
    method: str  # the method the page answers to ("GET" or "POST")
    # Names of world attributes, in URL order; "school" is replaced by the
    # school asked for, the others are objects of that school (see objects_of).
    args: tuple[str, ...]
    data: tuple[tuple[str, str], ...] = ()


CONSOLE_PAGES = [
    Page("console-users", "GET", ("school",)),
    Page("console-user", "GET", ("school", "pupil")),
    Page("console-user-photo-remove", "POST", ("school", "pupil")),
    Page("console-user-motto-remove", "POST", ("school", "pupil")),
    Page("console-classes", "GET", ("school",)),
    Page("console-class-teacher-attach", "POST", ("school", "klass")),
    Page("console-class-teacher-detach", "POST", ("school", "klass", "teacher")),
    Page("console-class-teacher-main", "POST", ("school", "klass", "teacher")),
    Page("console-groups", "GET", ("school",)),
    Page("console-group", "GET", ("school", "group")),
    Page("console-group-create", "GET", ("school",)),
    Page("console-group-edit", "GET", ("school", "manual")),
    Page("console-rights", "GET", ("school",)),
    Page("console-right-set", "POST", ("school", "group"), (("app", "gar"),)),
    Page("console-family-messaging", "POST", ("school",), (("enabled", "0"),)),
]


def manual_group(world, school):
    from directory.services import manual_group_create

    return manual_group_create(structure=school, name="Atelier", actor=world.director)


def objects_of(world, school) -> dict:
    """A pupil, a class, its teacher and groups of `school` (A or B)."""
    is_a = school.pk == world.school_a.pk
    klass = world.cm1 if is_a else world.cm1_b
    manual = Group.objects.filter(structure=school, kind=GroupKind.MANUAL).first()
    return {
        "school": school,
        "pupil": world.pupil_cm1 if is_a else world.pupil_b,
        "klass": klass,
        "teacher": world.teacher_cm1 if is_a else world.teacher_b,
        "group": Group.objects.get(
            structure=school, kind=GroupKind.PROFILE, role=GroupRole.PUPILS
        ),
        "manual": manual or manual_group(world, school),
    }


def url_of(page: Page, objects: dict) -> str:
    return reverse(page.name, args=[objects[a].pk for a in page.args])


@pytest.fixture
def objects(world):
    return lambda school: objects_of(world, school)
