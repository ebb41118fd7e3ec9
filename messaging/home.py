from django.urls import reverse
from django.utils import timezone

from messaging import selectors
from moderation.models import Report
from nati import portal
from nati.access import console_structures, request_apps
from nati.cache import DIRECTORY, FLASHES, INBOX, REPORTS, USER
from nati.home import Tile, home_panel, tile_provider

FEED_SIZE = 10


@home_panel(
    order=5,
    cache=(FLASHES, INBOX, DIRECTORY, USER),
    key=lambda request: timezone.localdate().isoformat(),
)
def flash_banners(request):
    flashes = selectors.flashes_for(request.user, timezone.localdate())
    if not flashes:
        return None
    return {"template": "messaging/_home_flash.html", "flashes": flashes}


@home_panel(order=20, cache=(INBOX,))
def news_feed(request):
    # One row more than shown tells whether "Voir plus" has anything to show.
    items = list(selectors.feed(request.user)[: FEED_SIZE + 1])
    return {
        "template": "messaging/_home_feed.html",
        "items": items[:FEED_SIZE],
        "more": len(items) > FEED_SIZE,
    }


@tile_provider(cache=(DIRECTORY, USER, REPORTS))
def console_tiles(request):
    """For administrators: the flash messages and the reports waiting. Two
    queries, only for users holding the console (the app set is read once)."""
    if portal.CONSOLE not in request_apps(request):
        return []
    scope = console_structures(request)
    waiting = Report.objects.filter(structure__in=scope, handled_at__isnull=True)
    count = waiting.count()
    return [
        Tile(
            "Message Flash",
            "flag",
            reverse("messaging-flash-home"),
            "Un bandeau sur la page d'accueil",
        ),
        Tile(
            "Signalements",
            "alert",
            reverse("moderation-reports"),
            f"{count} à traiter" if count else "Aucun à traiter",
        ),
    ]
