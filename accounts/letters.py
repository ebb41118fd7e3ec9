"""Account letters: "Informer" gives provisional passwords, "Lister les comptes"
prints them (PDF letters, CSV)."""

import datetime as dt
import io
import multiprocessing
import os
import secrets
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import selectors
from accounts.crypto import secret_decrypt, secret_encrypt
from accounts.models import AccountState, Profile, User
from accounts.pdf_worker import html_to_pdf
from directory.models import Structure
from nati import cache
from nati.audit import audit_record
from nati.documents import csv_bytes, pdf_render

# No 0/o, 1/l/i: a provisional password is read off paper and typed by a child.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LETTERS_TEMPLATE = "accounts/letters_pdf.html"
PARENT_OF_BLOCKED = "Représentant d'un élève dont la fiche bloque le courrier"


def provisional_password_make() -> str:
    """Three groups of four ("k7pm-3rtw-9xae"): about 59 bits, easy to type."""
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def letter_refusals(users: list[User]) -> dict[int, str]:
    """user id -> why no letter may be issued to them. One query."""
    refusals = {u.pk: u.letter_blocked_reason for u in users if u.letter_blocked_reason}
    parent_ids = [u.pk for u in users if u.profile == Profile.PARENT]
    for parent_id in selectors.blocked_children_of(parent_ids):
        refusals.setdefault(parent_id, PARENT_OF_BLOCKED)
    return refusals


@dataclass
class InformResult:
    informed: list[User] = field(default_factory=list)
    skipped: list[tuple[User, str]] = field(default_factory=list)


@transaction.atomic
def accounts_inform(
    *,
    structure: Structure,
    users: list[User],
    actor: User,
    request=None,
    reset: bool = False,
) -> InformResult:
    """Give each user a new provisional password, valid NATI_PROVISIONAL_DAYS.

    Any earlier password stops working at once (and so do the user's sessions,
    whose hash follows the password). `reset` is "Réinitialiser les mots de
    passe": the same for accounts already active.
    """
    refusals = letter_refusals(users)
    result = InformResult()
    now = timezone.now()
    until = now + dt.timedelta(days=settings.NATI_PROVISIONAL_DAYS)
    for user in users:
        if user.pk in refusals:
            result.skipped.append((user, refusals[user.pk]))
            continue
        user.provisional_password = secret_encrypt(provisional_password_make())
        user.provisional_until = until
        # An unusable password costs nothing to make, unlike an Argon2 hash.
        user.password = make_password(None)
        user.account_state = AccountState.INFORMED
        user.informed_at = now
        result.informed.append(user)
    User.objects.bulk_update(
        result.informed,
        [
            "provisional_password",
            "provisional_until",
            "password",
            "account_state",
            "informed_at",
        ],
        batch_size=500,
    )
    cache.bump_users(cache.USER, [user.pk for user in result.informed])
    audit_record(
        action="accounts.password_reset" if reset else "accounts.letters_issued",
        actor=actor,
        structure=structure,
        request=request,
        data={
            "users": [u.pk for u in result.informed],
            "skipped": [u.pk for u, _ in result.skipped],
        },
    )
    return result


@dataclass(frozen=True)
class Letter:
    user: User
    password: str
    children: list[selectors.Child]

    @property
    def class_name(self) -> str:
        if self.user.profile == Profile.PUPIL:
            return self.user.class_name or ""
        return ", ".join(sorted({c.class_name for c in self.children}))


def letters_for(*, structure: Structure, users: list[User]) -> list[Letter]:
    """The letters of these users that hold a provisional password, in the
    order given (the lists are sorted by class, then name). Two queries."""
    holders = [
        u
        for u in users
        if u.provisional_password and u.provisional_until > timezone.now()
    ]
    parent_ids = [u.pk for u in holders if u.profile == Profile.PARENT]
    children = selectors.children_by_parent(structure, parent_ids)
    letters = []
    for user in holders:
        password = secret_decrypt(user.provisional_password)
        if password:
            letters.append(Letter(user, password, children.get(user.pk, [])))
    return letters


# weasyprint lays out about 30 one-page letters a second on one core, and
# slows down as a document grows (22 pages/s at 400 pages, 12 at 800): the
# letters are rendered as documents of CHUNK letters, in a child process per
# core, and the PDFs joined.
CHUNK = 50


def letters_pdf(*, structure: Structure, letters: list[Letter]) -> bytes:
    context = {"structure": structure, "site": "nati.pf"}
    if len(letters) <= CHUNK:
        return pdf_render(LETTERS_TEMPLATE, context | {"letters": letters})
    pages = [
        render_to_string(
            LETTERS_TEMPLATE, context | {"letters": letters[i : i + CHUNK]}
        )
        for i in range(0, len(letters), CHUNK)
    ]
    workers = min(os.cpu_count() or 1, len(pages))
    # spawn, not fork: the parent may be a threaded server or a Celery worker.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
        parts = list(pool.map(html_to_pdf, pages))
    return pdf_join(parts)


def pdf_join(parts: list[bytes]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


CSV_HEADER = [
    "Classe",
    "Nom",
    "Prénom",
    "Identifiant",
    "Mot de passe provisoire",
    "Valable jusqu'au",
    "Profil",
    "Enfants",
    "État du compte",
]


def letters_csv(*, letters: list[Letter]) -> bytes:
    rows = (
        [
            letter.class_name,
            letter.user.last_name,
            letter.user.first_name,
            letter.user.username,
            letter.password,
            timezone.localtime(letter.user.provisional_until).strftime("%d/%m/%Y"),
            letter.user.get_profile_display(),
            ", ".join(f"{c.first_name} {c.last_name}" for c in letter.children),
            letter.user.get_account_state_display(),
        ]
        for letter in letters
    )
    return csv_bytes(CSV_HEADER, rows)
