"""The directory's home panel: "Mes classes" for the people who teach."""

from directory import console_selectors
from nati.cache import DIRECTORY, USER
from nati.home import home_panel


@home_panel(order=10, cache=(DIRECTORY, USER))
def my_classes(request):
    # Pupils and parents teach no class: no query for them.
    if not request.user.is_staff_profile:
        return None
    links = list(console_selectors.teacher_classes(request.user))
    if not links:
        return None
    return {"template": "directory/_home_classes.html", "links": links}
