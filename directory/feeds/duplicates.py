"""Possible duplicates: two accounts with the same normalised last name, first
name and birth date (when both are known), in the same profile."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from accounts.models import User
from directory.models import DuplicatePair
from nati.text import normalise_name

# A name shared by more people than this is a common name, not a duplicate:
# listing every pair would bury the real ones.
MAX_GROUP = 4


def _key(last_name: str, first_name: str, profile: str) -> tuple[str, str, str]:
    return normalise_name(last_name), normalise_name(first_name), profile


@transaction.atomic
def duplicates_detect(*, user_ids: Iterable[int]) -> int:
    """List the new pairs involving these users; returns how many were added.

    Pairs already listed (open, dissociated or merged) are left as they are."""
    user_ids = set(user_ids)
    if not user_ids:
        return 0
    fields = ("pk", "last_name", "first_name", "profile", "birth_date")
    fresh = User.objects.filter(pk__in=user_ids).values_list(*fields)
    keys = {_key(last, first, profile) for _, last, first, profile, _ in fresh}
    last_names = {k[0] for k in keys}

    groups: dict[tuple, list[tuple[int, object]]] = defaultdict(list)
    candidates = User.objects.filter(
        is_active=True, merged_into__isnull=True, profile__in={k[2] for k in keys}
    ).values_list(*fields)
    for pk, last, first, profile, birth in candidates.iterator(chunk_size=10000):
        key = _key(last, first, profile)
        if key[0] in last_names and key in keys:
            groups[key].append((pk, birth))

    pairs = set()
    for members in groups.values():
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
