"""A teacher of CM1 writes to the parents of CM1; a parent of CM1 reads and answers."""

from messaging.models import Delivery, Message


def _login(page, base, username, password):
    page.goto(f"{base}/compte/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_teacher_writes_to_the_parents_of_cm1_and_a_parent_answers(
    live_server, world, password, desktop_page, phone_page
):
    base = live_server.url
    teacher, parent = desktop_page, phone_page

    _login(teacher, base, "prof.cm1", password)
    teacher.goto(f"{base}/messagerie/ecrire/")
    teacher.fill("#recipient-q", "Parents de CM1")
    option = teacher.get_by_label("Parents de CM1")
    option.check()
    # The chosen group leaves the results for the chosen list.
    teacher.locator("#chosen").get_by_text("Parents de CM1").wait_for()
    teacher.fill("#id_subject", "Sortie au musée")
    teacher.fill("#id_body", "Bonjour,\nLa sortie a lieu jeudi.")
    teacher.get_by_role("button", name="Envoyer").click()
    teacher.get_by_text("1 personne").first.wait_for()
    teacher.get_by_role("button", name="Confirmer l'envoi").click()
    teacher.get_by_text("Message envoyé à 1 personne").wait_for()

    _login(parent, base, "parent.cm1", password)
    header = parent.locator("header .badge")
    assert header.inner_text() == "1"
    parent.get_by_role("link", name="Nouveau message de Vaimiti Tehaamoana").click()
    parent.get_by_text("La sortie a lieu jeudi.").wait_for()
    assert parent.locator("header .badge").count() == 0
    parent.get_by_role("link", name="Répondre", exact=True).click()
    assert parent.input_value("#id_subject") == "Re : Sortie au musée"
    parent.fill("#id_body", "Merci, Māhina sera là.")
    parent.get_by_role("button", name="Envoyer").click()
    parent.get_by_text("Message envoyé à 1 personne").wait_for()

    answer = Message.objects.get(sender=world.parent_cm1)
    assert Delivery.objects.filter(message=answer, recipient=world.teacher_cm1).exists()
    teacher.goto(f"{base}/messagerie/")
    teacher.get_by_role("link", name="Re : Sortie au musée").click()
    teacher.get_by_text("Merci, Māhina sera là.").wait_for()
