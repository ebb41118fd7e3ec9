"""Console pages of the CAS connectors: declare one, give it ("Attribution"),
read why it refused someone."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.cas import services
from accounts.cas.forms import ConnectorForm
from accounts.cas.models import Connector
from directory.models import AppRight
from nati import portal
from nati.access import app_required, console_school_or_404, in_scope_or_404
from nati.models import AuditEntry

REFUSALS_SHOWN = 50


@require_http_methods(["GET", "POST"])
@app_required(portal.CONSOLE)
def connectors(request, structure_id: int):
    structure = console_school_or_404(request, structure_id)
    form = ConnectorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        connector = services.connector_create(
            structure=structure,
            actor=request.user,
            request=request,
            **form.cleaned_data,
        )
        messages.success(
            request,
            f"Connecteur « {connector.name} » déclaré : attribuez-le maintenant.",
        )
        return redirect("cas-connector", structure.pk, connector.pk)
    context = {
        "structure": structure,
        "connectors": Connector.objects.filter(structure=structure),
        "form": form,
    }
    return render(request, "accounts/cas/connectors.html", context)


@require_http_methods(["GET", "POST"])
@app_required(portal.CONSOLE)
def connector_detail(request, structure_id: int, connector_id: int):
    structure = console_school_or_404(request, structure_id)
    connector = in_scope_or_404(
        Connector.objects.filter(structure=structure), pk=connector_id
    )
    groups = services.attribution_groups(connector).order_by("kind", "name")
    if request.method == "POST":
        chosen = {int(i) for i in request.POST.getlist("groupes") if i.isdigit()}
        services.connector_attribution_set(
            connector=connector, group_ids=chosen, actor=request.user, request=request
        )
        messages.success(request, "Attribution enregistrée.")
        return redirect("cas-connector", structure.pk, connector.pk)
    held = set(
        AppRight.objects.filter(app=connector.app_code).values_list(
            "group_id", flat=True
        )
    )
    refusals = AuditEntry.objects.filter(
        action="cas.refused",
        target_type="accounts.connector",
        target_id=str(connector.pk),
    ).order_by("-pk")[:REFUSALS_SHOWN]
    context = {
        "structure": structure,
        "connector": connector,
        "groups": [(g, g.pk in held) for g in groups],
        "refusals": [
            (entry, services.REFUSAL_LABELS.get(entry.data.get("code"), ""))
            for entry in refusals
        ],
    }
    return render(request, "accounts/cas/connector.html", context)
