from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.models import Profile
from directory import selectors
from directory.models import ClassPupil
from nati import home, portal
from nati.access import AppClosed, request_apps
from nati.cache import DIRECTORY, USER, user_cache


@login_required
def home_page(request):
    user = request.user
    home.prefetch(request, {"home:people": _PEOPLE_SCOPES})
    codes = request_apps(request)
    tiles = [
        home.Tile(app.name, app.icon, reverse(app.url_name), app.description)
        for app in portal.APPS.values()
        if app.code in codes
        and (not user.is_predeleted or app.code == portal.MES_DONNEES)
    ]
    if not user.is_predeleted:
        tiles += home.extra_tiles_for(request)
    banners, panels = ([], []) if user.is_predeleted else home.panels_for(request)
    people = user_cache(request).get(
        "home:people", _PEOPLE_SCOPES, lambda: _people_of(user)
    )
    context = {"tiles": tiles, "banners": banners, "panels": panels, **people}
    return render(request, "nati/home.html", context)


_PEOPLE_SCOPES = (DIRECTORY, USER)


def _people_of(user) -> dict:
    """The user's structures and, for a parent, their children with their
    classes and schools: plain data, kept in the user's cache."""
    structures = [
        {"name": s.name, "uai": s.uai} for s in selectors.user_structures(user)
    ]
    children = []
    if user.profile == Profile.PARENT:
        classes = ClassPupil.objects.select_related("klass__structure")
        for child in selectors.children_of(user).prefetch_related(
            Prefetch("pupil_links", queryset=classes)
        ):
            children.append(
                {
                    "name": child.display_name,
                    "classes": [
                        (link.klass.name, link.klass.structure.name)
                        for link in child.pupil_links.all()
                    ],
                }
            )
    return {"structures": structures, "children": children}


@login_required
def floor(request):
    """The framework floor of the benchmarks: session auth, a constant answer."""
    return HttpResponse("ok", content_type="text/plain")


def permission_denied(request, exception=None):
    app = exception.app if isinstance(exception, AppClosed) else None
    return render(request, "403.html", {"app": app}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
