"""The portal under load: the framework floor, the home page and the console's
user list of a 600-user school, served by gunicorn on loopback and loaded from
this process; then the weight of the login and home pages.

    .venv/bin/python bench/portal/bench_portal.py

Targets (issue #2): home ≥ 0.5 × floor, console list ≥ 0.3 × floor, p95 under
100 ms at 8 concurrent clients; login and home pages with all they load
≤ 40 KB raw and ≤ 15 KB gzipped.
"""

import gzip
import http.client
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nati_bench_console"
)
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")

from bench import lib  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8142"))
CLIENTS = 8
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1200"))
SCHOOL_UAI = "9849600B"
# 24 classes of 17 pupils, a teacher each, 168 parents: 600 people.
CLASSES, PUPILS_PER_CLASS, PARENTS = 24, 17, 168
RAW_LIMIT, GZIP_LIMIT = 40 * 1024, 15 * 1024
RESOURCE = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"')


def school_ensure():
    """The bench school, made once through the services (idempotent)."""
    from accounts.models import Profile, User
    from accounts.services import user_create
    from directory import services
    from directory.models import GroupRole, Structure, StructureKind
    from nati.dates import current_school_year

    school = Structure.objects.filter(uai=SCHOOL_UAI).first()
    if school is not None:
        director = User.objects.get(username="banc.directeur")
        return school, director

    year = current_school_year()
    territory = services.structure_create(
        kind=StructureKind.TERRITORY, name="Territoire du banc d'essai"
    )
    district = services.structure_create(
        kind=StructureKind.DISTRICT, name="Circonscription du banc", parent=territory
    )
    school = services.structure_create(
        kind=StructureKind.SCHOOL,
        name="École du banc d'essai",
        parent=district,
        uai=SCHOOL_UAI,
        town="Faaʻa",
    )

    def people(count, profile, prefix):
        return [
            user_create(
                first_name=f"{prefix}{n}",
                last_name=f"Teriitehau{n % 37}",
                profile=profile,
                username=f"banc.{prefix.lower()}{n}",
            )
            for n in range(count)
        ]

    director = user_create(
        first_name="Moana",
        last_name="Tetuanui",
        profile=Profile.TEACHER,
        username="banc.directeur",
    )
    teachers = [director] + people(CLASSES - 1, Profile.TEACHER, "Enseignant")
    pupils = people(CLASSES * PUPILS_PER_CLASS, Profile.PUPIL, "Eleve")
    parents = people(PARENTS, Profile.PARENT, "Parent")
    for number in range(CLASSES):
        klass = services.class_create(
            structure=school, school_year=year, name=f"Classe {number + 1:02d}"
        )
        services.class_teacher_attach(klass=klass, teacher=teachers[number])
        first = number * PUPILS_PER_CLASS
        services.pupils_enrol(
            klass=klass, pupils=pupils[first : first + PUPILS_PER_CLASS]
        )
    services.links_create(pairs=[(parents[n], pupils[n]) for n in range(PARENTS)])
    for role in (GroupRole.ADML, GroupRole.DIRECTION):
        services.function_grant(user=director, structure=school, role=role)
    return school, director


def page_weight(base_url: str, path: str, cookie: str) -> tuple[int, int]:
    """(raw, gzip) bytes of a page and every resource it loads."""
    parts = urlsplit(base_url)

    def get(url):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request("GET", url, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"GET {url} answered {response.status}")
        return body

    html = get(path)
    bodies = [html]
    for url in RESOURCE.findall(html.decode()):
        if not url.startswith("data:"):
            bodies.append(get(url))
    return sum(map(len, bodies)), sum(len(gzip.compress(b, 6)) for b in bodies)


def main() -> int:
    lib.bench_django_setup()
    from django.conf import settings
    from django.db import connection

    from accounts.models import User

    school, director = school_ensure()
    with connection.cursor() as cursor:
        # Fresh rows have no planner statistics until autovacuum comes by.
        cursor.execute("ANALYZE")
    users = User.objects.filter(username__startswith="banc.").count()
    cookie = lib.session_cookie(director)
    console_path = f"/console/ecoles/{school.pk}/utilisateurs/"

    load_before = os.getloadavg()[0]
    with lib.serve(PORT, workers=2) as base:
        floor = lib.floor_stats(base, cookie, CLIENTS, REQUESTS)
        home = lib.load(base, ["/"], cookie, CLIENTS, REQUESTS)
        console = lib.load(base, [console_path], cookie, CLIENTS, REQUESTS)
        weights = {
            "login page": page_weight(base, "/compte/login/", ""),
            "home page": page_weight(base, "/", cookie),
        }

    home_ratio = home.rps / floor.rps if floor.rps else 0
    console_ratio = console.rps / floor.rps if floor.rps else 0
    out = [
        "## Portal: floor, home page, console user list, page weight",
        "",
        f"gunicorn, 2 workers, on loopback; {CLIENTS} clients in a second process; "
        f"{REQUESTS} requests a scenario; the console lists a school of {users} "
        f"users ({settings.NATI_CONSOLE_PAGE_SIZE} a page); "
        "home and console as its director (ADML, teacher of a class). "
        f"Load average before/after: {load_before:.1f}/{os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores (other work on the machine skews every figure).",
        "",
        lib.TABLE_HEADER,
        floor.line("floor (/_floor/)"),
        home.line("home page (/)"),
        console.line("console user list"),
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        f"| home ≥ 0.5 × floor | {home_ratio:.2f} × | "
        f"{lib.verdict(home_ratio >= 0.5)} |",
        f"| console list ≥ 0.3 × floor | {console_ratio:.2f} × | "
        f"{lib.verdict(console_ratio >= 0.3)} |",
    ]
    for label, stats in (("floor", floor), ("home", home), ("console", console)):
        out.append(
            f"| {label} p95 < 100 ms | {stats.p95:.1f} ms | "
            f"{lib.verdict(stats.p95 < 100 and stats.errors == 0)} |"
        )
    for label, (raw, zipped) in weights.items():
        out.append(
            f"| {label} ≤ 40 KB raw, ≤ 15 KB gzip | {raw / 1024:.1f} KB, "
            f"{zipped / 1024:.1f} KB gzip | "
            f"{lib.verdict(raw <= RAW_LIMIT and zipped <= GZIP_LIMIT)} |"
        )
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
