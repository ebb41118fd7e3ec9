from django.urls import reverse

from directory.models import ClassTeacher, Membership
from nati.models import AuditEntry
from tests.world import person


def attach_url(world, klass=None):
    return reverse(
        "console-class-teacher-attach",
        args=[world.school_a.pk, (klass or world.cm1).pk],
    )


def test_the_classes_page_lists_classes_with_their_teachers(client_for, world):
    html = (
        client_for(world.director)
        .get(reverse("console-classes", args=[world.school_a.pk]))
        .text
    )
    assert "Associer les enseignants à leur classe" in html
    assert "CM1" in html and "CE1" in html and "Vaimiti Tehaamoana" in html
    assert "Louis Martin" not in html  # the other school's teacher is not offered


def test_attaching_a_teacher_puts_them_in_the_class_group_and_is_audited(
    client_for, world
):
    response = client_for(world.director).post(
        attach_url(world), {"teacher": world.staff_a.pk}
    )
    assert response.status_code == 302
    assert ClassTeacher.objects.filter(klass=world.cm1, user=world.staff_a).exists()
    assert Membership.objects.filter(
        user=world.staff_a, group__klass=world.cm1, group__role="teachers"
    ).exists()
    entry = AuditEntry.objects.get(action="class.teacher_attach")
    assert entry.actor == world.director and entry.target_id == str(world.cm1.pk)
    assert entry.data == {"teacher": world.staff_a.pk, "is_main": False}


def test_attaching_with_htmx_answers_the_class_row(client_for, world):
    response = client_for(world.director).post(
        attach_url(world), {"teacher": world.staff_a.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.text.startswith(f'<tr id="class-{world.cm1.pk}">')
    assert "Hina Vanaa" in response.text


def test_a_teacher_of_another_school_cannot_be_attached(client_for, world):
    response = client_for(world.director).post(
        attach_url(world), {"teacher": world.teacher_b.pk}
    )
    assert response.status_code == 302
    assert not ClassTeacher.objects.filter(user=world.teacher_b, klass=world.cm1)
    assert not AuditEntry.objects.filter(action="class.teacher_attach").exists()


def test_a_pupil_cannot_be_attached_as_a_teacher(client_for, world):
    client_for(world.director).post(attach_url(world), {"teacher": world.pupil_cm1.pk})
    assert not ClassTeacher.objects.filter(user=world.pupil_cm1).exists()


def test_setting_the_main_teacher_leaves_one_main_teacher(client_for, world):
    client = client_for(world.director)
    client.post(attach_url(world), {"teacher": world.staff_a.pk})
    url = reverse(
        "console-class-teacher-main",
        args=[world.school_a.pk, world.cm1.pk, world.staff_a.pk],
    )
    client.post(url, HTTP_HX_REQUEST="true")
    mains = ClassTeacher.objects.filter(klass=world.cm1, is_main=True)
    assert [link.user for link in mains] == [world.staff_a]


def test_detaching_a_teacher_removes_them_and_is_audited(client_for, world):
    url = reverse(
        "console-class-teacher-detach",
        args=[world.school_a.pk, world.cm1.pk, world.teacher_cm1.pk],
    )
    response = client_for(world.director).post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Aucun enseignant" in response.text
    assert not ClassTeacher.objects.filter(klass=world.cm1, user=world.teacher_cm1)
    assert not Membership.objects.filter(
        user=world.teacher_cm1, group__klass=world.cm1
    ).exists()
    assert AuditEntry.objects.filter(
        action="class.teacher_detach", structure=world.school_a
    ).exists()


def test_detaching_someone_who_does_not_teach_the_class_answers_404(client_for, world):
    url = reverse(
        "console-class-teacher-detach",
        args=[world.school_a.pk, world.ce1.pk, world.teacher_cm1.pk],
    )
    assert client_for(world.director).post(url).status_code == 404


def test_a_teacher_sees_the_classes_they_teach_on_the_home_page(client_for, world):
    html = client_for(world.teacher_cm1).get("/").text
    assert "Mes classes" in html and "CM1" in html and "2 élèves" in html


def test_a_teacher_attached_by_the_console_then_sees_the_class(client_for, world):
    newcomer = person("Tamatoa", "Raapoto", "teacher")
    from directory.services import affiliation_add

    affiliation_add(user=newcomer, structure=world.school_a)
    assert "Mes classes" not in client_for(newcomer).get("/").text

    client_for(world.director).post(attach_url(world), {"teacher": newcomer.pk})
    html = client_for(newcomer).get("/").text
    assert "Mes classes" in html and "CM1" in html


def test_pupils_and_parents_have_no_classes_panel(client_for, world):
    assert "Mes classes" not in client_for(world.parent_cm1).get("/").text
    assert "Mes classes" not in client_for(world.pupil_cm1).get("/").text
