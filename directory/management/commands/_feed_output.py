"""What the two import commands share: progress on a terminal, the report."""

import json
import sys

from django.core.management.base import CommandError


def progress_printer(stream):
    """Progress lines on stderr, only when it is a terminal."""
    if not stream.isatty():
        return None

    def show(name: str, percent: int) -> None:
        stream.write(f"\r[{percent:3d} %] {name:<60}")
        stream.flush()
        if percent >= 100:
            stream.write("\n")

    return show


def report_print(command, run, as_json: bool) -> None:
    report = run.report
    if as_json:
        command.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        counts = ", ".join(f"{k} {v}" for k, v in report["counts"].items())
        command.stdout.write(f"Import {run.pk} : {report['status']} ({counts})")
        for uai, held in report.get("held", {}).items():
            command.stdout.write(
                f"  retenu pour {uai} : {held['disappearing']} disparitions "
                f"sur {held['population']}"
            )
        for rejected in report["rejected"][:20]:
            command.stdout.write(
                f"  rejeté {rejected['file']}:{rejected['line']} "
                f"{rejected['id']} : {rejected['reason']}"
            )
        for warning in report["warnings"][:20]:
            command.stdout.write(f"  attention : {warning}")
    if report["status"] == "failed":
        raise CommandError(report.get("error") or "Import en échec.", returncode=1)


def stderr():
    return sys.stderr


def report_arguments(parser) -> None:
    """--dry-run and --json, the same for both import commands."""
    parser.add_argument(
        "--dry-run", action="store_true", help="rapport seulement, rien n'est écrit"
    )
    parser.add_argument(
        "--json", action="store_true", help="affiche le rapport en JSON"
    )
