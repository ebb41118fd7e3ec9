"""Accounts benchmarks: the letters of a whole school in one PDF, and CAS
serviceValidate against the framework floor.

    .venv/bin/python bench/accounts/bench_accounts.py
"""

import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nati_bench_accounts"
)
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")

from bench import lib  # noqa: E402

UAI = "9849901A"
PUPILS, PARENTS, CLASS_SIZE = 600, 1000, 25
LETTERS_TARGET_S = 30.0
CAS_TARGET_RATIO = 0.5
SERVICE = "https://bench.index-education.net/pronote/eleve.html"
TICKETS = 1500


def school_build():
    """600 pupils in 24 classes and 1,000 parents, in bulk; reused when present."""
    from accounts.models import AccountState, Profile, User
    from directory import services
    from directory.models import Affiliation, ClassPupil, Link, Structure, StructureKind
    from nati.dates import current_school_year
    from nati.text import user_search_name

    school = Structure.objects.filter(uai=UAI).first()
    if school is not None:
        return school
    territory = services.structure_create(kind=StructureKind.TERRITORY, name="Bench")
    school = services.structure_create(
        kind=StructureKind.SCHOOL,
        name="École du banc d'essai",
        parent=territory,
        uai=UAI,
        postal_code="98714",
        town="Papeete",
    )
    year = current_school_year()
    classes = [
        services.class_create(
            structure=school, school_year=year, name=f"Classe {n:02d}", levels=["CM1"]
        )
        for n in range(PUPILS // CLASS_SIZE)
    ]

    def person(n, profile, prefix):
        user = User(
            username=f"bench.{prefix}{n}",
            first_name=f"Prénom{n}",
            last_name=f"Nom{prefix}{n}",
            profile=profile,
            birth_date=dt.date(2016, 1 + n % 12, 1 + n % 28),
            account_state=AccountState.NOT_INFORMED,
            password="!",
        )
        user.search_name = user_search_name(user)
        return user

    pupils = User.objects.bulk_create(
        [person(n, Profile.PUPIL, "e") for n in range(PUPILS)]
    )
    parents = User.objects.bulk_create(
        [person(n, Profile.PARENT, "p") for n in range(PARENTS)]
    )
    Affiliation.objects.bulk_create(
        [Affiliation(user=u, structure=school) for u in pupils]
    )
    ClassPupil.objects.bulk_create(
        [
            ClassPupil(klass=classes[i // CLASS_SIZE], user=u)
            for i, u in enumerate(pupils)
        ]
    )
    # Every pupil has one representative; 400 of them a second one.
    Link.objects.bulk_create(
        [Link(parent=parents[i], child=pupils[i % PUPILS]) for i in range(PARENTS)]
    )
    services.memberships_rebuild(structure_ids=[school.pk])
    return school


def _cpu_seconds() -> float:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_letters(school) -> list[str]:
    from accounts import letters, selectors
    from accounts.models import User

    director = User.objects.filter(is_superuser=False).first()
    pupils = list(selectors.school_pupils(school))
    parents = list(selectors.school_parents(school))
    started = time.perf_counter()
    letters.accounts_inform(structure=school, users=pupils + parents, actor=director)
    inform_s = time.perf_counter() - started

    pupils = list(selectors.school_pupils(school))
    parents = list(selectors.school_parents(school))
    started, cpu_before = time.perf_counter(), _cpu_seconds()
    found = letters.letters_for(structure=school, users=pupils + parents)
    pdf = letters.letters_pdf(structure=school, letters=found)
    pdf_s = time.perf_counter() - started
    cpu_s = _cpu_seconds() - cpu_before

    from io import BytesIO

    from pypdf import PdfReader

    load = os.getloadavg()[0]
    pages = len(PdfReader(BytesIO(pdf)).pages)
    ok = pdf_s <= LETTERS_TARGET_S and pages == len(found) == PUPILS + PARENTS
    return [
        "### Letters of a school (600 pupils, 1,000 parents)",
        "",
        "| step | figure | target | verdict |",
        "|---|---|---|---|",
        f"| Informer 1,600 accounts | {inform_s:.1f} s | — | — |",
        f"| one PDF of {len(found)} letters, {pages} pages | {pdf_s:.1f} s "
        f"({pages / pdf_s:.0f} pages/s on {os.cpu_count()} cores) "
        f"| ≤ {LETTERS_TARGET_S:.0f} s | {lib.verdict(ok)} |",
        f"| CPU time of the PDF (this process and its children) | {cpu_s:.1f} s "
        f"(≈ {cpu_s / (os.cpu_count() or 1):.1f} s on {os.cpu_count()} idle cores) "
        "| — | — |",
        f"| PDF size | {len(pdf) / 1e6:.1f} MB | — | — |",
        "",
        f"Load average at the end of the PDF: {load:.1f} on {os.cpu_count()} cores "
        "(other work on the machine shares them). Rendering is CPU-bound: the "
        "letters go in chunks of 50 to one process per core.",
    ]


def tickets_issue(school, count: int) -> tuple[list[str], object]:
    import secrets

    from django.utils import timezone

    from accounts.cas.models import Connector, ServiceTicket
    from accounts.cas.services import TICKET_PREFIX, connector_attribution_set
    from accounts.models import User
    from directory.models import Group, GroupKind, GroupRole

    connector = Connector.objects.filter(structure=school).first()
    if connector is None:
        connector = Connector.objects.create(
            structure=school,
            name="Pronote banc d'essai",
            service_pattern="https://bench.index-education.net/pronote/*",
            launch_url=SERVICE,
        )
    pupils_group = Group.objects.get(
        structure=school, kind=GroupKind.PROFILE, role=GroupRole.PUPILS
    )
    connector_attribution_set(
        connector=connector, group_ids={pupils_group.pk}, actor=None
    )
    pupil = User.objects.get(username="bench.e0")
    expires = timezone.now() + dt.timedelta(hours=1)
    tickets = [TICKET_PREFIX + secrets.token_urlsafe(32) for _ in range(count)]
    ServiceTicket.objects.bulk_create(
        [
            ServiceTicket(
                ticket=t,
                user=pupil,
                connector=connector,
                service=SERVICE,
                expires_at=expires,
            )
            for t in tickets
        ]
    )
    return tickets, pupil


def bench_service_validate(school) -> list[str]:
    from urllib.parse import urlencode

    tickets, pupil = tickets_issue(school, TICKETS + 100)
    cookie = lib.session_cookie(pupil)
    successes, failures = [], []

    def validate(ticket):
        def task(fetch):
            path = "/cas/serviceValidate?" + urlencode(
                {"ticket": ticket, "service": SERVICE}
            )
            status, body = fetch("GET", path)
            successes.append(b"authenticationSuccess" in body)
            if status >= 400 and len(failures) < 3:
                failures.append((status, body[:300]))

        return task

    # A port of our own: other benchmarks may be serving on the default one.
    with lib.serve(port=8404) as base:
        lib.load_tasks(base, [validate(t) for t in tickets[TICKETS:]])  # warm-up
        successes.clear()
        floor = lib.floor_stats(base, cookie, requests=TICKETS)
        cas = lib.load_tasks(base, [validate(t) for t in tickets[:TICKETS]])
    ratio = cas.rps / floor.rps if floor.rps else 0.0
    ok = ratio >= CAS_TARGET_RATIO and all(successes) and len(successes) == TICKETS
    return [
        "### CAS serviceValidate",
        "",
        lib.TABLE_HEADER,
        floor.line("framework floor /_floor/"),
        cas.line("/cas/serviceValidate (one fresh ticket each)"),
        "",
        f"serviceValidate / floor = {ratio:.2f} (target ≥ {CAS_TARGET_RATIO}); "
        f"{sum(successes)}/{TICKETS} validations succeeded: **{lib.verdict(ok)}**",
    ] + [f"first failure: {status} {body!r}" for status, body in failures[:1]]


def main() -> int:
    lib.bench_django_setup()
    school = school_build()
    lines = ["## Accounts: letters and the CAS server", ""]
    if os.environ.get("BENCH_ACCOUNTS_PART") != "cas":
        lines += bench_letters(school)
        lines += [""]
    lines += bench_service_validate(school)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
