"""Where an import's time goes: each phase's wall and CPU time, in-process.

    .venv/bin/python bench/feeds/profile_feeds.py DIR [--scale 0.25] [--profile F]
        [--runs full,again,changed] [--serial]

Generates DIR/full and DIR/changed (once), then runs on the bench database:
full import from empty, the same again, the 2 % changed delivery; prints the
time of each step (parse, then the apply steps) and the rows written. With
--profile, cProfile of each run goes to F.<run>.
"""

import argparse
import cProfile
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from feeds.bench_feeds import DEFAULT_URL, _empty, _writes  # noqa: E402
from feeds.generate import generate  # noqa: E402
from lib import bench_django_setup  # noqa: E402


def _backend_cpu(pid: int) -> float:
    """CPU seconds of the PostgreSQL backend serving this process (it runs on
    this machine): its PostgreSQL time, apart from the load of others."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run(folder: Path, profile: str | None):
    from django.db import connection

    from directory.feeds.runs import aaf_import

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    marks = []

    def progress(name, percent):
        marks.append((name, time.monotonic(), time.process_time()))
        pg_marks.append(_backend_cpu(backend))

    pg_marks = [_backend_cpu(backend)]

    profiler = cProfile.Profile() if profile else None
    started, cpu = time.monotonic(), time.process_time()
    children = os.times()
    child_before = children.children_user + children.children_system
    marks.append(("start", started, cpu))
    if profiler:
        profiler.enable()
    run = aaf_import(path=folder, progress=progress)
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    marks.append(("end", time.monotonic(), time.process_time()))
    pg_marks.append(_backend_cpu(backend))
    children = os.times()
    child_cpu = children.children_user + children.children_system - child_before
    print(
        f"  total {marks[-1][1] - started:.2f}s wall {marks[-1][2] - cpu:.2f}s cpu"
        f" (+ {child_cpu:.2f}s cpu of the reading processes)"
    )
    print(f"  PostgreSQL backend {pg_marks[-1] - pg_marks[0]:.2f}s cpu")
    # Consecutive "lecture" marks are files: folded into one step.
    folded: dict[str, list[float]] = {}
    steps = zip(marks, marks[1:], pg_marks, pg_marks[1:], strict=False)
    for (name, wall, c), (_, wall2, c2), pg, pg2 in steps:
        key = name.split()[0]
        acc = folded.setdefault(key, [0.0, 0.0, 0.0])
        acc[0] += wall2 - wall
        acc[1] += c2 - c
        acc[2] += pg2 - pg
    print("  step wall/cpu/PostgreSQL cpu:")
    print(
        "  "
        + "  ".join(f"{k} {w:.2f}/{c:.2f}/{p:.2f}" for k, (w, c, p) in folded.items())
    )
    print(f"  {run.status} {run.report.get('counts')}")
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=Path)
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--profile")
    parser.add_argument("--runs", default="full,again,changed")
    parser.add_argument(
        "--serial", action="store_true", help="read the files on one core"
    )
    args = parser.parse_args()

    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_URL)
    bench_django_setup()
    from django.db import connection

    if args.serial:
        from directory.feeds import aaf

        aaf.PARALLEL_MIN_BYTES = 1 << 62

    for name, changed in (("full", 0.0), ("changed", 0.02)):
        if not (args.dir / name).exists():
            generate(args.dir / name, args.scale, changed=changed)
    with connection.cursor() as cursor:
        for name in args.runs.split(","):
            if name == "full":
                _empty(cursor)
            before = _writes(cursor)
            print(f"{name}:")
            folder = args.dir / ("changed" if name == "changed" else "full")
            profile = f"{args.profile}.{name}" if args.profile else None
            _run(folder, profile)
            print(f"  rows written {_writes(cursor) - before}")


if __name__ == "__main__":
    main()
