"""Who may see what. Every view goes through one of these.

An object outside the user's reach answers 404, not 403: another school's pupil
must not even be known to exist. A missing app right answers 403, with a page
that says which app is closed.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from directory import selectors
from directory.models import Structure, StructureKind
from nati import portal
from nati.cache import COMMON, DIRECTORY, USER, common_prefetch, user_cache


class AppClosed(PermissionDenied):
    def __init__(self, app_code: str):
        super().__init__(app_code)
        self.app = portal.APPS.get(app_code)


def request_apps(request) -> set[str]:
    """The user's app codes, from the cache (nati/cache.py), once per request."""
    if not hasattr(request, "_nati_apps"):
        user = request.user
        request._nati_apps = (
            common_prefetch(request).get(
                "apps", COMMON["apps"], lambda: selectors.user_apps(user)
            )
            if user.is_authenticated
            else set()
        )
    return request._nati_apps


def app_required(code: str):
    """Login, then the app right; a pre-deleted user reaches only Mes données."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.is_predeleted and code != portal.MES_DONNEES:
                raise AppClosed(code)
            if code not in request_apps(request):
                raise AppClosed(code)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def console_structures(request):
    if not hasattr(request, "_nati_scope"):
        request._nati_scope = selectors.admin_scope(request.user)
    return request._nati_scope


def console_structure_or_404(request, structure_id: int) -> Structure:
    """A structure the user administers, or 404."""
    return get_object_or_404(console_structures(request), pk=structure_id)


def school_entry(school_id: int) -> str:
    return f"console:school:{school_id}"


def console_school_or_404(request, school_id: int) -> Structure:
    """A school (not a district) the user administers, or 404. One query, kept
    in the user's cache with the directory's generation."""
    school = user_cache(request).get(
        school_entry(school_id),
        (DIRECTORY, USER),
        lambda: (
            console_structures(request)
            .filter(pk=school_id, kind=StructureKind.SCHOOL)
            .first()
        ),
    )
    if school is None:
        raise Http404
    return school


def in_scope_or_404(queryset, **lookup):
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj
