import datetime as dt
import re

import time_machine
from django.test import Client
from django.urls import reverse

from directory.models import Link
from directory.services import affiliation_add, links_create
from nati.models import AuditEntry

ACCOUNT = reverse("accounts-my-account")
KEY = reverse("accounts-merge-key")
MERGE = reverse("accounts-merge")


def _key(client) -> str:
    html = client.post(KEY).content.decode()
    return re.search(r"<code>([0-9A-F-]{27})</code>", html).group(1)


def _second_account(world):
    """parent_b is the same person as parent_cm1, with a child in school B."""
    return world.parent_b


def test_a_parent_merges_an_account_with_a_key(client_for, world, password):
    removed, kept = _second_account(world), world.parent_cm1
    key = _key(client_for(removed))
    answer = client_for(kept).post(MERGE, {"key": key, "confirm": "on"})
    assert answer.status_code == 302
    assert set(Link.objects.filter(parent=kept).values_list("child", flat=True)) == {
        world.pupil_cm1.pk,
        world.pupil_b.pk,
    }
    removed.refresh_from_db()
    assert removed.merged_into == kept
    html = client_for(kept).get(ACCOUNT).content.decode()
    assert "Utilisateurs fusionnés" in html and "parent.b" in html
    assert AuditEntry.objects.filter(action="accounts.merge").exists()


def test_the_merged_account_cannot_log_in_and_says_where_to_go(
    client_for, world, password
):
    key = _key(client_for(world.parent_b))
    client_for(world.parent_cm1).post(MERGE, {"key": key, "confirm": "on"})
    answer = Client().post(
        reverse("account_login"), {"login": "parent.b", "password": password}
    )
    assert answer.status_code == 200
    assert "connectez-vous désormais avec l&#x27;identifiant « parent.cm1 »" in (
        answer.content.decode()
    )


def test_an_open_session_of_the_merged_account_ends(client_for, world):
    old = client_for(world.parent_b)
    key = _key(old)
    client_for(world.parent_cm1).post(MERGE, {"key": key, "confirm": "on"})
    assert old.get("/").status_code == 302


def test_a_key_is_single_use(client_for, world):
    affiliation_add(user=world.parent_ce1, structure=world.school_a)
    key = _key(client_for(world.parent_b))
    client_for(world.parent_cm1).post(MERGE, {"key": key, "confirm": "on"})
    again = client_for(world.parent_ce1).post(MERGE, {"key": key, "confirm": "on"})
    assert again.status_code == 400 and "déjà utilisée" in again.content.decode()


def test_a_key_lasts_24_hours(client_for, world):
    key = _key(client_for(world.parent_b))
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)):
        answer = client_for(world.parent_cm1).post(MERGE, {"key": key, "confirm": "on"})
    assert answer.status_code == 400 and "a expiré" in answer.content.decode()


def test_only_parent_accounts_merge(client_for, world):
    answer = client_for(world.teacher_cm1).post(KEY)
    assert answer.status_code == 400
    assert "Seuls les comptes de représentant légal" in answer.content.decode()
    key = _key(client_for(world.parent_b))
    refused = client_for(world.teacher_cm1).post(MERGE, {"key": key, "confirm": "on"})
    assert refused.status_code == 400
    world.parent_b.refresh_from_db()
    assert world.parent_b.merged_into is None


def test_a_key_cannot_merge_its_own_account(client_for, world):
    client = client_for(world.parent_b)
    answer = client.post(MERGE, {"key": _key(client), "confirm": "on"})
    assert answer.status_code == 400


def test_merging_asks_for_confirmation(client_for, world):
    key = _key(client_for(world.parent_b))
    answer = client_for(world.parent_cm1).post(MERGE, {"key": key})
    assert (
        answer.status_code == 400
        and "Cochez la confirmation" in answer.content.decode()
    )


def test_merge_views_refuse_get(client_for, world):
    client = client_for(world.parent_cm1)
    assert client.get(KEY).status_code == 405
    assert client.get(MERGE).status_code == 405


def test_the_kept_account_shares_children_already_linked(client_for, world):
    links_create(pairs=[(world.parent_b, world.pupil_cm1)])
    key = _key(client_for(world.parent_b))
    client_for(world.parent_cm1).post(MERGE, {"key": key, "confirm": "on"})
    assert Link.objects.filter(parent=world.parent_cm1).count() == 2
    assert not Link.objects.filter(parent=world.parent_b).exists()
