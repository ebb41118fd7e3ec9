from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from accounts.models import Profile
from directory import selectors
from directory.models import ClassPupil
from nati import home, portal
from nati.access import AppClosed, request_apps
from nati.cache import DIRECTORY, USER, user_cache


@login_required
def home_page(request):
    if request.user.is_predeleted:
        # Only Mes données: nothing kept, nothing else shown.
        context = {"body": _home_body(request), "banners": []}
        return render(request, "nati/home.html", context)
    # Tiles and panels carry no form: their HTML is kept whole, and a page
    # whose facts have not changed costs one round trip to the cache.
    name, scopes = home.body_entry(request, _PEOPLE_SCOPES)
    home.prefetch(request, {name: scopes}, body=False)
    body = user_cache(request).get(name, scopes, lambda: str(_home_body(request)))
    context = {
        "banners": home.panels_for(request, banners=True),
        "body": mark_safe(body),  # noqa: S308 (our own template's output)
    }
    return render(request, "nati/home.html", context)


def _home_body(request) -> str:
    user = request.user
    codes = request_apps(request)
    tiles = [
        home.Tile(app.name, app.icon, reverse(app.url_name), app.description)
        for app in portal.APPS.values()
        if app.code in codes
        and (not user.is_predeleted or app.code == portal.MES_DONNEES)
    ]
    if user.is_predeleted:
        return render_to_string("nati/_home_body.html", {"tiles": tiles})
    home.prefetch(request, {"home:people": _PEOPLE_SCOPES}, body=True)
    tiles += home.extra_tiles_for(request)
    people = user_cache(request).get(
        "home:people", _PEOPLE_SCOPES, lambda: _people_of(user)
    )
    context = {"tiles": tiles, "panels": home.panels_for(request, banners=False)}
    return render_to_string("nati/_home_body.html", {**context, **people})


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
