import datetime as dt
import functools

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from directory.models import SchoolClass
from directory.selectors import children_of
from nati import portal
from nati.access import app_required, in_scope_or_404
from nati.documents import csv_response, pdf_render, pdf_response
from presences import calendar, forms, selectors, services
from presences.mailing import PLACEHOLDERS, mailing_preview
from presences.models import (
    DAY_KINDS,
    AbsenceReason,
    Declaration,
    DeclarationState,
    Exclusion,
    Half,
    LatenessReason,
    Mailing,
    MessageTemplate,
)

presences_app = app_required(portal.PRESENCES)


@presences_app
def index(request):
    user = request.user
    schools = selectors.directed_schools(user)
    if len(schools) == 1 and selectors.year_of(schools[0].pk) is None:
        return redirect("presences-initialise", schools[0].pk)
    context = {
        "schools": schools,
        "classes": list(
            selectors.callable_classes(user).filter(teacher_links__user=user)
        ),
        "children": list(children_of(user)),
    }
    return render(request, "presences/index.html", context)


# --- Year initialisation and settings ----------------------------------------


@presences_app
@require_http_methods(["GET", "POST"])
def initialise(request, school_id):
    school = selectors.directed_school_or_404(request.user, school_id)
    if selectors.year_of(school.pk) is not None:
        return redirect("presences-dashboard", school.pk)
    year = timezone.localdate().year
    form = forms.YearForm(
        request.POST or None,
        initial={"start": dt.date(year, 8, 16), "end": dt.date(year + 1, 6, 30)},
    )
    holidays = forms.HolidayFormSet(request.POST or None, prefix="holidays")
    refused = []
    if request.method == "POST" and form.is_valid() and holidays.is_valid():
        data = form.cleaned_data
        try:
            services.year_initialise(
                structure=school,
                actor=request.user,
                start=data["start"],
                end=data["end"],
                morning=(data["morning_start"], data["morning_end"]),
                afternoon=(data["afternoon_start"], data["afternoon_end"]),
                week=form.week(),
                holidays=[
                    (h["label"], h["start"], h["end"])
                    for h in holidays.cleaned_data
                    if h
                ],
            )
        except services.InitialisationRefused as error:
            refused = error.class_names
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "L'année de Présences est initialisée.")
            return redirect("presences-dashboard", school.pk)
    return render(
        request,
        "presences/initialise.html",
        {"school": school, "form": form, "holidays": holidays, "refused": refused},
    )


def _school_and_year(request, school_id):
    school = selectors.directed_school_or_404(request.user, school_id)
    year = selectors.year_of(school.pk)
    if year is None:
        raise _NotInitialised(school)
    return school, year


class _NotInitialised(Exception):
    def __init__(self, school):
        self.school = school


def director_view(view):
    """A director's page of an initialised school (else the initialisation)."""

    @presences_app
    def wrapper(request, school_id, *args, **kwargs):
        try:
            school, year = _school_and_year(request, school_id)
        except _NotInitialised:
            return redirect("presences-initialise", school_id)
        return view(request, school, year, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@director_view
@require_http_methods(["GET"])
def settings_page(request, school, year):
    reasons = AbsenceReason.objects.filter(structure=school)
    context = {
        "school": school,
        "year": year,
        "today": timezone.localdate(),
        "exclusions": year.exclusions.all(),
        "exclusion_form": forms.ExclusionForm(),
        "thresholds": forms.ThresholdsForm(
            initial={
                name: getattr(year, name) for name in forms.ThresholdsForm.base_fields
            }
        ),
        "reasons": reasons,
        "lateness_reasons": LatenessReason.objects.filter(structure=school),
        "lateness_form": forms.LatenessReasonForm(),
        "week": [
            (name, dict(DAY_KINDS).get(year.week.get(str(i)), ""))
            for i, name in enumerate(forms.WEEKDAYS)
        ],
    }
    return render(request, "presences/settings.html", context)


def _back_to_settings(request, school, error=None):
    if error is not None:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Paramétrage enregistré.")
    return redirect("presences-settings", school.pk)


def _settings_post(request, school, form, invalid: str, apply):
    """A settings form: refused with `invalid`, or applied; back to the page."""
    if not form.is_valid():
        return _back_to_settings(request, school, ValidationError(invalid))
    try:
        apply(form.cleaned_data)
    except ValidationError as error:
        return _back_to_settings(request, school, error)
    return _back_to_settings(request, school)


@director_view
@require_POST
def thresholds_save(request, school, year):
    return _settings_post(
        request,
        school,
        forms.ThresholdsForm(request.POST),
        "Seuils invalides.",
        lambda data: services.year_settings_update(
            year=year, actor=request.user, **data
        ),
    )


@director_view
@require_POST
def exclusion_add(request, school, year):
    return _settings_post(
        request,
        school,
        forms.ExclusionForm(request.POST),
        "Indiquez un libellé et deux dates.",
        lambda data: services.exclusion_add(year=year, actor=request.user, **data),
    )


@director_view
@require_POST
def exclusion_remove(request, school, year, exclusion_id):
    exclusion = in_scope_or_404(Exclusion.objects.filter(year=year), pk=exclusion_id)
    try:
        services.exclusion_remove(exclusion=exclusion, actor=request.user)
    except ValidationError as error:
        return _back_to_settings(request, school, error)
    return _back_to_settings(request, school)


@director_view
@require_POST
def reason_edit(request, school, year, reason_id):
    reason = in_scope_or_404(
        AbsenceReason.objects.filter(structure=school), pk=reason_id
    )
    return _settings_post(
        request,
        school,
        forms.ReasonForm(request.POST),
        "Libellé requis.",
        lambda data: services.reason_update(reason=reason, actor=request.user, **data),
    )


@director_view
@require_POST
def lateness_reason_add(request, school, year):
    return _settings_post(
        request,
        school,
        forms.LatenessReasonForm(request.POST),
        "Libellé requis.",
        lambda data: services.lateness_reason_add(
            structure=school, actor=request.user, label=data["label"]
        ),
    )


# --- Faire l'appel ---------------------------------------------------------------


def _csrf_input(request) -> str:
    """The CSRF field of the rows' forms, rendered once: the {% csrf_token %}
    tag costs about 30 µs each, and a call page has two forms a pupil."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
        get_token(request),
    )


def _call_context(request, register, pupils, school, created: bool) -> dict:
    events = {}
    if not created:  # a register this request created has no mark yet
        for event in selectors.current_events(register=register):
            events.setdefault(event.pupil_id, {})[event.slot] = event
    base = _mark_base(register)
    rows = [_row(pupil, events.get(pupil["pk"], {}), base) for pupil in pupils]
    csrf_input = _csrf_input(request)
    return {
        "register": register,
        "rows": rows,
        # A call not marked yet (every call at 8:00): its rows are the
        # template's own unmarked row, filled in.
        "rows_html": None if events else _unmarked_rows_html(rows, csrf_input),
        "reasons": school.reasons,
        "lateness_reasons": school.lateness_reasons,
        "marked": sum(1 for row in rows if row["presence"]),
        "now": timezone.localtime().strftime("%H:%M"),
        "csrf_input": csrf_input,
    }


_SLOT = "\x01{}\x01"


@functools.cache
def _unmarked_row_pattern() -> tuple[str, str]:
    """presences/_pupil_rows.html's markup of an unmarked row, rendered once a
    process with markers where a row's values go, as a format string; and
    what the template writes after its loop."""
    row = {
        "id": _SLOT.format("id"),
        "name": _SLOT.format("name"),
        "url": mark_safe(_SLOT.format("url")),  # noqa: S308 (a marker)
        "presence": None,
        "incident": None,
        "notebook": None,
    }
    context = {
        "rows": [row],
        "whole": True,
        "csrf_input": mark_safe(_SLOT.format("csrf")),  # noqa: S308 (a marker)
    }
    html = render_to_string("presences/_pupil_rows.html", context)
    after = render_to_string("presences/_pupil_rows.html", {**context, "rows": []})
    html = html.removesuffix(after).replace("{", "{{").replace("}", "}}")
    for name in ("id", "name", "url", "csrf"):
        html = html.replace(_SLOT.format(name), "{" + name + "}")
    return html, after


def _unmarked_rows_html(rows: list[dict], csrf_input: str) -> str:
    pattern, after = _unmarked_row_pattern()
    html = "".join(
        pattern.format(
            id=escape(row["id"]),
            name=escape(row["name"]),
            url=row["url"],
            csrf=csrf_input,
        )
        for row in rows
    )
    return mark_safe(html + after)  # noqa: S308 (the template's markup, escaped values)


def _row(pupil: dict, slots: dict, mark_base: str) -> dict:
    """A row of presences/_pupil_rows.html; `pupil` as selectors.call_pupils
    gives it."""
    return pupil | {
        # Digits and slashes: nothing to escape, so marked safe once, not
        # escaped four times a row.
        "url": mark_safe(f"{mark_base}{pupil['id']}/"),
        "presence": slots.get("presence"),
        "incident": slots.get("incident"),
        "notebook": slots.get("notebook"),
    }


@presences_app
@require_http_methods(["GET"])
def call(request, class_id):
    klass = selectors.call_class_or_404(request.user, class_id)
    school = selectors.school_settings(
        klass.structure_id, klass.year_id, klass.year_version
    )
    year = school.year
    context = {"klass": klass, "year": year}
    if year is None:
        return render(request, "presences/call.html", context)
    today = timezone.localdate()
    info = calendar.day_info(year, today, year.exclusions.all())
    half = request.GET.get("demi") or calendar.current_half(year)
    if half not in info.halves:
        # A morning-only day seen in the afternoon still shows the morning call.
        half = info.halves[-1] if info.halves else None
    context |= {"info": info, "half": half}
    if half is None:
        return render(request, "presences/call.html", context)
    register, created = services.register_open(
        klass=klass, year=year, day=today, half=half, actor=request.user
    )
    pupils = selectors.call_pupils(klass.pk)
    context |= _call_context(request, register, pupils, school, created)
    context["half_label"] = dict(Half.choices)[half]
    context["forgotten"] = calendar.is_forgotten(
        register.starts_at, register.is_validated
    )
    return render(request, "presences/call.html", context)


@presences_app
@require_POST
def mark(request, register_id, pupil_id):
    """One mark, saved at once; answers the part of the row that changed."""
    register = selectors.register_for_call_or_404(request.user, register_id, pupil_id)
    form = forms.MarkForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Marque invalide.", status=400)
    slot, kind = forms.MARK_ACTIONS[form.cleaned_data["action"]]
    school = selectors.school_settings(
        register.structure_id, register.year_id, register.year_version
    )
    event = services.mark_set(
        register=register,
        pupil_id=pupil_id,
        slot=slot,
        kind=kind,
        actor=request.user,
        at_time=form.cleaned_data["at_time"],
        reason=_school_reason_or_404(school.reason, form.cleaned_data["reason"]),
        lateness_reason=_school_reason_or_404(
            school.lateness_reason, form.cleaned_data["lateness_reason"]
        ),
        enrolled=True,
    )
    if not request.htmx:
        return redirect(reverse("presences-call", args=[register.klass_id]))
    return _mark_answer(request, register, pupil_id, slot, event, school)


def _school_reason_or_404(find, pk):
    """The school's reason `pk` (None if none asked); another school's is 404."""
    if not pk:
        return None
    reason = find(pk)
    if reason is None:
        raise Http404
    return reason


def _mark_answer(request, register, pupil_id, slot, event, school):
    """The row's part a mark changed: its presence marks, or its extras."""
    pupil = {"pk": pupil_id, "id": str(pupil_id)}
    if slot == "presence":
        slots = {"presence": event}
    else:
        slots = {
            e.slot: e
            for e in selectors.current_events(register=register, pupil_id=pupil_id)
        }
    context = {
        "rows": [_row(pupil, slots, _mark_base(register))],
        "part": "marks" if slot == "presence" else "extras",
        "reasons": school.reasons,
        "lateness_reasons": school.lateness_reasons,
        "now": timezone.localtime().strftime("%H:%M"),
        "csrf_input": _csrf_input(request),
    }
    return render(request, "presences/_pupil_rows.html", context)


def _mark_base(register) -> str:
    """The mark URL without its pupil id: reversed once, not once a row."""
    return reverse("presences-mark", args=[register.pk, 0])[: -len("0/")]


@presences_app
@require_POST
def validate(request, register_id):
    register = selectors.register_for_call_or_404(request.user, register_id)
    services.register_validate(register=register, actor=request.user)
    if request.htmx:
        return render(request, "presences/_call_state.html", {"register": register})
    messages.success(request, "Appel validé.")
    return redirect(
        reverse("presences-call", args=[register.klass_id]) + f"?demi={register.half}"
    )


# --- The director's dashboard -------------------------------------------------


@director_view
@require_http_methods(["GET"])
def dashboard(request, school, year):
    now = timezone.now()
    today = timezone.localdate()
    query = request.GET.get("q", "").strip()
    declarations = (
        Declaration.objects.filter(structure=school, state=DeclarationState.PENDING)
        .select_related("pupil", "parent", "reason")
        .order_by("created_at")[:20]
    )
    context = {
        "school": school,
        "year": year,
        "today": today,
        "counts": selectors.day_counts(school, today),
        "alerts": selectors.alerts(school, year),
        "forgotten": selectors.forgotten_calls(school, year, now),
        "declarations": declarations,
        "query": query,
        "found": selectors.school_search(school, query) if query else None,
        "classes": SchoolClass.objects.filter(
            structure=school, school_year=year.school_year
        ),
        "month": f"{today:%Y-%m}",
        "my_classes": selectors.callable_classes(request.user).filter(
            teacher_links__user=request.user
        ),
    }
    return render(request, "presences/dashboard.html", context)


@director_view
@require_http_methods(["GET"])
def pupil_calendar(request, school, year, pupil_id):
    pupil = selectors.pupil_school_or_404(school, pupil_id)
    start = _date_param(request, "debut") or timezone.localdate() - dt.timedelta(21)
    weeks = selectors.pupil_calendar(pupil, year, start, weeks=6)
    return render(
        request,
        "presences/pupil_calendar.html",
        {"school": school, "pupil": pupil, "weeks": weeks, "start": start},
    )


def _date_param(request, name):
    try:
        return dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None


@director_view
@require_http_methods(["GET"])
def class_month(request, school, year, class_id, month):
    klass = in_scope_or_404(SchoolClass.objects.filter(structure=school), pk=class_id)
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError as error:
        raise Http404 from error
    data = selectors.month_register(klass, year, first)
    context = {"school": school, "data": data, "month": month}
    output = request.GET.get("format")
    filename = f"registre-{klass.name}-{month}".replace(" ", "_")
    if output == "pdf":
        pdf = pdf_render("presences/month.pdf.html", context | {"pdf": True})
        return pdf_response(pdf, f"{filename}.pdf")
    if output == "csv":
        return _month_csv(data, filename)
    previous = (first - dt.timedelta(days=1)).strftime("%Y-%m")
    following = (first + dt.timedelta(days=32)).strftime("%Y-%m")
    context |= {"previous": previous, "following": following}
    return render(request, "presences/month.html", context)


def _month_csv(data, filename):
    header = ["Élève"]
    for info in data["days"]:
        header += [f"{info.date:%d/%m} matin", f"{info.date:%d/%m} après-midi"]
    header += ["Absences (demi-journées)", "Retards", "Taux d'absence (%)"]
    rows = [
        [row["pupil"].display_name]
        + [
            cell["text"] or ("présent" if cell["code"] == "present" else "")
            for cell in row["cells"]
        ]
        + [row["absent"], row["late"], f"{row['rate']:.1f}"]
        for row in data["rows"]
    ]
    return csv_response(f"{filename}.csv", header, rows)


@director_view
@require_http_methods(["GET"])
def regularisation(request, school, year):
    today = timezone.localdate()
    form = forms.RangeForm(request.GET or None)
    start, end = today - dt.timedelta(days=30), today
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    events = selectors.to_regularise(school, start, end)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "presences/regularisation.html",
        {
            "school": school,
            "page": page,
            "start": start,
            "end": end,
            "reasons": AbsenceReason.objects.filter(structure=school),
        },
    )


@director_view
@require_POST
def event_regularise(request, school, year, event_id):
    event = in_scope_or_404(selectors.current_events(structure=school), pk=event_id)
    reason = in_scope_or_404(
        AbsenceReason.objects.filter(structure=school), pk=request.POST.get("reason")
    )
    try:
        services.event_regularise(
            event=event,
            reason=reason,
            actor=request.user,
            comment=request.POST.get("comment", "")[:300],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Absence régularisée.")
    return redirect(
        request.POST.get("next")
        or reverse("presences-regularisation", args=[school.pk])
    )


@director_view
@require_POST
def declaration_process(request, school, year, declaration_id):
    declaration = in_scope_or_404(
        Declaration.objects.filter(structure=school), pk=declaration_id
    )
    try:
        if request.POST.get("decision") == "accept":
            count = services.declaration_accept(
                declaration=declaration, actor=request.user
            )
            messages.success(request, f"Absence justifiée sur {count} demi-journées.")
        else:
            services.declaration_decline(
                declaration=declaration,
                actor=request.user,
                answer=request.POST.get("answer", "")[:300],
            )
            messages.success(request, "Déclaration refusée, la famille est prévenue.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("presences-dashboard", school.pk)


# --- Families ---------------------------------------------------------------------


@presences_app
@require_http_methods(["GET"])
def family(request):
    children = []
    for child in children_of(request.user):
        events = (
            selectors.current_events(pupil=child)
            .filter(kind__in=["absence", "late", "left"])
            .select_related("reason", "lateness_reason", "klass")
            .order_by("-date", "-half")[:50]
        )
        declarations = Declaration.objects.filter(
            pupil=child, parent=request.user
        ).select_related("reason")[:20]
        children.append(
            {"child": child, "events": events, "declarations": declarations}
        )
    return render(request, "presences/family.html", {"children": children})


@presences_app
@require_http_methods(["GET", "POST"])
def declare(request, child_id):
    child = selectors.own_child_or_404(request.user, child_id)
    link = (
        selectors.ClassPupil.objects.filter(user=child)
        .select_related("klass__structure")
        .order_by("-klass__school_year")
        .first()
    )
    if link is None:
        raise Http404
    school = link.klass.structure
    reasons = AbsenceReason.objects.filter(structure=school, can_be_justified=True)
    form = forms.DeclarationForm(
        request.POST or None, request.FILES or None, reasons=reasons
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.declaration_create(
                parent=request.user, pupil=child, structure=school, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, "Déclaration envoyée : la direction de l'école va la traiter."
            )
            return redirect("presences-family")
    return render(request, "presences/declare.html", {"child": child, "form": form})


@presences_app
@require_http_methods(["GET"])
def attachment(request, declaration_id):
    """A declaration's attachment, for its parent and the school's direction."""
    declaration = Declaration.objects.filter(pk=declaration_id).first()
    if declaration is None or not declaration.attachment:
        raise Http404
    allowed = declaration.parent_id == request.user.pk or (
        selectors.directed_school_ids(request.user)
        .filter(group__structure_id=declaration.structure_id)
        .exists()
    )
    if not allowed:
        raise Http404
    return FileResponse(
        declaration.attachment.open("rb"),
        as_attachment=True,
        filename=declaration.attachment.name.rsplit("/", 1)[-1],
    )


# --- Publipostage -----------------------------------------------------------------


def _mailing_form(request, school, year):
    classes = SchoolClass.objects.filter(structure=school, school_year=year.school_year)
    today = timezone.localdate()
    template = None
    if request.GET.get("modele"):
        template = MessageTemplate.objects.filter(
            structure=school, pk=request.GET["modele"]
        ).first()
    initial = {
        "start": today - dt.timedelta(days=30),
        "end": today,
        "body": template.body if template else "",
        "subject": template.subject if template else "",
    }
    return forms.MailingForm(request.POST or None, classes=classes, initial=initial)


@director_view
@require_http_methods(["GET", "POST"])
def mailing(request, school, year):
    """Filters → summary, anomalies and recipients → sending."""
    form = _mailing_form(request, school, year)
    context = {
        "school": school,
        "form": form,
        "templates": MessageTemplate.objects.filter(structure=school),
        "template_form": forms.TemplateForm(),
        "placeholders": PLACEHOLDERS,
        "sender": _sender_name(),
    }
    if request.method == "POST" and form.is_valid():
        preview = _preview(school, form.cleaned_data)
        if request.POST.get("step") == "send":
            keep = set(request.POST.getlist("keep"))
            chosen = [r for r in preview["recipients"] if r["key"] in keep]
            data = form.cleaned_data
            try:
                services.mailing_create(
                    structure=school,
                    actor=request.user,
                    channel=data["channel"],
                    start=data["start"],
                    end=data["end"],
                    kinds=data["kinds"],
                    subject=data["subject"],
                    body=data["body"],
                    recipients=chosen,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request, f"Envoi lancé pour {len(chosen)} destinataires."
                )
                return redirect("presences-mailing-history", school.pk)
        context["preview"] = preview
    return render(request, "presences/mailing.html", context)


def _sender_name():
    return settings.SMS_SENDER_NAME


def _preview(school, data):
    return mailing_preview(
        school=school,
        start=data["start"],
        end=data["end"],
        class_ids=[int(c) for c in data["classes"]],
        kinds=data["kinds"],
        regularised=data["regularised"],
        already_sent=data["already_sent"],
        channel=data["channel"],
        body=data["body"],
    )


@director_view
@require_POST
def template_add(request, school, year):
    form = forms.TemplateForm(request.POST)
    if form.is_valid():
        services.message_template_create(
            structure=school, actor=request.user, **form.cleaned_data
        )
        messages.success(request, "Modèle enregistré.")
    else:
        messages.error(request, "Le modèle a besoin d'un nom et d'un message.")
    return redirect("presences-mailing", school.pk)


@director_view
@require_http_methods(["GET"])
def mailing_history(request, school, year):
    mailings = Mailing.objects.filter(structure=school).prefetch_related(
        "recipients__pupil"
    )
    page = Paginator(mailings, 20).get_page(request.GET.get("page"))
    return render(
        request, "presences/mailing_history.html", {"school": school, "page": page}
    )


@director_view
@require_http_methods(["GET"])
def mailing_letters(request, school, year, mailing_id):
    mailing = in_scope_or_404(Mailing.objects.filter(structure=school), pk=mailing_id)
    if not mailing.letters:
        raise Http404
    return FileResponse(
        mailing.letters.open("rb"), as_attachment=True, filename="courriers.pdf"
    )
