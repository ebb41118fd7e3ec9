import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import AccountState, MergeKey, Profile, Source, User
from directory.merge import merge_handlers
from directory.models import Affiliation, Link
from directory.services import memberships_rebuild
from nati.audit import audit_record
from nati.cache import DIRECTORY, writes
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


def mobile_normalise(mobile: str) -> str:
    """'87 70 12 34' -> '+68987701234': the form numbers are compared in."""
    digits = re.sub(r"[^0-9+]", "", mobile)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits and not digits.startswith("+") and len(digits) == 8:
        digits = "+689" + digits
    return digits


@transaction.atomic
def password_choose(
    *, user: User, password: str, request=None, email=None, mobile=None
) -> None:
    """The user's own password (first login, self-activation): the provisional
    one stops, the account is active and every other session of the user ends
    (the session hash follows the password)."""
    user.set_password(password)
    user.provisional_password = ""
    user.provisional_until = None
    user.account_state = AccountState.ACTIVE
    fields = [
        "password",
        "provisional_password",
        "provisional_until",
        "account_state",
    ]
    if email is not None:
        user.email = email
        fields.append("email")
    if mobile is not None:
        user.mobile = mobile_normalise(mobile)
        fields.append("mobile")
    user.save(update_fields=fields + ["search_name"])
    audit_record(
        action="auth.password_change", actor=user, target=user, request=request
    )


# --- Merging two parent accounts of one person ---------------------------------

MERGE_KEY_HOURS = 24


class MergeError(Exception):
    """A merge refused; the message says why, in French."""


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.strip().encode()).hexdigest()


@transaction.atomic
def merge_key_generate(*, user: User, request=None) -> str:
    """A key for the account to give up; the previous unused keys stop."""
    if user.profile != Profile.PARENT:
        raise MergeError("Seuls les comptes de représentant légal peuvent fusionner.")
    if user.merged_into_id:
        raise MergeError("Ce compte est déjà fusionné dans un autre.")
    MergeKey.objects.filter(user=user, used_at__isnull=True).delete()
    key = "-".join(secrets.token_hex(3).upper() for _ in range(4))
    MergeKey.objects.create(
        user=user,
        key_hash=_key_hash(key),
        expires_at=timezone.now() + dt.timedelta(hours=MERGE_KEY_HOURS),
    )
    audit_record(action="accounts.merge_key", actor=user, target=user, request=request)
    return key


@writes(DIRECTORY)
@transaction.atomic
def accounts_merge(*, kept: User, key: str, request=None) -> User:
    """Bring the account holding `key` into `kept`: its children, its schools
    and every app's rows move; it can no longer log in and names `kept`."""
    if kept.profile != Profile.PARENT:
        raise MergeError("Seuls les comptes de représentant légal peuvent fusionner.")
    found = (
        MergeKey.objects.select_for_update()
        .select_related("user")
        .filter(key_hash=_key_hash(key), used_at__isnull=True)
        .first()
    )
    if found is None or found.expires_at <= timezone.now():
        raise MergeError(
            "Cette clé de fusion est inconnue, déjà utilisée ou a expiré (24 heures) : "
            "générez-en une nouvelle sur le compte à abandonner."
        )
    removed = found.user
    if removed.pk == kept.pk:
        raise MergeError(
            "Cette clé a été générée sur ce compte-ci : collez-la dans le compte que "
            "vous gardez."
        )
    if removed.profile != Profile.PARENT or removed.merged_into_id:
        raise MergeError("Le compte de cette clé ne peut pas être fusionné.")

    found.used_at = timezone.now()
    found.save(update_fields=["used_at"])
    _directory_rows_move(kept=kept, removed=removed)
    for handler in merge_handlers():
        handler(kept=kept, removed=removed)
    # The password is kept so that the login form, once it has checked it,
    # can say which account to use instead; the middleware ends any session.
    removed.merged_into = kept
    removed.provisional_password = ""
    removed.provisional_until = None
    removed.save(
        update_fields=["merged_into", "provisional_password", "provisional_until"]
    )
    audit_record(
        action="accounts.merge",
        actor=kept,
        target=removed,
        request=request,
        data={"kept": kept.pk, "removed": removed.pk},
    )
    return removed


def _directory_rows_move(*, kept: User, removed: User) -> None:
    """Children and schools of `removed` go to `kept`, then the school groups
    follow. (The directory registers no merge handler of its own.)

    Shortcoming: the next feed delivery still knows the removed account by its
    (source, external_id) and may link the child to it again; the import should
    follow `merged_into` when it meets a merged account.
    """
    structure_ids = set(
        Affiliation.objects.filter(
            Q(user=removed) | Q(user__parent_links__parent=removed)
        ).values_list("structure_id", flat=True)
    )
    Link.objects.bulk_create(
        [
            Link(
                parent=kept,
                child_id=link.child_id,
                legal_representative=link.legal_representative,
            )
            for link in Link.objects.filter(parent=removed)
        ],
        ignore_conflicts=True,
    )
    Link.objects.filter(parent=removed).delete()
    Affiliation.objects.bulk_create(
        [
            Affiliation(user=kept, structure_id=a.structure_id)
            for a in Affiliation.objects.filter(user=removed)
        ],
        ignore_conflicts=True,
    )
    Affiliation.objects.filter(user=removed).delete()
    memberships_rebuild(structure_ids=structure_ids)
