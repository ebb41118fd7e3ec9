"""The demo territory: two districts, three schools, names of French Polynesia.

Idempotent: a structure, class or person that exists already is left alone, so
a second run writes nothing.
"""

import datetime as dt
import random

from django.conf import settings
from django.db import transaction

from accounts.models import AccountState, Profile, User
from accounts.services import logins_allocate
from directory import services
from directory.models import GroupRole, SchoolClass, Structure, StructureKind
from nati.dates import current_school_year
from nati.text import user_search_name

FIRST_NAMES = [
    "Hinano",
    "Moana",
    "Teva",
    "Vaimiti",
    "Heimana",
    "Tehei",
    "Manutea",
    "Poerava",
    "Tiare",
    "Hinatea",
    "Ariitea",
    "Raiarii",
    "Vaitea",
    "Maeva",
    "Tamatoa",
    "Teiki",
    "Ranitea",
    "Mareva",
    "Kahaia",
    "Taiarii",
    "Heiarii",
    "Matahi",
    "Māhina",
    "Tūmata",
    "Teʻura",
    "Raʻiātea",
    "Hōhō",
    "Léa",
    "Louis",
    "Chloé",
    "Hugo",
    "Jade",
    "Noé",
    "Émilie",
    "Mathis",
    "Inès",
    "Lucas",
    "Manon",
    "Timéo",
]
LAST_NAMES = [
    "Teriitahi",
    "Tehuiotoa",
    "Vanaa",
    "Temauri",
    "Tetuanui",
    "Mahaa",
    "Teʻiva",
    "Pūtai",
    "Tauraa",
    "Rurua",
    "Tinorua",
    "Pōmare",
    "Teriʻierooiterai",
    "Faʻatau",
    "Lefèvre",
    "Martin",
    "Chan",
    "Wong",
    "Lai",
    "Bonnet",
    "Dubois",
    "Tehaamoana",
    "Maraeʻura",
    "Tāvana",
    "Flosse",
    "Brotherson",
    "Salmon",
    "Tchong",
]

RIMBAUD_CLASSES = [
    ("PS", ["PS"]),
    ("PS et MS", ["PS", "MS"]),
    ("MS et GS", ["MS", "GS"]),
    ("CP 1", ["CP"]),
    ("CP 2", ["CP"]),
    ("CE1", ["CE1"]),
    ("CE2", ["CE2"]),
    ("CM1", ["CM1"]),
    ("CM2", ["CM2"]),
]
SCHOOLS = [
    # (district index, UAI, name, postal code, town, classes)
    (0, "9840001D", "École Arthur Rimbaud", "98714", "Papeete", RIMBAUD_CLASSES),
    (0, "9840002E", "École Tiare Apetahi", "98718", "Punaauia", RIMBAUD_CLASSES[5:8]),
    (1, "9840003F", "École Raiatea Uturoa", "98735", "Uturoa", RIMBAUD_CLASSES[3:6]),
]
DISTRICTS = ["Circonscription de Tahiti Ouest", "Circonscription des Îles Sous-le-Vent"]

DEMO_LOGINS = [
    ("demo.directeur", "Directeur de l'École Arthur Rimbaud, ADML, enseignant de CM2"),
    ("demo.enseignant", "Enseignante de CM1, École Arthur Rimbaud"),
    ("demo.parent", "Parent d'un élève de CM1"),
    ("demo.eleve", "Élève de CM1"),
    ("demo.ien", "Inspecteur de la circonscription de Tahiti Ouest"),
    ("demo.chefprojet", "Chef de projet ENT du territoire"),
]


class Seeder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.year = current_school_year()

    def name(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def mobile(self) -> str:
        pairs = " ".join(str(self.rng.randint(10, 99)) for _ in range(3))
        return f"+689 87 {pairs}"

    def people(self, specs: list[dict]) -> list[User]:
        """Create people in bulk; `specs` carry an `external_id` that makes the
        demo idempotent (source manual, external id 'demo-…')."""
        existing = {
            u.external_id: u
            for u in User.objects.filter(
                source="manual", external_id__in=[s["external_id"] for s in specs]
            )
        }
        new_specs = [s for s in specs if s["external_id"] not in existing]
        logins = logins_allocate([(s["first_name"], s["last_name"]) for s in new_specs])
        new = []
        for spec, login in zip(new_specs, logins, strict=True):
            user = User(username=spec.pop("username", None) or login, **spec)
            user.set_unusable_password()
            user.search_name = user_search_name(user)
            new.append(user)
        User.objects.bulk_create(new, batch_size=500)
        created = {
            u.external_id: u
            for u in User.objects.filter(external_id__in=[u.external_id for u in new])
        }
        return [
            existing.get(s["external_id"]) or created[s["external_id"]] for s in specs
        ]


def _structure(kind, name, parent=None, **fields) -> Structure:
    found = Structure.objects.filter(kind=kind, name=name).first()
    if found:
        return found
    return services.structure_create(kind=kind, name=name, parent=parent, **fields)


def _class(school: Structure, year: int, name: str, levels: list[str]) -> SchoolClass:
    found = SchoolClass.objects.filter(
        structure=school, school_year=year, name=name
    ).first()
    if found:
        return found
    return services.class_create(
        structure=school, school_year=year, name=name, levels=levels
    )


def _birth_date(rng: random.Random, year: int, level: str) -> dt.date:
    age = {"PS": 3, "MS": 4, "GS": 5, "CP": 6, "CE1": 7, "CE2": 8, "CM1": 9, "CM2": 10}
    born = year - age.get(level, 8)
    return dt.date(born, rng.randint(1, 12), rng.randint(1, 28))


@transaction.atomic
def seed() -> dict:
    """Build the demo territory; returns {'created': bool, 'logins': [...]}."""
    rng = random.Random(2026)
    seeder = Seeder(rng)
    year = seeder.year
    already = User.objects.filter(username="demo.directeur").exists()

    territory = _structure(StructureKind.TERRITORY, "Polynésie française")
    districts = [
        _structure(StructureKind.DISTRICT, name, territory) for name in DISTRICTS
    ]
    schools = []
    for district_index, uai, name, postal_code, town, classes in SCHOOLS:
        school = _structure(
            StructureKind.SCHOOL,
            name,
            districts[district_index],
            uai=uai,
            type_struct="ECOLE",
            postal_code=postal_code,
            town=town,
        )
        schools.append((school, postal_code, town, classes))

    for school, postal_code, town, classes in schools:
        for index, (class_name, levels) in enumerate(classes):
            klass = _class(school, year, class_name, levels)
            _seed_class(seeder, school, klass, index, postal_code, town)

    _seed_demo_people(seeder, territory, districts[0], schools[0][0])
    return {"created": not already, "logins": DEMO_LOGINS}


def _seed_class(seeder, school, klass, index, postal_code, town):
    key = f"demo-{school.uai}-{index}"
    first, last = seeder.name()
    # CM1 and CM2 of Arthur Rimbaud get the demo teacher and the demo director.
    has_demo_teacher = school.uai == "9840001D" and klass.name in {"CM1", "CM2"}
    if not has_demo_teacher:
        _seed_teacher(seeder, school, klass, key, index, first, last)
    _seed_families(seeder, school, klass, key, postal_code, town)


def _seed_teacher(seeder, school, klass, key, index, first, last):
    teacher = seeder.people(
        [
            {
                "external_id": f"{key}-t",
                "first_name": first,
                "last_name": last,
                "profile": Profile.TEACHER,
                "email": f"enseignant.{index}.{school.uai.lower()}@education.pf",
                "postal_code": school.postal_code,
                "town": school.town,
            }
        ]
    )[0]
    if not klass.teacher_links.exists():
        services.class_teacher_attach(klass=klass, teacher=teacher, is_main=True)


def _seed_families(seeder, school, klass, key, postal_code, town):
    rng = seeder.rng
    count = 25 if school.uai == "9840001D" else 12
    pupil_specs, parent_specs, pairs = [], [], []
    for number in range(count):
        first, last = seeder.name()
        pupil_specs.append(
            {
                "external_id": f"{key}-p{number}",
                "first_name": first,
                "last_name": last,
                "profile": Profile.PUPIL,
                "birth_date": _birth_date(rng, seeder.year, klass.levels[-1]),
                "ine": f"{rng.randint(10**9, 10**10 - 1)}{rng.choice('ABCDEFGHJK')}",
                "postal_code": postal_code,
                "town": town,
            }
        )
        for parent_number in range(rng.choice([1, 2, 2])):
            parent_first = rng.choice(FIRST_NAMES)
            parent_specs.append(
                {
                    "external_id": f"{key}-p{number}-r{parent_number}",
                    "first_name": parent_first,
                    "last_name": last,
                    "profile": Profile.PARENT,
                    "mobile": seeder.mobile(),
                    "postal_code": postal_code,
                    "town": town,
                    "address": f"Servitude {rng.randint(1, 60)}, "
                    f"PK {rng.randint(1, 30)}",
                }
            )
            pairs.append((len(parent_specs) - 1, number))
    pupils = seeder.people(pupil_specs)
    parents = seeder.people(parent_specs)
    services.pupils_enrol(klass=klass, pupils=pupils)
    services.links_create(pairs=[(parents[p], pupils[c]) for p, c in pairs])


def _seed_demo_people(seeder, territory, district, rimbaud):
    password = settings.NATI_DEMO_PASSWORD
    cm1 = SchoolClass.objects.get(
        structure=rimbaud, name="CM1", school_year=seeder.year
    )
    cm2 = SchoolClass.objects.get(
        structure=rimbaud, name="CM2", school_year=seeder.year
    )
    specs = [
        ("demo.directeur", "Teva", "Teriitahi", Profile.TEACHER),
        ("demo.enseignant", "Vaimiti", "Tehaamoana", Profile.TEACHER),
        ("demo.parent", "Hinatea", "Pūtai", Profile.PARENT),
        ("demo.eleve", "Māhina", "Pūtai", Profile.PUPIL),
        ("demo.ien", "Laurent", "Maraeʻura", Profile.STAFF),
        ("demo.chefprojet", "Tiare", "Flosse", Profile.STAFF),
    ]
    people = seeder.people(
        [
            {
                "external_id": f"demo-{login}",
                "username": login,
                "first_name": first,
                "last_name": last,
                "profile": profile,
                "account_state": AccountState.ACTIVE,
                "birth_date": dt.date(seeder.year - 9, 5, 14)
                if profile == Profile.PUPIL
                else None,
                "mobile": "+689 87 70 12 34" if profile == Profile.PARENT else "",
                "postal_code": "98714",
                "town": "Papeete",
            }
            for login, first, last, profile in specs
        ]
    )
    director, teacher, parent, pupil, ien, lead = people
    for user in people:
        if not user.has_usable_password():
            user.set_password(password)
            user.save(update_fields=["password"])

    services.class_teacher_attach(klass=cm2, teacher=director, is_main=True)
    services.class_teacher_attach(klass=cm1, teacher=teacher, is_main=True)
    services.affiliation_add(user=ien, structure=district)
    services.affiliation_add(user=lead, structure=territory)
    services.pupils_enrol(klass=cm1, pupils=[pupil])
    services.links_create(pairs=[(parent, pupil)])
    services.function_grant(user=director, structure=rimbaud, role=GroupRole.ADML)
    services.function_grant(user=director, structure=rimbaud, role=GroupRole.DIRECTION)
    services.function_grant(user=ien, structure=district, role=GroupRole.DISTRICT_STAFF)
    services.function_grant(user=lead, structure=territory, role=GroupRole.PROJECT_LEAD)
