"""Possible duplicates: two accounts with the same normalised last name, first
name and birth date (when both are known), in the same profile."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from accounts.models import AccountState, Source, User
from directory import services
from directory.merge import merge_handlers
from directory.models import (
    Affiliation,
    ClassPupil,
    ClassTeacher,
    DuplicatePair,
    DuplicateState,
    Group,
    Link,
    Membership,
)
from nati.audit import audit_record
from nati.cache import DIRECTORY, writes
from nati.text import normalise_name

# A name shared by more people than this is a common name, not a duplicate:
# listing every pair would bury the real ones.
MAX_GROUP = 4


@transaction.atomic
def duplicates_detect(*, user_ids: Iterable[int]) -> int:
    """List the new pairs involving these users; returns how many were added.

    Pairs already listed (open, dissociated or merged) are left as they are.
    One pass over the candidates: a user of `user_ids` who is not a candidate
    (inactive, merged) can be in no pair, so their key is not needed."""
    user_ids = set(user_ids)
    if not user_ids:
        return 0
    fields = ("pk", "last_name", "first_name", "profile", "birth_date")
    candidates = User.objects.filter(is_active=True, merged_into__isnull=True)
    names: dict[str, str] = {}  # a name's normal form, computed once per name

    def normal(name: str) -> str:
        found = names.get(name)
        if found is None:
            found = names[name] = normalise_name(name)
        return found

    groups: dict[tuple, list[tuple[int, object]]] = defaultdict(list)
    fresh_keys = set()
    rows = candidates.values_list(*fields).iterator(chunk_size=10000)
    for pk, last, first, profile, birth in rows:
        key = (normal(last), normal(first), profile)
        groups[key].append((pk, birth))
        if pk in user_ids:
            fresh_keys.add(key)

    pairs = set()
    for key in fresh_keys:
        members = groups[key]
        if len(members) < 2 or len(members) > MAX_GROUP:
            continue
        for i, (a, birth_a) in enumerate(members):
            for b, birth_b in members[i + 1 :]:
                if birth_a and birth_b and birth_a != birth_b:
                    continue
                if a in user_ids or b in user_ids:
                    pairs.add((min(a, b), max(a, b)))
    if not pairs:
        return 0
    known = set(
        DuplicatePair.objects.filter(user_a_id__in={a for a, _ in pairs}).values_list(
            "user_a_id", "user_b_id"
        )
    )
    new = [DuplicatePair(user_a_id=a, user_b_id=b) for a, b in pairs - known]
    if new:
        DuplicatePair.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# --- Dissociate and merge -----------------------------------------------------


@transaction.atomic
def duplicate_dissociate(*, pair: DuplicatePair, actor: User, request=None) -> None:
    """Two different people, for good: the pair is never listed again."""
    DuplicatePair.objects.filter(pk=pair.pk).update(state=DuplicateState.DISSOCIATED)
    audit_record(
        action="duplicate.dissociate",
        actor=actor,
        target=pair,
        request=request,
        data={"users": [pair.user_a_id, pair.user_b_id]},
    )


def merge_kept(a: User, b: User) -> tuple[User, User]:
    """(kept, removed): the activated account, failing that the feed's one,
    failing that the older one."""

    def rank(user: User):
        return (
            user.account_state == AccountState.ACTIVE,
            user.source != Source.MANUAL,
            -user.pk,
        )

    return (a, b) if rank(a) >= rank(b) else (b, a)


# (model, the user field, the field that makes a row unique with it)
_MOVED = [
    (Affiliation, "user", "structure"),
    (ClassPupil, "user", "klass"),
    (ClassTeacher, "user", "klass"),
    (Link, "parent", "child"),
    (Link, "child", "parent"),
    (Membership, "user", "group"),
]


def _rows_move(model, field: str, other: str, kept: User, removed: User) -> None:
    """Move removed's rows onto kept; a row kept already has is dropped."""
    taken = model.objects.filter(**{field: kept}).values(other)
    mine = model.objects.filter(**{field: removed})
    mine = mine.exclude(**{f"{other}__in": taken})
    if model is Link:
        mine = mine.exclude(**{other: kept})  # no one is their own parent
    mine.update(**{field: kept})
    model.objects.filter(**{field: removed}).delete()


@writes(DIRECTORY)
@transaction.atomic
def duplicate_merge(*, pair: DuplicatePair, actor: User, request=None) -> User:
    """ "Fusionner": one account for the person; nothing of the other is lost.

    Classes, groups, links and structures move here; every app moves its own
    rows (messages, absences, documents) through directory.merge handlers. The
    given-up account stays, inactive, pointing at the kept one."""
    pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    kept, removed = merge_kept(pair.user_a, pair.user_b)
    structures = set(
        Affiliation.objects.filter(user__in=[kept, removed]).values_list(
            "structure_id", flat=True
        )
    )
    for model, field, other in _MOVED:
        _rows_move(model, field, other, kept, removed)
    Group.objects.filter(owner=removed).update(owner=kept)
    for handler in merge_handlers():
        handler(kept=kept, removed=removed)

    # The feed must find the person again: the kept account takes its identity.
    identity = {}
    if removed.external_id and (kept.source == Source.MANUAL or not kept.external_id):
        identity = {
            "source": removed.source,
            "external_id": removed.external_id,
            "ine": kept.ine or removed.ine,
        }
    User.objects.filter(pk=removed.pk).update(
        is_active=False, merged_into=kept, external_id=""
    )
    if identity:
        User.objects.filter(pk=kept.pk).update(**identity)
    DuplicatePair.objects.filter(pk=pair.pk).update(state=DuplicateState.MERGED)
    DuplicatePair.objects.filter(state=DuplicateState.OPEN).filter(
        Q(user_a=removed) | Q(user_b=removed)
    ).delete()
    services.memberships_rebuild(structure_ids=structures)
    audit_record(
        action="duplicate.merge",
        actor=actor,
        target=kept,
        request=request,
        data={"kept": kept.pk, "removed": removed.pk, "pair": pair.pk},
    )
    return kept
