"""The import's rules, on small deliveries written by the tests."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Profile, User
from directory.feeds.runs import aaf_import, held_apply, held_ignore
from directory.models import (
    Affiliation,
    ClassPupil,
    Group,
    GroupKind,
    GroupRole,
    HeldDelivery,
    Link,
)
from tests.directory.feeds.conftest import Writes, pupil, write_delivery

TWO_SCHOOLS = (("1", "9840001D"), ("2", "9840002E"))


def _class_members(uai, klass):
    group = Group.objects.get(
        kind=GroupKind.CLASS,
        role=GroupRole.PUPILS,
        klass__name=klass,
        structure__uai=uai,
    )
    return set(group.members.values_list("external_id", flat=True))


def test_a_truncated_file_applies_nothing_and_says_where(db, tmp_path):
    folder = write_delivery(tmp_path / "d", pupils=[pupil("10", "Teva", "Moana")])
    eleve = next(folder.glob("*_Eleve_*"))
    eleve.write_bytes(eleve.read_bytes()[:-60])

    run = aaf_import(path=folder)

    assert run.status == "failed"
    assert eleve.name in run.report["error"] and "ligne" in run.report["error"]
    assert not User.objects.filter(source="aaf").exists()


def test_a_file_not_in_its_declared_encoding_fails(db, tmp_path):
    folder = write_delivery(tmp_path / "d", pupils=[pupil("10", "Tūmata", "Hère")])
    eleve = next(folder.glob("*_Eleve_*"))
    text = eleve.read_bytes().decode("iso-8859-15")
    eleve.write_bytes(text.replace("ISO-8859-15", "UTF-8").encode("iso-8859-15"))

    run = aaf_import(path=folder)

    assert run.status == "failed"
    assert "encodage" in run.report["error"]
    assert not User.objects.filter(source="aaf").exists()


def test_the_declared_encoding_is_trusted(db, tmp_path):
    folder = write_delivery(
        tmp_path / "d", pupils=[pupil("10", "Hère", "Tūmata")], encoding="UTF-8"
    )

    aaf_import(path=folder)

    assert User.objects.get(external_id="10").first_name == "Tūmata"


def test_a_bad_date_rejects_the_record_and_the_rest_goes_on(db, tmp_path):
    folder = write_delivery(
        tmp_path / "d",
        pupils=[
            pupil("10", "Teva", "Moana", birth="31/02/2016"),
            pupil("11", "A", "B"),
        ],
    )

    run = aaf_import(path=folder)

    assert run.status == "applied"
    [rejected] = run.report["rejected"]
    assert rejected["id"] == "10" and rejected["file"].endswith("_Eleve_0000.xml")
    assert rejected["line"] == 3 and "date" in rejected["reason"]
    assert run.report["counts"]["rejected"] == 1
    assert list(User.objects.filter(source="aaf").values_list("external_id", flat=True))
    assert User.objects.filter(external_id="11").exists()


def test_an_id_twice_is_rejected_the_second_time(db, tmp_path):
    folder = write_delivery(
        tmp_path / "d", pupils=[pupil("10", "Teva", "Moana"), pupil("10", "X", "Y")]
    )

    run = aaf_import(path=folder)

    assert User.objects.get(external_id="10").last_name == "Teva"
    assert "double" in run.report["rejected"][0]["reason"]


def test_logins_are_ascii_numbered_on_collision_and_never_change(db, tmp_path):
    people = [pupil("10", "Teʻi", "Hīnano"), pupil("11", "Tei", "Hinano")]
    folder = write_delivery(tmp_path / "d", pupils=people, encoding="UTF-8")
    aaf_import(path=folder)
    people[0]["last"] = "Teriitehau"
    write_delivery(tmp_path / "d", pupils=people, encoding="UTF-8")

    run = aaf_import(path=folder)

    logins = dict(User.objects.values_list("external_id", "username"))
    assert logins == {"10": "hinano.tei", "11": "hinano.tei2"}
    assert run.report["counts"]["updated"] == 1


def test_a_pupil_who_changes_school_and_class_keeps_the_account(db, tmp_path):
    moving = pupil("10", "Teva", "Moana", school="1", klass="CM1", reps=["90"])
    folder = write_delivery(
        tmp_path / "d",
        schools=TWO_SCHOOLS,
        pupils=[moving, pupil("11", "A", "B", school="2", klass="CE1")],
        reps=[("90", "Teva", "Hina")],
    )
    aaf_import(path=folder)
    account = User.objects.get(external_id="10")
    account.set_password("un-mot-de-passe-long")
    account.save()
    moving.update(school="2", klass="CE1")
    write_delivery(
        tmp_path / "d",
        schools=TWO_SCHOOLS,
        pupils=[moving, pupil("11", "A", "B", school="2", klass="CE1")],
        reps=[("90", "Teva", "Hina")],
    )

    run = aaf_import(path=folder)

    again = User.objects.get(external_id="10")
    assert (again.pk, again.username) == (account.pk, account.username)
    assert again.check_password("un-mot-de-passe-long")
    assert run.report["counts"]["moved"] == 1
    assert run.report["by_structure"]["9840002E"]["moved"] == 1
    assert Affiliation.objects.get(user=again).structure.uai == "9840002E"
    assert _class_members("9840002E", "CE1") == {"10", "11"}
    assert _class_members("9840001D", "CM1") == set()
    parents = Group.objects.get(
        kind=GroupKind.CLASS, role=GroupRole.PARENTS, klass__name="CE1"
    )
    assert set(parents.members.values_list("external_id", flat=True)) == {"90"}


def test_who_disappears_is_predeleted_then_restored_with_everything(db, tmp_path):
    people = [
        pupil(str(i), "P", f"N{i}", reps=["90"] if i == 10 else [])
        for i in range(10, 15)
    ]
    folder = write_delivery(tmp_path / "d", pupils=people, reps=[("90", "R", "S")])
    aaf_import(path=folder)
    write_delivery(tmp_path / "d", pupils=people[1:], reps=[("90", "R", "S")])

    gone = aaf_import(path=folder)

    pupil_10 = User.objects.get(external_id="10")
    assert pupil_10.predeleted_at is not None
    assert gone.report["counts"]["disappeared"] == 1
    assert "10" not in _class_members("9840001D", "CM1")
    write_delivery(tmp_path / "d", pupils=people, reps=[("90", "R", "S")])

    back = aaf_import(path=folder)

    pupil_10.refresh_from_db()
    assert pupil_10.predeleted_at is None
    assert back.report["counts"]["restored"] == 1
    assert Link.objects.filter(child=pupil_10, parent__external_id="90").exists()
    assert "10" in _class_members("9840001D", "CM1")


def _school_of(count, school="1"):
    return [
        pupil(f"{school}{i:03d}", "P", f"N{school}-{i}", school=school)
        for i in range(count)
    ]


def test_a_delivery_that_empties_a_school_is_held(db, tmp_path, settings):
    kept = _school_of(5, school="2")
    folder = write_delivery(
        tmp_path / "d", schools=TWO_SCHOOLS, pupils=_school_of(25) + kept
    )
    aaf_import(path=folder)
    newcomer = pupil("900", "New", "Comer", school="2")
    write_delivery(tmp_path / "d", schools=TWO_SCHOOLS, pupils=[*kept, newcomer])

    run = aaf_import(path=folder)

    assert run.status == "held"
    assert run.report["held"]["9840001D"]["disappearing"] == 25
    assert not User.objects.filter(predeleted_at__isnull=False).exists()
    # The other school is applied.
    assert User.objects.filter(external_id="900").exists()
    held = HeldDelivery.objects.get(run=run)
    assert (held.structure.uai, held.state) == ("9840001D", "open")


def test_a_small_share_or_few_people_is_not_held(db, tmp_path):
    folder = write_delivery(tmp_path / "d", pupils=_school_of(25))
    aaf_import(path=folder)
    write_delivery(tmp_path / "d", pupils=_school_of(25)[:-2])

    run = aaf_import(path=folder)

    assert run.status == "applied"
    assert run.report["counts"]["disappeared"] == 2


def test_apply_anyway_predeletes_and_ignore_keeps(db, tmp_path, project_lead):
    folder = write_delivery(tmp_path / "d", schools=TWO_SCHOOLS, pupils=_school_of(25))
    aaf_import(path=folder)
    write_delivery(tmp_path / "d", schools=TWO_SCHOOLS, pupils=[])
    held = HeldDelivery.objects.get(run=aaf_import(path=folder))

    held_ignore(held=held, actor=project_lead)
    assert not User.objects.filter(predeleted_at__isnull=False).exists()
    run = held_apply(held=held, actor=project_lead)

    assert run.status == "applied"
    assert User.objects.filter(predeleted_at__isnull=False).count() == 25


@pytest.fixture
def project_lead(world):
    return world.project_lead


def test_a_pupil_without_ine_and_their_representative_get_no_letter(db, tmp_path):
    folder = write_delivery(
        tmp_path / "d",
        pupils=[pupil("10", "Teva", "Moana", ine="", reps=["90"])],
        reps=[("90", "Teva", "Hina")],
    )

    aaf_import(path=folder)

    assert (
        User.objects.get(external_id="10").letter_blocked_reason == "En attente d'INE"
    )
    assert "INE" in User.objects.get(external_id="90").letter_blocked_reason


def test_a_representative_absent_from_the_delivery_is_a_warning(db, tmp_path):
    folder = write_delivery(tmp_path / "d", pupils=[pupil("10", "T", "M", reps=["77"])])

    run = aaf_import(path=folder)

    assert run.status == "applied"
    assert any("représentant absent" in w for w in run.report["warnings"])


def test_a_dry_run_reports_and_writes_nothing(db, tmp_path):
    folder = write_delivery(tmp_path / "d", pupils=_school_of(3))

    with Writes() as writes:
        run = aaf_import(path=folder, dry_run=True)

    assert run.status == "dry-run"
    assert run.report["counts"]["created"] == 3
    assert not User.objects.filter(source="aaf").exists()
    # Written inside the transaction, then rolled back.
    assert writes.rows.get("accounts_user") == 3
    assert not ClassPupil.objects.exists()


def test_the_command_prints_json_and_fails_with_a_non_zero_status(db, tmp_path, capsys):
    folder = write_delivery(tmp_path / "d", pupils=_school_of(2))

    call_command("import_feed", str(folder), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "applied"
    assert set(report) >= {"status", "counts", "by_structure", "rejected", "warnings"}
    assert set(report["counts"]) == {
        "created",
        "updated",
        "unchanged",
        "moved",
        "disappeared",
        "restored",
        "rejected",
    }
    with pytest.raises(CommandError) as failure:
        call_command("import_feed", str(tmp_path / "nowhere"), "--json")
    assert failure.value.returncode == 1
    assert json.loads(capsys.readouterr().out)["status"] == "failed"


def test_staff_are_teachers_in_their_classes(db, tmp_path):
    folder = write_delivery(
        tmp_path / "d",
        pupils=_school_of(2),
        staff=[("50", "Tapuni", "Vaea", "1", "CM1")],
    )

    aaf_import(path=folder)

    teacher = User.objects.get(external_id="50")
    assert teacher.profile == Profile.TEACHER
    group = Group.objects.get(kind=GroupKind.CLASS, role=GroupRole.TEACHERS)
    assert teacher in group.members.all()
