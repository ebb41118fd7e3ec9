from django.core.management.base import BaseCommand

from directory.feeds.runs import aaf_import
from directory.management.commands._feed_output import (
    progress_printer,
    report_print,
    stderr,
)


class Command(BaseCommand):
    help = "Importe une livraison AAF (un dossier de fichiers XML)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="dossier de la livraison")
        parser.add_argument(
            "--dry-run", action="store_true", help="rapport seulement, rien n'est écrit"
        )
        parser.add_argument(
            "--json", action="store_true", help="affiche le rapport en JSON"
        )

    def handle(self, *args, **options):
        run = aaf_import(
            path=options["path"],
            dry_run=options["dry_run"],
            progress=progress_printer(stderr()),
        )
        report_print(self, run, options["json"])
