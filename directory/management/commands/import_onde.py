from django.core.management.base import BaseCommand

from directory.feeds.runs import onde_import
from directory.management.commands._feed_output import (
    progress_printer,
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
        parser.add_argument(
            "--dry-run", action="store_true", help="rapport seulement, rien n'est écrit"
        )
        parser.add_argument(
            "--json", action="store_true", help="affiche le rapport en JSON"
        )

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
