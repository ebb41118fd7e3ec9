from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from nati import portal
from nati.access import AppClosed, app_required


def messagerie_required(view):
    """app_required(MESSAGERIE), with a notice that says plainly why the
    Messagerie is closed and what the user can still do."""
    guarded = app_required(portal.MESSAGERIE)(view)

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return guarded(request, *args, **kwargs)
        except AppClosed:
            return render(request, "messaging/closed.html", status=403)

    return wrapper
