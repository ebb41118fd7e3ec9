"""The real AAF sample deliveries, imported end to end."""

from lxml import etree

from accounts.models import Profile, Source, User
from directory.feeds.runs import aaf_import
from directory.models import (
    Affiliation,
    Group,
    GroupKind,
    GroupRole,
    Link,
    Membership,
    Structure,
)
from tests.directory.feeds.conftest import Writes, fixture_dir


def aaf_users(profile):
    return User.objects.filter(source=Source.AAF, profile=profile)


def test_minimal_delivery_gives_one_structure_and_one_pupil(db):
    run = aaf_import(path=fixture_dir("aaf-minimal"))

    assert run.status == "applied"
    assert Structure.objects.filter(source="aaf").count() == 1
    pupil = aaf_users(Profile.PUPIL).get()
    assert (pupil.external_id, pupil.ine) == ("2000000", "100000000AA")
    assert pupil.username == "prenom.nom"
    assert pupil.birth_date.isoformat() == "2000-01-01"
    assert not pupil.has_usable_password()
    # ENTPersonStructRattach (1000) is unknown: the 1D name gives the school.
    assert Affiliation.objects.get(user=pupil).structure.uai == "0000000V"
    assert run.report["counts"]["created"] == 1
    assert run.report["by_structure"]["0000000V"]["created"] == 1
    # The UAI's check letter is wrong: reported, not fatal.
    assert any("0000000V" in w for w in run.report["warnings"])


def _relations_that_resolve(folder) -> int:
    """Count, independently of the importer, pupil -> representative relations
    whose representative is in the delivery."""
    reps, relations = set(), set()
    for file in folder.glob("*PersRelEleve*.xml"):
        for _, el in etree.iterparse(str(file), tag="identifier", load_dtd=False):
            reps.add(el.findtext("id"))
    for file in folder.glob("*_Eleve_*.xml"):
        for _, el in etree.iterparse(str(file), tag="addRequest", load_dtd=False):
            pupil = el.findtext("identifier/id")
            for attr in el.iter("attr"):
                name = attr.get("name")
                if name in ("ENTElevePersRelEleve", "ENTEleveAutoriteParentale"):
                    for value in attr.iter("value"):
                        rep = (value.text or "").split("$")[0]
                        if rep and rep != pupil:
                            relations.add((pupil, rep))
    return len({(p, r) for p, r in relations if r in reps})


def test_2013_delivery_gives_its_structures_people_and_links(db):
    folder = fixture_dir("aaf-lycees-2013")

    run = aaf_import(path=folder)

    assert run.status == "applied", run.report
    assert Structure.objects.filter(source="aaf").count() == 10
    assert aaf_users(Profile.PUPIL).count() == 642
    assert aaf_users(Profile.TEACHER).count() + aaf_users(Profile.STAFF).count() == 701
    assert aaf_users(Profile.PARENT).count() == 9975
    assert Link.objects.count() == _relations_that_resolve(folder)
    assert Link.objects.count() > 1000
    # Every pupil is in a school, and its class group holds it.
    assert Affiliation.objects.filter(user__profile=Profile.PUPIL).count() == 642
    assert (
        Membership.objects.filter(
            group__kind=GroupKind.CLASS, group__role=GroupRole.PUPILS
        ).count()
        == 642
    )
    assert run.report["counts"]["created"] == 642 + 701 + 9975
    assert set(run.report["by_structure"]) >= set(
        Structure.objects.filter(source="aaf").values_list("uai", flat=True)
    )


def test_2013_delivery_again_writes_no_row(db):
    folder = fixture_dir("aaf-lycees-2013")
    aaf_import(path=folder)

    with Writes() as writes:
        run = aaf_import(path=folder)

    assert writes.statements == []
    assert writes.rows == {}
    counts = run.report["counts"]
    assert counts["unchanged"] == 642 + 701 + 9975
    assert {k: v for k, v in counts.items() if k != "unchanged"} == dict.fromkeys(
        ["created", "updated", "moved", "disappeared", "restored", "rejected"], 0
    )


def test_2024_positions_deliveries_in_turn_change_the_staff(db):
    folder = fixture_dir("aaf-2024-positions")

    before = aaf_import(path=folder / "before")
    first_ids = dict(aaf_users(Profile.STAFF).values_list("external_id", "pk"))
    after = aaf_import(path=folder / "after")

    assert before.report["counts"]["created"] == 2
    assert set(first_ids) == {"314159", "314160"}
    # The second delivery has no structure file: the school of the first is
    # found again by its feed id, and the newcomer joins it.
    assert after.status == "applied", after.report
    assert after.report["counts"]["created"] == 1
    assert after.report["counts"]["unchanged"] == 2
    staff = dict(aaf_users(Profile.STAFF).values_list("external_id", "pk"))
    assert set(staff) == {"314159", "314160", "314161"}
    assert {k: staff[k] for k in first_ids} == first_ids
    school = Structure.objects.get(source="aaf", external_id="43")
    assert Affiliation.objects.filter(structure=school).count() == 3
    direction = Group.objects.get(structure=school, role=GroupRole.DIRECTION)
    assert set(direction.members.values_list("external_id", flat=True)) == {
        "314159",
        "314161",
    }
