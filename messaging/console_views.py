"""Console "Message Flash": banners on the home page of a structure's users."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from messaging import services
from messaging.forms import FlashForm
from messaging.models import FlashMessage
from nati import portal
from nati.access import app_required, console_structure_or_404, console_structures


@app_required(portal.CONSOLE)
@require_GET
def flash_home(request):
    """Pick the structure; straight to it when the user administers one."""
    scope = list(console_structures(request).order_by("path")[:200])
    if not scope:
        raise PermissionDenied
    if len(scope) == 1:
        return redirect("messaging-flash-list", structure_id=scope[0].pk)
    return render(request, "messaging/console/flash_home.html", {"structures": scope})


@app_required(portal.CONSOLE)
@require_GET
def flash_list(request, structure_id):
    structure = console_structure_or_404(request, structure_id)
    flashes = (
        FlashMessage.objects.filter(structure=structure)
        .annotate(read_count=Count("reads"))
        .order_by("-starts_on", "-id")
    )
    page = Paginator(flashes, 25).get_page(request.GET.get("page"))
    context = {"structure": structure, "page": page, "today": timezone.localdate()}
    return render(request, "messaging/console/flash_list.html", context)


def _flash_form_page(request, structure, flash):
    form = FlashForm(request.POST or None, instance=flash)
    preview = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "preview":
            preview = form.save(commit=False)
        else:
            try:
                services.flash_save(
                    structure=structure,
                    actor=request.user,
                    fields=form.cleaned_data,
                    flash=flash,
                    request=request,
                )
            except services.MessageRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, "Message flash enregistré.")
                return redirect("messaging-flash-list", structure_id=structure.pk)
    context = {
        "structure": structure,
        "form": form,
        "flash": flash,
        "preview": preview,
        "notify_allowed": structure.kind == "school",
    }
    return render(request, "messaging/console/flash_form.html", context)


@app_required(portal.CONSOLE)
@require_http_methods(["GET", "POST"])
def flash_create(request, structure_id):
    structure = console_structure_or_404(request, structure_id)
    return _flash_form_page(request, structure, None)


@app_required(portal.CONSOLE)
@require_http_methods(["GET", "POST"])
def flash_edit(request, structure_id, pk):
    structure = console_structure_or_404(request, structure_id)
    flash = get_object_or_404(FlashMessage, pk=pk, structure=structure)
    return _flash_form_page(request, structure, flash)


@app_required(portal.CONSOLE)
@require_http_methods(["GET", "POST"])
def flash_delete(request, structure_id, pk):
    structure = console_structure_or_404(request, structure_id)
    flash = get_object_or_404(FlashMessage, pk=pk, structure=structure)
    if request.method == "POST":
        services.flash_delete(flash=flash, actor=request.user, request=request)
        messages.success(request, "Message flash supprimé.")
        return redirect("messaging-flash-list", structure_id=structure.pk)
    return render(
        request,
        "messaging/confirm_delete.html",
        {"what": f"le message flash « {flash.title} »", "structure": structure},
    )
