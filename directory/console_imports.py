"""The console's Imports pages: runs and their reports, held deliveries,
duplicates, pre-deleted users, pupils blocked from letters, the ONDE upload.

Every view opens with the CONSOLE app right, then fetches what it shows within
the user's administration scope: the project lead sees every school and the
daily feed's runs; a director sees their school only.
"""

import shutil
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Profile, User
from directory import selectors
from directory.feeds import duplicates, predeletion, runs
from directory.models import (
    Affiliation,
    DuplicatePair,
    DuplicateState,
    HeldDelivery,
    HeldState,
    ImportKind,
    ImportRun,
    ImportStatus,
    Link,
)
from directory.tasks import onde_upload_import, progress_key
from nati import portal
from nati.access import app_required, console_structure_or_404, console_structures
from nati.documents import csv_response

ONDE_FILES = (
    ("pupils", "eleves.csv", "Élèves"),
    ("representatives", "responsables.csv", "Responsables"),
    ("teachers", "enseignants.csv", "Enseignants"),
)


def _page(request, queryset):
    paginator = Paginator(queryset, settings.NATI_CONSOLE_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _is_lead(request) -> bool:
    if not hasattr(request, "_nati_lead"):
        request._nati_lead = selectors.is_project_lead(request.user)
    return request._nati_lead


def _lead_required(request) -> None:
    if not _is_lead(request):
        raise PermissionDenied


def _visible_runs(request):
    runs_ = ImportRun.objects.select_related("started_by", "structure")
    if _is_lead(request):
        return runs_
    return runs_.filter(structure__in=console_structures(request))


def _users_in_scope(request):
    """People of the structures the user administers, and their children's
    representatives."""
    scope = console_structures(request)
    in_school = Affiliation.objects.filter(user=OuterRef("pk"), structure__in=scope)
    parent_of = Link.objects.filter(
        parent=OuterRef("pk"), child__affiliations__structure__in=scope
    )
    return User.objects.filter(Q(Exists(in_school)) | Q(Exists(parent_of)))


# --- Runs ------------------------------------------------------------------------


@require_GET
@app_required(portal.CONSOLE)
def run_list(request):
    page = _page(request, _visible_runs(request))
    context = {"page": page, "is_lead": _is_lead(request)}
    context["schools"] = console_structures(request).filter(kind="school")[:50]
    return render(request, "directory/imports/runs.html", context)


@require_GET
@app_required(portal.CONSOLE)
def run_detail(request, pk: int):
    run = get_object_or_404(_visible_runs(request), pk=pk)
    return render(request, "directory/imports/run.html", {"run": run})


@require_GET
@app_required(portal.CONSOLE)
def run_rejected_csv(request, pk: int):
    run = get_object_or_404(_visible_runs(request), pk=pk)
    rows = [
        [r.get("file", ""), r.get("line") or "", r.get("id", ""), r.get("reason", "")]
        for r in run.report.get("rejected", [])
    ]
    return csv_response(
        f"import-{run.pk}-rejets.csv",
        ["Fichier", "Ligne", "Identifiant", "Motif"],
        rows,
    )


# --- Held deliveries (project lead) ---------------------------------------------


@require_GET
@app_required(portal.CONSOLE)
def held_list(request):
    _lead_required(request)
    held = HeldDelivery.objects.select_related("structure", "run").order_by(
        "state", "-run__started_at"
    )
    return render(
        request, "directory/imports/held.html", {"page": _page(request, held)}
    )


@require_http_methods(["GET", "POST"])
@app_required(portal.CONSOLE)
def held_decide(request, pk: int, decision: str):
    """GET asks for confirmation; POST applies or ignores."""
    _lead_required(request)
    held = get_object_or_404(
        HeldDelivery.objects.select_related("structure", "run"),
        pk=pk,
        state=HeldState.OPEN,
    )
    if request.method == "GET":
        return render(
            request,
            "directory/imports/held_confirm.html",
            {"held": held, "decision": decision},
        )
    if decision == "appliquer":
        run = runs.held_apply(held=held, actor=request.user)
        messages.success(request, f"Livraison appliquée pour {held.structure.uai}.")
        return redirect("imports-run", pk=run.pk)
    runs.held_ignore(held=held, actor=request.user)
    messages.success(request, f"Livraison ignorée pour {held.structure.uai}.")
    return redirect("imports-held")


# --- Duplicates --------------------------------------------------------------------


def _visible_pairs(request):
    pairs = DuplicatePair.objects.select_related("user_a", "user_b")
    if _is_lead(request):
        return pairs
    users = _users_in_scope(request)
    return pairs.filter(user_a__in=users, user_b__in=users)


@require_GET
@app_required(portal.CONSOLE)
def duplicate_list(request):
    pairs = _visible_pairs(request).filter(state=DuplicateState.OPEN)
    return render(
        request, "directory/imports/duplicates.html", {"page": _page(request, pairs)}
    )


def _card(user: User) -> dict:
    return {
        "user": user,
        "structures": list(selectors.user_structures(user)),
        "classes": list(
            user.pupil_links.select_related("klass").values_list(
                "klass__name", flat=True
            )
        )
        + list(user.class_links.values_list("klass__name", flat=True)),
        "children": list(selectors.children_of(user)),
    }


@require_GET
@app_required(portal.CONSOLE)
def duplicate_compare(request, pk: int):
    pair = get_object_or_404(_visible_pairs(request), pk=pk)
    kept, _ = duplicates.merge_kept(pair.user_a, pair.user_b)
    context = {
        "pair": pair,
        "cards": [_card(pair.user_a), _card(pair.user_b)],
        "kept": kept,
    }
    return render(request, "directory/imports/compare.html", context)


@require_POST
@app_required(portal.CONSOLE)
def duplicate_dissociate(request, pk: int):
    pair = get_object_or_404(_visible_pairs(request), pk=pk, state=DuplicateState.OPEN)
    duplicates.duplicate_dissociate(pair=pair, actor=request.user, request=request)
    messages.success(request, "Les deux comptes sont marqués comme deux personnes.")
    return redirect("imports-duplicates")


@require_POST
@app_required(portal.CONSOLE)
def duplicate_merge(request, pk: int):
    pair = get_object_or_404(_visible_pairs(request), pk=pk, state=DuplicateState.OPEN)
    if request.POST.get("confirm") != "oui":
        messages.error(request, "Cochez la confirmation pour fusionner les comptes.")
        return redirect("imports-duplicate", pk=pair.pk)
    kept = duplicates.duplicate_merge(pair=pair, actor=request.user, request=request)
    messages.success(request, f"Comptes fusionnés dans {kept.username}.")
    return redirect("imports-duplicates")


# --- Pre-deleted users and blocked letters ------------------------------------


def _open_pair_ids():
    return set(
        DuplicatePair.objects.filter(state=DuplicateState.OPEN).values_list(
            "user_a_id", "user_b_id"
        )
    )


@require_GET
@app_required(portal.CONSOLE)
def predeleted_list(request):
    users = _users_in_scope(request).filter(predeleted_at__isnull=False)
    page = _page(request, users.order_by("predeleted_at", "pk"))
    return render(request, "directory/imports/predeleted.html", {"page": page})


@require_POST
@app_required(portal.CONSOLE)
def predeleted_reintegrate(request, user_id: int):
    user = get_object_or_404(
        _users_in_scope(request).filter(predeleted_at__isnull=False), pk=user_id
    )
    predeletion.predeletion_cancel(user=user, actor=request.user, request=request)
    messages.success(request, f"{user.display_name} est réintégré pour 30 jours.")
    return redirect("imports-predeleted")


@require_GET
@app_required(portal.CONSOLE)
def blocked_list(request):
    users = (
        _users_in_scope(request)
        .exclude(letter_blocked_reason="")
        .filter(profile__in=[Profile.PUPIL, Profile.PARENT])
        .order_by("last_name", "first_name", "pk")
    )
    page = _page(request, users)
    flagged = {pk for pair in _open_pair_ids() for pk in pair}
    return render(
        request, "directory/imports/blocked.html", {"page": page, "flagged": flagged}
    )


# --- The director's ONDE upload ----------------------------------------------------


def _upload_folder(run: ImportRun) -> Path:
    return Path(settings.VAR_DIR) / "feeds" / "onde" / str(run.pk)


@require_http_methods(["GET", "POST"])
@app_required(portal.CONSOLE)
def onde_upload(request, structure_id: int):
    """GET: the form. POST: the three files, a dry run, its report."""
    school = console_structure_or_404(request, structure_id)
    if request.method == "GET":
        return render(
            request,
            "directory/imports/onde.html",
            {"school": school, "files": ONDE_FILES},
        )
    missing = [label for key, _, label in ONDE_FILES if key not in request.FILES]
    if missing:
        messages.error(request, f"Fichier manquant : {', '.join(missing)}.")
        return redirect("imports-onde", structure_id=school.pk)
    run = ImportRun.objects.create(
        kind=ImportKind.ONDE,
        source_path="",
        structure=school,
        started_by=request.user,
        dry_run=True,
    )
    folder = _upload_folder(run)
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for key, name, _ in ONDE_FILES:
        upload = request.FILES[key]
        names.append(upload.name)
        with open(folder / name, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    run.source_path = str(folder)
    run.save(update_fields=["source_path"])
    runs.onde_import(
        uai=school.uai,
        pupils=folder / "eleves.csv",
        representatives=folder / "responsables.csv",
        teachers=folder / "enseignants.csv",
        dry_run=True,
        run=run,
        names=tuple(names),
    )
    run.report["files"] = dict(zip([k for k, _, _ in ONDE_FILES], names, strict=True))
    ImportRun.objects.filter(pk=run.pk).update(report=run.report)
    return redirect("imports-run", pk=run.pk)


@require_POST
@app_required(portal.CONSOLE)
def onde_apply(request, pk: int):
    """Apply the files of a dry run: a queued task, the page shows progress."""
    dry = get_object_or_404(
        _visible_runs(request).filter(kind=ImportKind.ONDE, dry_run=True), pk=pk
    )
    if dry.status == ImportStatus.FAILED:
        messages.error(request, "Ces fichiers ne peuvent pas être importés.")
        return redirect("imports-run", pk=dry.pk)
    run = ImportRun.objects.create(
        kind=ImportKind.ONDE,
        source_path="",
        structure=dry.structure,
        started_by=request.user,
        report={"files": dry.report.get("files", {})},
    )
    folder = _upload_folder(run)
    shutil.copytree(dry.source_path, folder, dirs_exist_ok=True)
    run.source_path = str(folder)
    run.save(update_fields=["source_path"])
    transaction.on_commit(lambda: onde_upload_import.delay(run.pk))
    return redirect("imports-run", pk=run.pk)


@require_GET
@app_required(portal.CONSOLE)
def run_progress(request, pk: int):
    """The htmx fragment the run page polls while the run is in progress."""
    run = get_object_or_404(_visible_runs(request), pk=pk)
    percent = cache.get(progress_key(run.pk), 0) if run.status == "running" else 100
    return render(
        request, "directory/imports/_progress.html", {"run": run, "percent": percent}
    )
