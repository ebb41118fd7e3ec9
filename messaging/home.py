from messaging.models import Notification
from nati.home import home_panel

FEED_SIZE = 10


@home_panel(order=20)
def news_feed(request):
    items = list(Notification.objects.filter(recipient=request.user)[:FEED_SIZE])
    return {"template": "messaging/_home_feed.html", "items": items}
