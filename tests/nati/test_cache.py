"""The per-user cache of what pages read (nati/cache.py): each write that
changes a fact shows on the next page, though the page before kept it."""

import datetime as dt

from django.core.cache import cache as django_cache
from django.urls import reverse
from django.utils import timezone

from directory import services as directory_services
from messaging import services as messaging_services
from nati import cache
from tests.world import person


def _home(client) -> str:
    return client.get("/").content.decode()


def _write(client_for, sender, recipient, subject: str) -> None:
    """A message sent from the compose form, as the browser sends it."""
    client_for(sender).post(
        reverse("messaging-compose"),
        {"subject": subject, "body": "…", "users": [recipient.pk], "action": "send"},
    )


def test_messagerie_closed_for_families_leaves_the_parents_home_at_once(
    client_for, world
):
    parent, director = client_for(world.parent_cm1), client_for(world.director)
    assert 'href="/messagerie/"' in _home(parent)
    assert "Console d&#x27;administration" in _home(director)

    directory_services.school_family_messaging_set(
        structure=world.school_a, enabled=False, actor=world.director
    )

    html = _home(parent)
    assert 'href="/messagerie/"' not in html
    assert "Console d&#x27;administration" not in html  # nor the director's tiles
    assert 'href="/messagerie/"' in _home(client_for(world.teacher_cm1))


def test_a_new_feed_entry_and_message_show_on_the_next_page(client_for, world):
    parent = client_for(world.parent_cm1)
    before = _home(parent)
    assert "Sortie à la plage" not in before

    messaging_services.notification_post(
        recipients=[world.parent_cm1], kind="absence", text="Sortie à la plage"
    )
    assert "Sortie à la plage" in _home(parent)

    inbox, badge = reverse("messaging-inbox"), 'title="messages non lus"'
    assert badge not in parent.get(inbox).content.decode()
    _write(client_for, world.teacher_cm1, world.parent_cm1, "Cahiers")
    html = parent.get(inbox).content.decode()
    assert badge in html and "Cahiers" in html


def test_a_flash_message_shows_then_closing_it_hides_it(client_for, world):
    parent = client_for(world.parent_cm1)
    assert "Fête de l&#x27;école" not in _home(parent)
    today = timezone.localdate()
    flash = messaging_services.flash_save(
        structure=world.school_a,
        actor=world.director,
        fields={
            "title": "Fête de l'école",
            "starts_on": today,
            "ends_on": today + dt.timedelta(days=2),
            "profiles": ["parents"],
            "language": "fr",
            "colour": "green",
            "signature": "",
            "body": "Samedi",
            "notify_mail": False,
            "notify_mobile": False,
        },
    )
    assert "Fête de l&#x27;école" in _home(parent)

    parent.post(reverse("messaging-flash-close", args=[flash.pk]))
    assert "Fête de l&#x27;école" not in _home(parent)


def test_a_pupil_enrolled_shows_on_the_console_list_read_before(client_for, world):
    director = client_for(world.director)
    url = reverse("console-users", args=[world.school_a.pk])
    assert "Faraire" not in director.get(url).content.decode()

    pupil = person("Vaea", "Faraire", "pupil")
    directory_services.affiliation_add(user=pupil, structure=world.school_a)
    directory_services.pupils_enrol(klass=world.cm1, pupils=[pupil])

    html = director.get(url).content.decode()
    assert "Faraire Vaea" in html
    row = html[html.index("Faraire Vaea") :]
    assert "CM1" in row[: row.index("</tr>")]


def test_a_school_no_longer_administered_answers_404_at_once(client_for, world):
    from directory.models import GroupKind, Membership

    director = client_for(world.director)
    url = reverse("console-users", args=[world.school_a.pk])
    assert director.get(url).status_code == 200

    Membership.objects.filter(
        user=world.director, group__kind=GroupKind.FUNCTION
    ).delete()
    directory_services.memberships_rebuild(structure_ids=[world.school_a.pk])

    assert director.get(url).status_code in (403, 404)


def test_a_bump_inside_a_transaction_is_made_again_when_it_commits(
    db, django_capture_on_commit_callbacks
):
    key = "gen:" + cache.DIRECTORY
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cache.bump(cache.DIRECTORY)
        during = django_cache.get(key)
    assert during is not None
    assert len(callbacks) == 1
    assert django_cache.get(key) not in (None, during)


def test_an_entry_is_computed_again_only_when_its_stamp_changes(world):
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    def read(user):
        return cache.UserCache(user.pk).get("probe", (cache.INBOX,), build)

    assert read(world.parent_cm1) == 1
    assert read(world.parent_cm1) == 1  # kept
    assert read(world.parent_ce1) == 2  # another user: an entry of their own
    cache.bump(cache.INBOX.format(user=world.parent_ce1.pk))
    assert read(world.parent_cm1) == 1  # not theirs: still kept
    assert read(world.parent_ce1) == 3
    django_cache.clear()
    assert read(world.parent_cm1) == 4  # a flushed cache is read again


def test_a_listed_users_new_state_shows_on_the_console_page_read_before(
    client_for, world
):
    from accounts.letters import accounts_inform
    from accounts.models import AccountState, User

    director = client_for(world.director)
    url = reverse("console-users", args=[world.school_a.pk])

    def row_of(user) -> str:
        html = director.get(url).content.decode()
        row = html[html.index(f"<td>{user.username}</td>") :]
        return row[: row.index("</tr>")]

    pupil = world.pupil_cm1
    assert "Bloqué" not in row_of(pupil)
    pupil.blocked = True
    pupil.save()  # one user's own generation
    assert "Bloqué" in row_of(pupil)

    parent = User.objects.get(pk=world.parent_cm1.pk)
    assert AccountState.INFORMED.label not in row_of(parent)
    accounts_inform(structure=world.school_a, users=[parent], actor=world.director)
    # Written in bulk: the letters bump each informed user's generation.
    assert AccountState.INFORMED.label in row_of(parent)


def test_the_inbox_kept_size_follows_new_messages(client_for, world, monkeypatch):
    from messaging import views as messaging_views

    parent = client_for(world.parent_cm1)
    inbox = reverse("messaging-inbox")

    def write(n):
        for i in range(n):
            _write(client_for, world.teacher_cm1, world.parent_cm1, f"Mot {i}")

    monkeypatch.setattr(messaging_views, "PAGE_SIZE", 2)
    write(2)
    assert "Page 1 sur" not in parent.get(inbox).content.decode()
    write(1)
    assert "Page 1 sur 2" in parent.get(inbox).content.decode()


def test_a_warm_page_reads_the_user_from_the_cache(
    client_for, world, django_assert_num_queries
):
    client = client_for(world.parent_cm1)
    client.get("/_floor/")
    with django_assert_num_queries(0):
        assert client.get("/_floor/").status_code == 200


def test_a_deleted_user_kept_in_the_cache_is_logged_out(client_for, world):
    user = person("Tiare", "Faraire", "parent")
    client = client_for(user)
    assert client.get("/_floor/").status_code == 200
    user.delete()
    assert client.get("/_floor/").status_code == 302


def test_a_password_changed_elsewhere_ends_the_kept_session(client_for, world):
    client = client_for(world.parent_cm1)
    assert client.get("/_floor/").status_code == 200
    user = world.parent_cm1
    user.set_password("un-autre-mot-de-passe-2026")
    user.save()
    assert client.get("/_floor/").status_code == 302


def test_a_user_blocked_in_bulk_by_the_feed_is_read_again(client_for, world):
    from accounts.models import User

    client = client_for(world.parent_cm1)
    assert "Messagerie" in _home(client)
    # A bulk write, as the feeds make: no signal, the import bumps DIRECTORY.
    User.objects.filter(pk=world.parent_cm1.pk).update(predeleted_at=timezone.now())
    cache.bump(cache.DIRECTORY)
    html = _home(client)
    assert "Mes données" in html and 'href="/messagerie/"' not in html
