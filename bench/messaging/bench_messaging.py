"""Messagerie under load: a message to 10,000 people, an inbox of 5,000 messages
in a database of 2 million deliveries, the home page with its news feed.

    .venv/bin/python bench/messaging/bench_messaging.py

Data is generated in PostgreSQL itself (INSERT … SELECT generate_series), once:
a second run finds it and goes straight to the measures.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nati_bench_messaging"
)
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")

from bench.lib import (  # noqa: E402
    CSRF_HEADERS,
    TABLE_HEADER,
    bench_django_setup,
    bench_env,
    floor_stats,
    load,
    load_tasks,
    serve,
    session_cookie,
    verdict,
)

PARENTS = 10_000
INBOX_SIZE = 5_000
# Every parent has this many messages: 10,000 × 200 = 2 M deliveries.
PER_PARENT = 200
SEND_RUNS = 3
# One sending per gunicorn worker first: its first task publication opens the
# broker connection (reported, not judged).
WARM_UPS = 2
PREFIX = "bench.msg."


def insert_series(model, count: int, columns: dict[str, str]) -> None:
    """INSERT `count` rows of `model` in one statement; `columns` gives SQL
    expressions of `g` (1..count), other columns take their Django default."""
    from django.db import connection

    names, values, args = [], [], []
    for field in model._meta.concrete_fields:
        column = field.column
        if column in columns:
            names.append(column)
            values.append(columns[column].replace("%", "%%"))
        elif field.primary_key:
            continue
        elif getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            names.append(column)
            values.append("now()")
        elif field.null:
            continue
        else:
            names.append(column)
            values.append("%s")
            args.append(field.get_db_prep_save(field.get_default(), connection))
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM generate_series(1, %s) g"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*args, count])


def build() -> dict:
    from django.db import connection

    from accounts.models import Profile, User
    from directory import services
    from directory.models import Group, GroupKind, GroupRole, Membership, Structure
    from messaging.models import Delivery, Message, Notification
    from tests.world import password_hash

    school = Structure.objects.filter(uai="9849999Z").first()
    if school is None:
        school = services.structure_create(
            kind="school", name="École du banc d'essai", uai="9849999Z"
        )
    parents = Group.objects.get(
        structure=school, kind=GroupKind.PROFILE, role=GroupRole.PARENTS
    )
    teacher = User.objects.filter(username=PREFIX + "teacher").first()
    if teacher is None:
        teacher = User.objects.create(
            username=PREFIX + "teacher",
            first_name="Maître",
            last_name="Banc",
            profile=Profile.TEACHER,
            password=password_hash(),
            account_state="active",
        )
        services.affiliation_add(user=teacher, structure=school)
        services.memberships_rebuild(structure_ids=[school.pk])

    if not User.objects.filter(username=PREFIX + "parent.1").exists():
        print("bench: generating 10,000 parents", file=sys.stderr, flush=True)
        insert_series(
            User,
            PARENTS,
            {
                "username": f"'{PREFIX}parent.' || g",
                "first_name": "'Parent'",
                "last_name": "'Banc ' || g",
                "search_name": "'parent banc ' || g",
                "profile": "'parent'",
                "password": "'!'",
                "is_active": "true",
                "date_joined": "now()",
                "account_state": "'active'",
            },
        )
        first = User.objects.get(username=PREFIX + "parent.1").pk
        insert_series(
            Membership,
            PARENTS,
            {"group_id": str(parents.pk), "user_id": f"{first} - 1 + g"},
        )
    first_parent = User.objects.get(username=PREFIX + "parent.1").pk
    reader = User.objects.get(username=PREFIX + "parent.1")

    generated = (
        Message.objects.filter(sender=teacher, subject__startswith="Message ").count()
        == INBOX_SIZE
        and Delivery.objects.count() >= PARENTS * PER_PARENT
    )
    if not generated:
        print("bench: generating 2 M deliveries", file=sys.stderr, flush=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE messaging_delivery, messaging_messagetarget,"
                " messaging_attachment, messaging_notification, messaging_message"
                " CASCADE"
            )
        insert_series(
            Message,
            INBOX_SIZE,
            {
                "sender_id": str(teacher.pk),
                "subject": "'Message ' || g",
                "body": "'Bonjour,' || chr(10) || 'voici le message ' || g",
                "state": "'sent'",
                "sent_at": "now() - g * interval '1 hour'",
                "recipient_count": str(PER_PARENT),
            },
        )
        base = Message.objects.filter(sender=teacher).order_by("pk").first().pk
        # Parent u gets messages (u·37 + k) mod 5000 for k < 200: distinct per
        # parent, spread over the whole set; the reader (u = 0) gets all 5000.
        insert_series(
            Delivery,
            PARENTS * PER_PARENT,
            {
                "message_id": f"{base} + (((g - 1) / {PER_PARENT}) * 37"
                f" + (g - 1) % {PER_PARENT}) % {INBOX_SIZE}",
                "recipient_id": f"{first_parent} + (g - 1) / {PER_PARENT}",
                # The message's own sent_at (message j was sent j + 1 hours ago).
                "sent_at": f"now() - (1 + (((g - 1) / {PER_PARENT}) * 37"
                f" + (g - 1) % {PER_PARENT}) % {INBOX_SIZE}) * interval '1 hour'",
                "read_at": "CASE WHEN g % 3 = 0 THEN NULL ELSE now() END",
            },
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO messaging_delivery (message_id, recipient_id, sent_at)"
                " SELECT m.id, %s, m.sent_at FROM messaging_message m"
                " WHERE m.sender_id = %s ON CONFLICT DO NOTHING",
                [reader.pk, teacher.pk],
            )
            # Fresh statistics and visibility map, as autovacuum would leave them.
            for table in (
                "accounts_user",
                "directory_membership",
                "messaging_message",
                "messaging_delivery",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")
    if not Notification.objects.filter(recipient=reader).exists():
        insert_series(
            Notification,
            300,
            {
                "recipient_id": str(reader.pk),
                "kind": "'message'",
                "text": "'Nouveau message de Maître Banc : Message ' || g",
                "url": "'/messagerie/message/' || g || '/'",
                "created_at": "now() - g * interval '1 hour'",
            },
        )
    return {"school": school, "parents": parents, "teacher": teacher, "reader": reader}


def inbox_queries(reader) -> tuple[int, int]:
    """Queries of the inbox's first and 100th page, in process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(reader)
    client.get("/messagerie/", HTTP_HOST="127.0.0.1")
    counts = []
    for page in (1, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/messagerie/?page={page}", HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code
        counts.append(len(queries))
    return counts[0], counts[1]


def in_process(reader) -> dict[str, tuple[float, float]]:
    """In process, (best, median) ms of the floor, the inbox, the home page and
    the home page without Messagerie's panels: the cost of the code itself,
    apart from the machine's load."""
    import statistics

    from django.test import Client

    from nati import home

    client = Client()
    client.force_login(reader)

    def timed(path: str) -> tuple[float, float]:
        times = []
        for _ in range(60):
            started = time.perf_counter()
            client.get(path, HTTP_HOST="127.0.0.1")
            times.append((time.perf_counter() - started) * 1000)
        return min(times[10:]), statistics.median(times[10:])

    figures = {
        name: timed(path)
        for name, path in [
            ("floor", "/_floor/"),
            ("inbox", "/messagerie/"),
            ("home", "/"),
        ]
    }
    saved = list(home._panels)
    home._panels[:] = [p for p in saved if not p[1].__module__.startswith("messaging")]
    try:
        figures["bare home"] = timed("/")
    finally:
        home._panels[:] = saved
    return figures


def with_worker():
    """A Celery worker on the bench broker, as production runs it."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nati",
            "worker",
            "-P",
            "solo",
            "-c",
            "1",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=bench_env(),
    )


def send_runs(base_url: str, data: dict) -> list[dict]:
    from messaging.models import Delivery, Message, MessageState

    headers = {
        "Cookie": session_cookie(data["teacher"]),
        "Content-Type": "application/x-www-form-urlencoded",
        **CSRF_HEADERS,
    }
    runs = []
    for n in range(WARM_UPS + SEND_RUNS):
        body = (
            f"subject=Rentr%C3%A9e+{n}&body=Bonjour&groups={data['parents'].pk}"
            "&action=send"
        )
        result = {"warm_up": n < WARM_UPS}

        def compose(fetch, body=body, result=result):
            started = time.perf_counter()
            status, _ = fetch("POST", "/messagerie/ecrire/", headers, body)
            result["compose_ms"] = (time.perf_counter() - started) * 1000
            result["compose_status"] = status

        load_tasks(base_url, [compose], clients=1)
        draft = Message.objects.filter(
            sender=data["teacher"], state=MessageState.DRAFT
        ).latest("pk")

        def confirm(fetch, draft=draft, result=result):
            started = time.perf_counter()
            result["started"] = started
            status, _ = fetch(
                "POST", f"/messagerie/brouillons/{draft.pk}/envoyer/", headers
            )
            result["send_ms"] = (time.perf_counter() - started) * 1000
            result["send_status"] = status

        load_tasks(base_url, [confirm], clients=1)
        deadline = result["started"] + 30
        while time.perf_counter() < deadline:
            message = Message.objects.get(pk=draft.pk)
            if message.state == MessageState.SENT:
                break
            time.sleep(0.02)
        result["delivered_s"] = time.perf_counter() - result["started"]
        result["deliveries"] = Delivery.objects.filter(message=draft).count()
        runs.append(result)
    return runs


def main() -> int:
    bench_django_setup()
    from django.conf import settings

    data = build()
    from messaging.models import Delivery

    total = Delivery.objects.count()
    reader_count = Delivery.objects.filter(recipient=data["reader"]).count()

    worker = with_worker()
    try:
        with serve() as base_url:
            time.sleep(2)  # let the worker connect to the broker
            # In process, once serve() has collected the static files.
            first_page, hundredth_page = inbox_queries(data["reader"])
            figures = in_process(data["reader"])
            runs = send_runs(base_url, data)
            reader_cookie = session_cookie(data["reader"])
            # Latency: one client per gunicorn worker, no queue of our making.
            inbox = load(
                base_url, ["/messagerie/"], reader_cookie, clients=2, requests=400
            )
            inbox_deep = load(
                base_url,
                ["/messagerie/?page=150"],
                reader_cookie,
                clients=2,
                requests=200,
            )
            home = load(base_url, ["/"], reader_cookie, clients=8, requests=600)
            floor = floor_stats(base_url, reader_cookie, clients=8, requests=600)
    finally:
        worker.terminate()
        worker.wait(timeout=20)

    judged = [r for r in runs if not r["warm_up"]]
    send_max = max(r["send_ms"] for r in judged)
    compose_max = max(r["compose_ms"] for r in judged)
    delivered_max = max(r["delivered_s"] for r in judged)
    all_delivered = all(r["deliveries"] == PARENTS for r in runs)
    ratio = home.rps / floor.rps if floor.rps else 0.0
    lines = [
        "## Messagerie",
        "",
        f"{total:,} deliveries in the database; the reader has {reader_count:,} "
        f"messages. Sync limit {settings.MESSAGING_SYNC_LIMIT}: above it a Celery "
        "worker (solo) delivers.",
        "",
        "| target | figure | goal | verdict |",
        "|---|---|---|---|",
        f"| send request to {PARENTS:,} parents (confirmation POST), worst of "
        f"{SEND_RUNS} after {WARM_UPS} warm-ups | {send_max:.0f} ms | ≤ 300 ms | "
        f"{verdict(send_max <= 300)} |",
        f"| compose POST (draft saved, rules checked, count) worst of {SEND_RUNS} | "
        f"{compose_max:.0f} ms | ≤ 300 ms | {verdict(compose_max <= 300)} |",
        f"| every inbox has it (from the send request), worst of {SEND_RUNS} | "
        f"{delivered_max:.2f} s ({'all' if all_delivered else 'NOT all'} "
        f"{PARENTS:,} delivered) | ≤ 5 s | "
        f"{verdict(delivered_max <= 5 and all_delivered)} |",
        f"| inbox p95, page 1 | {inbox.p95:.1f} ms | ≤ 50 ms | "
        f"{verdict(inbox.p95 <= 50)} |",
        f"| inbox p95, page 150 | {inbox_deep.p95:.1f} ms | ≤ 50 ms | "
        f"{verdict(inbox_deep.p95 <= 50)} |",
        f"| inbox queries, page 1 / page 100 | {first_page} / {hundredth_page} | "
        f"fixed | {verdict(first_page == hundredth_page)} |",
        f"| home page with feed / floor | {home.rps:.0f} / {floor.rps:.0f} req/s = "
        f"{ratio:.2f} | ≥ 0.5 | {verdict(ratio >= 0.5)} |",
        "",
        TABLE_HEADER,
        inbox.line("inbox page 1 (2 clients)"),
        inbox_deep.line("inbox page 150 (2 clients)"),
        home.line("home page with feed (8 clients)"),
        floor.line("framework floor /_floor/ (8 clients)"),
        "",
        "In process (Django test client, DEBUG off), best / median ms: "
        + ", ".join(f"{k} {v[0]:.1f} / {v[1]:.1f}" for k, v in figures.items())
        + " (bare home: without Messagerie's feed and banners).",
        f"Load average when measured: {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores (shared machine).",
        "",
        "Send runs: "
        + "; ".join(
            f"{'warm-up: ' if r['warm_up'] else ''}"
            f"compose {r['compose_ms']:.0f} ms ({r['compose_status']}), send "
            f"{r['send_ms']:.0f} ms ({r['send_status']}), delivered in "
            f"{r['delivered_s']:.2f} s"
            for r in runs
        ),
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
