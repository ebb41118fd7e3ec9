from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from directory import selectors as directory_selectors
from directory.models import Group
from messaging import selectors, services
from messaging.access import messagerie_required
from messaging.forms import ComposeForm, PreferenceForm, ReportForm, ids_from
from messaging.models import Attachment, Message, MessagingPreference, Notification
from moderation.services import report_create
from nati.cache import INBOX, user_cache

PAGE_SIZE = 25


def _page(request, queryset, size=None, count=None):
    paginator = Paginator(queryset, size or PAGE_SIZE)
    if count is not None:
        paginator.count = count  # known already: no COUNT query
    return paginator.get_page(request.GET.get("page"))


# Folders made of the user's own deliveries: their size is kept in the cache
# until the inbox's generation changes (a delivery, a read, a trash…).
_COUNTED_FOLDERS = {"inbox", "trash"}


def _query(request) -> str:
    return request.GET.get("q", "").strip()[:100]


# --- Lists --------------------------------------------------------------------


def _list(request, tab: str, selector, searchable: bool = False):
    """A paginated folder; `tab` names its template and its tab."""
    query = _query(request) if searchable else ""
    queryset = selector(request.user, query) if searchable else selector(request.user)
    count = None
    if tab in _COUNTED_FOLDERS and not query:
        count = user_cache(request).get(
            f"messaging:count:{tab}", (INBOX,), queryset.count
        )
    context = {
        "page": _page(request, queryset, count=count),
        "query": query,
        "tab": tab,
    }
    return render(request, f"messaging/{tab}.html", context)


@messagerie_required
@require_GET
def index(request):
    return _list(request, "inbox", selectors.inbox, searchable=True)


@messagerie_required
@require_GET
def sent(request):
    return _list(request, "sent", selectors.sent, searchable=True)


@messagerie_required
@require_GET
def drafts(request):
    return _list(request, "drafts", selectors.drafts)


@messagerie_required
@require_GET
def trash(request):
    if request.GET.get("envoyes"):
        context = {
            "page": _page(request, selectors.sent_trash(request.user)),
            "tab": "trash",
            "sent_side": True,
        }
        return render(request, "messaging/trash.html", context)
    return _list(request, "trash", selectors.trash)


# --- Writing ------------------------------------------------------------------


def _quote(message: Message) -> str:
    when = timezone.localtime(message.sent_at).strftime("%d/%m/%Y %H:%M")
    quoted = "\n".join(f"> {line}" for line in message.body.splitlines())
    return f"\n\n--- Le {when}, {message.sender.display_name} a écrit :\n{quoted}"


def _prefixed(prefix: str, subject: str) -> str:
    return subject if subject.startswith(prefix) else f"{prefix}{subject}"[:200]


def _initial(request, draft):
    """What the form starts with: a draft, a reply (to all) or a forward."""
    user = request.user
    if draft is not None:
        user_ids, group_ids = selectors.target_ids(draft)
        return {
            "subject": draft.subject,
            "body": draft.body,
            "users": user_ids,
            "groups": group_ids,
            "parent": draft.parent_id,
            "attachments": list(draft.attachments.all()),
        }
    reply_to = request.GET.get("repondre", "")
    forward = request.GET.get("transferer", "")
    if not (reply_to.isdigit() or forward.isdigit()):
        return {"users": set(), "groups": set()}
    parent, _ = selectors.readable_message_or_404(
        user, int(reply_to if reply_to.isdigit() else forward)
    )
    if not reply_to.isdigit():
        return {
            "subject": _prefixed("Tr : ", parent.subject),
            "body": _quote(parent),
            "users": set(),
            "groups": set(),
            "parent": parent.pk,
            "forwarded": list(parent.attachments.all()),
        }
    users, groups = {parent.sender_id}, set()
    if request.GET.get("tous"):
        more_users, groups = selectors.target_ids(parent)
        users |= more_users
        groups = set(
            directory_selectors.writable_groups(user)
            .filter(pk__in=groups)
            .values_list("pk", flat=True)
        )
    users -= {user.pk}
    users -= directory_selectors.unreachable_among(user, users)
    return {
        "subject": _prefixed("Re : ", parent.subject),
        "body": _quote(parent),
        "users": users,
        "groups": groups,
        "parent": parent.pk,
    }


def _compose_context(request, *, draft, initial, form=None, error="", results=None):
    return {
        "form": form or ComposeForm(initial=initial),
        "draft": draft,
        "parent": initial.get("parent"),
        "chosen_users": User.objects.filter(pk__in=initial["users"]).order_by(
            "last_name", "first_name"
        ),
        "chosen_groups": Group.objects.filter(pk__in=initial["groups"]).order_by(
            "name"
        ),
        "attachments": initial.get("attachments", []),
        "forwarded": initial.get("forwarded", []),
        "max_mb": settings.MESSAGING_ATTACHMENT_MAX_MB,
        "error": error,
        "results": results,
        "tab": "compose",
    }


def _posted_parent(request):
    value = request.POST.get("parent", "")
    if not value.isdigit():
        return None
    parent, _ = selectors.readable_message_or_404(request.user, int(value))
    return parent


@messagerie_required
@require_http_methods(["GET", "POST"])
def compose(request, pk=None):
    draft = selectors.draft_or_404(request.user, pk) if pk else None
    if request.method == "GET":
        initial = _initial(request, draft)
        return render(
            request,
            "messaging/compose.html",
            _compose_context(request, draft=draft, initial=initial),
        )

    form = ComposeForm(request.POST)
    parent = _posted_parent(request)
    posted = {
        "users": set(ids_from(request.POST, "users")),
        "groups": set(ids_from(request.POST, "groups")),
        "parent": parent.pk if parent else None,
        "attachments": list(draft.attachments.all()) if draft else [],
    }
    action = request.POST.get("action", "send")
    if not form.is_valid() or action == "search":
        query = request.POST.get("q", "").strip()[:100]
        results = _recipient_results(request.user, query) if query else None
        context = _compose_context(
            request, draft=draft, initial=posted, form=form, results=results
        )
        return render(request, "messaging/compose.html", context)

    forwarded = []
    if parent is not None and draft is None:
        wanted = set(ids_from(request.POST, "forwarded"))
        forwarded = [a for a in parent.attachments.all() if a.pk in wanted]
    try:
        message = services.message_draft_save(
            sender=request.user,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            user_ids=posted["users"],
            group_ids=posted["groups"],
            files=request.FILES.getlist("attachments"),
            parent=parent,
            forwarded=forwarded,
            removed_attachment_ids=ids_from(request.POST, "remove"),
            message=draft,
        )
    except services.MessageRefused as refusal:
        context = _compose_context(
            request, draft=draft, initial=posted, form=form, error=str(refusal)
        )
        return render(request, "messaging/compose.html", context, status=400)

    if action == "save":
        messages.success(request, "Brouillon enregistré.")
        return redirect("messaging-drafts")
    try:
        services.recipients_check(message, limit=1)
    except services.MessageRefused as refusal:
        return _refused(request, message, refusal)
    if services.reaches_families(message):
        return redirect("messaging-confirm", pk=message.pk)
    return _send(request, message)


def _refused(request, message, refusal):
    """The form again, on the draft kept, with the French reason; nothing sent."""
    draft = selectors.draft_or_404(request.user, message.pk)
    context = _compose_context(
        request, draft=draft, initial=_initial(request, draft), error=str(refusal)
    )
    return render(request, "messaging/compose.html", context, status=400)


def _send(request, message):
    try:
        message = services.message_send(
            message=message, sender=request.user, request=request
        )
    except services.MessageRefused as refusal:
        return _refused(request, message, refusal)
    if message.state == "sent":
        messages.success(
            request,
            f"Message envoyé à {message.recipient_count} "
            f"personne{'s' if message.recipient_count > 1 else ''}.",
        )
    else:
        messages.success(
            request,
            "Message en cours d'envoi : il arrive dans les boîtes de ses "
            "destinataires dans quelques instants.",
        )
    return redirect("messaging-sent")


@messagerie_required
@require_http_methods(["GET", "POST"])
def confirm(request, pk):
    """Before a message goes to a group of pupils or parents: how many people it
    reaches, and a confirmation."""
    draft = selectors.draft_or_404(request.user, pk)
    if request.method == "POST":
        return _send(request, draft)
    try:
        count, error = services.recipients_check(draft), ""
    except services.MessageRefused as refusal:
        count, error = 0, str(refusal)
    context = {
        "draft": draft,
        "count": count,
        "error": error,
        "groups": Group.objects.filter(
            pk__in=draft.targets.filter(group__isnull=False).values("group_id")
        ),
        "tab": "compose",
    }
    return render(request, "messaging/confirm.html", context)


@messagerie_required
@require_http_methods(["GET", "POST"])
def draft_delete(request, pk):
    draft = selectors.draft_or_404(request.user, pk)
    if request.method == "POST":
        services.message_draft_delete(message=draft)
        messages.success(request, "Brouillon supprimé.")
        return redirect("messaging-drafts")
    return render(
        request,
        "messaging/confirm_delete.html",
        {
            "what": f"le brouillon « {draft.subject or '(sans objet)'} »",
            "tab": "drafts",
        },
    )


def _recipient_results(user, query: str) -> dict:
    return {
        "query": query,
        "people": directory_selectors.reachable_users(user, query, limit=10),
        "groups": directory_selectors.reachable_groups(user, query, limit=10),
    }


@messagerie_required
@require_GET
def recipients(request):
    """Search as you type (htmx): people and groups the user may write to."""
    query = _query(request)
    results = _recipient_results(request.user, query) if query else None
    return render(request, "messaging/_recipients.html", {"results": results})


# --- Reading ------------------------------------------------------------------


@messagerie_required
@require_GET
def message_detail(request, pk):
    message, delivery = selectors.readable_message_or_404(request.user, pk)
    if delivery is not None and delivery.read_at is None:
        services.delivery_read_set(delivery=delivery, read=True)
    targets = message.targets.select_related("user", "group")
    context = {
        "message": message,
        "delivery": delivery,
        "targets": targets,
        "attachments": message.attachments.all(),
        "tab": "inbox" if delivery else "sent",
    }
    return render(request, "messaging/message.html", context)


def _on_delivery(request, pk, action, done: str, to: str):
    """The small POST actions on one's own copy of a message."""
    action(delivery=selectors.delivery_or_404(request.user, pk))
    messages.success(request, done)
    return redirect(to)


@messagerie_required
@require_POST
def mark(request, pk):
    read = request.POST.get("read") == "1"

    def action(delivery):
        services.delivery_read_set(delivery=delivery, read=read)

    done = "Marqué comme lu." if read else "Marqué comme non lu."
    return _on_delivery(request, pk, action, done, "messaging-inbox")


@messagerie_required
@require_POST
def trash_move(request, pk):
    done = "Message mis à la corbeille."
    return _on_delivery(request, pk, services.delivery_trash, done, "messaging-inbox")


@messagerie_required
@require_POST
def restore(request, pk):
    done = "Message remis dans la boîte de réception."
    return _on_delivery(request, pk, services.delivery_restore, done, "messaging-trash")


def _on_sent(request, pk, action, done: str):
    action(message=selectors.sent_or_404(request.user, pk))
    messages.success(request, done)
    return redirect(reverse("messaging-trash") + "?envoyes=1")


@messagerie_required
@require_POST
def sent_trash_move(request, pk):
    return _on_sent(request, pk, services.sent_trash, "Message mis à la corbeille.")


@messagerie_required
@require_POST
def sent_restore(request, pk):
    done = "Message remis dans les messages envoyés."
    return _on_sent(request, pk, services.sent_restore, done)


@messagerie_required
@require_http_methods(["GET", "POST"])
def sent_delete(request, pk):
    message = selectors.sent_or_404(request.user, pk)
    if request.method == "POST":
        return _on_sent(
            request, pk, services.sent_delete, "Message supprimé définitivement."
        )
    subject = message.subject or "(sans objet)"
    return render(
        request,
        "messaging/confirm_delete.html",
        {"what": f"définitivement votre message envoyé « {subject} »", "tab": "trash"},
    )


@messagerie_required
@require_http_methods(["GET", "POST"])
def delete(request, pk):
    delivery = selectors.delivery_or_404(request.user, pk)
    if request.method == "POST":
        services.delivery_delete(delivery=delivery)
        messages.success(request, "Message supprimé définitivement.")
        return redirect("messaging-trash")
    subject = delivery.message.subject or "(sans objet)"
    return render(
        request,
        "messaging/confirm_delete.html",
        {"what": f"définitivement le message « {subject} »", "tab": "trash"},
    )


@messagerie_required
@require_GET
def attachment(request, pk):
    """Served only to the sender and the recipients; anyone else gets 404."""
    item = Attachment.objects.select_related("message").filter(pk=pk).first()
    if item is None or not selectors.may_open_attachment(request.user, item.message):
        raise Http404
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


@messagerie_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    current = MessagingPreference.objects.filter(user=request.user).first()
    form = PreferenceForm(
        request.POST or None,
        initial={"email_mode": current.email_mode if current else "off"},
    )
    if request.method == "POST" and form.is_valid():
        services.preference_set(
            user=request.user, email_mode=form.cleaned_data["email_mode"]
        )
        messages.success(request, "Préférences enregistrées.")
        return redirect("messaging-preferences")
    return render(
        request, "messaging/preferences.html", {"form": form, "tab": "preferences"}
    )


# --- The news feed and the banners ----------------------------------------------


@login_required
@require_GET
def feed(request):
    page = _page(request, selectors.feed(request.user), size=20)
    return render(request, "messaging/feed.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def report(request, pk):
    notification = Notification.objects.filter(pk=pk, recipient=request.user).first()
    if notification is None:
        raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report_create(
            reporter=request.user,
            notification=notification,
            reason=form.cleaned_data["reason"],
            request=request,
        )
        messages.success(
            request,
            "Merci : votre signalement a été transmis aux administrateurs de l'école.",
        )
        return redirect("home")
    return render(
        request,
        "messaging/report.html",
        {"form": form, "notification": notification},
    )


@login_required
@require_POST
def flash_close(request, pk):
    shown = selectors.flashes_for(request.user, timezone.localdate())
    flash = next((f for f in shown if f.pk == pk), None)
    if flash is None:
        raise Http404
    services.flash_close(flash=flash, user=request.user)
    return redirect(reverse("home"))
