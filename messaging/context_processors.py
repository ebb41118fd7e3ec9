from django.utils.functional import SimpleLazyObject

from nati import portal
from nati.access import request_apps


def unread(request):
    """The header's unread count, computed only when a template shows it: one
    count on the partial index of unread deliveries."""

    def count():
        from messaging.selectors import unread_count

        if not request.user.is_authenticated or request.user.is_predeleted:
            return None
        if portal.MESSAGERIE not in request_apps(request):
            return None
        return {"unread": unread_count(request.user)}

    return {"messaging_header": SimpleLazyObject(count)}
