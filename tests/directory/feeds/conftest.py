"""Fixtures of the feed tests: the real sample files, read where they live."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory import services

FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures"
FIXTURES = FIXTURES.resolve()
# The worktrees sit beside /work/shared; fall back on it for a checkout elsewhere.
if not FIXTURES.is_dir():
    FIXTURES = Path("/work/shared/fixtures")


def fixture_dir(name: str) -> Path:
    path = FIXTURES / name
    if not path.is_dir():
        pytest.skip(f"the shared sample files are absent here ({path} not found)")
    return path


@pytest.fixture
def emile_zola(db):
    return services.structure_create(
        kind="school", name="École Émile Zola", uai="9840386X"
    )


def onde_files(folder: Path) -> dict:
    return {
        "pupils": folder / "CSVExtraction-eleves.csv",
        "representatives": folder / "CSVExtraction-responsables.csv",
        "teachers": folder / "CSVExtraction-enseignants.csv",
    }


class Writes:
    """What the block writes, the run log aside, seen two ways: the INSERT,
    UPDATE and DELETE statements Django sends, and the rows PostgreSQL counts
    in this transaction (which also sees COPY)."""

    _ROWS = (
        "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del "
        "FROM pg_stat_xact_user_tables WHERE relname <> 'directory_importrun'"
    )

    def _rows_now(self) -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute(self._ROWS)
            return dict(cursor.fetchall())

    def __enter__(self):
        self.before = self._rows_now()
        self.context = CaptureQueriesContext(connection)
        self.context.__enter__()
        return self

    def __exit__(self, *exc):
        self.context.__exit__(*exc)
        after = self._rows_now()
        self.rows = {
            table: count - self.before.get(table, 0)
            for table, count in after.items()
            if count != self.before.get(table, 0)
        }

    @property
    def statements(self) -> list[str]:
        return [
            q["sql"]
            for q in self.context.captured_queries
            if q["sql"].lstrip().split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE")
            and "directory_importrun" not in q["sql"]
        ]


# --- A small AAF delivery written by the tests, in the real format -----------


def _attr(name, *values):
    inner = "".join(f"<value>{v}</value>" for v in values if v) or "<value/>"
    return f'<attr name="{name}">{inner}</attr>'


def _record(category, kind, ident, attrs):
    return (
        "<addRequest><operationalAttributes>"
        f"{_attr(category, kind)}</operationalAttributes>"
        f"<identifier><id>{ident}</id></identifier><attributes>\n"
        + "\n".join(attrs)
        + "\n</attributes></addRequest>\n"
    )


def pupil(ident, last, first, school="1", klass="CM1", birth="01/02/2016", **extra):
    return {
        "id": ident,
        "last": last,
        "first": first,
        "school": school,
        "klass": klass,
        "birth": birth,
        "ine": extra.get("ine", f"INE{ident}"),
        "reps": extra.get("reps", []),
    }


def write_delivery(
    folder: Path,
    *,
    schools=(("1", "9840001D"),),
    pupils=(),
    reps=(),
    staff=(),
    encoding="ISO-8859-15",
    date="20260801",
):
    """Write EtabEducNat, Eleve, PersRelEleve, PersEducNat files; returns folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.xml"):
        old.unlink()
    head = f'<?xml version="1.0" encoding="{encoding}"?>\n<ficAlimMENESR>\n'

    def write(kind, body):
        name = f"TEST_Complet_{date}_{kind}_0000.xml"
        text = head + body + "</ficAlimMENESR>\n"
        (folder / name).write_bytes(text.encode(encoding, "xmlcharrefreplace"))

    write(
        "EtabEducNat",
        "".join(
            _record(
                "categorieStructure",
                "EtabEducNat",
                key,
                [
                    _attr("ENTStructureJointure", key),
                    _attr("ENTStructureUAI", uai),
                    _attr("ENTStructureNomCourant", f"ECOLE$TEST${key}"),
                    _attr("ENTStructureTypeStruct", "ECOLE"),
                ],
            )
            for key, uai in schools
        ),
    )
    write(
        "Eleve",
        "".join(
            _record(
                "categoriePersonne",
                "Eleve",
                p["id"],
                [
                    _attr("ENTPersonJointure", p["id"]),
                    _attr("ENTEleveINE", p["ine"]),
                    _attr("sn", p["last"]),
                    _attr("givenName", p["first"]),
                    _attr("ENTPersonDateNaissance", p["birth"]),
                    _attr("ENTPersonStructRattach", p["school"]),
                    _attr("ENTEleveClasses", f"{p['school']}${p['klass']}"),
                    _attr(
                        "ENTElevePersRelEleve", *(f"{r}$1$1$1$1$0" for r in p["reps"])
                    ),
                ],
            )
            for p in pupils
        ),
    )
    write(
        "PersRelEleve",
        "".join(
            _record(
                "categoriePersonne",
                "PersRelEleve",
                ident,
                [
                    _attr("ENTPersonJointure", ident),
                    _attr("sn", last),
                    _attr("givenName", first),
                    _attr("mobile", "+689 87 12 34 56"),
                ],
            )
            for ident, last, first in reps
        ),
    )
    write(
        "PersEducNat",
        "".join(
            _record(
                "categoriePersonne",
                "PersEducNat",
                ident,
                [
                    _attr("ENTPersonJointure", ident),
                    _attr("sn", last),
                    _attr("givenName", first),
                    _attr("ENTPersonStructRattach", school),
                    _attr("ENTAuxEnsClasses", f"{school}${klass}"),
                    _attr("PersEducNatPresenceDevantEleves", "O"),
                ],
            )
            for ident, last, first, school, klass in staff
        ),
    )
    return folder
