"""The admin console ("Console d'administration").

Every page is for the console's app right, over the schools of the user's
admin scope: a school, class, group or user outside it answers 404. Each write
goes through a service that records it in the audit log.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services as account_services
from directory import console_selectors, console_services, selectors, services
from directory.forms import (
    AppRightForm,
    AuditFilterForm,
    ManualGroupForm,
    TeacherAttachForm,
    UserFilterForm,
)
from directory.models import AppRight, ClassTeacher, Group, GroupKind, StructureKind
from nati import portal
from nati.access import (
    app_required,
    console_school_or_404,
    console_structures,
    in_scope_or_404,
    school_entry,
)
from nati.cache import DIRECTORY, USER, prefetched, user_cache
from nati.models import AuditEntry

console = app_required(portal.CONSOLE)


class _CountingPaginator(Paginator):
    """Reads a page and the total in one query: the total rides on each row as
    a window count, so a list page costs no separate COUNT (bench/portal)."""

    def get_page(self, number):
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        start = (number - 1) * self.per_page
        counted = self.object_list.annotate(_total=Window(Count("pk")))
        rows = list(counted[start : start + self.per_page])
        if not rows and number > 1:
            return super().get_page(number)  # past the end: the plain way
        self.__dict__["count"] = rows[0]._total if rows else 0
        return self._get_page(rows, number, self)


def _page(request, queryset):
    paginator = _CountingPaginator(queryset, settings.NATI_CONSOLE_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _confirm(request, *, title: str, text: str, back: str, danger: bool = True):
    """The second step of a destructive action: the same POST, confirmed."""
    context = {"title": title, "text": text, "back": back, "danger": danger}
    return render(request, "directory/confirm.html", context)


def _confirmed(request) -> bool:
    return request.POST.get("confirm") == "1"


# --- Schools -----------------------------------------------------------------


@require_GET
@console
def console_home(request):
    schools = console_structures(request).filter(kind=StructureKind.SCHOOL)
    context = {
        "schools": schools.select_related("parent").order_by("name"),
        "audit_readable": selectors.is_project_lead(request.user),
    }
    return render(request, "directory/console/home.html", context)


# --- Users -------------------------------------------------------------------


# A page costs two queries (the user and the page with its total): the app
# rights, the school in scope, its classes and who is in which class are kept
# in the cache with the directory's generation (nati/cache.py, bench/portal).
def _facts_entry(school_id: int) -> str:
    return f"console:school-facts:{school_id}"


@require_GET
@prefetched(
    lambda request, school_id: {
        school_entry(school_id): (DIRECTORY, USER),
        _facts_entry(school_id): (DIRECTORY,),
    }
)
@console
def console_users(request, school_id: int):
    school = console_school_or_404(request, school_id)
    facts = user_cache(request).get(
        _facts_entry(school_id),
        (DIRECTORY,),
        lambda: {
            "classes": list(
                console_selectors.school_classes(school).values_list("pk", "name")
            ),
            "roster": list(
                console_selectors.users_filtered(school).values_list("pk", flat=True)
            ),
        },
    )
    classes = facts["classes"]
    form = UserFilterForm(request.GET or None, classes=classes)
    filters = form.cleaned_data if form.is_valid() else {}

    def class_names():
        # Who is in which class: read only to build rows, kept apart.
        return user_cache(request).get(
            f"console:class-names:{school.pk}",
            (DIRECTORY,),
            lambda: console_selectors.school_class_names(school),
        )

    stamp = None
    if any(filters.values()):
        users = console_selectors.users_filtered(
            school,
            query=filters.get("q", ""),
            profile=filters.get("profile", ""),
            klass=filters.get("klass"),  # one of the school's (the form checks)
            state=filters.get("state", ""),
        )
        page = _page(request, users)
        rows = _user_rows_html(
            reverse("console-users", args=[school.pk]),
            console_selectors.user_rows(page.object_list, class_names()),
        )
    else:
        # The whole school, in the kept order: a page is a slice of ids, and
        # its rows are kept as HTML until the directory or one of its users
        # changes (their own generations are part of the stamp).
        paginator = Paginator(facts["roster"], settings.NATI_CONSOLE_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        ids = list(page.object_list)
        stamp = (DIRECTORY, *(USER.format(user=pk) for pk in ids))
        rows = user_cache(request).get(
            f"console:rows:{school.pk}:{paginator.per_page}:{page.number}",
            stamp,
            lambda: str(
                _user_rows_html(
                    reverse("console-users", args=[school.pk]),
                    console_selectors.user_rows(
                        console_selectors.users_in_order(ids), class_names()
                    ),
                )
            ),
        )
    context = {
        "school": school,
        "form": form,
        "page": page,
        "class_options": _options(classes, filters.get("klass")),
        "rows": mark_safe(rows),  # noqa: S308 (built by format_html_join)
    }

    def body():
        return str(render_to_string(_USERS_BODY, context, request=request))

    if stamp is not None and set(request.GET) <= {"page"}:
        # A page of the whole school, no filter: its body (filters, rows,
        # pager; no form to protect) is kept whole, with the rows' stamp.
        html = user_cache(request).get(
            f"console:users-body:{school.pk}:{page.paginator.per_page}:{page.number}",
            stamp,
            body,
        )
    else:
        html = body()
    page_context = {"school": school, "body": mark_safe(html)}  # noqa: S308
    return render(request, "directory/console/users.html", page_context)


_USERS_BODY = "directory/console/_users_body.html"


# The list's rows and options are built with format_html_join rather than
# template loops: a page of 50 rows rendered by the template engine cost more
# than all the queries behind it (bench/portal/bench_portal.py).
_USER_ROW = (
    '<tr><td><a href="{}{}/">{}</a></td><td>{}</td><td>{}</td><td>{}</td>'
    '<td><span class="badge {}">{}</span></td><td>{}</td></tr>'
)


def _user_rows_html(users_url: str, rows) -> str:
    """A card is at the list's URL plus the user's id (console_urls)."""
    return format_html_join(
        "\n",
        _USER_ROW,
        (
            (
                users_url,
                row.pk,
                row.name,
                row.username,
                row.profile,
                row.classes,
                row.badge,
                row.state,
                date_format(localtime(row.last_login), "j M Y H:i")
                if row.last_login
                else "jamais",
            )
            for row in rows
        ),
    )


def _options(choices, selected) -> str:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if value == selected else "", label)
            for value, label in choices
        ),
    )


def _school_user_or_404(school, user_id: int):
    return in_scope_or_404(console_selectors.school_users(school), pk=user_id)


@require_GET
@console
def console_user(request, school_id: int, user_id: int):
    school = console_school_or_404(request, school_id)
    person = _school_user_or_404(school, user_id)
    context = {"school": school, "person": person}
    context["badge"], context["state"] = console_selectors.account_badge(person)
    context |= console_selectors.user_card(school, person)
    return render(request, "directory/console/user.html", context)


def _user_removal(request, school_id, user_id, *, what: str, warning: str, remove):
    """Remove a user's photo or motto: ask first, then call the service (which
    records it in the audit log)."""
    school = console_school_or_404(request, school_id)
    person = _school_user_or_404(school, user_id)
    card = reverse("console-user", args=[school.pk, person.pk])
    if not _confirmed(request):
        text = f"{what} de {person.display_name} sera {warning}."
        return _confirm(
            request, title=f"Supprimer {what.lower()}", text=text, back=card
        )
    remove(user=person, actor=request.user, structure=school, request=request)
    messages.success(request, f"{what} de {person.display_name} est supprimée.")
    return redirect(card)


@require_POST
@console
def console_user_photo_remove(request, school_id: int, user_id: int):
    return _user_removal(
        request,
        school_id,
        user_id,
        what="La photo",
        warning="supprimée définitivement",
        remove=account_services.user_photo_remove,
    )


@require_POST
@console
def console_user_motto_remove(request, school_id: int, user_id: int):
    return _user_removal(
        request,
        school_id,
        user_id,
        what="La devise",
        warning="effacée",
        remove=account_services.user_motto_remove,
    )


# --- Classes and their teachers ----------------------------------------------


@require_GET
@console
def console_classes(request, school_id: int):
    school = console_school_or_404(request, school_id)
    context = {
        "school": school,
        "classes": console_selectors.classes_with_teachers(school),
        "teachers": list(console_selectors.school_teachers(school)),
    }
    return render(request, "directory/console/classes.html", context)


def _class_or_404(school, class_id: int):
    return in_scope_or_404(console_selectors.school_classes(school), pk=class_id)


def _class_answer(request, school, klass, *, error: str = ""):
    """The class's row for htmx, else back to the classes page."""
    if request.htmx:
        context = {
            "school": school,
            "klass": console_selectors.classes_with_teachers(school).get(pk=klass.pk),
            "teachers": list(console_selectors.school_teachers(school)),
            "error": error,
        }
        return render(request, "directory/console/_class_row.html", context)
    if error:
        messages.error(request, error)
    return redirect("console-classes", school.pk)


@require_POST
@console
def console_class_teacher_attach(request, school_id: int, class_id: int):
    school = console_school_or_404(request, school_id)
    klass = _class_or_404(school, class_id)
    form = TeacherAttachForm(request.POST, school=school)
    if not form.is_valid():
        return _class_answer(
            request,
            school,
            klass,
            error=f"Choisissez un enseignant de l'école pour la classe {klass.name}.",
        )
    teacher = form.cleaned_data["teacher"]
    services.class_teacher_attach(
        klass=klass,
        teacher=teacher,
        is_main=form.cleaned_data["is_main"],
        actor=request.user,
        request=request,
    )
    if not request.htmx:
        messages.success(request, f"{teacher.display_name} enseigne en {klass.name}.")
    return _class_answer(request, school, klass)


def _class_teacher_or_404(school, class_id: int, user_id: int) -> ClassTeacher:
    klass = _class_or_404(school, class_id)
    return in_scope_or_404(
        ClassTeacher.objects.filter(klass=klass).select_related("user", "klass"),
        user_id=user_id,
    )


@require_POST
@console
def console_class_teacher_detach(request, school_id: int, class_id: int, user_id):
    school = console_school_or_404(request, school_id)
    link = _class_teacher_or_404(school, class_id, user_id)
    services.class_teacher_detach(
        klass=link.klass, teacher=link.user, actor=request.user, request=request
    )
    if not request.htmx:
        messages.success(
            request,
            f"{link.user.display_name} n'enseigne plus en {link.klass.name}.",
        )
    return _class_answer(request, school, link.klass)


@require_POST
@console
def console_class_teacher_main(request, school_id: int, class_id: int, user_id):
    school = console_school_or_404(request, school_id)
    link = _class_teacher_or_404(school, class_id, user_id)
    services.class_teacher_attach(
        klass=link.klass,
        teacher=link.user,
        is_main=True,
        actor=request.user,
        request=request,
    )
    return _class_answer(request, school, link.klass)


# --- Groups ------------------------------------------------------------------


@require_GET
@console
def console_groups(request, school_id: int):
    school = console_school_or_404(request, school_id)
    tab = request.GET.get("onglet", "manuels")
    if tab not in console_selectors.GROUP_TABS:
        tab = "manuels"
    kinds = console_selectors.GROUP_TABS[tab][1]
    context = {
        "school": school,
        "tab": tab,
        "tabs": console_selectors.GROUP_TABS,
        "page": _page(request, console_selectors.school_groups(school, kinds)),
    }
    return render(request, "directory/console/groups.html", context)


def _group_or_404(school, group_id: int, **lookup) -> Group:
    groups = Group.objects.filter(structure=school, **lookup).exclude(
        kind=GroupKind.FAVOURITES
    )
    return in_scope_or_404(groups.select_related("klass"), pk=group_id)


@require_GET
@console
def console_group(request, school_id: int, group_id: int):
    school = console_school_or_404(request, school_id)
    group = _group_or_404(school, group_id)
    context = {
        "school": school,
        "group": group,
        "page": _page(request, console_selectors.group_members(group)),
    }
    context |= console_selectors.group_rules(group)
    return render(request, "directory/console/group.html", context)


def _group_form_answer(request, school, form, group=None):
    context = {"school": school, "form": form, "group": group}
    return render(request, "directory/console/group_form.html", context)


@require_http_methods(["GET", "POST"])
@console
def console_group_create(request, school_id: int):
    school = console_school_or_404(request, school_id)
    form = ManualGroupForm(request.POST or None, school=school)
    if request.method == "GET" or not form.is_valid():
        return _group_form_answer(request, school, form)
    group = console_services.manual_group_save(
        structure=school, actor=request.user, request=request, **form.cleaned_data
    )
    messages.success(request, f"Le groupe « {group.name} » est créé.")
    return redirect("console-group", school.pk, group.pk)


@require_http_methods(["GET", "POST"])
@console
def console_group_edit(request, school_id: int, group_id: int):
    school = console_school_or_404(request, school_id)
    group = _group_or_404(school, group_id, kind=GroupKind.MANUAL)
    rules = console_selectors.group_rules(group)
    initial = {
        "name": group.name,
        "inner_communication": group.inner_communication,
        "members": group.members.all(),
        **rules,
    }
    form = ManualGroupForm(
        request.POST or None, initial=initial, school=school, group=group
    )
    if request.method == "GET" or not form.is_valid():
        return _group_form_answer(request, school, form, group)
    console_services.manual_group_save(
        structure=school,
        group=group,
        actor=request.user,
        request=request,
        **form.cleaned_data,
    )
    messages.success(request, f"Le groupe « {group.name} » est enregistré.")
    return redirect("console-group", school.pk, group.pk)


# --- App rights --------------------------------------------------------------


def _rights_rows(school, groups):
    held = set(AppRight.objects.filter(group__in=groups).values_list("group_id", "app"))
    return [
        (group, [(app, (group.pk, app.code) in held) for app in portal.APPS.values()])
        for group in groups
    ]


@require_GET
@console
def console_rights(request, school_id: int):
    school = console_school_or_404(request, school_id)
    groups = list(console_selectors.school_groups(school).select_related("klass"))
    context = {
        "school": school,
        "apps": portal.APPS.values(),
        "rows": _rights_rows(school, groups),
    }
    return render(request, "directory/console/rights.html", context)


@require_POST
@console
def console_right_set(request, school_id: int, group_id: int):
    school = console_school_or_404(request, school_id)
    group = _group_or_404(school, group_id)
    form = AppRightForm(request.POST)
    if not form.is_valid():
        raise Http404
    app = portal.APPS[form.cleaned_data["app"]]
    granted = form.cleaned_data["granted"]
    services.app_right_set(
        group=group, app=app.code, granted=granted, actor=request.user, request=request
    )
    if request.htmx:
        context = {"school": school, "group": group, "app": app, "held": granted}
        return render(request, "directory/console/_right_cell.html", context)
    verb = "peut" if granted else "ne peut plus"
    messages.success(request, f"Le groupe « {group.name} » {verb} ouvrir {app.name}.")
    return redirect("console-rights", school.pk)


@require_POST
@console
def console_family_messaging(request, school_id: int):
    school = console_school_or_404(request, school_id)
    enabled = request.POST.get("enabled") == "1"
    if not _confirmed(request):
        text = (
            f"Les élèves et les parents de {school.name} pourront de nouveau "
            "ouvrir la Messagerie."
            if enabled
            else f"Les élèves et les parents de {school.name} ne pourront plus "
            "ouvrir la Messagerie, jusqu'à ce que vous la leur rendiez."
        )
        title = "Rendre la Messagerie" if enabled else "Retirer la Messagerie"
        back = reverse("console-rights", args=[school.pk])
        return _confirm(request, title=title, text=text, back=back, danger=not enabled)
    services.school_family_messaging_set(
        structure=school, enabled=enabled, actor=request.user, request=request
    )
    if enabled:
        messages.success(request, "La Messagerie est rendue aux élèves et parents.")
    else:
        messages.success(request, "La Messagerie est retirée aux élèves et parents.")
    return redirect("console-rights", school.pk)


# --- Audit log -----------------------------------------------------------------


@require_GET
@console
def console_audit(request):
    if not selectors.is_project_lead(request.user):
        raise PermissionDenied("the audit log is for the project lead")
    actions = list(
        AuditEntry.objects.order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
    form = AuditFilterForm(request.GET or None, actions=actions)
    entries = AuditEntry.objects.select_related("actor", "structure")
    if form.is_valid():
        if form.cleaned_data["action"]:
            entries = entries.filter(action=form.cleaned_data["action"])
        if form.cleaned_data["structure"]:
            entries = entries.filter(structure=form.cleaned_data["structure"])
    context = {"form": form, "page": _page(request, entries)}
    return render(request, "directory/console/audit.html", context)
