"""Demo data of Messagerie: a teacher's message to the CM1 parents, a parent's
answer and a flash message of the school. Idempotent."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from directory.models import Group, GroupKind, GroupRole
from messaging import services
from messaging.models import FlashMessage, Message

WELCOME = "Bienvenue dans la classe de CM1"


def seed() -> None:
    teacher = User.objects.filter(username="demo.enseignant").first()
    parent = User.objects.filter(username="demo.parent").first()
    director = User.objects.filter(username="demo.directeur").first()
    if teacher is None or parent is None or director is None:
        return
    if Message.objects.filter(sender=teacher, subject=WELCOME).exists():
        return
    cm1_parents = Group.objects.get(
        kind=GroupKind.CLASS,
        role=GroupRole.PARENTS,
        klass__teacher_links__user=teacher,
        klass__name="CM1",
    )
    welcome = services.message_draft_save(
        sender=teacher,
        subject=WELCOME,
        body="Bonjour à toutes et à tous,\n\nLa réunion de rentrée a lieu jeudi "
        "à 17 h en salle 3.\nLe programme : https://nati.pf\n\nVaimiti Tehaamoana",
        user_ids=[],
        group_ids=[cm1_parents.pk],
    )
    services.message_send(message=welcome, sender=teacher)
    answer = services.message_draft_save(
        sender=parent,
        subject=f"Re : {WELCOME}",
        body="Merci, je serai présente jeudi.\nHinatea Pūtai",
        user_ids=[teacher.pk],
        group_ids=[],
        parent=welcome,
    )
    services.message_send(message=answer, sender=parent)

    school = cm1_parents.structure
    today = timezone.localdate()
    if not FlashMessage.objects.filter(structure=school).exists():
        services.flash_save(
            structure=school,
            actor=director,
            fields={
                "title": "Semaine du reo mā'ohi",
                "starts_on": today,
                "ends_on": today + dt.timedelta(days=30),
                "profiles": ["parents", "pupils", "teachers"],
                "language": "fr",
                "colour": "green",
                "signature": "La direction de l'école",
                "body": "Chants et danses tous les matins dans la cour.",
                "notify_mail": False,
                "notify_mobile": False,
            },
        )
