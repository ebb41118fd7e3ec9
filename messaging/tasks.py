"""Celery tasks of Messagerie: thin wrappers that fetch by id and call a service."""

from celery import shared_task

from messaging import services


@shared_task
def message_deliver_task(message_id: int) -> int:
    return services.message_deliver(message_id=message_id)


@shared_task
def message_email_task(message_id: int) -> int:
    return services.message_email_send(message_id=message_id)


@shared_task
def messaging_digest_task() -> int:
    return services.digest_send()


@shared_task
def flash_notify_task(flash_id: int) -> tuple[int, int]:
    return services.flash_notify(flash_id=flash_id)
