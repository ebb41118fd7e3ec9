from celery import shared_task

from presences import services

# Nobody reads these tasks' results: ignored, so that queueing one is a single
# publish (no result subscription from the web process, no result stored) —
# the validation of every call at 8:00 queues one.


@shared_task(ignore_result=True)
def mailing_send_task(mailing_id: int) -> None:
    services.mailing_send(mailing_id=mailing_id)


@shared_task(ignore_result=True)
def events_notify_task(register_id: int | None = None, event_ids=None) -> None:
    services.events_notify(register_id=register_id, event_ids=event_ids)
