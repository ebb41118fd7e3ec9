"""The audit log: one function every app calls for what must be traced."""

from nati.models import AuditEntry


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor=None,
    target=None,
    structure=None,
    request=None,
    data: dict | None = None,
) -> AuditEntry:
    """Append one entry. `target` is any model instance; only its id is kept."""
    return AuditEntry.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        structure=structure,
        ip=client_ip(request),
        data=data or {},
    )
