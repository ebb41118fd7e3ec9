from django.utils import timezone

from messaging import selectors
from nati.home import home_panel

FEED_SIZE = 10


@home_panel(order=5)
def flash_banners(request):
    flashes = selectors.flashes_for(request.user, timezone.localdate())
    if not flashes:
        return None
    return {"template": "messaging/_home_flash.html", "flashes": flashes}


@home_panel(order=20)
def news_feed(request):
    # One row more than shown tells whether "Voir plus" has anything to show.
    items = list(selectors.feed(request.user)[: FEED_SIZE + 1])
    return {
        "template": "messaging/_home_feed.html",
        "items": items[:FEED_SIZE],
        "more": len(items) > FEED_SIZE,
    }
