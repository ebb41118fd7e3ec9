from django.utils.functional import SimpleLazyObject

from nati import portal
from nati.access import request_apps


def unread(request):
    """The header's unread count, computed only when a template shows it: one
    count on the partial index of unread deliveries."""

    def count():
        from messaging.selectors import UNREAD_CAP, unread_count

        if not request.user.is_authenticated or request.user.is_predeleted:
            return None
        if portal.MESSAGERIE not in request_apps(request):
            return None
        unread = unread_count(request.user)
        label = f"{UNREAD_CAP - 1}+" if unread >= UNREAD_CAP else str(unread)
        return {"unread": unread, "label": label}

    return {"messaging_header": SimpleLazyObject(count)}
