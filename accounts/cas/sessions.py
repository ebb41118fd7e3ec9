"""Whether the password was just typed for a CAS login (what `renew` needs)."""

from urllib.parse import urlsplit

_FRESH = "nati_cas_fresh_login"


def fresh_login_mark(request) -> None:
    """Called at login: marks the session when the login form was on its way
    back to /cas/login, so that the ticket it then issues counts as renewed."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if urlsplit(target).path.startswith("/cas/login"):
        request.session[_FRESH] = True


def fresh_login_pop(request) -> bool:
    """True once after such a login; every visit to /cas/login clears it."""
    if not hasattr(request, "session"):
        return False
    return bool(request.session.pop(_FRESH, False))
