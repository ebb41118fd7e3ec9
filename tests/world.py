"""A small territory of named characters, shared by every app's tests.

Two schools in two districts. School A (9840001D) has CM1 and CE1; school B
(9840002E) has CM1. Persons are created through the services, as the console
and the imports would.
"""

import datetime as dt
import functools
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from accounts.models import AccountState, Profile, User
from accounts.services import user_create
from directory import services
from directory.models import GroupRole, SchoolClass, Structure, StructureKind
from nati.dates import current_school_year

PASSWORD = "une phrase de passe pour les tests"


@dataclass
class World:
    territory: Structure
    district_a: Structure
    district_b: Structure
    school_a: Structure
    school_b: Structure
    cm1: SchoolClass
    ce1: SchoolClass
    cm1_b: SchoolClass
    director: User
    teacher_cm1: User
    staff_a: User
    pupil_cm1: User
    pupil_cm1_bis: User
    parent_cm1: User
    pupil_ce1: User
    parent_ce1: User
    teacher_b: User
    pupil_b: User
    parent_b: User
    ien: User
    project_lead: User


@functools.cache
def password_hash() -> str:
    # One Argon2 hash for every persona: hashing costs ~0.1 s a time on purpose.
    return make_password(PASSWORD)


def person(first: str, last: str, profile: str, **fields) -> User:
    fields.setdefault("account_state", AccountState.ACTIVE)
    state = fields.pop("account_state")
    user = user_create(first_name=first, last_name=last, profile=profile, **fields)
    user.password = password_hash()
    user.account_state = state
    user.save()
    return user


def build_world() -> World:
    year = current_school_year()
    territory = services.structure_create(
        kind=StructureKind.TERRITORY, name="Polynésie française"
    )
    district_a = services.structure_create(
        kind=StructureKind.DISTRICT, name="Circonscription A", parent=territory
    )
    district_b = services.structure_create(
        kind=StructureKind.DISTRICT, name="Circonscription B", parent=territory
    )
    school_a = services.structure_create(
        kind=StructureKind.SCHOOL,
        name="École Arthur Rimbaud",
        parent=district_a,
        uai="9840001D",
        postal_code="98714",
        town="Papeete",
    )
    school_b = services.structure_create(
        kind=StructureKind.SCHOOL,
        name="École Tiare Apetahi",
        parent=district_b,
        uai="9840002E",
        postal_code="98718",
        town="Punaauia",
    )
    cm1 = services.class_create(
        structure=school_a, school_year=year, name="CM1", levels=["CM1"]
    )
    ce1 = services.class_create(
        structure=school_a, school_year=year, name="CE1", levels=["CE1"]
    )
    cm1_b = services.class_create(
        structure=school_b, school_year=year, name="CM1", levels=["CM1"]
    )

    director = person("Teva", "Teriitahi", Profile.TEACHER, username="directeur")
    teacher_cm1 = person("Vaimiti", "Tehaamoana", Profile.TEACHER, username="prof.cm1")
    staff_a = person("Hina", "Vanaa", Profile.STAFF, username="personnel.a")
    pupil_cm1 = person(
        "Māhina",
        "Pūtai",
        Profile.PUPIL,
        username="eleve.cm1",
        birth_date=dt.date(year - 9, 5, 14),
    )
    pupil_cm1_bis = person("Teiki", "Temauri", Profile.PUPIL, username="eleve.cm1.bis")
    parent_cm1 = person(
        "Hinatea", "Pūtai", Profile.PARENT, username="parent.cm1", mobile="+68987701234"
    )
    pupil_ce1 = person("Moana", "Chan", Profile.PUPIL, username="eleve.ce1")
    parent_ce1 = person("Lai", "Chan", Profile.PARENT, username="parent.ce1")
    teacher_b = person("Louis", "Martin", Profile.TEACHER, username="prof.b")
    pupil_b = person("Jade", "Wong", Profile.PUPIL, username="eleve.b")
    parent_b = person("Noé", "Wong", Profile.PARENT, username="parent.b")
    ien = person("Laurent", "Maraeʻura", Profile.STAFF, username="ien.a")
    project_lead = person("Tiare", "Flosse", Profile.STAFF, username="chef.projet")

    services.class_teacher_attach(klass=ce1, teacher=director, is_main=True)
    services.class_teacher_attach(klass=cm1, teacher=teacher_cm1, is_main=True)
    services.class_teacher_attach(klass=cm1_b, teacher=teacher_b, is_main=True)
    services.affiliation_add(user=staff_a, structure=school_a)
    services.pupils_enrol(klass=cm1, pupils=[pupil_cm1, pupil_cm1_bis])
    services.pupils_enrol(klass=ce1, pupils=[pupil_ce1])
    services.pupils_enrol(klass=cm1_b, pupils=[pupil_b])
    services.links_create(
        pairs=[(parent_cm1, pupil_cm1), (parent_ce1, pupil_ce1), (parent_b, pupil_b)]
    )
    services.affiliation_add(user=ien, structure=district_a)
    services.affiliation_add(user=project_lead, structure=territory)
    services.function_grant(user=director, structure=school_a, role=GroupRole.ADML)
    services.function_grant(user=director, structure=school_a, role=GroupRole.DIRECTION)
    services.function_grant(
        user=ien, structure=district_a, role=GroupRole.DISTRICT_STAFF
    )
    services.function_grant(
        user=project_lead, structure=territory, role=GroupRole.PROJECT_LEAD
    )
    return World(**{k: v for k, v in locals().items() if k in World.__annotations__})
