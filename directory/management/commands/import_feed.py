from django.core.management.base import BaseCommand

from directory.feeds.runs import aaf_import
from directory.management.commands._feed_output import (
    progress_printer,
    report_arguments,
    report_print,
    stderr,
)


class Command(BaseCommand):
    help = "Importe une livraison AAF (un dossier de fichiers XML)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="dossier de la livraison")
        report_arguments(parser)

    def handle(self, *args, **options):
        run = aaf_import(
            path=options["path"],
            dry_run=options["dry_run"],
            progress=progress_printer(stderr()),
        )
        report_print(self, run, options["json"])
