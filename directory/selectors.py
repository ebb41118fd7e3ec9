"""Reads of the directory that more than one caller needs.

The communication selectors run a fixed number of queries whatever the size of
the directory: memberships and rules are stored, so a check is an indexed
join, never a walk through users.
"""

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith

from accounts.models import User
from directory.models import (
    ADMIN_ROLES,
    AppRight,
    CommunicationRule,
    Group,
    GroupKind,
    GroupRole,
    Membership,
    Structure,
)
from nati.text import normalise_name


def _sender_groups(sender: User) -> QuerySet:
    return Membership.objects.filter(user=sender).values("group_id")


def writable_groups(sender: User) -> QuerySet:
    """Groups whose members the sender may write to: targets of a rule from one
    of the sender's groups, and the sender's own groups whose members talk to
    each other. Lazy: used as a subquery."""
    sender_groups = _sender_groups(sender)
    targets = CommunicationRule.objects.filter(source_id__in=sender_groups).values(
        "target_id"
    )
    return Group.objects.filter(
        Q(pk__in=targets) | Q(pk__in=sender_groups, inner_communication=True)
    ).exclude(kind=GroupKind.FAVOURITES)


def can_communicate(sender: User, recipient: User) -> bool:
    """May `sender` write to `recipient`? One query."""
    if sender.pk == recipient.pk:
        return True
    return Membership.objects.filter(
        user=recipient,
        user__predeleted_at__isnull=True,
        user__is_active=True,
        group_id__in=writable_groups(sender).values("pk"),
    ).exists()


def unreachable_among(sender: User, recipient_ids) -> set[int]:
    """The ids among `recipient_ids` that `sender` may not write to. One query."""
    wanted = set(recipient_ids) - {sender.pk}
    reachable = set(
        Membership.objects.filter(
            user_id__in=wanted,
            user__predeleted_at__isnull=True,
            user__is_active=True,
            group_id__in=writable_groups(sender).values("pk"),
        ).values_list("user_id", flat=True)
    )
    return wanted - reachable


def _search_filter(query: str) -> Q:
    q = Q()
    for word in normalise_name(query).split():
        q &= Q(search_name__contains=word)
    return q


def reachable_users(user: User, query: str = "", limit: int = 20) -> QuerySet:
    """People `user` may write to whose name matches `query`. One query."""
    reachable = Membership.objects.filter(
        user_id=OuterRef("pk"), group_id__in=writable_groups(user).values("pk")
    )
    return (
        User.objects.filter(Exists(reachable), _search_filter(query))
        .filter(predeleted_at__isnull=True, is_active=True)
        .exclude(pk=user.pk)
        .order_by("last_name", "first_name", "pk")[:limit]
    )


def reachable_groups(user: User, query: str = "", limit: int = 20) -> QuerySet:
    """Groups `user` may write to, by name. Manual groups show only to the
    groups they were made visible to. One query."""
    my_groups = _sender_groups(user)
    visible = Q(kind__in=[GroupKind.PROFILE, GroupKind.CLASS, GroupKind.FUNCTION]) | Q(
        kind=GroupKind.MANUAL, visible_to__in=my_groups
    )
    groups = Group.objects.filter(pk__in=writable_groups(user).values("pk")).filter(
        visible
    )
    for word in query.split():
        groups = groups.filter(name__icontains=word)
    return groups.select_related("structure").distinct().order_by("name")[:limit]


def user_has_app(user: User, app: str) -> bool:
    return AppRight.objects.filter(app=app, group__memberships__user=user).exists()


def user_apps(user: User) -> set[str]:
    """Codes of the apps `user` may open. One query."""
    return set(
        AppRight.objects.filter(group__memberships__user=user)
        .values_list("app", flat=True)
        .distinct()
    )


def admin_scope(user: User) -> QuerySet:
    """Every structure `user` administers: those where they hold an admin
    function, and everything below them (their path starts with the function's
    structure's path). Lazy: one query, or a subquery of the caller's."""
    admin_functions = Group.objects.filter(
        kind=GroupKind.FUNCTION,
        role__in=ADMIN_ROLES,
        memberships__user=user,
    ).filter(StartsWith(OuterRef("path"), F("structure__path")))
    return Structure.objects.filter(Exists(admin_functions))


def is_project_lead(user: User) -> bool:
    return Membership.objects.filter(
        user=user, group__role=GroupRole.PROJECT_LEAD, group__kind=GroupKind.FUNCTION
    ).exists()


def user_structures(user: User) -> QuerySet:
    return Structure.objects.filter(affiliations__user=user).order_by("name")


def children_of(parent: User) -> QuerySet:
    return User.objects.filter(parent_links__parent=parent).order_by("first_name")
