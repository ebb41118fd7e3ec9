from django.core.management.base import BaseCommand

from directory.feeds.predeletion import predeleted_due, predeleted_sweep


class Command(BaseCommand):
    help = (
        "Supprime les comptes pré-supprimés depuis plus de PREDELETION_DAYS jours "
        "(affiche seulement ce qui serait fait sans --for-real)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--for-real", action="store_true", help="supprime vraiment les comptes"
        )

    def handle(self, *args, **options):
        due = list(predeleted_due().values_list("pk", "predeleted_at"))
        for pk, stamped in due:
            self.stdout.write(f"utilisateur {pk} pré-supprimé le {stamped:%Y-%m-%d}")
        if not options["for_real"]:
            self.stdout.write(
                f"{len(due)} compte(s) seraient supprimés. "
                "Relancer avec --for-real pour les supprimer."
            )
            return
        deleted = predeleted_sweep()
        self.stdout.write(f"{deleted} compte(s) supprimé(s).")
