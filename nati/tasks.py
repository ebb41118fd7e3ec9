import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def heartbeat() -> str:
    """Proves that beat and a worker are connected; prints one line."""
    logger.info("heartbeat")
    return "ok"
