"""Reading a delivery on several cores gives what reading it on one gives."""

import os

import pytest

from directory.feeds import aaf
from directory.feeds.report import FeedError
from tests.directory.feeds.conftest import fixture_dir, pupil, write_delivery


def _read(folder, monkeypatch, *, parallel: bool):
    monkeypatch.setattr(aaf, "PARALLEL_MIN_BYTES", 0 if parallel else 10**15)
    # Other tests of the session may have left threads (a live server): the
    # reader forks all the same here, where the test controls what runs.
    monkeypatch.setattr(aaf.threading, "active_count", lambda: 1)
    files = aaf.delivery_files(folder)
    jobs = [(kind, file) for kind in aaf.KINDS for file in files[kind]]
    if parallel and (os.cpu_count() or 1) < 2:
        pytest.skip("one core here: the files are read on it")
    assert (aaf._workers(jobs) > 1) == parallel
    names = []
    delivery = aaf.delivery_read(folder, progress=names.append)
    return delivery, names


def _same(a, b) -> None:
    assert list(a.people) == list(b.people)  # the delivery's order
    assert a.people == b.people
    assert a.structures == b.structures
    assert a.deleted == b.deleted
    assert a.profiles == b.profiles
    assert a.report.rejected == b.report.rejected
    assert a.report.warnings == b.report.warnings


def test_parallel_reading_of_a_real_delivery_is_the_same(monkeypatch):
    folder = fixture_dir("aaf-lycees-2013")

    one, names_one = _read(folder, monkeypatch, parallel=False)
    several, names_several = _read(folder, monkeypatch, parallel=True)

    _same(one, several)
    assert names_one == names_several  # progress file by file, in order
    assert len(several.people) > 10000


def test_parallel_reading_keeps_rejections_in_order(tmp_path, monkeypatch):
    # An id in two files: the first file's record wins, wherever it was read.
    folder = write_delivery(
        tmp_path / "d",
        pupils=[
            pupil("10", "Teva", "Moana", birth="31/02/2016"),
            pupil("11", "A", "B"),
            pupil("11", "C", "D"),
        ],
        reps=[("11", "R", "S"), ("90", "T", "U")],
    )

    one, _ = _read(folder, monkeypatch, parallel=False)
    several, _ = _read(folder, monkeypatch, parallel=True)

    _same(one, several)
    reasons = [r["reason"] for r in several.report.rejected]
    assert len(reasons) == 3 and "date" in reasons[0]
    assert several.people["11"].last_name == "A"


def test_a_truncated_file_read_in_parallel_says_where(tmp_path, monkeypatch):
    folder = write_delivery(tmp_path / "d", pupils=[pupil("10", "Teva", "Moana")])
    eleve = next(folder.glob("*_Eleve_*"))
    eleve.write_bytes(eleve.read_bytes()[:-60])

    with pytest.raises(FeedError) as error:
        _read(folder, monkeypatch, parallel=True)

    assert eleve.name in str(error.value) and "ligne" in str(error.value)
