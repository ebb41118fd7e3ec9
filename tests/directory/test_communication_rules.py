from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory import selectors, services
from directory.models import Group, GroupKind, GroupRole

SCHOOL_A = [
    "director",
    "teacher_cm1",
    "staff_a",
    "pupil_cm1",
    "pupil_cm1_bis",
    "parent_cm1",
    "pupil_ce1",
    "parent_ce1",
]
SCHOOL_B = ["teacher_b", "pupil_b", "parent_b"]
ADULTS_OF_A = {"director", "teacher_cm1", "staff_a"}

# Who may write to whom by default, beyond the school's adults, who reach every
# member of their school. Everything not listed is out of reach.
FAMILY_REACH = {
    "pupil_cm1": {"teacher_cm1", "director", "staff_a"},
    "pupil_cm1_bis": {"teacher_cm1", "director", "staff_a"},
    "parent_cm1": {"teacher_cm1", "director", "staff_a"},
    # The CE1 teacher is the director.
    "pupil_ce1": {"director", "staff_a"},
    "parent_ce1": {"director", "staff_a"},
    "teacher_b": {"pupil_b", "parent_b"},
    "pupil_b": {"teacher_b"},
    "parent_b": {"teacher_b"},
}


def expected(sender: str, recipient: str) -> bool:
    if sender in ADULTS_OF_A:
        return recipient in SCHOOL_A
    return recipient in FAMILY_REACH[sender]


CELLS = [(s, r) for s in SCHOOL_A + SCHOOL_B for r in SCHOOL_A + SCHOOL_B if s != r]


def test_default_matrix_cell_by_cell(world):
    wrong = [
        f"{sender} -> {recipient}: expected {expected(sender, recipient)}"
        for sender, recipient in CELLS
        if selectors.can_communicate(getattr(world, sender), getattr(world, recipient))
        is not expected(sender, recipient)
    ]
    assert wrong == []
    assert len(CELLS) == 110


def test_pupils_write_to_each_other_once_a_teacher_allows_it(world):
    pupils_cm1 = Group.objects.get(
        klass=world.cm1, kind=GroupKind.CLASS, role=GroupRole.PUPILS
    )
    assert not selectors.can_communicate(world.pupil_cm1, world.pupil_cm1_bis)

    services.group_inner_rule_set(
        group=pupils_cm1, allowed=True, actor=world.teacher_cm1
    )

    assert selectors.can_communicate(world.pupil_cm1, world.pupil_cm1_bis)
    assert not selectors.can_communicate(world.pupil_cm1, world.pupil_ce1)


def test_a_predeleted_user_is_out_of_reach(world):
    world.parent_cm1.predeleted_at = world.parent_cm1.date_joined
    world.parent_cm1.save()
    assert not selectors.can_communicate(world.teacher_cm1, world.parent_cm1)


def test_can_communicate_is_one_query(world):
    with CaptureQueriesContext(connection) as queries:
        selectors.can_communicate(world.parent_cm1, world.teacher_cm1)
    assert len(queries) == 1


def test_reachable_users_is_one_query_and_respects_the_rules(world):
    with CaptureQueriesContext(connection) as queries:
        names = {u.username for u in selectors.reachable_users(world.pupil_cm1, "")}
    assert len(queries) == 1
    assert names == {"prof.cm1", "directeur", "personnel.a"}


def test_reachable_users_matches_names_without_accents(world):
    found = selectors.reachable_users(world.teacher_cm1, "putai")
    assert {u.username for u in found} == {"eleve.cm1", "parent.cm1"}


def test_unreachable_among_names_who_is_out_of_reach(world):
    ids = [world.teacher_cm1.pk, world.parent_b.pk, world.pupil_cm1_bis.pk]
    assert selectors.unreachable_among(world.pupil_cm1, ids) == {
        world.parent_b.pk,
        world.pupil_cm1_bis.pk,
    }


def test_a_manual_group_is_visible_only_to_the_groups_named(world):
    teachers_a = Group.objects.get(
        structure=world.school_a, kind=GroupKind.PROFILE, role=GroupRole.TEACHERS
    )
    group = services.manual_group_create(
        structure=world.school_a,
        name="Chorale",
        actor=world.director,
        members=[world.pupil_cm1, world.pupil_ce1],
    )
    services.manual_group_update(
        group=group, actor=world.director, written_by=[teachers_a]
    )
    assert group not in selectors.reachable_groups(world.teacher_cm1, "Chorale")

    services.manual_group_update(
        group=group, actor=world.director, visible_to=[teachers_a]
    )
    assert group in selectors.reachable_groups(world.teacher_cm1, "Chorale")
    assert group not in selectors.reachable_groups(world.pupil_cm1, "Chorale")
