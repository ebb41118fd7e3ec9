"""Reading a school's ONDE extraction: pupils, representatives, teachers (CSV).

The files carry no stable id. A pupil is recognised by school + names + birth
date, a teacher by school + names, a representative by names + children; the
reader turns each into a stable key so that the apply step (shared with AAF)
matches people by (source, external id) and a second import changes nothing.
"""

import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from accounts.models import Profile, Source, User
from directory.feeds.records import (
    Delivery,
    PersonRecord,
    StructureRecord,
    date_parse,
)
from directory.feeds.report import FeedError
from directory.models import Link
from nati.text import normalise_name

logger = logging.getLogger(__name__)

# Canonical column -> accepted headers, normalised (lowercase ASCII words).
PUPIL_COLUMNS = {
    "last_name": ("nom eleve", "nom de famille eleve", "nom"),
    "usage_name": ("nom d usage eleve", "nom usage eleve"),
    "first_name": ("prenom eleve", "prenom"),
    "birth_date": ("date naissance", "date de naissance"),
    "address": ("adresse1", "adresse"),
    "postal_code": ("cp1", "cp"),
    "town": ("commune1", "commune"),
    "level": ("niveau",),
    "class": ("classe",),
}
PUPIL_REQUIRED = ("last_name", "first_name", "birth_date", "class")
REP_COLUMNS = {
    "title": ("civilite responsable", "civilite"),
    "usage_name": ("nom usage responsable", "nom d usage responsable"),
    "last_name": ("nom responsable", "nom de famille responsable"),
    "first_name": ("prenom responsable",),
    "address": ("adresse responsable",),
    "postal_code": ("cp responsable",),
    "town": ("commune responsable",),
    "email": ("courriel", "email"),
    "mobile": ("telephone portable", "portable"),
}
REP_REQUIRED = ("last_name", "first_name")
# Repeated up to three times on each representative row.
CHILD_COLUMNS = {
    "last_name": ("nom de famille enfant",),
    "first_name": ("prenom enfant",),
    "class": ("classes enfants", "classe enfant"),
}
TEACHER_COLUMNS = {
    "title": ("civilite",),
    "usage_name": ("nom usage", "nom d usage"),
    "last_name": ("nom",),
    "first_name": ("prenom",),
    "email": ("courriel", "email"),
    "mobile": ("telephone portable", "portable"),
    "director": ("directeur",),
    "class": ("classe",),
}
TEACHER_REQUIRED = ("last_name", "first_name")


@dataclass
class _Table:
    file: str
    headers: list[str]
    rows: list[list[str]]

    def columns(self, wanted: dict, required: tuple) -> dict[str, int]:
        found = {}
        for name, aliases in wanted.items():
            for alias in aliases:
                if alias in self.headers:
                    found[name] = self.headers.index(alias)
                    break
        for name in required:
            if name not in found:
                raise FeedError(
                    f"Colonne obligatoire absente dans {self.file} : "
                    f"« {wanted[name][0]} » (en-têtes lus : {', '.join(self.headers)})."
                )
        return found


def _decode(raw: bytes, file: str) -> str:
    """UTF-8 (a BOM is dropped) when the bytes are UTF-8, else ISO-8859-1."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("iso-8859-1")


def table_read(path: Path | str, *, name: str | None = None) -> _Table:
    path = Path(path)
    name = name or path.name
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise FeedError(f"Fichier illisible : {name} ({error.strerror}).") from None
    text = _decode(raw, name)
    if not text.strip():
        raise FeedError(f"Le fichier {name} est vide.")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=";",
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
            engine="python",
        )
    except (pd.errors.ParserError, ValueError) as error:
        raise FeedError(f"Fichier CSV illisible : {name} ({error}).") from None
    cells = [[(c or "").strip() for c in row] for row in frame.itertuples(index=False)]
    headers = [normalise_name(h) for h in cells[0]]
    return _Table(file=name, headers=headers, rows=cells[1:])


def _key(*parts) -> str:
    text = "|".join(normalise_name(str(p or "")) for p in parts)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:20]


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return row[index] if index is not None and index < len(row) else ""


# PersonRecord field -> (column, longest value kept)
_IDENTITY = {
    "title": ("title", 8),
    "address": ("address", 255),
    "postal_code": ("postal_code", 10),
    "town": ("town", 120),
    "email": ("email", 254),
    "mobile": ("mobile", 32),
}


def _identity(row: list[str], columns: dict[str, int]) -> dict:
    """The identity fields a row carries, as PersonRecord keywords. The usage
    name, when given, is the one shown; the family name stays in the key."""
    last = _cell(row, columns, "last_name")
    found = {
        "last_name": (_cell(row, columns, "usage_name") or last)[:150],
        "first_name": _cell(row, columns, "first_name")[:150],
    }
    for name, (column, size) in _IDENTITY.items():
        if column in columns:
            found[name] = _cell(row, columns, column)[:size]
    return found


def extraction_read(
    *,
    uai: str,
    pupils: Path | str,
    representatives: Path | str,
    teachers: Path | str,
    names: tuple[str, str, str] | None = None,
) -> Delivery:
    """Read the three files of one school; FeedError when one cannot be read."""
    uai = uai.strip().upper()
    names = names or (None, None, None)
    tables = (
        table_read(pupils, name=names[0]),
        table_read(representatives, name=names[1]),
        table_read(teachers, name=names[2]),
    )
    delivery = Delivery(source=Source.ONDE, path=str(Path(pupils).parent))
    delivery.structures[uai] = StructureRecord(key=uai, uai=uai, existing_only=True)
    delivery.scope = {uai}
    delivery.profiles = {Profile.PUPIL, Profile.PARENT, Profile.TEACHER}
    by_name = _pupils_read(delivery, uai, tables[0])
    _representatives_read(delivery, uai, tables[1], by_name)
    _teachers_read(delivery, uai, tables[2])
    logger.info(
        "onde extraction read: %d people, %d rejected",
        len(delivery.people),
        len(delivery.report.rejected),
    )
    return delivery


def _pupils_read(delivery: Delivery, uai: str, table: _Table) -> dict:
    """Pupils; returns {(last, first): [pupil records]} for the children lookup."""
    columns = table.columns(PUPIL_COLUMNS, PUPIL_REQUIRED)
    by_name: dict[tuple[str, str], list[PersonRecord]] = {}
    for number, row in enumerate(table.rows, start=2):
        last = _cell(row, columns, "last_name")
        first = _cell(row, columns, "first_name")
        raw_date = _cell(row, columns, "birth_date")
        try:
            birth_date = date_parse(raw_date)
        except ValueError:
            delivery.report.reject(
                file=table.file,
                line=number,
                id=f"{last} {first}".strip(),
                reason=f"date de naissance illisible : {raw_date!r}",
            )
            continue
        if not last:
            delivery.report.reject(
                file=table.file, line=number, id="", reason="nom de l'élève absent"
            )
            continue
        klass = _cell(row, columns, "class")
        person = PersonRecord(
            profile=Profile.PUPIL,
            external_id=f"{uai}:e:{_key(last, first, birth_date)}",
            birth_date=birth_date,
            **_identity(row, columns),
            level=_cell(row, columns, "level")[:32],
            structures=[uai],
            classes=[(uai, klass)] if klass else [],
            file=table.file,
            line=number,
        )
        if birth_date is None or not first or not klass:
            person.letter_blocked_reason = "Dossier incomplet (date, prénom ou classe)"
        before = len(delivery.people)
        delivery.add_person(person)
        if len(delivery.people) > before:
            key = (normalise_name(last), normalise_name(first))
            by_name.setdefault(key, []).append(person)
    return by_name


def _child_groups(table: _Table) -> list[dict[str, int]]:
    """The column indexes of each repeated child block, in order."""
    groups = []
    starts = [
        i for i, h in enumerate(table.headers) if h in CHILD_COLUMNS["first_name"]
    ]
    for start in starts:
        group = {}
        for name, aliases in CHILD_COLUMNS.items():
            for index in range(max(0, start - 2), min(len(table.headers), start + 2)):
                if table.headers[index] in aliases:
                    group[name] = index
        groups.append(group)
    return groups


def _representatives_read(
    delivery: Delivery, uai: str, table: _Table, pupils_by_name: dict
) -> None:
    """One account per person: rows with the same names and the same address
    are one person with all their children; the same names at another address
    are another person (listed as a possible duplicate after the import)."""
    columns = table.columns(REP_COLUMNS, REP_REQUIRED)
    children_columns = _child_groups(table)
    if not children_columns:
        raise FeedError(
            f"Colonne obligatoire absente dans {table.file} : « Prénom enfant »."
        )
    people: dict[tuple, PersonRecord] = {}
    children_of: dict[tuple, list[PersonRecord]] = {}
    for number, row in enumerate(table.rows, start=2):
        last = _cell(row, columns, "last_name")
        first = _cell(row, columns, "first_name")
        address = _cell(row, columns, "address")
        if not last:
            delivery.report.reject(
                file=table.file, line=number, id="", reason="nom du responsable absent"
            )
            continue
        identity = (
            normalise_name(last),
            normalise_name(first),
            normalise_name(address),
        )
        children = _children_find(
            delivery, table, number, row, children_columns, pupils_by_name
        )
        if identity not in people:
            people[identity] = PersonRecord(
                profile=Profile.PARENT,
                external_id="",
                **_identity(row, columns),
                file=table.file,
                line=number,
            )
            children_of[identity] = []
        children_of[identity] += [c for c in children if c not in children_of[identity]]

    known = _known_representatives(children_of)
    for identity, person in people.items():
        children = children_of[identity]
        person.external_id = _representative_id(uai, identity, children, known)
        delivery.add_person(person)
        for child in children:
            if (person.external_id, True) not in child.relations:
                child.relations.append((person.external_id, True))


def _children_find(delivery, table, number, row, groups, pupils_by_name):
    children = []
    for group in groups:
        last = _cell(row, group, "last_name")
        first = _cell(row, group, "first_name")
        if not last and not first:
            continue
        found = pupils_by_name.get((normalise_name(last), normalise_name(first)), [])
        if len(found) > 1:
            klass = normalise_name(_cell(row, group, "class"))
            found = [
                p for p in found if normalise_name(p.classes[0][1]) == klass
            ] or found
        if not found:
            delivery.report.warn(
                f"{table.file}, ligne {number} : enfant absent du fichier des élèves, "
                "lien ignoré."
            )
            continue
        children.append(found[0])
    return children


def _known_representatives(children_of: dict) -> dict:
    """Existing ONDE representatives of these children: {(child key, last,
    first): representative key}, so a known person keeps their account even
    when their address changed."""
    child_keys = {c.external_id for cs in children_of.values() for c in cs}
    known = {}
    rows = Link.objects.filter(
        child__source=Source.ONDE,
        child__external_id__in=child_keys,
        parent__source=Source.ONDE,
    ).values_list(
        "child__external_id",
        "parent__external_id",
        "parent__last_name",
        "parent__first_name",
    )
    for child_key, parent_key, last, first in rows:
        known[(child_key, normalise_name(last), normalise_name(first))] = parent_key
    return known


def _representative_id(uai: str, identity: tuple, children: list, known: dict) -> str:
    last, first, address = identity
    for child in children:
        for name in (child.external_id,):
            parent_key = known.get((name, last, first))
            if parent_key:
                return parent_key
    return f"{uai}:r:{_key(last, first, address)}"


def _teachers_read(delivery: Delivery, uai: str, table: _Table) -> None:
    columns = table.columns(TEACHER_COLUMNS, TEACHER_REQUIRED)
    for number, row in enumerate(table.rows, start=2):
        last = _cell(row, columns, "last_name")
        first = _cell(row, columns, "first_name")
        if not last:
            delivery.report.reject(
                file=table.file, line=number, id="", reason="nom de l'enseignant absent"
            )
            continue
        klass = _cell(row, columns, "class")
        person = PersonRecord(
            profile=Profile.TEACHER,
            external_id=f"{uai}:t:{_key(last, first)}",
            **_identity(row, columns),
            structures=[uai],
            classes=[(uai, klass)] if klass else [],
            file=table.file,
            line=number,
        )
        if normalise_name(_cell(row, columns, "director")) in ("oui", "o", "1"):
            person.director_of = {uai}
        delivery.add_person(person)


def users_of_school(uai: str):
    """ONDE accounts recognised for a school (for tests and the console)."""
    return User.objects.filter(source=Source.ONDE, external_id__startswith=f"{uai}:")
