from directory.merge import merge_handler
from moderation.models import Report


@merge_handler
def reports_move(*, kept, removed) -> None:
    Report.objects.filter(reporter=removed).update(reporter=kept)
