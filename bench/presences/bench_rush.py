"""The 8:00 rush of Présences, against gunicorn on loopback.

2,000 classes of 25 pupils (100 schools of 20 classes); each teacher opens the
register of the half-day, marks two absences and one lateness, and validates
(5 requests a teacher, 10,000 in all). Then the dashboard of a school of 20
classes (and its query count beside a school of 2 classes), and a class-month
PDF.

    .venv/bin/python bench/presences/bench_rush.py

Targets (issue #5): the whole rush within 60 s (about 170 requests a second),
p95 under 100 ms; the dashboard under 150 ms with a query count that does not
grow with the classes; a class-month PDF under 2 s.
"""

import datetime as dt
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nati_bench_presences"
)
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")

from bench.lib import (  # noqa: E402
    CSRF_HEADERS,
    TABLE_HEADER,
    bench_django_setup,
    floor_stats,
    load,
    load_tasks,
    serve,
    session_cookie,
    verdict,
)

SCHOOLS = int(os.environ.get("BENCH_RUSH_SCHOOLS", "100"))
CLASSES_PER_SCHOOL = 20
PUPILS_PER_CLASS = 25
UAI_PREFIX = "B"  # bench schools' UAI: B0000001 ... (real UAIs start with 98)


def build() -> dict:
    """The territory of the rush, built once in bulk (a second run reuses it)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Profile, User
    from directory import services as directory_services
    from directory.models import (
        ClassPupil,
        ClassTeacher,
        Group,
        GroupKind,
        GroupRole,
        Membership,
        SchoolClass,
        Structure,
        StructureKind,
    )
    from nati.dates import current_school_year
    from nati.text import user_search_name
    from presences import services
    from presences.models import YearSettings

    year = current_school_year()
    today = timezone.localdate()
    territory = Structure.objects.filter(uai="B0000000").first()
    if territory is None:
        territory = directory_services.structure_create(
            kind=StructureKind.TERRITORY, name="Territoire du banc", uai="B0000000"
        )
    password = make_password(None)

    def users(prefix, count, profile):
        existing = set(
            User.objects.filter(username__startswith=prefix).values_list(
                "username", flat=True
            )
        )
        new = []
        for n in range(count):
            username = f"{prefix}{n}"
            if username in existing:
                continue
            user = User(
                username=username,
                first_name=f"Prénom{n}",
                last_name=f"Nom{n}",
                profile=profile,
                password=password,
            )
            user.search_name = user_search_name(user)
            new.append(user)
        User.objects.bulk_create(new, batch_size=5000)
        return {
            u.username: u
            for u in User.objects.filter(username__startswith=prefix).only(
                "id", "username"
            )
        }

    schools = []
    for s in range(SCHOOLS + 1):  # the last one is the small school: 2 classes
        uai = f"{UAI_PREFIX}{s + 1:07d}"
        school = Structure.objects.filter(uai=uai).first()
        if school is None:
            school = directory_services.structure_create(
                kind=StructureKind.SCHOOL,
                name=f"École du banc {s}",
                parent=territory,
                uai=uai,
            )
        schools.append(school)
    small = schools.pop()

    with transaction.atomic():
        layout = [(school, CLASSES_PER_SCHOOL) for school in schools] + [(small, 2)]
        total_classes = sum(n for _, n in layout)
        teachers = users("bench.t", total_classes, Profile.TEACHER)
        pupils = users("bench.p", total_classes * PUPILS_PER_CLASS, Profile.PUPIL)
        director = users("bench.directeur", 1, Profile.TEACHER)["bench.directeur0"]
        classes, index = [], 0
        for school, count in layout:
            for c in range(count):
                classes.append((school, f"Classe {c}", index))
                index += 1
        SchoolClass.objects.bulk_create(
            [
                SchoolClass(structure=school, school_year=year, name=name)
                for school, name, _ in classes
            ],
            ignore_conflicts=True,
        )
        by_key = {
            (k.structure_id, k.name): k
            for k in SchoolClass.objects.filter(
                structure__in=[s for s, _ in layout], school_year=year
            )
        }
        teacher_links, pupil_links, members = [], [], []
        teacher_groups = {
            g.structure_id: g
            for g in Group.objects.filter(
                structure__in=[s for s, _ in layout],
                kind=GroupKind.PROFILE,
                role=GroupRole.TEACHERS,
            )
        }
        for school, name, i in classes:
            klass = by_key[(school.pk, name)]
            teacher = teachers[f"bench.t{i}"]
            teacher_links.append(ClassTeacher(klass=klass, user=teacher, is_main=True))
            members.append(Membership(group=teacher_groups[school.pk], user=teacher))
            for p in range(PUPILS_PER_CLASS):
                pupil = pupils[f"bench.p{i * PUPILS_PER_CLASS + p}"]
                pupil_links.append(ClassPupil(klass=klass, user=pupil))
        ClassTeacher.objects.bulk_create(teacher_links, ignore_conflicts=True)
        ClassPupil.objects.bulk_create(
            pupil_links, ignore_conflicts=True, batch_size=5000
        )
        Membership.objects.bulk_create(members, ignore_conflicts=True)
        for school in (schools[0], small):
            for role in (GroupRole.DIRECTION, GroupRole.TEACHERS):
                group = Group.objects.get(
                    structure=school,
                    kind=GroupKind.FUNCTION
                    if role == GroupRole.DIRECTION
                    else "profile",
                    role=role,
                )
                Membership.objects.get_or_create(group=group, user=director)

        for school, _ in layout:
            if not YearSettings.objects.filter(
                structure=school, school_year=year
            ).exists():
                services.year_initialise(
                    structure=school,
                    actor=director,
                    start=today - dt.timedelta(days=60),
                    end=today + dt.timedelta(days=60),
                    # Every day a school day, so that the rush runs whatever
                    # the day the benchmark is run.
                    week={str(d): "full" for d in range(7)},
                    school_year=year,
                )

    rush = []
    for school, name, i in classes:
        if school.pk == small.pk:
            continue
        klass = by_key[(school.pk, name)]
        first = i * PUPILS_PER_CLASS
        rush.append(
            {
                "klass": klass.pk,
                "teacher": teachers[f"bench.t{i}"],
                "pupils": [pupils[f"bench.p{first + n}"].pk for n in range(3)],
            }
        )
    return {
        "rush": rush,
        "director": director,
        "big": schools[0],
        "small": small,
        "big_class": by_key[(schools[0].pk, "Classe 0")],
    }


def analyse() -> None:
    """Fresh planner statistics, as a deployment's autovacuum keeps them. The
    bench's PostgreSQL may run without autovacuum: right after the bulk build
    its planner still believes the user table nearly empty, and reads all of
    it for each class's pupils (36 ms a call page instead of 0.1 ms)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def reset_today() -> None:
    """Forget today's calls of the bench schools, so that a rerun rushes again."""
    from django.utils import timezone

    from presences.models import Register

    Register.objects.filter(
        structure__uai__startswith=UAI_PREFIX, date=timezone.localdate()
    ).delete()


REGISTER_ID = re.compile(rb"/presences/appel/(\d+)/valider/")


def teacher_task(item, cookie):
    headers = {"Cookie": cookie}
    post = {
        **headers,
        **CSRF_HEADERS,
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
    }

    def run(fetch):
        status, body = fetch(
            "GET", f"/presences/classe/{item['klass']}/appel/", headers
        )
        found = REGISTER_ID.search(body)
        if status != 200 or not found:
            return
        register = found.group(1).decode()
        a, b, c = item["pupils"]
        for pupil, action in ((a, "absence"), (b, "absence"), (c, "late")):
            fetch(
                "POST",
                f"/presences/appel/{register}/eleve/{pupil}/",
                post,
                urlencode({"action": action}),
            )
        fetch("POST", f"/presences/appel/{register}/valider/", post, "")

    return run


def dashboard_queries(school, director) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(director)
    client.get(f"/presences/ecole/{school.pk}/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/presences/ecole/{school.pk}/")
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


def purge_tasks() -> None:
    """Notification tasks queued by the rush wait for a worker the benchmark
    does not run: drop them so that no later run or test inherits them."""
    from nati.celery import app

    app.control.purge()


def main() -> None:
    bench_django_setup()
    purge_tasks()
    started = time.perf_counter()
    world = build()
    reset_today()
    analyse()
    built = time.perf_counter() - started
    cookies = {item["klass"]: session_cookie(item["teacher"]) for item in world["rush"]}
    director_cookie = session_cookie(world["director"])

    workers = int(os.environ.get("BENCH_WORKERS", "4"))
    # 8 concurrent clients, as issue #2 defines its p95. With closed-loop
    # clients the mean wait is clients ÷ throughput: 16 clients at the target's
    # 170 req/s already wait 94 ms on average, so "170 req/s and p95 < 100 ms"
    # can only hold together at about 10 clients or fewer (the closing note of
    # the second session gives the 16-client figures too).
    clients = int(os.environ.get("BENCH_CLIENTS", "8"))
    # A port of our own: other benchmarks may run beside this one.
    with serve(port=int(os.environ.get("BENCH_PORT", "8155")), workers=workers) as base:
        floor = floor_stats(base, director_cookie, clients=clients, requests=1000)
        tasks = [teacher_task(item, cookies[item["klass"]]) for item in world["rush"]]
        rush = load_tasks(base, tasks, clients=clients)
        dashboard_url = f"/presences/ecole/{world['big'].pk}/"
        dashboard = load(
            base, [dashboard_url], director_cookie, clients=4, requests=200
        )
        month = dt.date.today().strftime("%Y-%m")
        pdf_url = (
            f"/presences/ecole/{world['big'].pk}/classe/{world['big_class'].pk}"
            f"/registre/{month}/?format=pdf"
        )
        pdf = load(base, [pdf_url], director_cookie, clients=1, requests=5)

    purge_tasks()
    queries_big = dashboard_queries(world["big"], world["director"])
    queries_small = dashboard_queries(world["small"], world["director"])

    from presences.models import Event, Register

    validated = Register.objects.filter(
        structure__uai__startswith=UAI_PREFIX, validated_at__isnull=False
    ).count()
    events = Event.objects.filter(structure__uai__startswith=UAI_PREFIX).count()
    expected = len(world["rush"]) * 5

    rush_ok = rush.elapsed <= 60 and rush.count == expected and rush.errors == 0
    print("## Présences: the 8:00 rush")
    print()
    print(
        f"{len(world['rush'])} classes of {PUPILS_PER_CLASS} pupils in {SCHOOLS} "
        f"schools; each teacher opens the call, marks two absences and one "
        f"lateness, validates (5 requests). gunicorn {workers} workers on "
        f"loopback, {clients} load-generator threads, {os.cpu_count()} cores "
        f"shared by the server, PostgreSQL and the load generator. Data built "
        f"or reused in {built:.0f} s."
    )
    print()
    print(TABLE_HEADER)
    print(floor.line("framework floor (/_floor/)"))
    print(rush.line("rush: open, 3 marks, validate"))
    print(dashboard.line("director's dashboard, 20 classes"))
    print(pdf.line("class-month PDF"))
    print()
    print(f"- registers validated: {validated}, events recorded: {events}")
    print(
        f"- rush: {rush.count} requests in {rush.elapsed:.1f} s "
        f"(target ≤ 60 s, all {expected} requests without error): "
        f"{verdict(rush_ok)}"
    )
    print(f"- rush p95 {rush.p95:.1f} ms (target < 100 ms): {verdict(rush.p95 < 100)}")
    print(
        f"- rush throughput {rush.rps:.0f} req/s, "
        f"{rush.rps / floor.rps:.2f} × the framework floor"
        if floor.rps
        else "- floor not measured"
    )
    print(
        f"- dashboard p95 {dashboard.p95:.1f} ms (target < 150 ms): "
        f"{verdict(dashboard.p95 < 150)}"
    )
    print(
        f"- dashboard queries: {queries_big} for 20 classes, {queries_small} for 2 "
        f"(target: equal): {verdict(queries_big == queries_small)}"
    )
    print(
        f"- class-month PDF worst {max(pdf.latencies) * 1000:.0f} ms "
        f"(target < 2000 ms): {verdict(max(pdf.latencies) < 2)}"
    )


if __name__ == "__main__":
    main()
