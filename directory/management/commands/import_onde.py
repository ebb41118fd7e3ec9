from django.core.management.base import BaseCommand

from directory.feeds.runs import onde_import
from directory.management.commands._feed_output import (
    progress_printer,
    report_arguments,
    report_print,
    stderr,
)


class Command(BaseCommand):
    help = "Importe l'extraction ONDE d'une école (élèves, responsables, enseignants)."

    def add_arguments(self, parser):
        parser.add_argument("--uai", required=True, help="UAI de l'école")
        parser.add_argument("--pupils", required=True, help="fichier des élèves")
        parser.add_argument(
            "--representatives", required=True, help="fichier des responsables"
        )
        parser.add_argument("--teachers", required=True, help="fichier des enseignants")
        report_arguments(parser)

    def handle(self, *args, **options):
        run = onde_import(
            uai=options["uai"],
            pupils=options["pupils"],
            representatives=options["representatives"],
            teachers=options["teachers"],
            dry_run=options["dry_run"],
            progress=progress_printer(stderr()),
        )
        report_print(self, run, options["json"])
