"""Reading an AAF delivery (ficAlimMENESR XML files), streaming.

lxml's iterparse reads each file record by record (an addRequest at a time,
cleared once read), so a 50 MB file never becomes a DOM. The parser reads the
encoding from the XML declaration and nowhere else. The whole delivery is read
before the apply step writes anything.
"""

import logging
import re
from collections.abc import Callable
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
    }
    try:
        for _, element in etree.iterparse(str(file), **parser_args):
            values: dict[str, list[str]] = {}
            identifier = ""
            # Direct children only: the records are flat, and a walk of the
            # whole subtree costs twice as much on a 100,000-record delivery.
            for part in element:
                if part.tag == "identifier":
                    identifier = (part.findtext("id") or "").strip()
                elif part.tag in ("attributes", "modifications"):
                    for attr in part:
                        found = [(v.text or "").strip() for v in attr]
                        # An empty <value/> means "no value", not "".
                        found = [v for v in found if v]
                        if found:
                            values.setdefault(attr.get("name"), []).extend(found)
            yield element.tag, element.sourceline, identifier, values
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
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


def _structure(delivery: Delivery, file: Path, line: int, ident: str, values):
    key = _first(values, "structure_id") or ident
    uai = _first(values, "uai").upper()
    if not key or not uai:
        delivery.report.reject(
            file=file.name,
            line=line,
            id=key,
            reason="structure sans identifiant ou UAI",
        )
        return
    problem = uai_check(uai)
    if problem:
        delivery.report.warn(f"{file.name}, ligne {line} : UAI {uai} : {problem}.")
    delivery.structures[key] = StructureRecord(
        key=key,
        uai=uai,
        name=_first(values, "structure_name").replace("$", " ").strip() or uai,
        type_struct=_first(values, "type_struct")[:16],
        postal_code=_first(values, "structure_postal_code")[:10],
        town=_first(values, "structure_town")[:120],
        external_id=key,
        file=file.name,
        line=line,
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

    # A known shortcoming: the files are read one after the other on one core;
    # reading them in a process pool would divide the reading time (which is
    # most of a run with nothing to change) by the number of cores.
    for kind in KINDS:
        for file in files[kind]:
            if progress:
                progress(file.name)
            _file_read(delivery, kind, file)
    logger.info(
        "aaf delivery read: %d structures, %d people, %d rejected",
        len(delivery.structures),
        len(delivery.people),
        len(delivery.report.rejected),
    )
    return delivery


def _file_read(delivery: Delivery, kind: str, file: Path) -> None:
    for tag, line, ident, values in _records(file):
        if tag == "deleteRequest":
            if kind != "EtabEducNat" and ident:
                delivery.deleted.add(ident)
            continue
        if kind == "EtabEducNat":
            _structure(delivery, file, line, ident, values)
            continue
        try:
            person = _person(kind, file, line, ident, values)
        except ValueError as error:
            delivery.report.reject(
                file=file.name,
                line=line,
                id=_first(values, "id") or ident,
                reason=str(error),
            )
            continue
        delivery.add_person(person)
