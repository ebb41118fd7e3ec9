from celery import shared_task

from presences import services


@shared_task
def mailing_send_task(mailing_id: int) -> None:
    services.mailing_send(mailing_id=mailing_id)


@shared_task
def events_notify_task(register_id: int | None = None, event_ids=None) -> None:
    services.events_notify(register_id=register_id, event_ids=event_ids)
