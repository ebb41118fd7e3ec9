"""What every benchmark needs: the bench database, gunicorn on loopback, logged-in
sessions, and a load generator running in this (second) process.

Figures are taken against gunicorn with production-like settings (DEBUG off),
so that what is measured is what a deployment would run.
"""

import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_VAR = ROOT / "var" / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/nati_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"


def bench_env() -> dict:
    """The environment of the served site and of this process."""
    return {
        **os.environ,
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL")
        or os.environ.get("REDIS_URL", DEFAULT_REDIS_URL),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "NATI_VAR_DIR": str(BENCH_VAR),
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": os.environ.get("CELERY_TASK_ALWAYS_EAGER", "0"),
    }


def _ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def bench_django_setup(*, migrate: bool = True) -> dict:
    """Point this process at the bench database, set Django up, migrate."""
    env = bench_env()
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nati.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    _ensure_database(env["DATABASE_URL"])
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    return env


@contextmanager
def serve(port: int = 8123, workers: int = 2, threads: int = 1):
    """gunicorn on 127.0.0.1:port against the bench database; yields the URL."""
    env = bench_env()
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    command = [
        python,
        "-m",
        "gunicorn",
        "nati.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_until_up(base_url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/compte/login/")
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {base_url}")


def session_cookie(user) -> str:
    """A Cookie header value of a logged-in session for `user`."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}; csrftoken={CSRF_TOKEN}"


# Django wants a 32-character secret (or its 64-character masked form).
CSRF_TOKEN = "benchcsrf" + "0" * 23
CSRF_HEADERS = {"X-CSRFToken": CSRF_TOKEN, "Referer": "http://127.0.0.1/"}


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))
        return ordered[index] * 1000

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p95(self) -> float:
        return self.percentile(95)

    def line(self, label: str) -> str:
        per_core = self.rps / (os.cpu_count() or 1)
        return (
            f"| {label} | {self.count} | {self.rps:.0f} | {per_core:.0f} | "
            f"{self.p50:.1f} | {self.p95:.1f} | {self.errors} |"
        )


TABLE_HEADER = (
    "| scenario | requests | req/s | req/s per core | p50 ms | p95 ms | errors |\n"
    "|---|---|---|---|---|---|---|"
)

Fetch = Callable[..., tuple[int, bytes]]


def load_tasks(base_url: str, tasks: Iterable[Callable[[Fetch], None]], clients=8):
    """Run `tasks` on `clients` threads; each task gets a `fetch(method, path,
    headers=None, body=None) -> (status, body)` whose every call is timed.
    Statuses of 400 and above count as errors."""
    parts = urlsplit(base_url)
    queue = list(tasks)
    lock = threading.Lock()
    stats = Stats()

    def fetch(method, path, headers=None, body=None):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        took = time.perf_counter() - started
        conn.close()
        with lock:
            stats.latencies.append(took)
            if response.status >= 400:
                stats.errors += 1
        return response.status, data

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                task = queue.pop()
            task(fetch)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats.elapsed = time.perf_counter() - started
    return stats


def load(base_url: str, paths: list[str], cookie: str, clients=8, requests=1000):
    """GET `paths` in turn, `requests` times in all, from `clients` threads."""
    headers = {"Cookie": cookie} if cookie else {}

    def one(path):
        return lambda fetch: fetch("GET", path, headers)

    load_tasks(base_url, [one(paths[0])] * min(50, requests), clients)  # warm-up
    tasks = [one(paths[i % len(paths)]) for i in range(requests)]
    return load_tasks(base_url, tasks, clients)


def floor_stats(base_url: str, cookie: str, clients=8, requests=1000) -> Stats:
    """The framework floor: a view with session auth that renders a constant."""
    return load(base_url, ["/_floor/"], cookie, clients, requests)


def median_of(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
