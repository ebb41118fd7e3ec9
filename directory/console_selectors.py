"""Reads of the admin console: a school's users, classes and groups.

Every list here runs a fixed number of queries whatever its length or the page
size: related rows come through select_related or one prefetch per relation.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Value

from accounts.models import AccountState, Profile, User
from directory.models import (
    Affiliation,
    ClassPupil,
    ClassTeacher,
    Group,
    GroupKind,
    Link,
    Membership,
    SchoolClass,
    Structure,
)
from nati.dates import current_school_year
from nati.text import normalise_name

# The tabs of the groups page: a tab's code and the group kinds it shows.
GROUP_TABS = {
    "manuels": ("Groupes manuels", [GroupKind.MANUAL]),
    "profils": ("Profils et classes", [GroupKind.PROFILE, GroupKind.CLASS]),
    "fonctions": ("Fonctions", [GroupKind.FUNCTION]),
}

# Account-state filter values beyond AccountState: flags kept beside it.
BLOCKED = "blocked"
PREDELETED = "predeleted"


def school_users(school: Structure) -> QuerySet:
    """Everyone of a school: its affiliated users, and the parents of its pupils
    (parents hang from their children, not from the school). Exists subqueries
    keep one row a user without DISTINCT."""
    affiliated = Affiliation.objects.filter(user_id=OuterRef("pk"), structure=school)
    parent = Link.objects.filter(
        parent_id=OuterRef("pk"), child__affiliations__structure=school
    )
    return User.objects.filter(Exists(affiliated) | Exists(parent))


def school_classes(school: Structure) -> QuerySet:
    return SchoolClass.objects.filter(
        structure=school, school_year=current_school_year()
    ).order_by("name")


def users_filtered(
    school: Structure,
    *,
    query: str = "",
    profile: str = "",
    klass: SchoolClass | int | None = None,
    state: str = "",
) -> QuerySet:
    """The console's user list: name (accent-insensitive), profile, class and
    account state filters, with the classes of each user in this school."""
    users = school_users(school)
    for word in normalise_name(query).split():
        users = users.filter(search_name__contains=word)
    if profile:
        users = users.filter(profile=profile)
    if klass is not None:
        users = users.filter(
            Exists(ClassPupil.objects.filter(user_id=OuterRef("pk"), klass=klass))
            | Exists(ClassTeacher.objects.filter(user_id=OuterRef("pk"), klass=klass))
            | Exists(
                Link.objects.filter(
                    parent_id=OuterRef("pk"), child__pupil_links__klass=klass
                )
            )
        )
    if state == BLOCKED:
        users = users.filter(blocked=True)
    elif state == PREDELETED:
        users = users.filter(predeleted_at__isnull=False)
    elif state:
        users = users.filter(account_state=state)
    return users.order_by("last_name", "first_name", "pk").only(*_ROW_FIELDS)


def users_in_order(ids: list[int]) -> list[User]:
    """These users, in this order, with what a row of the list shows."""
    found = User.objects.only(*_ROW_FIELDS).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


# What a row of the list shows: reading only these keeps a page light.
_ROW_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "profile",
    "account_state",
    "blocked",
    "predeleted_at",
    "last_login",
)


def account_badge(user: User) -> tuple[str, str]:
    """(badge class, label) of an account: the blocked and pre-deleted flags
    first, then the state."""
    if user.predeleted_at is not None:
        return "bad", "Pré-supprimé"
    if user.blocked:
        return "bad", "Bloqué"
    css = "ok" if user.account_state == AccountState.ACTIVE else "warn"
    return css, user.get_account_state_display()


@dataclass(frozen=True)
class UserRow:
    pk: int
    name: str
    username: str
    profile: str
    classes: str
    badge: str
    state: str
    last_login: object


def school_class_names(school: Structure) -> dict[int, str]:
    """The classes of every pupil and teacher of the school, as the user list
    shows them, by user id: one query, kept in the cache by the console."""
    pupil_of = ClassPupil.objects.filter(klass__structure=school).values_list(
        "user_id", "klass__name", Value(False)
    )
    teacher_of = ClassTeacher.objects.filter(klass__structure=school).values_list(
        "user_id", "klass__name", "is_main"
    )
    classes: dict[int, list[str]] = {}
    for user_id, name, is_main in pupil_of.union(teacher_of, all=True).order_by(
        "klass__name"
    ):
        classes.setdefault(user_id, []).append(
            f"{name} (principal)" if is_main else name
        )
    return {user_id: ", ".join(names) for user_id, names in classes.items()}


def user_rows(users, class_names: dict[int, str]) -> list[UserRow]:
    """The list's rows, put together here rather than in the template (per-row
    template loops cost more than the queries behind them, bench/portal)."""
    return [
        UserRow(
            user.pk,
            f"{user.last_name} {user.first_name}".strip() or user.username,
            user.username,
            user.get_profile_display(),
            class_names.get(user.pk, ""),
            *account_badge(user),
            user.last_login,
        )
        for user in users
    ]


def user_card(school: Structure, user: User) -> dict:
    """What the console shows of one user: structures, classes, functions and
    family, each one query."""
    return {
        "structures": Structure.objects.filter(affiliations__user=user).order_by(
            "name"
        ),
        "pupil_classes": ClassPupil.objects.filter(user=user).select_related(
            "klass__structure"
        ),
        "teacher_classes": ClassTeacher.objects.filter(user=user).select_related(
            "klass__structure"
        ),
        "functions": Group.objects.filter(
            kind=GroupKind.FUNCTION, memberships__user=user
        ).select_related("structure"),
        "children": Link.objects.filter(parent=user).select_related("child"),
        "parents": Link.objects.filter(child=user).select_related("parent"),
    }


def school_teachers(school: Structure) -> QuerySet:
    """Who may be attached to a class of the school: its teachers and staff."""
    return (
        User.objects.filter(
            affiliations__structure=school,
            profile__in=[Profile.TEACHER, Profile.STAFF],
            predeleted_at__isnull=True,
        )
        .order_by("last_name", "first_name")
        .distinct()
    )


def classes_with_teachers(school: Structure) -> QuerySet:
    return school_classes(school).prefetch_related(
        Prefetch(
            "teacher_links",
            queryset=ClassTeacher.objects.select_related("user").order_by(
                "-is_main", "user__last_name"
            ),
        )
    )


def school_groups(school: Structure, kinds=None) -> QuerySet:
    """The school's groups (never the users' favourites), with member counts."""
    groups = Group.objects.filter(structure=school).exclude(kind=GroupKind.FAVOURITES)
    if kinds is not None:
        groups = groups.filter(kind__in=kinds)
    return groups.annotate(member_count=Count("memberships")).order_by(
        "kind", "klass__name", "name"
    )


def group_members(group: Group) -> QuerySet:
    return (
        Membership.objects.filter(group=group)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )


def teacher_classes(user: User) -> QuerySet:
    """The classes `user` teaches this school year, for their home page."""
    return (
        ClassTeacher.objects.filter(user=user, klass__school_year=current_school_year())
        .select_related("klass__structure")
        .annotate(pupil_count=Count("klass__pupil_links"))
        .order_by("klass__structure__name", "klass__name")
    )


def group_rules(group: Group) -> dict:
    return {
        "may_write_to": Group.objects.filter(rules_in__source=group).order_by("name"),
        "written_by": Group.objects.filter(rules_out__target=group).order_by("name"),
        "visible_to": group.visible_to.order_by("name"),
    }
