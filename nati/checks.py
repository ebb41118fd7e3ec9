"""System checks of nati's own settings."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs=None, **kwargs):
    """Pages keep what they read in the cache (nati/cache.py) and writes bump
    generations there: every process must see the same cache."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                "Sans REDIS_URL, chaque processus garde son propre cache : une "
                "écriture faite dans un processus ne se verrait pas dans les autres.",
                hint="Définissez REDIS_URL pour la production.",
                id="nati.W001",
            )
        ]
    return []
