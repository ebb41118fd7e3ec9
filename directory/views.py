from django.shortcuts import render

from directory import selectors
from nati import portal
from nati.access import app_required


@app_required(portal.ANNUAIRE)
def annuaire(request):
    query = request.GET.get("q", "").strip()[:100]
    context = {"query": query, "people": [], "groups": []}
    if query:
        context["people"] = selectors.reachable_users(request.user, query)
        context["groups"] = selectors.reachable_groups(request.user, query)
    template = (
        "directory/_annuaire_results.html"
        if request.htmx
        else "directory/annuaire.html"
    )
    return render(request, template, context)
