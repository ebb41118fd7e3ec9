from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Concat

from accounts.models import Profile, User
from directory.models import (
    Affiliation,
    ClassPupil,
    ClassTeacher,
    Link,
    Membership,
    Structure,
)
from nati.dates import current_school_year


def personal_data(user: User) -> dict:
    """What nati holds about `user`, for "Mes données". Other apps add their
    sections in later issues through the same dict."""
    return {
        "compte": {
            "identifiant": user.username,
            "prenom": user.first_name,
            "nom": user.last_name,
            "autres_prenoms": user.other_names,
            "profil": user.get_profile_display(),
            "date_naissance": user.birth_date.isoformat() if user.birth_date else None,
            "courriel": user.email,
            "portable": user.mobile,
            "adresse": user.address,
            "code_postal": user.postal_code,
            "commune": user.town,
            "devise": user.motto,
            "source": user.get_source_display(),
            "etat": user.get_account_state_display(),
            "derniere_connexion": user.last_login.isoformat()
            if user.last_login
            else None,
            "pre_supprime_le": (
                user.predeleted_at.isoformat() if user.predeleted_at else None
            ),
        },
        "structures": [
            {"uai": a.structure.uai, "nom": a.structure.name}
            for a in Affiliation.objects.filter(user=user).select_related("structure")
        ],
        "classes_eleve": [
            link.klass.name
            for link in ClassPupil.objects.filter(user=user).select_related("klass")
        ],
        "classes_enseignant": [
            link.klass.name
            for link in ClassTeacher.objects.filter(user=user).select_related("klass")
        ],
        "enfants": [
            {"prenom": link.child.first_name, "nom": link.child.last_name}
            for link in Link.objects.filter(parent=user).select_related("child")
        ],
        "responsables": [
            {"prenom": link.parent.first_name, "nom": link.parent.last_name}
            for link in Link.objects.filter(child=user).select_related("parent")
        ],
        "groupes": sorted(
            Membership.objects.filter(user=user).values_list("group__name", flat=True)
        ),
    }


# --- Accounts of a school, for the console and the letters -------------------


@dataclass(frozen=True)
class Child:
    id: int
    first_name: str
    last_name: str
    class_name: str
    letter_blocked_reason: str


def _class_of(structure: Structure):
    return Subquery(
        ClassPupil.objects.filter(
            user=OuterRef("pk"),
            klass__structure=structure,
            klass__school_year=current_school_year(),
        )
        .order_by("klass__name")
        .values("klass__name")[:1]
    )


def school_pupils(structure: Structure) -> QuerySet:
    """The school's pupils, each with `class_name`, sorted by class then name."""
    return (
        User.objects.filter(
            profile=Profile.PUPIL,
            predeleted_at__isnull=True,
            affiliations__structure=structure,
        )
        .annotate(class_name=_class_of(structure))
        .order_by("class_name", "last_name", "first_name", "pk")
    )


def school_parents(structure: Structure) -> QuerySet:
    """Representatives of the school's pupils, sorted by their first child's
    class and name (as the letters are)."""
    links = Link.objects.filter(
        parent=OuterRef("pk"), child__affiliations__structure=structure
    )
    first_child = (
        ClassPupil.objects.filter(
            user__parent_links__parent=OuterRef("pk"),
            klass__structure=structure,
            klass__school_year=current_school_year(),
        )
        .order_by("klass__name", "user__last_name", "user__first_name")
        .annotate(sort_key=Concat("klass__name", Value("|"), "user__last_name"))
    )
    return (
        User.objects.filter(
            Exists(links), profile=Profile.PARENT, predeleted_at__isnull=True
        )
        .annotate(sort_key=Subquery(first_child.values("sort_key")[:1]))
        .order_by("sort_key", "last_name", "first_name", "pk")
    )


def children_by_parent(structure: Structure, parent_ids) -> dict[int, list[Child]]:
    """Each parent's children at this school, with their class. One query."""
    rows = (
        Link.objects.filter(
            parent_id__in=list(parent_ids),
            child__pupil_links__klass__structure=structure,
            child__pupil_links__klass__school_year=current_school_year(),
        )
        .order_by("child__pupil_links__klass__name", "child__last_name")
        .values_list(
            "parent_id",
            "child_id",
            "child__first_name",
            "child__last_name",
            "child__pupil_links__klass__name",
            "child__letter_blocked_reason",
        )
    )
    children: dict[int, list[Child]] = {}
    for parent_id, *child in rows:
        children.setdefault(parent_id, []).append(Child(*child))
    return children


def blocked_children_of(parent_ids) -> dict[int, str]:
    """parent id -> the block reason of one of their children, where any. One
    query: a representative of a pupil whose record blocks a letter gets none."""
    rows = (
        Link.objects.filter(parent_id__in=list(parent_ids))
        .exclude(child__letter_blocked_reason="")
        .values_list("parent_id", "child__letter_blocked_reason")
    )
    return dict(rows)
