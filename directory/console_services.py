"""Writes of the console and the Annuaire that directory/services.py lacks.

Kept in their own module so that the foundation's services stay as they are;
each builds on those services, which write the audit entries.
"""

from collections.abc import Iterable

from django.db import transaction

from accounts.models import User
from directory import services
from directory.models import Group, GroupKind, Structure
from nati.cache import DIRECTORY, writes


@writes(DIRECTORY)
@transaction.atomic
def manual_group_save(
    *,
    structure: Structure,
    actor: User,
    name: str,
    members: Iterable[User],
    visible_to: Iterable[Group],
    written_by: Iterable[Group],
    may_write_to: Iterable[Group],
    inner_communication: bool,
    group: Group | None = None,
    request=None,
) -> Group:
    """Create a manual group with its rules, or change one, in one transaction.
    A creation is audited as group.create then group.update (its rules)."""
    if group is None:
        group = services.manual_group_create(
            structure=structure,
            name=name,
            actor=actor,
            request=request,
        )
    return services.manual_group_update(
        group=group,
        actor=actor,
        name=name,
        members=members,
        visible_to=visible_to,
        inner_communication=inner_communication,
        may_write_to=may_write_to,
        written_by=written_by,
        request=request,
    )


@writes(DIRECTORY)
@transaction.atomic
def favourites_delete(*, owner: User, group: Group) -> None:
    if group.owner_id != owner.pk or group.kind != GroupKind.FAVOURITES:
        raise ValueError("only the owner deletes a favourites list")
    group.delete()
