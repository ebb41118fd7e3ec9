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
    """Every INSERT, UPDATE or DELETE run inside the block, but the run log's."""

    def __enter__(self):
        self.context = CaptureQueriesContext(connection)
        self.context.__enter__()
        return self

    def __exit__(self, *exc):
        self.context.__exit__(*exc)

    @property
    def statements(self) -> list[str]:
        return [
            q["sql"]
            for q in self.context.captured_queries
            if q["sql"].lstrip().split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE")
            and "directory_importrun" not in q["sql"]
        ]
