from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from moderation import selectors
from nati import portal
from nati.access import app_required, console_structures


@app_required(portal.ASSISTANCE)
def index(request):
    return render(request, "moderation/index.html")


@login_required
def reports(request):
    """The reports reaching an administrator, until the moderation console
    (a later issue) handles them: a count and the list, newest first."""
    scope = console_structures(request)
    if not scope.exists():
        raise PermissionDenied
    queryset = selectors.reports_for_admin(scope)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "open_count": queryset.filter(handled_at__isnull=True).count(),
    }
    return render(request, "moderation/reports.html", context)
