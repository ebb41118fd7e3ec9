"""`make bench`: run every bench/<topic>/bench_*.py and gather their Markdown
sections into bench/report.md."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    scripts = sorted(ROOT.glob("bench/*/bench_*.py"))
    only = os.environ.get("BENCH_ONLY")
    if only:
        scripts = [s for s in scripts if only in str(s)]
    sections = [
        "# nati benchmarks",
        f"Run on {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores.",
    ]
    for script in scripts:
        name = script.relative_to(ROOT)
        print(f"bench: {name}", file=sys.stderr, flush=True)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, str(script)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        took = time.monotonic() - started
        body = result.stdout.strip() or "(no output)"
        if result.returncode != 0:
            body += f"\n\n**{name} failed** (exit {result.returncode}):\n\n```\n"
            body += result.stderr[-3000:] + "\n```"
        sections.append(f"{body}\n\n_{name}: {took:.0f} s_")
    report = ROOT / "bench" / "report.md"
    report.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    print(f"bench: report written to {report}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
