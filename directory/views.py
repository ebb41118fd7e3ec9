from django.contrib import messages
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from directory import console_services, selectors, services
from directory.forms import FavouritesForm
from directory.models import Group, GroupKind, Membership, Structure
from nati import portal
from nati.access import app_required, in_scope_or_404

annuaire_app = app_required(portal.ANNUAIRE)


def _favourites(user):
    members = Membership.objects.select_related("user").order_by(
        "user__last_name", "user__first_name"
    )
    return Group.objects.filter(owner=user, kind=GroupKind.FAVOURITES).prefetch_related(
        Prefetch("memberships", queryset=members)
    )


def _search(request) -> dict:
    query = request.GET.get("q", "").strip()[:100]
    context = {"query": query, "people": [], "groups": []}
    if query:
        context["people"] = selectors.reachable_users(request.user, query)
        context["groups"] = selectors.reachable_groups(request.user, query)
    return context


@require_GET
@annuaire_app
def annuaire(request):
    context = _search(request)
    if request.htmx:
        return render(request, "directory/_annuaire_results.html", context)
    context["favourites"] = _favourites(request.user).order_by("name")
    context["form"] = FavouritesForm()
    return render(request, "directory/annuaire.html", context)


def _owner_structure(user) -> Structure | None:
    """Where a favourites list hangs: the owner's school, or a child's for a
    parent, who is affiliated through their children only."""
    return (
        Structure.objects.filter(
            Q(affiliations__user=user)
            | Q(affiliations__user__parent_links__parent=user)
        )
        .order_by("pk")
        .first()
    )


def _favourites_save(request, form, group=None):
    """Save a list when every member is within the owner's reach, else say so."""
    if not form.is_valid():
        messages.error(request, "Donnez un nom à la liste de favoris.")
        return False
    ids = form.cleaned_data["members"]
    unreachable = selectors.unreachable_among(request.user, ids)
    if unreachable:
        messages.error(
            request,
            f"La liste n'est pas enregistrée : {len(unreachable)} personne(s) "
            "choisie(s) ne sont pas parmi celles à qui vous pouvez écrire.",
        )
        return False
    structure = group.structure if group else _owner_structure(request.user)
    if structure is None:
        messages.error(request, "Vous n'êtes rattaché à aucune école : pas de favoris.")
        return False
    members = User.objects.filter(pk__in=[pk for pk in ids if pk != request.user.pk])
    group = services.favourites_save(
        owner=request.user,
        structure=structure,
        name=form.cleaned_data["name"],
        members=members,
        group=group,
    )
    messages.success(request, f"La liste « {group.name} » est enregistrée.")
    return True


@require_POST
@annuaire_app
def favourites_create(request):
    _favourites_save(request, FavouritesForm(request.POST))
    return redirect("directory-annuaire")


def _own_list_or_404(request, group_id: int) -> Group:
    return in_scope_or_404(_favourites(request.user), pk=group_id)


@require_http_methods(["GET", "POST"])
@annuaire_app
def favourites_edit(request, group_id: int):
    group = _own_list_or_404(request, group_id)
    if request.method == "POST" and _favourites_save(
        request, FavouritesForm(request.POST), group
    ):
        return redirect("directory-annuaire")
    context = _search(request)
    if request.htmx:
        return render(request, "directory/_annuaire_results.html", context)
    context["group"] = group
    return render(request, "directory/favourites_edit.html", context)


@require_POST
@annuaire_app
def favourites_delete(request, group_id: int):
    group = _own_list_or_404(request, group_id)
    if request.POST.get("confirm") != "1":
        context = {
            "title": "Supprimer la liste",
            "text": f"La liste de favoris « {group.name} » sera supprimée "
            "(les personnes qu'elle contient ne sont pas touchées).",
            "back": reverse("directory-annuaire"),
            "danger": True,
        }
        return render(request, "directory/confirm.html", context)
    console_services.favourites_delete(owner=request.user, group=group)
    messages.success(request, f"La liste « {group.name} » est supprimée.")
    return redirect("directory-annuaire")
