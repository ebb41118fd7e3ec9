import datetime as dt
import re
from collections.abc import Iterable

from django.db import transaction

from accounts.models import Profile, Source, User
from nati.audit import audit_record
from nati.text import ascii_fold, user_search_name

_LOGIN_CHARS = re.compile(r"[^a-z0-9]+")


def login_base(first_name: str, last_name: str) -> str:
    """'Hinanui Teʻi-Tūmata' -> 'hinanui.tei-tumata' (ASCII, lowercase)."""

    def part(text: str) -> str:
        words = _LOGIN_CHARS.split(ascii_fold(text).lower())
        return "-".join(w for w in words if w)

    first, last = part(first_name), part(last_name)
    return ".".join(p for p in (first, last) if p) or "utilisateur"


def logins_allocate(names: Iterable[tuple[str, str]]) -> list[str]:
    """Free logins for these (first, last) names, in order, in one query.

    A collision takes the next number: jean.dupont, jean.dupont2, jean.dupont3…
    Logins are given once and never change, so this runs only for new people.
    """
    bases = [login_base(first, last) for first, last in names]
    if not bases:
        return []
    stems = set(bases)
    logins_in_use = User.objects.values_list("username", flat=True)
    if len(stems) <= 200:
        # A handful of new people: ask only for the logins that could collide.
        pattern = r"^(" + "|".join(re.escape(s) for s in stems) + r")[0-9]*$"
        logins_in_use = logins_in_use.filter(username__regex=pattern)
    taken = set(logins_in_use)
    logins = []
    for base in bases:
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}{number}"
        taken.add(candidate)
        logins.append(candidate)
    return logins


@transaction.atomic
def user_create(
    *,
    first_name: str,
    last_name: str,
    profile: str,
    username: str | None = None,
    password: str | None = None,
    birth_date: dt.date | None = None,
    email: str = "",
    mobile: str = "",
    postal_code: str = "",
    town: str = "",
    source: str = Source.MANUAL,
    external_id: str = "",
    ine: str = "",
    title: str = "",
    actor: User | None = None,
) -> User:
    if profile not in Profile.values:
        raise ValueError(f"unknown profile {profile!r}")
    user = User(
        username=username or logins_allocate([(first_name, last_name)])[0],
        first_name=first_name,
        last_name=last_name,
        profile=profile,
        birth_date=birth_date,
        email=email,
        mobile=mobile,
        postal_code=postal_code,
        town=town,
        source=source,
        external_id=external_id,
        ine=ine,
        title=title,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.search_name = user_search_name(user)
    user.save()
    if actor is not None:
        audit_record(action="user.create", actor=actor, target=user)
    return user


@transaction.atomic
def user_photo_remove(*, user: User, actor: User, structure=None, request=None) -> None:
    if user.photo:
        user.photo.delete(save=False)
    User.objects.filter(pk=user.pk).update(photo="")
    user.photo = ""
    audit_record(
        action="user.photo_remove",
        actor=actor,
        target=user,
        structure=structure,
        request=request,
    )


@transaction.atomic
def user_motto_remove(*, user: User, actor: User, structure=None, request=None) -> None:
    User.objects.filter(pk=user.pk).update(motto="")
    user.motto = ""
    audit_record(
        action="user.motto_remove",
        actor=actor,
        target=user,
        structure=structure,
        request=request,
    )
