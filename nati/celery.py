"""The Celery app and, in one place, the beat schedule of every periodic job."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nati.settings")

app = Celery("nati")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job of nati, in Pacific/Tahiti time (CELERY_TIMEZONE). Apps add
# their entries here, not elsewhere, so that the whole schedule reads at once.
app.conf.beat_schedule = {
    "nati-heartbeat": {
        "task": "nati.tasks.heartbeat",
        "schedule": crontab(minute="*/30"),
    },
    # Messagerie: the daily digest of unread messages, for those who chose it.
    "messaging-digest": {
        "task": "messaging.tasks.messaging_digest_task",
        "schedule": crontab(hour=17, minute=0),
    },
}
