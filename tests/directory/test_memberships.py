from directory import services
from directory.models import Group, GroupKind, GroupRole, Membership


def members(group) -> set[str]:
    return set(group.members.values_list("username", flat=True))


def test_class_groups_hold_pupils_parents_and_teachers(world):
    groups = {
        g.role: g for g in Group.objects.filter(klass=world.cm1, kind=GroupKind.CLASS)
    }
    assert members(groups[GroupRole.PUPILS]) == {"eleve.cm1", "eleve.cm1.bis"}
    assert members(groups[GroupRole.PARENTS]) == {"parent.cm1"}
    assert members(groups[GroupRole.TEACHERS]) == {"prof.cm1"}


def test_school_profile_groups(world):
    parents = Group.objects.get(
        structure=world.school_a, kind=GroupKind.PROFILE, role=GroupRole.PARENTS
    )
    assert members(parents) == {"parent.cm1", "parent.ce1"}


def test_detaching_a_teacher_removes_them_from_the_class_group(world):
    services.class_teacher_detach(klass=world.cm1, teacher=world.teacher_cm1)
    teachers = Group.objects.get(klass=world.cm1, role=GroupRole.TEACHERS)
    assert members(teachers) == set()


def test_rebuild_twice_writes_nothing_the_second_time(world):
    ids = [world.school_a.pk, world.school_b.pk]
    Membership.objects.filter(group__klass=world.cm1).delete()

    added, removed = services.memberships_rebuild(structure_ids=ids)
    assert added == 4 and removed == 0
    assert services.memberships_rebuild(structure_ids=ids) == (0, 0)


def test_a_main_teacher_is_alone_in_being_main(world):
    services.class_teacher_attach(klass=world.cm1, teacher=world.director, is_main=True)
    mains = world.cm1.teacher_links.filter(is_main=True)
    assert list(mains.values_list("user__username", flat=True)) == ["directeur"]
