from directory.merge import merge_handlers
from messaging import services
from messaging.models import Delivery, Message, MessagingPreference, Notification


def test_merging_moves_messages_and_deliveries_to_the_kept_account(world):
    kept, removed = world.parent_cm1, world.parent_ce1
    both = services.message_draft_save(
        sender=world.director,
        subject="Aux deux",
        body="",
        user_ids=[kept.pk, removed.pk],
        group_ids=[],
    )
    services.message_send(message=both, sender=world.director)
    only = services.message_draft_save(
        sender=world.director,
        subject="Seul",
        body="",
        user_ids=[removed.pk],
        group_ids=[],
    )
    services.message_send(message=only, sender=world.director)
    written = services.message_draft_save(
        sender=removed, subject="Écrit", body="", user_ids=[], group_ids=[]
    )
    MessagingPreference.objects.create(user=removed, email_mode="digest")

    for handler in merge_handlers():
        handler(kept=kept, removed=removed)

    assert not Delivery.objects.filter(recipient=removed).exists()
    assert set(
        Delivery.objects.filter(recipient=kept).values_list(
            "message__subject", flat=True
        )
    ) == {"Aux deux", "Seul"}
    assert Message.objects.get(pk=written.pk).sender == kept
    assert not Notification.objects.filter(recipient=removed).exists()
    assert MessagingPreference.objects.get().user == kept
