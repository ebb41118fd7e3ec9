"""Every write to the directory. Keyword-only, one transaction each.

Dynamic groups (profile and class) are never edited by hand: the facts they
come from (affiliations, class links, parent links) are written here, then
`memberships_rebuild` brings the stored membership in line, in bulk.
"""

import logging
from collections.abc import Iterable

from django.db import connection, transaction

from accounts.models import Profile, User
from directory.models import (
    Affiliation,
    AppRight,
    ClassPupil,
    ClassTeacher,
    CommunicationRule,
    Group,
    GroupKind,
    GroupRole,
    Link,
    Membership,
    SchoolClass,
    Structure,
    StructureKind,
)
from nati import portal
from nati.audit import audit_record
from nati.cache import DIRECTORY, writes

logger = logging.getLogger(__name__)

PROFILE_ROLES = {
    Profile.PUPIL: GroupRole.PUPILS,
    Profile.PARENT: GroupRole.PARENTS,
    Profile.TEACHER: GroupRole.TEACHERS,
    Profile.STAFF: GroupRole.STAFF,
}
SCHOOL_PROFILE_GROUPS = [
    (GroupRole.PUPILS, "Élèves"),
    (GroupRole.PARENTS, "Parents"),
    (GroupRole.TEACHERS, "Enseignants"),
    (GroupRole.STAFF, "Personnels"),
]
SCHOOL_FUNCTION_GROUPS = [
    (GroupRole.ADML, "ADML"),
    (GroupRole.DIRECTION, "Direction"),
]
CLASS_GROUPS = [
    (GroupRole.PUPILS, "Élèves"),
    (GroupRole.PARENTS, "Parents"),
    (GroupRole.TEACHERS, "Enseignants"),
]

# The default rules of a school (DESIGN.md): teachers, staff and the direction
# talk with everyone of the school; parents and pupils write to the school's
# staff and direction, and (class rules below) to their class's teachers.
_SCHOOL_TALKERS = [
    GroupRole.TEACHERS,
    GroupRole.STAFF,
    GroupRole.ADML,
    GroupRole.DIRECTION,
]
_EVERY_SCHOOL_ROLE = [
    role for role, _ in SCHOOL_PROFILE_GROUPS + SCHOOL_FUNCTION_GROUPS
]
_FAMILY_TARGETS = [GroupRole.STAFF, GroupRole.DIRECTION]


def _path_of(parent: Structure | None, pk: int) -> str:
    return f"{parent.path if parent else '/'}{pk}/"


@writes(DIRECTORY)
@transaction.atomic
def structure_create(
    *,
    kind: str,
    name: str,
    parent: Structure | None = None,
    uai: str | None = None,
    type_struct: str = "",
    postal_code: str = "",
    town: str = "",
    source: str = "manual",
    external_id: str = "",
) -> Structure:
    structure = Structure.objects.create(
        kind=kind,
        name=name,
        parent=parent,
        uai=uai or None,
        type_struct=type_struct,
        postal_code=postal_code,
        town=town,
        source=source,
        external_id=external_id,
        path="",
    )
    structure.path = _path_of(parent, structure.pk)
    Structure.objects.filter(pk=structure.pk).update(path=structure.path)
    structure_defaults_ensure(structure=structure)
    return structure


def _group(structure: Structure, kind: str, role: str, name: str, klass=None) -> Group:
    lookup = {"structure": structure, "kind": kind, "role": role, "klass": klass}
    group, _ = Group.objects.get_or_create(**lookup, defaults={"name": name})
    return group


@writes(DIRECTORY)
@transaction.atomic
def structure_defaults_ensure(*, structure: Structure) -> None:
    """The groups, rules and app rights every structure starts with. Idempotent."""
    if structure.kind == StructureKind.DISTRICT:
        group = _group(
            structure, GroupKind.FUNCTION, GroupRole.DISTRICT_STAFF, "Circonscription"
        )
        _default_rights([group])
        return
    if structure.kind == StructureKind.TERRITORY:
        group = _group(
            structure, GroupKind.FUNCTION, GroupRole.PROJECT_LEAD, "Chefs de projet ENT"
        )
        _default_rights([group])
        return

    groups = {
        role: _group(structure, GroupKind.PROFILE, role, label)
        for role, label in SCHOOL_PROFILE_GROUPS
    }
    groups |= {
        role: _group(structure, GroupKind.FUNCTION, role, label)
        for role, label in SCHOOL_FUNCTION_GROUPS
    }
    Group.objects.filter(pk__in=[groups[r].pk for r in _SCHOOL_TALKERS]).update(
        inner_communication=True
    )
    pairs = [
        (groups[s], groups[t]) for s in _SCHOOL_TALKERS for t in _EVERY_SCHOOL_ROLE
    ]
    pairs += [
        (groups[s], groups[t])
        for s in (GroupRole.PUPILS, GroupRole.PARENTS)
        for t in _FAMILY_TARGETS
    ]
    _rules_ensure(pairs)
    _default_rights(groups.values())


def _rules_ensure(pairs: Iterable[tuple[Group, Group]]) -> None:
    CommunicationRule.objects.bulk_create(
        [CommunicationRule(source=s, target=t) for s, t in pairs],
        ignore_conflicts=True,
    )


def _default_rights(groups: Iterable[Group]) -> None:
    rights = [
        AppRight(group=group, app=app.code)
        for group in groups
        for app in portal.APPS.values()
        if group.role in app.default_roles
    ]
    AppRight.objects.bulk_create(rights, ignore_conflicts=True)


@writes(DIRECTORY)
@transaction.atomic
def class_create(
    *,
    structure: Structure,
    school_year: int,
    name: str,
    levels: list[str] | None = None,
    code: str = "",
) -> SchoolClass:
    klass = SchoolClass.objects.create(
        structure=structure,
        school_year=school_year,
        name=name,
        levels=levels or [],
        code=code,
    )
    class_groups_ensure(klass=klass)
    return klass


def class_groups_ensure(*, klass: SchoolClass) -> dict[str, Group]:
    """A class's three groups and their default rules. Idempotent."""
    groups = {
        role: _group(
            klass.structure, GroupKind.CLASS, role, f"{label} de {klass.name}", klass
        )
        for role, label in CLASS_GROUPS
    }
    teachers = groups[GroupRole.TEACHERS]
    Group.objects.filter(pk=teachers.pk).update(inner_communication=True)
    _rules_ensure(
        [
            (groups[GroupRole.PUPILS], teachers),
            (groups[GroupRole.PARENTS], teachers),
            (teachers, groups[GroupRole.PUPILS]),
            (teachers, groups[GroupRole.PARENTS]),
        ]
    )
    _default_rights([teachers])
    return groups


@writes(DIRECTORY)
@transaction.atomic
def affiliation_add(*, user: User, structure: Structure) -> None:
    Affiliation.objects.get_or_create(user=user, structure=structure)
    memberships_rebuild(structure_ids=[structure.pk])


@writes(DIRECTORY)
@transaction.atomic
def class_pupil_add(*, klass: SchoolClass, pupil: User) -> None:
    Affiliation.objects.get_or_create(user=pupil, structure=klass.structure)
    ClassPupil.objects.get_or_create(klass=klass, user=pupil)
    memberships_rebuild(structure_ids=[klass.structure_id])


@writes(DIRECTORY)
@transaction.atomic
def class_teacher_attach(
    *,
    klass: SchoolClass,
    teacher: User,
    is_main: bool = False,
    actor: User | None = None,
    request=None,
) -> ClassTeacher:
    if teacher.profile not in (Profile.TEACHER, Profile.STAFF):
        raise ValueError("only teachers and staff are attached to a class")
    Affiliation.objects.get_or_create(user=teacher, structure=klass.structure)
    link, _ = ClassTeacher.objects.get_or_create(klass=klass, user=teacher)
    if is_main:
        ClassTeacher.objects.filter(klass=klass).exclude(pk=link.pk).update(
            is_main=False
        )
    if link.is_main != is_main:
        link.is_main = is_main
        link.save(update_fields=["is_main"])
    memberships_rebuild(structure_ids=[klass.structure_id])
    if actor is not None:
        audit_record(
            action="class.teacher_attach",
            actor=actor,
            target=klass,
            structure=klass.structure,
            request=request,
            data={"teacher": teacher.pk, "is_main": is_main},
        )
    return link


@writes(DIRECTORY)
@transaction.atomic
def class_teacher_detach(
    *, klass: SchoolClass, teacher: User, actor: User | None = None, request=None
) -> None:
    ClassTeacher.objects.filter(klass=klass, user=teacher).delete()
    memberships_rebuild(structure_ids=[klass.structure_id])
    if actor is not None:
        audit_record(
            action="class.teacher_detach",
            actor=actor,
            target=klass,
            structure=klass.structure,
            request=request,
            data={"teacher": teacher.pk},
        )


@writes(DIRECTORY)
@transaction.atomic
def link_create(
    *, parent: User, child: User, legal_representative: bool = True
) -> Link:
    link, _ = Link.objects.update_or_create(
        parent=parent,
        child=child,
        defaults={"legal_representative": legal_representative},
    )
    structure_ids = list(
        Affiliation.objects.filter(user=child).values_list("structure_id", flat=True)
    )
    memberships_rebuild(structure_ids=structure_ids)
    return link


@writes(DIRECTORY)
@transaction.atomic
def function_grant(
    *, user: User, structure: Structure, role: str, actor: User | None = None
) -> Group:
    """ADML, direction, district staff or project lead of a structure."""
    group = Group.objects.get(structure=structure, kind=GroupKind.FUNCTION, role=role)
    Membership.objects.get_or_create(group=group, user=user)
    if actor is not None:
        audit_record(
            action="function.grant",
            actor=actor,
            target=group,
            structure=structure,
            data={"user": user.pk, "role": role},
        )
    return group


def _desired_memberships_sql(structure_ids: list[int]) -> str:
    """SQL for the (group_id, user_id) of every profile and class group of these
    structures, computed by the database from the facts (no row comes back).

    The same facts as ever: a school's profile groups hold its affiliated
    pupils, teachers and staff; its parents group the parents of its pupils;
    a class's groups its pupils, their parents and its teachers. Pre-deleted
    users (parent or child) are left out."""
    ids = ", ".join(str(int(pk)) for pk in structure_ids)
    role_of = " ".join(
        f"WHEN '{profile}' THEN '{role}'"
        for profile, role in PROFILE_ROLES.items()
        if role != GroupRole.PARENTS
    )
    profile, klass = GroupKind.PROFILE.value, GroupKind.CLASS.value
    pupils, parents = GroupRole.PUPILS.value, GroupRole.PARENTS.value
    teachers = GroupRole.TEACHERS.value
    q = {
        "user": User._meta.db_table,
        "affiliation": Affiliation._meta.db_table,
        "link": Link._meta.db_table,
        "group": Group._meta.db_table,
        "pupil": ClassPupil._meta.db_table,
        "teacher": ClassTeacher._meta.db_table,
    }
    return f"""
        SELECT g.id AS group_id, a.user_id AS user_id
        FROM {q["affiliation"]} a
        JOIN {q["user"]} u ON u.id = a.user_id AND u.predeleted_at IS NULL
        JOIN {q["group"]} g ON g.structure_id = a.structure_id
            AND g.kind = '{profile}' AND g.role = CASE u.profile {role_of} END
        WHERE a.structure_id IN ({ids}) AND g.structure_id IN ({ids})
        UNION
        SELECT g.id, l.parent_id
        FROM {q["link"]} l
        JOIN {q["user"]} c ON c.id = l.child_id AND c.predeleted_at IS NULL
        JOIN {q["user"]} p ON p.id = l.parent_id AND p.predeleted_at IS NULL
        JOIN {q["affiliation"]} a ON a.user_id = l.child_id
        JOIN {q["group"]} g ON g.structure_id = a.structure_id
            AND g.kind = '{profile}' AND g.role = '{parents}'
        WHERE a.structure_id IN ({ids}) AND g.structure_id IN ({ids})
        UNION
        SELECT g.id, cp.user_id
        FROM {q["pupil"]} cp
        JOIN {q["user"]} u ON u.id = cp.user_id AND u.predeleted_at IS NULL
        JOIN {q["group"]} g ON g.klass_id = cp.klass_id
            AND g.kind = '{klass}' AND g.role = '{pupils}'
        WHERE g.structure_id IN ({ids})
        UNION
        SELECT g.id, l.parent_id
        FROM {q["link"]} l
        JOIN {q["user"]} c ON c.id = l.child_id AND c.predeleted_at IS NULL
        JOIN {q["user"]} p ON p.id = l.parent_id AND p.predeleted_at IS NULL
        JOIN {q["pupil"]} cp ON cp.user_id = l.child_id
        JOIN {q["group"]} g ON g.klass_id = cp.klass_id
            AND g.kind = '{klass}' AND g.role = '{parents}'
        WHERE g.structure_id IN ({ids})
        UNION
        SELECT g.id, ct.user_id
        FROM {q["teacher"]} ct
        JOIN {q["user"]} u ON u.id = ct.user_id AND u.predeleted_at IS NULL
        JOIN {q["group"]} g ON g.klass_id = ct.klass_id
            AND g.kind = '{klass}' AND g.role = '{teachers}'
        WHERE g.structure_id IN ({ids})
    """  # noqa: S608 (ids are integers, the rest the models' own names)


@writes(DIRECTORY)
@transaction.atomic
def memberships_rebuild(*, structure_ids: Iterable[int]) -> tuple[int, int]:
    """Bring the profile and class groups of these structures in line with the
    facts, in bulk. Returns (added, removed).

    The database computes the difference itself: the wanted rows once, into a
    temporary table, then one DELETE of the stale rows and one INSERT of the
    missing ones. At the territory's size no membership row travels to Python
    and back."""
    structure_ids = sorted(set(structure_ids))
    if not structure_ids:
        return 0, 0
    ids = ", ".join(str(int(pk)) for pk in structure_ids)
    membership, group = Membership._meta.db_table, Group._meta.db_table
    kinds = f"'{GroupKind.PROFILE.value}', '{GroupKind.CLASS.value}'"
    desired = _desired_memberships_sql(structure_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE membership_desired AS {desired}")
        cursor.execute(
            f"""
            DELETE FROM {membership} WHERE id IN (
                SELECT m.id FROM {membership} m
                JOIN {group} g ON g.id = m.group_id
                WHERE g.structure_id IN ({ids}) AND g.kind IN ({kinds})
                AND NOT EXISTS (
                    SELECT 1 FROM membership_desired d
                    WHERE d.group_id = m.group_id AND d.user_id = m.user_id
                )
            )
            """  # noqa: S608
        )
        removed = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO {membership} (group_id, user_id)
            SELECT d.group_id, d.user_id FROM membership_desired d
            WHERE NOT EXISTS (
                SELECT 1 FROM {membership} m
                WHERE m.group_id = d.group_id AND m.user_id = d.user_id
            )
            ON CONFLICT DO NOTHING
            """  # noqa: S608
        )
        added = cursor.rowcount
        cursor.execute("DROP TABLE membership_desired")
    return added, removed


@writes(DIRECTORY)
@transaction.atomic
def manual_group_create(
    *,
    structure: Structure,
    name: str,
    actor: User,
    members: Iterable[User] = (),
    visible_to: Iterable[Group] = (),
    inner_communication: bool = False,
    request=None,
) -> Group:
    group = Group.objects.create(
        structure=structure,
        kind=GroupKind.MANUAL,
        name=name,
        inner_communication=inner_communication,
    )
    Membership.objects.bulk_create([Membership(group=group, user=u) for u in members])
    group.visible_to.set(list(visible_to))
    audit_record(
        action="group.create",
        actor=actor,
        target=group,
        structure=structure,
        request=request,
    )
    return group


@writes(DIRECTORY)
@transaction.atomic
def manual_group_update(
    *,
    group: Group,
    actor: User,
    name: str | None = None,
    members: Iterable[User] | None = None,
    visible_to: Iterable[Group] | None = None,
    inner_communication: bool | None = None,
    may_write_to: Iterable[Group] | None = None,
    written_by: Iterable[Group] | None = None,
    request=None,
) -> Group:
    if group.is_dynamic:
        raise ValueError("dynamic groups are rebuilt by the import, never edited")
    if name is not None:
        group.name = name
    if inner_communication is not None:
        group.inner_communication = inner_communication
    group.save(update_fields=["name", "inner_communication"])
    if members is not None:
        wanted = {u.pk for u in members}
        Membership.objects.filter(group=group).exclude(user_id__in=wanted).delete()
        Membership.objects.bulk_create(
            [Membership(group=group, user_id=pk) for pk in wanted],
            ignore_conflicts=True,
        )
    if visible_to is not None:
        group.visible_to.set(list(visible_to))
    if may_write_to is not None:
        _rules_replace(group, [(group, t) for t in may_write_to], outgoing=True)
    if written_by is not None:
        _rules_replace(group, [(s, group) for s in written_by], outgoing=False)
    audit_record(
        action="group.update",
        actor=actor,
        target=group,
        structure=group.structure,
        request=request,
    )
    return group


def _rules_replace(group: Group, pairs: list[tuple[Group, Group]], *, outgoing: bool):
    side = {"source": group} if outgoing else {"target": group}
    CommunicationRule.objects.filter(**side).delete()
    _rules_ensure(pairs)


@writes(DIRECTORY)
@transaction.atomic
def group_inner_rule_set(
    *, group: Group, allowed: bool, actor: User, request=None
) -> None:
    """A teacher lets the pupils of a class write to each other, or stops it."""
    Group.objects.filter(pk=group.pk).update(inner_communication=allowed)
    group.inner_communication = allowed
    audit_record(
        action="group.inner_rule",
        actor=actor,
        target=group,
        structure=group.structure,
        request=request,
        data={"allowed": allowed},
    )


@writes(DIRECTORY)
@transaction.atomic
def app_right_set(
    *, group: Group, app: str, granted: bool, actor: User, request=None
) -> None:
    if app not in portal.APPS and not app.startswith("connector:"):
        raise ValueError(f"unknown app {app!r}")
    if granted:
        AppRight.objects.get_or_create(group=group, app=app)
    else:
        AppRight.objects.filter(group=group, app=app).delete()
    audit_record(
        action="app_right.grant" if granted else "app_right.revoke",
        actor=actor,
        target=group,
        structure=group.structure,
        request=request,
        data={"app": app},
    )


@writes(DIRECTORY)
@transaction.atomic
def school_family_messaging_set(
    *, structure: Structure, enabled: bool, actor: User, request=None
) -> None:
    """Take Messagerie away from a school's pupils and parents, or give it back:
    one action each way, on the profile and class groups of both."""
    groups = Group.objects.filter(
        structure=structure,
        kind__in=[GroupKind.PROFILE, GroupKind.CLASS],
        role__in=[GroupRole.PUPILS, GroupRole.PARENTS],
    )
    if enabled:
        AppRight.objects.bulk_create(
            [
                AppRight(group=g, app=portal.MESSAGERIE)
                for g in groups
                if g.kind == GroupKind.PROFILE
            ],
            ignore_conflicts=True,
        )
    else:
        AppRight.objects.filter(group__in=groups, app=portal.MESSAGERIE).delete()
    audit_record(
        action="messagerie.families_on" if enabled else "messagerie.families_off",
        actor=actor,
        target=structure,
        structure=structure,
        request=request,
    )


@writes(DIRECTORY)
@transaction.atomic
def favourites_save(
    *,
    owner: User,
    structure: Structure,
    name: str,
    members: Iterable[User],
    group: Group | None = None,
) -> Group:
    """A user's own list of people, kept in the Annuaire. The caller checks that
    every member is within the owner's reach."""
    if group is None:
        group = Group.objects.create(
            structure=structure, kind=GroupKind.FAVOURITES, owner=owner, name=name
        )
    elif group.owner_id != owner.pk or group.kind != GroupKind.FAVOURITES:
        raise ValueError("only the owner edits a favourites list")
    else:
        group.name = name
        group.save(update_fields=["name"])
    wanted = {u.pk for u in members}
    Membership.objects.filter(group=group).exclude(user_id__in=wanted).delete()
    Membership.objects.bulk_create(
        [Membership(group=group, user_id=pk) for pk in wanted], ignore_conflicts=True
    )
    return group


@writes(DIRECTORY)
@transaction.atomic
def pupils_enrol(*, klass: SchoolClass, pupils: Iterable[User]) -> None:
    """Put many pupils in a class at once, then rebuild the groups once."""
    pupils = list(pupils)
    Affiliation.objects.bulk_create(
        [Affiliation(user=p, structure_id=klass.structure_id) for p in pupils],
        ignore_conflicts=True,
    )
    ClassPupil.objects.bulk_create(
        [ClassPupil(klass=klass, user=p) for p in pupils], ignore_conflicts=True
    )
    memberships_rebuild(structure_ids=[klass.structure_id])


@writes(DIRECTORY)
@transaction.atomic
def links_create(*, pairs: Iterable[tuple[User, User]]) -> None:
    """Many (parent, child) legal-representative links at once."""
    pairs = list(pairs)
    Link.objects.bulk_create(
        [Link(parent=p, child=c, legal_representative=True) for p, c in pairs],
        ignore_conflicts=True,
    )
    structure_ids = Affiliation.objects.filter(
        user_id__in={c.pk for _, c in pairs}
    ).values_list("structure_id", flat=True)
    memberships_rebuild(structure_ids=set(structure_ids))


# --- Bulk variants for the feed import (directory.feeds.apply) ---------------


@writes(DIRECTORY)
@transaction.atomic
def classes_groups_ensure(*, classes: Iterable[SchoolClass]) -> None:
    """class_groups_ensure for many classes, in a fixed number of queries."""
    classes = list(classes)
    if not classes:
        return
    Group.objects.bulk_create(
        [
            Group(
                structure_id=klass.structure_id,
                kind=GroupKind.CLASS,
                role=role,
                klass=klass,
                name=f"{label} de {klass.name}",
                inner_communication=role == GroupRole.TEACHERS,
            )
            for klass in classes
            for role, label in CLASS_GROUPS
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    groups = {
        (g.klass_id, g.role): g
        for g in Group.objects.filter(
            kind=GroupKind.CLASS, klass_id__in=[k.pk for k in classes]
        )
    }
    pairs = []
    for klass in classes:
        teachers = groups[(klass.pk, GroupRole.TEACHERS)]
        for role in (GroupRole.PUPILS, GroupRole.PARENTS):
            pairs += [(groups[(klass.pk, role)], teachers)]
            pairs += [(teachers, groups[(klass.pk, role)])]
    _rules_ensure(pairs)
    _default_rights(g for g in groups.values() if g.role == GroupRole.TEACHERS)


@writes(DIRECTORY)
@transaction.atomic
def direction_grant_many(*, pairs: Iterable[tuple[int, int]]) -> int:
    """(structure id, user id): membership of the school's direction group, for
    those not yet in it. Returns how many were added."""
    pairs = set(pairs)
    if not pairs:
        return 0
    groups = dict(
        Group.objects.filter(
            kind=GroupKind.FUNCTION,
            role=GroupRole.DIRECTION,
            structure_id__in={s for s, _ in pairs},
        ).values_list("structure_id", "pk")
    )
    wanted = {(groups[s], u) for s, u in pairs if s in groups}
    present = set(
        Membership.objects.filter(
            group_id__in=groups.values(), user_id__in={u for _, u in wanted}
        ).values_list("group_id", "user_id")
    )
    missing = [Membership(group_id=g, user_id=u) for g, u in wanted - present]
    Membership.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


@writes(DIRECTORY)
@transaction.atomic
def schools_create(
    *, schools: list[Structure], parent: Structure | None
) -> list[Structure]:
    """structure_create for many schools (unsaved Structure objects) at once:
    the same groups, rules and app rights, in a fixed number of queries."""
    if not schools:
        return []
    for school in schools:
        school.kind, school.parent, school.path = StructureKind.SCHOOL, parent, ""
    Structure.objects.bulk_create(schools)
    for school in schools:
        school.path = _path_of(parent, school.pk)
    Structure.objects.bulk_update(schools, ["path"])

    kinds = [(GroupKind.PROFILE, SCHOOL_PROFILE_GROUPS)]
    kinds += [(GroupKind.FUNCTION, SCHOOL_FUNCTION_GROUPS)]
    groups = [
        Group(
            structure=school,
            kind=kind,
            role=role,
            name=label,
            inner_communication=role in _SCHOOL_TALKERS,
        )
        for school in schools
        for kind, roles in kinds
        for role, label in roles
    ]
    Group.objects.bulk_create(groups)
    by_role = {(g.structure_id, g.role): g for g in groups}
    pairs = []
    for school in schools:
        of = {role: by_role[(school.pk, role)] for role in _EVERY_SCHOOL_ROLE}
        pairs += [(of[s], of[t]) for s in _SCHOOL_TALKERS for t in _EVERY_SCHOOL_ROLE]
        pairs += [
            (of[s], of[t])
            for s in (GroupRole.PUPILS, GroupRole.PARENTS)
            for t in _FAMILY_TARGETS
        ]
    _rules_ensure(pairs)
    _default_rights(groups)
    return schools
