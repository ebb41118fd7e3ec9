"""Moving Messagerie's rows when two accounts of one person are merged."""

from django.db.models import Exists, OuterRef

from directory.merge import merge_handler
from messaging.models import (
    Delivery,
    FlashRead,
    Message,
    MessageTarget,
    MessagingPreference,
    Notification,
)
from nati import cache


@merge_handler
def messaging_rows_move(*, kept, removed) -> None:
    # A message both accounts received stays once, on the kept account.
    kept_copy = Delivery.objects.filter(recipient=kept, message=OuterRef("message"))
    Delivery.objects.filter(recipient=removed).filter(Exists(kept_copy)).delete()
    Delivery.objects.filter(recipient=removed).update(recipient=kept)
    Message.objects.filter(sender=removed).update(sender=kept)
    MessageTarget.objects.filter(user=removed).update(user=kept)
    Notification.objects.filter(recipient=removed).update(recipient=kept)
    kept_read = FlashRead.objects.filter(user=kept, flash=OuterRef("flash"))
    FlashRead.objects.filter(user=removed).filter(Exists(kept_read)).delete()
    FlashRead.objects.filter(user=removed).update(user=kept)
    if MessagingPreference.objects.filter(user=kept).exists():
        MessagingPreference.objects.filter(user=removed).delete()
    else:
        MessagingPreference.objects.filter(user=removed).update(user=kept)
    cache.bump_users(cache.INBOX, [kept.pk, removed.pk])
