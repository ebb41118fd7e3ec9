"""ONDE extractions: encodings, headers, dates, and what makes a file fail."""

from accounts.models import User
from directory.feeds.runs import onde_import
from directory.models import Link

PUPILS = (
    '"Nom Elève";"Nom d\'usage Elève";"Prénom Elève";"Date naissance";" Cycle";'
    '"Niveau";"Classe"\n'
    '"TEMARII";;"Hinano";"2016-03-01";"CYCLE II";"CP";"CP"\n'
    '"TAPUNI";;"Vaea";"02/04/2016";"CYCLE II";"CP";"CP"\n'
)
REPS = (
    "Civilité Responsable;Nom usage responsable;Nom responsable;Prénom responsable;"
    "Adresse responsable;CP responsable;Commune responsable;Pays;Courriel;"
    "Téléphone domicile;Téléphone travail;Téléphone portable;Nom d'usage enfant;"
    "Nom de famille enfant;Prénom enfant;Classes enfants\n"
    "Mme;;TEMARII;Moana;1 chemin Tuterai;98714;Papeete;;;;;87000000;;"
    "TEMARII;Hinano;CP\n"
)
TEACHERS = (
    '"Civilité";"Nom usage";"Nom";"Prénom";"Courriel";"Directeur";"Classe"\n'
    '"MME";;"TEHEI";"Tiare";;"oui";"CP"\n'
)


def _write(
    folder, pupils=PUPILS, reps=REPS, teachers=TEACHERS, encoding="utf-8", newline="\n"
):
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for key, text in (
        ("pupils", pupils),
        ("representatives", reps),
        ("teachers", teachers),
    ):
        path = folder / f"{key}.csv"
        path.write_bytes(text.replace("\n", newline).encode(encoding))
        paths[key] = path
    return paths


def test_utf8_with_bom_crlf_and_both_date_forms(world, tmp_path):
    run = onde_import(
        uai="9840001D", **_write(tmp_path, encoding="utf-8-sig", newline="\r\n")
    )

    assert run.status == "applied", run.report
    births = dict(
        User.objects.filter(source="onde", profile="pupil").values_list(
            "first_name", "birth_date"
        )
    )
    assert births["Hinano"].isoformat() == "2016-03-01"
    assert births["Vaea"].isoformat() == "2016-04-02"
    rep = User.objects.get(source="onde", profile="parent")
    assert Link.objects.filter(parent=rep, child__first_name="Hinano").exists()
    assert rep.mobile == "87000000"


def test_iso_8859_1_reads_the_same(world, tmp_path):
    run = onde_import(uai="9840001D", **_write(tmp_path, encoding="iso-8859-1"))

    assert run.status == "applied"
    assert User.objects.filter(source="onde").count() == 4


def test_a_missing_required_column_fails_naming_it(world, tmp_path):
    pupils = PUPILS.replace('"Date naissance"', '"Anniversaire"')

    run = onde_import(uai="9840001D", **_write(tmp_path, pupils=pupils))

    assert run.status == "failed"
    assert (
        "date naissance" in run.report["error"] and "pupils.csv" in run.report["error"]
    )
    assert not User.objects.filter(source="onde").exists()


def test_an_unknown_school_fails(world, tmp_path):
    run = onde_import(uai="9849999Z", **_write(tmp_path))

    assert run.status == "failed"
    assert "9849999Z" in run.report["error"]


def test_a_bad_date_rejects_the_row(world, tmp_path):
    pupils = PUPILS.replace("02/04/2016", "le 2 avril")

    run = onde_import(uai="9840001D", **_write(tmp_path, pupils=pupils))

    assert run.status == "applied"
    [rejected] = run.report["rejected"]
    assert (rejected["file"], rejected["line"]) == ("pupils.csv", 3)


def test_a_pupil_gone_from_the_school_file_is_predeleted(world, tmp_path):
    onde_import(uai="9840001D", **_write(tmp_path))
    pupils = PUPILS.rsplit('"TAPUNI"', 1)[0]

    run = onde_import(uai="9840001D", **_write(tmp_path, pupils=pupils))

    assert run.report["counts"]["disappeared"] == 1
    assert User.objects.get(first_name="Vaea").is_predeleted
    # The other school's pupils are not the ONDE file's business.
    world.pupil_b.refresh_from_db()
    assert not world.pupil_b.is_predeleted


def test_the_director_column_grants_the_direction(world, tmp_path):
    onde_import(uai="9840001D", **_write(tmp_path))

    teacher = User.objects.get(source="onde", profile="teacher")
    assert teacher.member_groups.filter(role="direction").exists()
