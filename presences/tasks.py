from celery import shared_task

from presences import services


@shared_task
def mailing_send_task(mailing_id: int) -> None:
    services.mailing_send(mailing_id=mailing_id)
