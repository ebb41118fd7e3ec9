"""The report of one import: what the command prints with --json, what the
console shows, what ImportRun.report stores."""

import datetime as dt
from dataclasses import dataclass, field

COUNT_KEYS = (
    "created",
    "updated",
    "unchanged",
    "moved",
    "disappeared",
    "restored",
    "rejected",
)
STATUSES = ("applied", "dry-run", "held", "failed")
# Where people without a structure (a representative whose children are not in
# the delivery) are counted in by_structure.
NO_STRUCTURE = "-"


class FeedError(Exception):
    """A fatal error: nothing is applied. The message is French and says what
    is wrong and where (file, line)."""


def _zero() -> dict[str, int]:
    return dict.fromkeys(COUNT_KEYS, 0)


@dataclass
class Report:
    status: str = "applied"
    counts: dict[str, int] = field(default_factory=_zero)
    by_structure: dict[str, dict[str, int]] = field(default_factory=dict)
    rejected: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # UAI -> {"disappearing": n, "population": n} of the structures held back.
    held: dict[str, dict[str, int]] = field(default_factory=dict)
    error: str = ""
    started_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())

    def count(self, key: str, uai: str | None, n: int = 1) -> None:
        self.counts[key] += n
        self.by_structure.setdefault(uai or NO_STRUCTURE, _zero())[key] += n

    def reject(self, *, file: str, line: int | None, id: str, reason: str) -> None:
        self.rejected.append({"file": file, "line": line, "id": id, "reason": reason})
        self.counts["rejected"] += 1

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    def fail(self, message: str) -> None:
        self.status = "failed"
        self.error = message

    @property
    def changes(self) -> int:
        """Everything but unchanged and rejected: 0 when nothing was to do."""
        return sum(
            self.counts[k]
            for k in ("created", "updated", "moved", "disappeared", "restored")
        )

    def to_dict(self) -> dict:
        data = {
            "status": self.status,
            "counts": dict(self.counts),
            "by_structure": {k: dict(v) for k, v in self.by_structure.items()},
            "rejected": list(self.rejected),
            "warnings": list(self.warnings),
        }
        if self.held:
            data["held"] = dict(self.held)
        if self.error:
            data["error"] = self.error
        return data
