"""Possible duplicates: listed after an import, dissociated or merged."""

import datetime as dt

from accounts.models import AccountState, Profile, Source, User
from accounts.services import user_create
from directory import merge
from directory.feeds.duplicates import (
    duplicate_dissociate,
    duplicate_merge,
    duplicates_detect,
)
from directory.feeds.runs import aaf_import
from directory.models import ClassTeacher, DuplicatePair, Link
from directory.services import class_teacher_attach
from nati.models import AuditEntry
from tests.directory.feeds.conftest import write_delivery


def test_same_names_and_birth_date_in_one_profile_are_a_pair(world):
    born = dt.date(2016, 3, 1)
    a = user_create(
        first_name="Hina", last_name="Tapu", profile=Profile.PUPIL, birth_date=born
    )
    b = user_create(
        first_name="HINA", last_name="Tapú", profile=Profile.PUPIL, birth_date=born
    )
    other_day = user_create(
        first_name="Hina",
        last_name="Tapu",
        profile=Profile.PUPIL,
        birth_date=dt.date(2016, 3, 2),
    )
    parent = user_create(first_name="Hina", last_name="Tapu", profile=Profile.PARENT)

    duplicates_detect(user_ids=[a.pk, b.pk, other_day.pk, parent.pk])

    assert set(DuplicatePair.objects.values_list("user_a", "user_b")) == {(a.pk, b.pk)}


def test_dissociated_pairs_are_not_listed_again(world):
    a = user_create(first_name="Hina", last_name="Tapu", profile=Profile.STAFF)
    b = user_create(first_name="Hina", last_name="Tapu", profile=Profile.STAFF)
    duplicates_detect(user_ids=[a.pk])
    pair = DuplicatePair.objects.get()

    duplicate_dissociate(pair=pair, actor=world.project_lead)
    duplicates_detect(user_ids=[a.pk, b.pk])

    assert list(DuplicatePair.objects.values_list("state", flat=True)) == [
        "dissociated"
    ]


def test_a_hand_made_staff_account_merges_with_the_feed_one(world, tmp_path):
    manual = user_create(first_name="Vaea", last_name="Tapuni", profile=Profile.TEACHER)
    User.objects.filter(pk=manual.pk).update(account_state=AccountState.ACTIVE)
    class_teacher_attach(klass=world.cm1, teacher=manual)
    folder = write_delivery(
        tmp_path / "d", staff=[("50", "Tapuni", "Vaea", "1", "CM2")]
    )
    aaf_import(path=folder)
    pair = DuplicatePair.objects.get()
    feed_account = User.objects.get(external_id="50")
    moved = []

    @merge.merge_handler
    def remember(*, kept, removed):
        moved.append((kept.pk, removed.pk))

    try:
        kept = duplicate_merge(pair=pair, actor=world.project_lead)
    finally:
        merge._handlers.remove(remember)

    assert kept.pk == manual.pk
    assert moved == [(manual.pk, feed_account.pk)]
    manual.refresh_from_db()
    feed_account.refresh_from_db()
    assert (manual.source, manual.external_id) == (Source.AAF, "50")
    assert feed_account.merged_into_id == manual.pk and not feed_account.is_active
    assert set(
        ClassTeacher.objects.filter(user=manual).values_list("klass__name", flat=True)
    ) == {"CM1", "CM2"}
    assert DuplicatePair.objects.get().state == "merged"
    assert AuditEntry.objects.filter(action="duplicate.merge").exists()
    # The next delivery finds the kept account.
    run = aaf_import(path=folder)
    assert run.report["counts"]["created"] == 0


def test_merge_moves_links_without_doubling_them(world):
    twin = user_create(first_name="Parent", last_name="Cm1", profile=Profile.PARENT)
    Link.objects.create(parent=twin, child=world.pupil_cm1)
    Link.objects.create(parent=twin, child=world.pupil_ce1)
    pair = DuplicatePair.objects.create(user_a=world.parent_cm1, user_b=twin)
    User.objects.filter(pk=world.parent_cm1.pk).update(
        account_state=AccountState.ACTIVE
    )

    duplicate_merge(pair=pair, actor=world.project_lead)

    children = set(
        Link.objects.filter(parent=world.parent_cm1).values_list("child_id", flat=True)
    )
    assert {world.pupil_cm1.pk, world.pupil_ce1.pk} <= children
    assert not Link.objects.filter(parent=twin).exists()
