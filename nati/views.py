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


@login_required
def home_page(request):
    user = request.user
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
    context = {
        "tiles": tiles,
        "structures": selectors.user_structures(user),
        "children": _children_with_classes(user),
        "banners": banners,
        "panels": panels,
    }
    return render(request, "nati/home.html", context)


def _children_with_classes(user):
    """A parent's children with their classes and schools, in two queries."""
    if user.profile != Profile.PARENT:
        return []
    classes = ClassPupil.objects.select_related("klass__structure")
    return selectors.children_of(user).prefetch_related(
        Prefetch("pupil_links", queryset=classes)
    )


@login_required
def floor(request):
    """The framework floor of the benchmarks: session auth, a constant answer."""
    return HttpResponse("ok", content_type="text/plain")


def permission_denied(request, exception=None):
    app = exception.app if isinstance(exception, AppClosed) else None
    return render(request, "403.html", {"app": app}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
