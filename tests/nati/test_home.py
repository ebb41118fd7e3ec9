from django.urls import reverse

from directory import services


def test_home_needs_login(client, world):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_home_shows_name_children_and_apps_of_a_parent(client_for, parent_cm1):
    response = client_for(parent_cm1).get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bonjour Hinatea" in html
    assert "Māhina Pūtai" in html and "CM1" in html
    assert "Messagerie" in html and "Présences" in html
    assert "Console d&#x27;administration" not in html


def test_home_shows_the_console_to_the_director(client_for, director):
    html = client_for(director).get("/").content.decode()
    assert "Console d&#x27;administration" in html
    assert "École Arthur Rimbaud" in html


def test_an_app_without_the_right_answers_403_with_its_name(client_for, parent_cm1):
    response = client_for(parent_cm1).get(reverse("console-home"))
    assert response.status_code == 403
    assert "Console d&#x27;administration" in response.content.decode()


def test_taking_messagerie_away_closes_it_and_giving_it_back_opens_it(
    client_for, world
):
    client = client_for(world.parent_cm1)
    assert client.get(reverse("messaging-inbox")).status_code == 200

    services.school_family_messaging_set(
        structure=world.school_a, enabled=False, actor=world.director
    )
    assert client.get(reverse("messaging-inbox")).status_code == 403
    assert (
        client_for(world.teacher_cm1).get(reverse("messaging-inbox")).status_code == 200
    )

    services.school_family_messaging_set(
        structure=world.school_a, enabled=True, actor=world.director
    )
    assert client.get(reverse("messaging-inbox")).status_code == 200


def test_a_predeleted_user_reaches_only_mes_donnees(client_for, world):
    user = world.parent_cm1
    user.predeleted_at = user.date_joined
    user.save()
    client = client_for(user)

    html = client.get("/").content.decode()
    assert "Mes données" in html and "supprimé 30 jours" in html
    assert client.get(reverse("messaging-inbox")).status_code == 403
    assert client.get(reverse("accounts-my-data")).status_code == 200


def test_mes_donnees_downloads_what_nati_holds_as_json(client_for, parent_cm1):
    response = client_for(parent_cm1).get(reverse("accounts-my-data-download"))
    data = response.json()
    assert data["compte"]["identifiant"] == "parent.cm1"
    assert data["enfants"] == [{"prenom": "Māhina", "nom": "Pūtai"}]
    assert "attachment" in response["Content-Disposition"]


def test_the_news_feed_shows_what_apps_post(client_for, parent_cm1):
    from messaging.services import notification_post

    notification_post(
        recipients=[parent_cm1], kind="absence", text="Absence de Māhina", url="/x/"
    )
    html = client_for(parent_cm1).get("/").content.decode()
    assert "Fil de nouveautés" in html
    assert '<a href="/x/">Absence de Māhina</a>' in html


def test_a_parents_home_reads_children_classes_and_schools_in_two_queries(
    client_for, world, django_assert_max_num_queries
):
    from directory import services

    services.pupils_enrol(klass=world.ce1, pupils=[world.pupil_ce1])
    services.links_create(pairs=[(world.parent_cm1, world.pupil_ce1)])
    client = client_for(world.parent_cm1)

    def class_queries(captured):
        return [
            q["sql"]
            for q in captured.captured_queries
            if "directory_classpupil" in q["sql"]
            or 'FROM "directory_schoolclass"' in q["sql"]
        ]

    with django_assert_max_num_queries(12) as cold:
        html = client.get("/").content.decode()
    # One query for the children's classes and schools, joined.
    assert len(class_queries(cold)) == 1
    assert "Moana Chan — CE1, École Arthur Rimbaud" in html
    assert "Māhina Pūtai — CM1, École Arthur Rimbaud" in html
    # Then kept in the parent's cache: the next home page reads no class.
    with django_assert_max_num_queries(12) as warm:
        again = client.get("/").content.decode()
    assert class_queries(warm) == []
    assert "Moana Chan — CE1, École Arthur Rimbaud" in again
