"""The accounts console: "Comptes élèves", "Représentants légaux", the
activation dashboard, who has two-factor, and the CAS connectors."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from accounts import console_selectors as cs
from accounts import letters
from accounts.models import AccountState
from directory.models import StructureKind
from nati import portal
from nati.access import app_required, console_school_or_404, console_structures
from nati.documents import pdf_response

TITLES = {"eleves": "Comptes élèves", "parents": "Représentants légaux"}


def _kind_or_404(kind: str) -> str:
    if kind not in cs.KINDS:
        raise Http404
    return kind


@require_GET
@app_required(portal.CONSOLE)
def accounts_index(request):
    schools = console_structures(request).filter(kind=StructureKind.SCHOOL)
    return render(request, "accounts/console/index.html", {"schools": schools})


@require_GET
@app_required(portal.CONSOLE)
def accounts_list(request, structure_id: int, kind: str):
    structure = console_school_or_404(request, structure_id)
    filters = cs.AccountFilters.from_query(request.GET)
    users = cs.school_accounts(structure, _kind_or_404(kind), filters)
    page = Paginator(users, settings.NATI_CONSOLE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    children = (
        cs.selectors.children_by_parent(structure, [u.pk for u in page])
        if kind == "parents"
        else {}
    )
    rows = [(user, children.get(user.pk, [])) for user in page]
    context = {
        "structure": structure,
        "kind": kind,
        "title": TITLES[kind],
        "page": page,
        "rows": rows,
        "filters": filters,
        "query": filters.as_query(),
        "classes": cs.school_classes(structure),
        "states": AccountState.choices,
    }
    return render(request, "accounts/console/list.html", context)


def _selection(request, structure, kind):
    filters = cs.AccountFilters.from_query(request.POST)
    users = cs.school_accounts(structure, kind, filters)
    if request.POST.get("tous") != "1":
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        users = users.filter(pk__in=ids)
    return filters, list(users)


@require_POST
@app_required(portal.CONSOLE)
def accounts_action(request, structure_id: int, kind: str):
    """Informer, Réinitialiser, or Lister (CSV, PDF) the chosen accounts."""
    structure = console_school_or_404(request, structure_id)
    filters, users = _selection(request, structure, _kind_or_404(kind))
    action = request.POST.get("action", "")
    context = {
        "structure": structure,
        "kind": kind,
        "title": TITLES[kind],
        "action": action,
        "users": users,
        "query": filters.as_query(),
        "selection": request.POST,
    }
    if not users:
        context["error"] = (
            "Aucun compte n'est choisi : cochez des comptes, ou « tous »."
        )
        return render(request, "accounts/console/action.html", context, status=400)

    if action in {"csv", "pdf"}:
        return _listing(request, structure, kind, users, action, context)
    if action not in {"informer", "reinitialiser"}:
        raise Http404
    reset = action == "reinitialiser"
    wrong_state = [
        (u, "Compte déjà activé : utilisez « Réinitialiser les mots de passe »")
        if not reset
        else (u, "Compte pas encore activé : utilisez « Informer »")
        for u in users
        if (u.account_state == AccountState.ACTIVE) != reset
    ]
    chosen = [u for u in users if (u.account_state == AccountState.ACTIVE) == reset]
    if request.POST.get("confirmer") != "1":
        context.update(chosen=chosen, skipped=wrong_state, confirm=True)
        return render(request, "accounts/console/action.html", context)
    result = letters.accounts_inform(
        structure=structure,
        users=chosen,
        actor=request.user,
        request=request,
        reset=reset,
    )
    context.update(
        informed=result.informed, skipped=wrong_state + result.skipped, done=True
    )
    return render(request, "accounts/console/action.html", context)


def _listing(request, structure, kind, users, action, context) -> HttpResponse:
    # Shortcoming: a whole school's PDF (1,600 letters) takes longer than a web
    # request should; it belongs in a Celery task that stores the file and
    # notifies the director. Class-sized selections answer in a few seconds.
    found = letters.letters_for(structure=structure, users=users)
    if not found:
        context["error"] = (
            "Aucun des comptes choisis n'a de mot de passe provisoire en cours : "
            "utilisez d'abord « Informer »."
        )
        return render(request, "accounts/console/action.html", context, status=400)
    name = f"comptes-{kind}-{structure.uai or structure.pk}"
    if action == "csv":
        body = letters.letters_csv(letters=found)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    pdf = letters.letters_pdf(structure=structure, letters=found)
    return pdf_response(pdf, f"{name}.pdf")


@require_GET
@app_required(portal.CONSOLE)
def activation_dashboard(request, structure_id: int):
    structure = console_school_or_404(request, structure_id)
    rows = cs.activation_dashboard(structure)
    return render(
        request,
        "accounts/console/activation.html",
        {"structure": structure, "rows": rows},
    )


@require_GET
@app_required(portal.CONSOLE)
def mfa_overview(request, structure_id: int):
    structure = console_school_or_404(request, structure_id)
    page = Paginator(
        cs.users_with_mfa(structure), settings.NATI_CONSOLE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request, "accounts/console/mfa.html", {"structure": structure, "page": page}
    )
