import csv
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.crypto import secret_decrypt
from accounts.letters import accounts_inform
from accounts.models import AccountState, User
from nati.models import AuditEntry


def _url(name, world, kind=None, school=None):
    school = school or world.school_a
    args = [school.pk] + ([kind] if kind else [])
    return reverse(name, args=args)


def _action(client, world, kind, action, ids, confirm=True, **extra):
    data = {"action": action, "ids": [u.pk for u in ids], **extra}
    if confirm:
        data["confirmer"] = "1"
    return client.post(_url("accounts-console-action", world, kind), data)


@pytest.fixture
def admin(client_for, director):
    return client_for(director)


def test_the_pupil_list_shows_the_school_s_pupils_by_class(admin, world):
    html = admin.get(_url("accounts-console-list", world, "eleves")).content.decode()
    assert html.index("Chan") < html.index("Pūtai") < html.index("Temauri")
    assert "Wong" not in html  # school B's pupil


def test_the_pupil_list_pins_its_query_count(admin, world, django_assert_num_queries):
    url = _url("accounts-console-list", world, "eleves")
    admin.get(url)
    # count, page, classes (the session, the user, the app rights, the
    # header's count and the school within the admin scope are in the cache)
    with django_assert_num_queries(3):
        admin.get(url)


def test_the_parent_list_pins_its_query_count(admin, world, django_assert_num_queries):
    url = _url("accounts-console-list", world, "parents")
    admin.get(url)
    # the same, and the children of the page's parents
    with django_assert_num_queries(4):
        html = admin.get(url).content.decode()
    assert "Māhina Pūtai" in html and "Moana Chan" in html


def test_filters_narrow_the_list(admin, world):
    world.pupil_cm1_bis.account_state = AccountState.NOT_INFORMED
    world.pupil_cm1_bis.save()
    url = _url("accounts-console-list", world, "eleves")
    html = admin.get(url, {"etat": "not_informed"}).content.decode()
    assert "Temauri" in html and "Chan" not in html
    html = admin.get(url, {"classe": world.ce1.pk}).content.decode()
    assert "Chan" in html and "Temauri" not in html
    html = admin.get(url, {"connexion": "deja"}).content.decode()
    assert "Aucun compte" in html


def test_informer_asks_for_confirmation_first(admin, world):
    pupil = world.pupil_cm1_bis
    pupil.account_state = AccountState.NOT_INFORMED
    pupil.save()
    answer = _action(admin, world, "eleves", "informer", [pupil], confirm=False)
    assert "Confirmer" in answer.content.decode()
    pupil.refresh_from_db()
    assert pupil.account_state == AccountState.NOT_INFORMED


def test_informer_gives_a_provisional_password_and_stamps_the_date(admin, world):
    pupil = world.pupil_cm1_bis
    pupil.account_state = AccountState.NOT_INFORMED
    pupil.save()
    answer = _action(admin, world, "eleves", "informer", [pupil])
    assert "1 compte informé" in answer.content.decode()
    pupil.refresh_from_db()
    assert pupil.account_state == AccountState.INFORMED and pupil.informed_at
    assert len(secret_decrypt(pupil.provisional_password)) == 14
    assert AuditEntry.objects.filter(action="accounts.letters_issued").exists()


def test_informing_again_makes_the_old_password_stop(world):
    pupil = world.pupil_cm1_bis
    pupil.account_state = AccountState.NOT_INFORMED
    pupil.save()
    accounts_inform(structure=world.school_a, users=[pupil], actor=world.director)
    first = secret_decrypt(User.objects.get(pk=pupil.pk).provisional_password)
    accounts_inform(structure=world.school_a, users=[pupil], actor=world.director)
    second = secret_decrypt(User.objects.get(pk=pupil.pk).provisional_password)
    assert first != second
    from django.contrib.auth import authenticate

    assert authenticate(username=pupil.username, password=first) is None
    assert authenticate(username=pupil.username, password=second) == pupil


def test_a_blocked_pupil_and_their_parent_get_no_letter(admin, world):
    pupil, parent = world.pupil_cm1, world.parent_cm1
    User.objects.filter(pk__in=[pupil.pk, parent.pk]).update(
        account_state=AccountState.NOT_INFORMED
    )
    User.objects.filter(pk=pupil.pk).update(letter_blocked_reason="INE manquant")
    html = _action(admin, world, "eleves", "informer", [pupil]).content.decode()
    assert "INE manquant" in html and "0 compte" in html
    html = _action(admin, world, "parents", "informer", [parent]).content.decode()
    assert "Représentant d&#x27;un élève dont la fiche bloque le courrier" in html
    parent.refresh_from_db()
    assert parent.provisional_password == ""


def test_informer_skips_active_accounts_and_says_to_reset(admin, world):
    html = _action(admin, world, "eleves", "informer", [world.pupil_ce1]).content
    assert "utilisez « Réinitialiser les mots de passe »" in html.decode()


def test_reset_gives_an_active_account_a_new_provisional_password(
    admin, world, password
):
    parent = world.parent_ce1
    _action(admin, world, "parents", "reinitialiser", [parent])
    parent.refresh_from_db()
    assert parent.provisional_password and not parent.check_password(password)
    assert AuditEntry.objects.filter(action="accounts.password_reset").exists()


def test_the_letters_pdf_reads_back_one_page_a_letter(admin, world):
    pupils = [world.pupil_cm1, world.pupil_ce1]
    User.objects.filter(pk__in=[p.pk for p in pupils]).update(
        account_state=AccountState.NOT_INFORMED
    )
    _action(admin, world, "eleves", "informer", pupils)
    answer = _action(admin, world, "eleves", "pdf", pupils, confirm=False)
    assert answer["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.content))
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    # sorted by class: CE1 before CM1
    assert "Moana Chan" in first and "Māhina Pūtai" in second
    password = secret_decrypt(
        User.objects.get(pk=world.pupil_cm1.pk).provisional_password
    )
    assert "eleve.cm1" in second and password in second
    assert "nati.pf" in second and "Élève" in second
    assert "CM1" in second and "École Arthur Rimbaud" in second
    assert "Ne donne aucune adresse de courriel" in second


def test_the_parent_letter_names_the_child_and_the_two_steps(admin, world):
    parent = world.parent_cm1
    User.objects.filter(pk=parent.pk).update(account_state=AccountState.NOT_INFORMED)
    _action(admin, world, "parents", "informer", [parent])
    answer = _action(admin, world, "parents", "pdf", [parent], confirm=False)
    (page,) = PdfReader(io.BytesIO(answer.content)).pages
    text = page.extract_text()
    assert "Hinatea Pūtai" in text and "Māhina Pūtai" in text and "CM1" in text
    assert "Activez votre compte" in text and "Responsable légal" in text


def test_the_csv_lists_the_accounts_for_a_spreadsheet(admin, world):
    pupils = [world.pupil_cm1, world.pupil_cm1_bis]
    User.objects.filter(pk__in=[p.pk for p in pupils]).update(
        account_state=AccountState.NOT_INFORMED
    )
    _action(admin, world, "eleves", "informer", pupils)
    answer = _action(admin, world, "eleves", "csv", [], confirm=False, tous="1")
    body = answer.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body[1:]), delimiter=";"))
    assert [r["Identifiant"] for r in rows] == ["eleve.cm1", "eleve.cm1.bis"]
    stored = User.objects.get(username="eleve.cm1").provisional_password
    assert rows[0]["Mot de passe provisoire"] == secret_decrypt(stored)
    assert rows[0]["Classe"] == "CM1"


def test_listing_without_informed_accounts_says_what_to_do(admin, world):
    answer = _action(admin, world, "eleves", "pdf", [world.pupil_ce1], confirm=False)
    assert answer.status_code == 400
    assert "utilisez d&#x27;abord « Informer »" in answer.content.decode()


def test_the_activation_dashboard_counts_per_class(admin, world):
    User.objects.filter(pk=world.pupil_cm1_bis.pk).update(
        account_state=AccountState.INFORMED
    )
    html = admin.get(_url("accounts-console-activation", world)).content.decode()
    assert (
        "<td>CM1</td><td>2</td><td>1</td><td>1</td><td>1</td><td>0</td><td>1</td>"
        in html
    )
    assert "Total de l&#x27;école" in html


def test_the_action_refuses_get(admin, world):
    assert (
        admin.get(_url("accounts-console-action", world, "eleves")).status_code == 405
    )


def test_a_teacher_may_not_use_the_accounts_console(client_for, world):
    client = client_for(world.teacher_cm1)
    answer = client.post(
        _url("accounts-console-action", world, "eleves"),
        {"action": "informer", "ids": [world.pupil_cm1.pk], "confirmer": "1"},
    )
    assert answer.status_code == 403
    assert client.get(_url("accounts-console-list", world, "eleves")).status_code == 403


def test_another_school_answers_404(admin, world):
    school_b = world.school_b
    answer = admin.post(
        _url("accounts-console-action", world, "eleves", school=school_b),
        {"action": "informer", "ids": [world.pupil_b.pk], "confirmer": "1"},
    )
    assert answer.status_code == 404
    assert (
        admin.get(
            _url("accounts-console-list", world, "eleves", school=school_b)
        ).status_code
        == 404
    )
    world.pupil_b.refresh_from_db()
    assert world.pupil_b.provisional_password == ""


def test_another_school_s_pupil_cannot_be_slipped_into_a_selection(admin, world):
    User.objects.filter(pk=world.pupil_b.pk).update(
        account_state=AccountState.NOT_INFORMED
    )
    _action(admin, world, "eleves", "informer", [world.pupil_b])
    world.pupil_b.refresh_from_db()
    assert world.pupil_b.provisional_password == ""


def test_many_letters_are_rendered_in_chunks_and_joined_in_order(world):
    from accounts import letters, selectors

    pupils = [world.pupil_cm1, world.pupil_ce1]
    accounts_inform(structure=world.school_a, users=pupils, actor=world.director)
    found = letters.letters_for(
        structure=world.school_a, users=list(selectors.school_pupils(world.school_a))
    )
    many = (found * 61)[: letters.CHUNK * 2 + 3]  # three chunks, two processes
    pdf = letters.letters_pdf(structure=world.school_a, letters=many)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(many)
    expected = [letter.user.username for letter in many]
    for index in (0, letters.CHUNK, len(many) - 1):
        assert expected[index] in reader.pages[index].extract_text()
