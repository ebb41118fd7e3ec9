"""What a parser hands to the apply step: plain records, the whole delivery
read before anything is written."""

import datetime as dt
import re
from dataclasses import dataclass, field

from directory.feeds.report import Report

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_UAI = re.compile(r"^(\d{7})([A-Z])$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FR_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def uai_check(uai: str) -> str | None:
    """None when the UAI is well formed, else what is wrong (in French)."""
    match = _UAI.match(uai)
    if not match:
        return "n'a pas la forme de 7 chiffres et une lettre"
    expected = UAI_LETTERS[int(match.group(1)) % 23]
    if match.group(2) != expected:
        return f"lettre de contrôle {match.group(2)} au lieu de {expected}"
    return None


def date_parse(text: str) -> dt.date | None:
    """dd/mm/yyyy or yyyy-mm-dd; None when empty; ValueError when not a date."""
    text = (text or "").strip()
    if not text:
        return None
    if _FR_DATE.match(text):
        day, month, year = (int(p) for p in text.split("/"))
        return dt.date(year, month, day)
    if _ISO_DATE.match(text):
        return dt.date.fromisoformat(text)
    raise ValueError(text)


@dataclass
class StructureRecord:
    key: str  # how people refer to it in this delivery (AAF: ENTStructureJointure)
    uai: str
    name: str = ""
    type_struct: str = ""
    postal_code: str = ""
    town: str = ""
    external_id: str = ""
    file: str = ""
    line: int | None = None
    # ONDE names an existing school: match it, never change its fields.
    existing_only: bool = False


@dataclass
class PersonRecord:
    profile: str  # accounts.models.Profile value
    external_id: str
    last_name: str
    first_name: str
    other_names: str = ""
    birth_date: dt.date | None = None
    title: str = ""
    ine: str = ""
    email: str = ""
    mobile: str = ""
    postal_code: str = ""
    town: str = ""
    address: str = ""
    # Structure keys, the main one first.
    structures: list[str] = field(default_factory=list)
    # (structure key, class code); the class's name is its code for AAF.
    classes: list[tuple[str, str]] = field(default_factory=list)
    main_classes: set[tuple[str, str]] = field(default_factory=set)
    level: str = ""
    # (representative's external id, legal representative?)
    relations: list[tuple[str, bool]] = field(default_factory=list)
    director_of: set[str] = field(default_factory=set)
    letter_blocked_reason: str = ""
    file: str = ""
    line: int | None = None


@dataclass
class Delivery:
    source: str  # accounts.models.Source value
    path: str
    structures: dict[str, StructureRecord] = field(default_factory=dict)
    people: dict[str, PersonRecord] = field(default_factory=dict)
    # The profiles this delivery is complete for: only those can disappear.
    profiles: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    # ONDE: disappearance only within these structure keys; None: the source.
    scope: set[str] | None = None
    report: Report = field(default_factory=Report)

    def add_person(self, person: PersonRecord) -> None:
        """Keep the first record of an id; a second one is rejected."""
        if person.external_id in self.people:
            first = self.people[person.external_id]
            self.report.reject(
                file=person.file,
                line=person.line,
                id=person.external_id,
                reason=(
                    "identifiant en double (déjà vu dans "
                    f"{first.file}, ligne {first.line})"
                ),
            )
            return
        self.people[person.external_id] = person
