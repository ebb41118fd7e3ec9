from django.db.models import QuerySet

from moderation.models import Report


def reports_for_admin(scope: QuerySet) -> QuerySet:
    """Reports of the structures an administrator's console covers."""
    return (
        Report.objects.filter(structure__in=scope)
        .select_related("reporter", "structure")
        .order_by("-created_at", "-id")
    )
