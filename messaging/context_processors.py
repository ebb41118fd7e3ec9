from django.utils.functional import SimpleLazyObject

from nati import portal
from nati.access import request_apps
from nati.cache import COMMON, common_prefetch


def unread(request):
    """The header's unread count, computed only when a template shows it and
    kept in the user's cache until their inbox changes (nati/cache.py)."""

    def count():
        from messaging.selectors import UNREAD_CAP, unread_count

        user = request.user
        if not user.is_authenticated or user.is_predeleted:
            return None
        if portal.MESSAGERIE not in request_apps(request):
            return None
        unread = common_prefetch(request).get(
            "unread", COMMON["unread"], lambda: unread_count(user)
        )
        label = f"{UNREAD_CAP - 1}+" if unread >= UNREAD_CAP else str(unread)
        return {"unread": unread, "label": label}

    return {"messaging_header": SimpleLazyObject(count)}
