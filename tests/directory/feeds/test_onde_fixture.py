"""The real ONDE extraction of Emile Zola, imported end to end."""

import csv
from collections import defaultdict

from accounts.models import Profile, Source, User
from directory.feeds.runs import onde_import
from directory.models import ClassPupil, ClassTeacher, DuplicatePair, Link
from nati.text import normalise_name
from tests.directory.feeds.conftest import Writes, fixture_dir, onde_files


def _import(**extra):
    files = onde_files(fixture_dir("onde-emile-zola"))
    return onde_import(uai="9840386X", **files, **extra)


def _representative_rows():
    path = onde_files(fixture_dir("onde-emile-zola"))["representatives"]
    with open(path, encoding="iso-8859-1", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[1:]
    people = defaultdict(list)
    for row in rows:
        people[(normalise_name(row[2]), normalise_name(row[3]))].append(
            normalise_name(row[4])
        )
    return rows, people


def test_emile_zola_gives_pupils_and_teachers_in_their_classes(emile_zola):
    run = _import()

    assert run.status == "applied", run.report
    pupils = User.objects.filter(source=Source.ONDE, profile=Profile.PUPIL)
    assert pupils.count() == 247
    assert ClassPupil.objects.filter(klass__structure=emile_zola).count() == 247
    teachers = User.objects.filter(source=Source.ONDE, profile=Profile.TEACHER)
    assert teachers.count() == 14
    assert ClassTeacher.objects.filter(klass__structure=emile_zola).count() == 14
    tps = ClassTeacher.objects.filter(klass__name="TPS")
    assert set(tps.values_list("user__last_name", flat=True)) == {"BAILLY", "PIRES"}
    assert ClassPupil.objects.filter(klass__name="TPS").count() == 23


def test_emile_zola_representatives_one_account_per_person(emile_zola):
    rows, people = _representative_rows()
    same_address = {k for k, addresses in people.items() if len(set(addresses)) == 1}
    twice = {k for k, a in people.items() if len(a) == 2 and k in same_address}
    assert len(rows) == 469 and twice

    _import()

    parents = User.objects.filter(source=Source.ONDE, profile=Profile.PARENT)
    expected = sum(len(set(addresses)) for addresses in people.values())
    assert parents.count() == expected < 469
    for last, first in twice:
        person = parents.get(last_name__iexact=last, first_name__iexact=first)
        assert Link.objects.filter(parent=person).count() >= 2


def test_emile_zola_same_names_elsewhere_are_possible_duplicates(emile_zola):
    _, people = _representative_rows()
    elsewhere = {k for k, addresses in people.items() if len(set(addresses)) > 1}
    assert elsewhere

    _import()

    pairs = DuplicatePair.objects.select_related("user_a", "user_b")
    listed = {
        (normalise_name(p.user_a.last_name), normalise_name(p.user_a.first_name))
        for p in pairs
        if p.user_a.last_name == p.user_b.last_name
    }
    assert elsewhere <= listed


def test_emile_zola_again_gives_nothing_new(emile_zola):
    _import()

    with Writes() as writes:
        run = _import()

    assert writes.statements == []
    assert writes.rows == {}
    assert run.report["counts"]["created"] == 0
    assert (
        run.report["counts"]["unchanged"]
        == User.objects.filter(source=Source.ONDE).count()
    )
