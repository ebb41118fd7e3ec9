"""Reads of the accounts console: filtered lists of a school's accounts and the
activation dashboard."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts import selectors
from accounts.models import AccountState, Profile, User
from directory.models import ClassPupil, Link, SchoolClass, Structure
from nati.dates import current_school_year

KINDS = {"eleves": Profile.PUPIL, "parents": Profile.PARENT}


@dataclass(frozen=True)
class AccountFilters:
    klass: int | None = None
    state: str = ""
    email: str = ""  # "oui" / "non"
    informed: str = ""  # "jamais" / "avant"
    informed_before: dt.date | None = None
    login: str = ""  # "jamais" / "deja"

    @classmethod
    def from_query(cls, query) -> "AccountFilters":
        def integer(name):
            value = query.get(name, "")
            return int(value) if value.isdigit() else None

        def date(name):
            try:
                return dt.date.fromisoformat(query.get(name, ""))
            except ValueError:
                return None

        state = query.get("etat", "")
        return cls(
            klass=integer("classe"),
            state=state if state in AccountState.values else "",
            email=query.get("courriel", "")
            if query.get("courriel") in {"oui", "non"}
            else "",
            informed=query.get("information", "")
            if query.get("information") in {"jamais", "avant"}
            else "",
            informed_before=date("informe_avant"),
            login=query.get("connexion", "")
            if query.get("connexion") in {"jamais", "deja"}
            else "",
        )

    def as_query(self) -> dict:
        pairs = {
            "classe": self.klass or "",
            "etat": self.state,
            "courriel": self.email,
            "information": self.informed,
            "informe_avant": self.informed_before.isoformat()
            if self.informed_before
            else "",
            "connexion": self.login,
        }
        return {k: v for k, v in pairs.items() if v}


def school_accounts(
    structure: Structure, kind: str, filters: AccountFilters
) -> QuerySet:
    if KINDS[kind] == Profile.PUPIL:
        users = selectors.school_pupils(structure)
        in_class = Q(pupil_links__klass_id=filters.klass)
    else:
        users = selectors.school_parents(structure)
        in_class = Q(
            Exists(
                Link.objects.filter(
                    parent=OuterRef("pk"), child__pupil_links__klass_id=filters.klass
                )
            )
        )
    if filters.klass:
        users = users.filter(in_class)
    if filters.state:
        users = users.filter(account_state=filters.state)
    if filters.email == "oui":
        users = users.exclude(email="")
    elif filters.email == "non":
        users = users.filter(email="")
    if filters.informed == "jamais":
        users = users.filter(informed_at__isnull=True)
    elif filters.informed == "avant" and filters.informed_before:
        users = users.filter(informed_at__date__lt=filters.informed_before)
    if filters.login == "jamais":
        users = users.filter(last_login__isnull=True)
    elif filters.login == "deja":
        users = users.filter(last_login__isnull=False)
    return users


def school_classes(structure: Structure) -> QuerySet:
    return SchoolClass.objects.filter(
        structure=structure, school_year=current_school_year()
    ).order_by("name")


@dataclass
class ActivationRow:
    name: str
    pupils: int = 0
    pupils_informed: int = 0
    pupils_active: int = 0
    parents: int = 0
    parents_informed: int = 0
    parents_active: int = 0


def _state_counts(queryset, *, person: str, klass: str):
    """(class name, account state, distinct people) rows."""
    return queryset.values_list(f"{klass}__name", f"{person}__account_state").annotate(
        n=Count(f"{person}_id", distinct=True)
    )


def activation_dashboard(structure: Structure) -> list[ActivationRow]:
    """Per class, then the school's total: pupils and parents informed and
    active. Two queries whatever the size of the school."""
    year = current_school_year()
    pupils = _state_counts(
        ClassPupil.objects.filter(
            klass__structure=structure,
            klass__school_year=year,
            user__predeleted_at__isnull=True,
        ),
        person="user",
        klass="klass",
    )
    parents = _state_counts(
        Link.objects.filter(
            child__pupil_links__klass__structure=structure,
            child__pupil_links__klass__school_year=year,
            parent__predeleted_at__isnull=True,
        ),
        person="parent",
        klass="child__pupil_links__klass",
    )
    rows: dict[str, ActivationRow] = {}
    for kind, queryset in (("pupils", pupils), ("parents", parents)):
        for name, state, number in queryset:
            row = rows.setdefault(name, ActivationRow(name))
            setattr(row, kind, getattr(row, kind) + number)
            if state in (AccountState.INFORMED, AccountState.ACTIVE):
                field = f"{kind}_{'active' if state == 'active' else 'informed'}"
                setattr(row, field, getattr(row, field) + number)
    ordered = [rows[name] for name in sorted(rows)]
    total = ActivationRow("Total de l'école")
    for row in ordered:
        for field in (
            "pupils",
            "pupils_informed",
            "pupils_active",
            "parents",
            "parents_informed",
            "parents_active",
        ):
            setattr(total, field, getattr(total, field) + getattr(row, field))
    # A parent of two classes is counted in each class; the school total then
    # counts them twice. Shortcoming: a distinct school-wide count would need a
    # third query; the per-class figures are what the director acts on.
    return ordered + [total] if ordered else []


def users_with_mfa(structure: Structure) -> QuerySet:
    """The school's teachers and staff, each with `has_totp`."""
    from allauth.mfa.models import Authenticator

    totp = Authenticator.objects.filter(
        user=OuterRef("pk"), type=Authenticator.Type.TOTP
    )
    return (
        User.objects.filter(
            profile__in=[Profile.TEACHER, Profile.STAFF],
            affiliations__structure=structure,
            predeleted_at__isnull=True,
        )
        .annotate(has_totp=Exists(totp))
        .order_by("last_name", "first_name", "pk")
    )
