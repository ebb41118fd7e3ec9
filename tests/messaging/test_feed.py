from django.urls import reverse

from messaging.models import Notification
from messaging.services import notification_post


def _post(user, n, **fields):
    for i in range(n):
        notification_post(
            recipients=[user], kind="absence", text=f"Entrée {i}", **fields
        )


def test_the_home_feed_shows_the_ten_newest_and_a_link_to_more(client_for, world):
    _post(world.parent_cm1, 12, url="/presences/")
    html = client_for(world.parent_cm1).get("/").content.decode()
    assert "Entrée 11" in html and "Entrée 2" in html and "Entrée 1<" not in html
    assert html.index("Entrée 11") < html.index("Entrée 10")
    assert f'href="{reverse("messaging-feed")}?page=2">Voir plus' in html
    assert "htmx" not in html

    more = client_for(world.parent_cm1).get(reverse("messaging-feed"), {"page": 2})
    assert more.status_code == 200


def test_the_feed_page_is_paginated_and_pins_its_queries(
    client_for, world, django_assert_num_queries
):
    _post(world.parent_cm1, 45)
    client = client_for(world.parent_cm1)
    client.get(reverse("messaging-feed"))
    # page count, page rows (the user, the header's app rights and unread
    # count come from the cache)
    with django_assert_num_queries(2):
        page3 = client.get(reverse("messaging-feed"), {"page": 3}).content.decode()
    assert "Entrée 0 <" in page3 and "Page 3 sur 3" in page3


def test_the_home_page_with_a_feed_stays_light(
    client_for, world, django_assert_num_queries
):
    _post(world.parent_cm1, 30)
    client = client_for(world.parent_cm1)
    client.get("/")
    # Everything the home page shows is kept in the parent's cache (the
    # banners, the feed, the unread count, the apps, the schools, the
    # children), and so is the user: no query at all.
    with django_assert_num_queries(0):
        response = client.get("/")
    assert len(response.content) < 40_000


def test_posting_to_thousands_is_one_statement_with_every_field(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    users = User.objects.bulk_create(
        [User(username=f"bulk.{n}", search_name=f"bulk {n}") for n in range(600)]
    )
    with CaptureQueriesContext(connection) as queries:
        posted = notification_post(
            recipients=users,
            kind="message",
            text="Nouveau message",
            url="/messagerie/message/1/",
            structure=world.school_a,
        )
    assert posted == 600
    assert [q["sql"][:6] for q in queries if "SAVEPOINT" not in q["sql"]] == ["INSERT"]
    rows = Notification.objects.filter(kind="message", structure=world.school_a)
    assert rows.count() == 600
    assert set(rows.values_list("url", flat=True)) == {"/messagerie/message/1/"}
    assert rows.filter(created_at__isnull=True).count() == 0
