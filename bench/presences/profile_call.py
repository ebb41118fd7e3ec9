"""Per-request cost of the 8:00 rush, in process: queries and CPU of each of the
three request kinds (open the call, a mark, validate), through the Django test
client against the bench database (DEBUG off), without gunicorn or a network.

    .venv/bin/python bench/presences/profile_call.py [classes] [--profile KIND]

Run bench_rush.py once first: it builds the bench database. Each class of the
sample is called once (open, two absences, a lateness, validate) and today's
registers of the bench schools are forgotten at the end, so that the rush can
run again. `--profile open|mark|validate` prints cProfile's top functions of
that kind, `-v` the queries of one class.
"""

import cProfile
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nati_bench_presences"
)
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")

from bench.lib import bench_django_setup  # noqa: E402

KINDS = ("floor", "open", "mark", "validate")


def sample(count: int) -> list[dict]:
    """`count` bench classes of the big schools, each with its teacher and three
    of its pupils."""
    from directory.models import ClassPupil, ClassTeacher

    links = (
        ClassTeacher.objects.filter(klass__structure__uai__startswith="B")
        .exclude(klass__structure__uai="B0000000")
        .select_related("user", "klass")
        .order_by("klass_id")[:count]
    )
    items = []
    for link in links:
        pupils = list(
            ClassPupil.objects.filter(klass=link.klass)
            .order_by("user_id")
            .values_list("user_id", flat=True)[:3]
        )
        items.append({"klass": link.klass_id, "teacher": link.user, "pupils": pupils})
    return items


def requests_of(client, item):
    """The five requests of one teacher, as (kind, callable) pairs; the register
    id is read from the call page like the load generator does."""
    from bench.presences.bench_rush import REGISTER_ID

    state = {}

    def open_call():
        response = client.get(f"/presences/classe/{item['klass']}/appel/")
        assert response.status_code == 200, response.status_code
        state["register"] = REGISTER_ID.search(response.content).group(1).decode()

    def mark(pupil, action):
        def run():
            response = client.post(
                f"/presences/appel/{state['register']}/eleve/{pupil}/",
                {"action": action},
                HTTP_HX_REQUEST="true",
            )
            assert response.status_code == 200, response.status_code

        return run

    def validate():
        response = client.post(
            f"/presences/appel/{state['register']}/valider/", HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200, response.status_code

    def floor():
        assert client.get("/_floor/").status_code == 200

    a, b, c = item["pupils"]
    return [
        ("floor", floor),
        ("open", open_call),
        ("mark", mark(a, "absence")),
        ("mark", mark(b, "absence")),
        ("mark", mark(c, "late")),
        ("validate", validate),
    ]


def main() -> None:
    bench_django_setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.presences.bench_rush import purge_tasks, reset_today

    args = sys.argv[1:]
    profile_kind = None
    if "--profile" in args:
        at = args.index("--profile")
        profile_kind = args[at + 1]
        del args[at : at + 2]
    verbose = "-v" in args
    args = [a for a in args if a != "-v"]
    count = int(args[0]) if args else 41

    reset_today()
    items = sample(count)
    cpu, queries = defaultdict(list), defaultdict(list)
    wall, pg_cpu = defaultdict(list), defaultdict(float)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def pg() -> float:
        """CPU seconds of our PostgreSQL backend so far (10 ms ticks: a sum
        over many requests only)."""
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    profiler = cProfile.Profile(time.process_time)
    # One client, so that the middleware is loaded once, as in a gunicorn worker.
    client = Client(HTTP_HOST="127.0.0.1")
    for n, item in enumerate(items):
        client.force_login(item["teacher"])
        # The first class warms the process up (imports, template loading).
        # Odd classes count the queries, even ones the CPU: capturing queries
        # costs CPU of its own.
        for kind, run in requests_of(client, item):
            if n % 2:
                with CaptureQueriesContext(connection) as captured:
                    run()
                queries[kind].append(len(captured.captured_queries))
                if n == 1 and verbose:
                    for query in captured.captured_queries:
                        print(kind, query["sql"][:300])
                continue
            started, clock, ticks = time.process_time(), time.perf_counter(), pg()
            if kind == profile_kind and n:
                profiler.runcall(run)
            else:
                run()
            if n:
                cpu[kind].append(time.process_time() - started)
                wall[kind].append(time.perf_counter() - clock)
                pg_cpu[kind] += pg() - ticks
    reset_today()
    purge_tasks()

    print(f"{len(items) - 1} classes (after one to warm up), DEBUG off; CPU of")
    print("half of them, queries of the other half")
    print(
        "| request | queries | CPU ms (mean) | CPU ms (median) | wall ms (median) "
        "| PostgreSQL CPU ms (mean) |"
    )
    print("|---|---|---|---|---|---|")
    for kind in KINDS:
        values, walls = sorted(cpu[kind]), sorted(wall[kind])
        print(
            f"| {kind} | {max(queries[kind])} | "
            f"{1000 * sum(values) / len(values):.1f} | "
            f"{1000 * values[len(values) // 2]:.1f} | "
            f"{1000 * walls[len(walls) // 2]:.1f} | "
            f"{1000 * pg_cpu[kind] / len(values):.1f} |"
        )
    if profile_kind:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(
            int(os.environ.get("PROFILE_LINES", "45"))
        )
        stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
