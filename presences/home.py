"""The home page's Présences panel: a teacher's calls of today, one click away."""

from nati import portal
from nati.access import request_apps
from nati.cache import DIRECTORY, USER
from nati.dates import current_school_year
from nati.home import home_panel
from presences import selectors


@home_panel(
    order=10, cache=(DIRECTORY, USER), key=lambda request: current_school_year()
)
def calls_panel(request):
    if portal.PRESENCES not in request_apps(request):
        return None
    if not request.user.is_staff_profile:
        return None
    classes = list(
        selectors.callable_classes(request.user).filter(
            teacher_links__user=request.user
        )
    )
    if not classes:
        return None
    return {"template": "presences/_home_calls.html", "classes": classes}
