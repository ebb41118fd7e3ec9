"""Reading an AAF delivery (ficAlimMENESR XML files), streaming.

lxml's iterparse reads each file record by record (an addRequest at a time,
cleared once read), so a 50 MB file never becomes a DOM. The parser reads the
encoding from the XML declaration and nowhere else. The whole delivery is read
before the apply step writes anything.
"""

import gc
import logging
import multiprocessing
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from lxml import etree

from accounts.models import Profile, Source
from directory.feeds.records import (
    Delivery,
    PersonRecord,
    StructureRecord,
    date_parse,
    uai_check,
)
from directory.feeds.report import FeedError

logger = logging.getLogger(__name__)

_FILE_NAME = re.compile(r"_Complet_(\d{8})_([A-Za-z]+)_(\d+)\.xml$")
KINDS = ("EtabEducNat", "Eleve", "PersRelEleve", "PersEducNat")
_REFERENCE_KINDS = ("MefEducNat", "MatiereEducNat")
_RECORD_TAGS = ("addRequest", "modifyRequest", "deleteRequest")

# One table for every variant: the secondary (2D) names first, then the
# primary (1D) ones for the same fact. The first name present wins.
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("ENTPersonJointure",),
    "last_name": ("sn", "ENTPersonNom", "ENTPersonNomPatro"),
    "first_name": ("givenName", "ENTPersonPrenom"),
    "other_names": ("ENTPersonAutresPrenoms",),
    "birth_date": ("ENTPersonDateNaissance",),
    "title": ("personalTitle", "ENTPersonCivilite"),
    "ine": ("ENTEleveINE",),
    "email": ("mail", "ENTPersonMail"),
    "mobile": ("mobile", "ENTPersonMobileSMS", "ENTPersonTelPortable"),
    "postal_code": ("ENTPersonCodePostal", "postalCode"),
    "town": ("ENTPersonVille", "l"),
    "address": ("ENTPersonAdresse", "street"),
    # A pupil's school; 1D deliveries name it ENTEleveStructRattachId when
    # ENTPersonStructRattach is not a structure of the delivery.
    "structure": ("ENTPersonStructRattach", "ENTEleveStructRattachId"),
    "classes": ("ENTEleveClasses", "ENTPersonClasses", "ENTAuxEnsClasses"),
    "main_classes": ("ENTAuxEnsClassesPrincipal",),
    "relations": ("ENTElevePersRelEleve",),
    "parental_authority": ("ENTEleveAutoriteParentale",),
    "level": ("ENTEleveNiveau", "ENTEleveLibelleMEF"),
    "functions": ("ENTPersonFonctions",),
    "director": ("ENTEnsFonctionDir",),
    "teaches": ("PersEducNatPresenceDevantEleves",),
    "uai": ("ENTStructureUAI", "ENTEtablissementUAI"),
    "structure_id": ("ENTStructureJointure",),
    "structure_name": ("ENTStructureNomCourant",),
    "type_struct": ("ENTStructureTypeStruct",),
    "structure_postal_code": ("postalCode",),
    "structure_town": ("l",),
}
# ENTElevePersRelEleve: id$link$financial$parentalAuthority$contact$country.
# Link codes 1, 2, 10, 20 … are parents; others are other relatives.
_PARENT_LINKS = {"1", "2", "10", "20"}


def delivery_files(path: Path) -> dict[str, list[Path]]:
    """The delivery's files by kind, numbered order. Unknown files are ignored."""
    if not path.is_dir():
        raise FeedError(f"Le dossier de livraison {path} n'existe pas.")
    files: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    for file in sorted(path.glob("*.xml")):
        match = _FILE_NAME.search(file.name)
        if match and match.group(2) in files:
            files[match.group(2)].append(file)
    if not any(files.values()):
        raise FeedError(
            f"Le dossier {path} ne contient aucun fichier AAF "
            "(…_Complet_AAAAMMJJ_<Type>_NNNN.xml)."
        )
    return files


def _records(file: Path):
    """(tag, line, id, {attr name: [values]}) for each record of a file."""
    parser_args = {
        "events": ("end",),
        "tag": _RECORD_TAGS,
        "load_dtd": False,
        "no_network": True,
        "resolve_entities": False,
        "huge_tree": True,
        # Whitespace between elements is no value: not keeping it spares a
        # third of the nodes.
        "remove_blank_text": True,
    }
    try:
        for _, element in etree.iterparse(str(file), **parser_args):
            values: dict[str, list[str]] = {}
            identifier = ""
            # Direct children only: the records are flat, and a walk of the
            # whole subtree costs twice as much on a 100,000-record delivery.
            for part in element:
                tag = part.tag
                if tag == "identifier":
                    identifier = (part.findtext("id") or "").strip()
                elif tag == "attributes" or tag == "modifications":
                    for attr in part:
                        # An empty <value/> means "no value", not "".
                        found = [t for v in attr if (t := (v.text or "").strip())]
                        if found:
                            name = attr.get("name")
                            if name in values:
                                values[name].extend(found)
                            else:
                                values[name] = found
            yield element.tag, element.sourceline, identifier, values
            element.clear()
            parent = element.getparent()
            while element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as error:
        line = error.lineno or "?"
        raise FeedError(
            f"Fichier illisible : {file.name}, ligne {line} : {error.msg} "
            "(fichier tronqué ou encodage différent de celui déclaré ?)"
        ) from None
    except OSError as error:
        raise FeedError(f"Fichier illisible : {file.name} ({error}).") from None


def _get(values: dict[str, list[str]], name: str) -> list[str]:
    for attr in FIELDS[name]:
        if values.get(attr):
            return values[attr]
    return []


def _first(values: dict[str, list[str]], name: str) -> str:
    found = _get(values, name)
    return found[0] if found else ""


def _pairs(items: list[str]) -> list[tuple[str, str]]:
    """'structId$code' values as (structId, code), deduplicated, in order."""
    pairs = []
    for item in items:
        struct, _, code = item.partition("$")
        if struct and code and (struct, code) not in pairs:
            pairs.append((struct, code))
    return pairs


def _structure_events(file: Path, line: int, ident: str, values):
    key = _first(values, "structure_id") or ident
    uai = _first(values, "uai").upper()
    if not key or not uai:
        reason = "structure sans identifiant ou UAI"
        yield "reject", {"file": file.name, "line": line, "id": key, "reason": reason}
        return
    problem = uai_check(uai)
    if problem:
        yield "warn", f"{file.name}, ligne {line} : UAI {uai} : {problem}."
    yield (
        "structure",
        StructureRecord(
            key=key,
            uai=uai,
            name=_first(values, "structure_name").replace("$", " ").strip() or uai,
            type_struct=_first(values, "type_struct")[:16],
            postal_code=_first(values, "structure_postal_code")[:10],
            town=_first(values, "structure_town")[:120],
            external_id=key,
            file=file.name,
            line=line,
        ),
    )


def _person(kind: str, file: Path, line: int, ident: str, values) -> PersonRecord:
    """A person's record; ValueError with a French reason when it is unusable."""
    external_id = _first(values, "id") or ident
    if not external_id:
        raise ValueError("personne sans identifiant (ENTPersonJointure)")
    try:
        birth_date = date_parse(_first(values, "birth_date"))
    except ValueError:
        raise ValueError(
            f"date de naissance illisible : {_first(values, 'birth_date')!r}"
        ) from None
    person = PersonRecord(
        profile=Profile.PUPIL,
        external_id=external_id,
        last_name=_first(values, "last_name")[:150],
        first_name=_first(values, "first_name")[:150],
        other_names=" ".join(_get(values, "other_names"))[:150],
        birth_date=birth_date,
        title=_first(values, "title")[:8],
        ine=_first(values, "ine")[:16],
        email=_first(values, "email")[:254],
        mobile=_first(values, "mobile")[:32],
        postal_code=_first(values, "postal_code")[:10],
        town=_first(values, "town")[:120],
        address=" ".join(_first(values, "address").replace("$", " ").split())[:255],
        file=file.name,
        line=line,
    )
    if not person.last_name:
        raise ValueError("nom de famille absent")
    if kind == "Eleve":
        _pupil(person, values)
    elif kind == "PersRelEleve":
        person.profile = Profile.PARENT
    else:
        _staff(person, values)
    return person


def _pupil(person: PersonRecord, values) -> None:
    # Both candidate names are kept; the apply step takes the first that is a
    # structure it knows.
    person.structures = list(
        dict.fromkeys(
            values.get("ENTPersonStructRattach", [])
            + values.get("ENTEleveStructRattachId", [])
        )
    )
    person.classes = _pairs(_get(values, "classes"))
    person.level = _first(values, "level")[:32]
    legal = set(_get(values, "parental_authority"))
    relations: dict[str, bool] = {}
    for item in _get(values, "relations"):
        parts = item.split("$")
        rep_id = parts[0]
        if not rep_id or rep_id == person.external_id:
            continue
        authority = len(parts) > 3 and parts[3] == "1"
        relations[rep_id] = relations.get(rep_id, False) or authority or rep_id in legal
    for rep_id in legal:
        relations.setdefault(rep_id, True)
    person.relations = list(relations.items())
    if not person.ine:
        person.letter_blocked_reason = "En attente d'INE"
    elif len(set(values.get("ENTPersonStructRattach", []))) > 1:
        person.letter_blocked_reason = "Inscription dans plusieurs écoles"
    elif person.birth_date is None or not person.first_name:
        person.letter_blocked_reason = "Dossier incomplet (date de naissance ou prénom)"


def _staff(person: PersonRecord, values) -> None:
    teaches = _first(values, "teaches").upper() == "O"
    person.profile = Profile.TEACHER if teaches else Profile.STAFF
    functions = [f.split("$") for f in _get(values, "functions")]
    person.classes = _pairs(_get(values, "classes"))
    person.main_classes = set(_pairs(_get(values, "main_classes")))
    structures = list(_get(values, "structure"))
    structures += [parts[0] for parts in functions if parts[0]]
    structures += [struct for struct, _ in person.classes]
    person.structures = list(dict.fromkeys(structures))
    person.director_of = {
        parts[0] for parts in functions if len(parts) > 1 and parts[1] == "DIR"
    }
    person.director_of |= set(_get(values, "director"))


def delivery_read(
    path: Path | str, progress: Callable[[str], None] | None = None
) -> Delivery:
    """Read a whole AAF delivery folder; FeedError when it cannot be read."""
    path = Path(path)
    files = delivery_files(path)
    delivery = Delivery(source=Source.AAF, path=str(path))
    if files["Eleve"]:
        delivery.profiles.add(Profile.PUPIL)
    if files["PersRelEleve"]:
        delivery.profiles.add(Profile.PARENT)
    if files["PersEducNat"]:
        delivery.profiles |= {Profile.TEACHER, Profile.STAFF}

    jobs = [(kind, file) for kind in KINDS for file in files[kind]]
    for file, events in _files_events(jobs):
        if progress:
            progress(file.name)
        _events_take(delivery, events)
    logger.info(
        "aaf delivery read: %d structures, %d people, %d rejected",
        len(delivery.structures),
        len(delivery.people),
        len(delivery.report.rejected),
    )
    return delivery


# Files are read in parallel, one process per core, when the delivery is
# large enough for it to pay (tests lower this to go through the pool).
PARALLEL_MIN_BYTES = 8_000_000


def _workers(jobs: list[tuple[str, Path]]) -> int:
    """How many processes read the files: 1 for a small delivery, inside a
    daemon process (a Celery worker), which may not have children, and in a
    process with other threads, which forking could catch holding a lock."""
    if len(jobs) < 2 or multiprocessing.current_process().daemon:
        return 1
    if threading.active_count() > 1:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if sum(file.stat().st_size for _, file in jobs) < PARALLEL_MIN_BYTES:
        return 1
    return min(len(jobs), os.cpu_count() or 1)


def _files_events(jobs: list[tuple[str, Path]]):
    """(file, events) for each file, in the delivery's order.

    The reading processes are forked (the parent's code is theirs, nothing to
    set up) and send back plain values, which cost little to pickle; a file
    that cannot be read raises its FeedError here, in the same order as a
    reading on one core would."""
    workers = _workers(jobs)
    if workers == 1:
        for kind, file in jobs:
            yield file, _file_events(kind, file)
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        futures = [pool.submit(_file_events_packed, kind, file) for kind, file in jobs]
        for (_, file), future in zip(jobs, futures, strict=True):
            yield file, _events_unpack(future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _file_events(kind: str, file: Path) -> list[tuple[str, object]]:
    """What a file says, in order: ("person", PersonRecord), ("structure",
    StructureRecord), ("deleted", id), ("reject", {…}), ("warn", message)."""
    events: list[tuple[str, object]] = []
    for tag, line, ident, values in _records(file):
        if tag == "deleteRequest":
            if kind != "EtabEducNat" and ident:
                events.append(("deleted", ident))
            continue
        if kind == "EtabEducNat":
            events.extend(_structure_events(file, line, ident, values))
            continue
        try:
            person = _person(kind, file, line, ident, values)
        except ValueError as error:
            rejected = {
                "file": file.name,
                "line": line,
                "id": _first(values, "id") or ident,
                "reason": str(error),
            }
            events.append(("reject", rejected))
            continue
        events.append(("person", person))
    return events


def _file_events_packed(kind: str, file: Path) -> list[tuple[str, object]]:
    """_file_events in a reading process: a person travels as its plain dict
    (pickling 100,000 dataclasses costs as much as reading them)."""
    gc.disable()  # the records live until the end: nothing to collect
    return [
        (what, item.__dict__ if what == "person" else item)
        for what, item in _file_events(kind, file)
    ]


def _events_unpack(events: list[tuple[str, object]]) -> list[tuple[str, object]]:
    unpacked = []
    for what, item in events:
        if what == "person":
            person = object.__new__(PersonRecord)
            person.__dict__ = item
            item = person
        unpacked.append((what, item))
    return unpacked


def _events_take(delivery: Delivery, events: list[tuple[str, object]]) -> None:
    """Take a file's events into the delivery, in the file's order (the first
    record of an id wins, later ones are rejected)."""
    report = delivery.report
    for what, item in events:
        if what == "person":
            delivery.add_person(item)
        elif what == "structure":
            delivery.structures[item.key] = item
        elif what == "deleted":
            delivery.deleted.add(item)
        elif what == "reject":
            report.reject(**item)
        else:
            report.warn(item)
