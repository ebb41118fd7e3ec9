from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

# Each step is idempotent and runs in order; apps add theirs here.
STEPS = [
    "directory.demo.seed",
    "presences.demo.seed",
    "messaging.demo.seed",
    "accounts.demo.seed_pronote",
]


class Command(BaseCommand):
    help = "Construit le territoire de démonstration (idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Les données de démonstration sont refusées quand DEBUG est "
                "désactivé : elles créeraient des comptes aux mots de passe connus."
            )
        result = {}
        for step in STEPS:
            result = import_string(step)() or result
        self.stdout.write(self.style.SUCCESS("Démo prête sur http://127.0.0.1:8000"))
        self.stdout.write(
            f"Comptes de démonstration (mot de passe : {settings.NATI_DEMO_PASSWORD}) :"
        )
        for login, role in import_string("directory.demo.DEMO_LOGINS"):
            self.stdout.write(f"  {login:<18} {role}")
