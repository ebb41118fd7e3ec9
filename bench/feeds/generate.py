"""Write a synthetic AAF delivery in the real format (ficAlimMENESR files).

    .venv/bin/python bench/feeds/generate.py OUT_DIR [--scale 1.0] [--seed 1]
        [--changed 0.0]

At scale 1: 250 schools, 40,000 pupils, 70,000 representatives, 4,000 staff,
Polynesian names. --changed F renames or moves a share F of the people (the
same seed gives the same people), for the "2 % changed" run.
"""

import argparse
import random
from pathlib import Path
from xml.sax.saxutils import escape

FIRST = [
    "Hinano",
    "Teva",
    "Moana",
    "Vaimiti",
    "Tehani",
    "Heimana",
    "Manutea",
    "Poerava",
    "Ariitea",
    "Tamatoa",
    "Hinatea",
    "Maeva",
    "Teiki",
    "Raiatea",
    "Vaea",
    "Tiare",
    "Heiarii",
    "Mahana",
    "Tumata",
    "Ranitea",
    "Taiana",
    "Rahiti",
    "Keanu",
    "Matahi",
    "Titaua",
    "Hoani",
    "Toanui",
    "Tauhiti",
    "Nohea",
    "Kahaia",
    "Maui",
    "Tavita",
    "Mehiti",
    "Herenui",
    "Poehere",
    "Manoa",
    "Aroha",
    "Tevai",
    "Teura",
    "Vaitiare",
]
LAST = [
    "Teriitehau",
    "Tetuanui",
    "Tehaamatai",
    "Temarii",
    "Tauraa",
    "Mairau",
    "Tapuni",
    "Teihotu",
    "Amaru",
    "Faatau",
    "Haumani",
    "Tepa",
    "Tuihani",
    "Tavaearii",
    "Raapoto",
    "Maitere",
    "Tefaatau",
    "Terorotua",
    "Tinorua",
    "Vanaa",
    "Punua",
    "Teriierooiterai",
    "Tetopata",
    "Hapairai",
    "Tehei",
    "Manate",
    "Tuarau",
    "Raveino",
    "Atiu",
    "Tauotaha",
    "Temauri",
    "Pambrun",
    "Flosse",
    "Bambridge",
    "Salmon",
    "Brotherson",
    "Vernaudon",
    "Drollet",
    "Teuira",
    "Ebb",
    "Colombani",
    "Cowan",
    "Lehartel",
]
TOWNS = "Papeete Faaa Punaauia Pirae Mahina Paea Taravao Uturoa Nuku-Hiva Rangiroa"
LEVELS = ("CP", "CE1", "CE2", "CM1", "CM2")
HEAD = (
    '<?xml version="1.0" encoding="ISO-8859-15"?>\n'
    '<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">\n<ficAlimMENESR>\n'
)
PER_FILE = 20000


def uai_of(number: int) -> str:
    digits = 9840000 + number
    return f"{digits}{'ABCDEFGHJKLMNPRSTUVWXYZ'[digits % 23]}"


def attr(name: str, *values: str) -> str:
    inner = "".join(f"<value>{escape(v)}</value>" for v in values) or "<value/>"
    return f'<attr name="{name}">{inner}</attr>'


def record(category_name: str, category: str, ident: str, attrs: list[str]) -> str:
    return (
        "<addRequest>\n<operationalAttributes>"
        f"{attr(category_name, category)}</operationalAttributes>\n"
        f"<identifier><id>{ident}</id></identifier>\n<attributes>\n"
        + "\n".join(attrs)
        + "\n</attributes>\n</addRequest>\n"
    )


class Writer:
    """Numbered files of one kind, PER_FILE records each."""

    def __init__(self, out: Path, kind: str):
        self.out, self.kind, self.number, self.count, self.handle = (
            out,
            kind,
            0,
            0,
            None,
        )

    def write(self, text: str) -> None:
        if self.handle is None or self.count >= PER_FILE:
            self.close()
            name = f"ENTBENCH_Complet_20260801_{self.kind}_{self.number:04d}.xml"
            self.handle = open(self.out / name, "w", encoding="iso-8859-15")  # noqa: SIM115
            self.handle.write(HEAD)
            self.number += 1
            self.count = 0
        self.handle.write(text)
        self.count += 1

    def close(self) -> None:
        if self.handle:
            self.handle.write("</ficAlimMENESR>\n")
            self.handle.close()
            self.handle = None


def generate(out: Path, scale: float = 1.0, seed: int = 1, changed: float = 0.0):
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.xml"):
        old.unlink()
    rng = random.Random(seed)
    change = random.Random(seed + 1000)
    schools = max(1, round(250 * scale))
    pupils = round(40000 * scale)
    reps = round(70000 * scale)
    staff = round(4000 * scale)
    towns = TOWNS.split()

    structures = Writer(out, "EtabEducNat")
    for s in range(schools):
        structures.write(
            record(
                "categorieStructure",
                "EtabEducNat",
                str(100000 + s),
                [
                    attr("ENTStructureJointure", str(100000 + s)),
                    attr("ENTStructureUAI", uai_of(s)),
                    attr(
                        "ENTStructureNomCourant", f"ECOLE$PRIMAIRE${LAST[s % 43]} {s}"
                    ),
                    attr("ENTStructureTypeStruct", "ECOLE"),
                    attr("postalCode", f"987{s % 100:02d}"),
                    attr("l", towns[s % len(towns)]),
                ],
            )
        )
    structures.close()

    def name(r):
        return r.choice(LAST), r.choice(FIRST), r.choice(FIRST)

    def moved(school: int) -> int:
        if changed and change.random() < changed:
            return (school + 1) % schools
        return school

    rep_writer = Writer(out, "PersRelEleve")
    for r in range(reps):
        last, first, _ = name(rng)
        if changed and change.random() < changed:
            first = first + "-Mere"
        rep_writer.write(
            record(
                "categoriePersonne",
                "PersRelEleve",
                str(3000000 + r),
                [
                    attr("ENTPersonJointure", str(3000000 + r)),
                    attr("sn", last),
                    attr("givenName", first),
                    attr("personalTitle", rng.choice(("M.", "Mme"))),
                    attr("mobile", f"+689 87 {rng.randrange(100000, 999999)}"),
                    attr("ENTPersonAdresse", f"{rng.randrange(1, 200)} chemin$Tuterai"),
                    attr("ENTPersonCodePostal", "98714"),
                    attr("ENTPersonVille", rng.choice(towns)),
                ],
            )
        )
    rep_writer.close()

    pupil_writer = Writer(out, "Eleve")
    per_school = max(1, pupils // schools)
    for p in range(pupils):
        school = moved(min(p // per_school, schools - 1))
        level = LEVELS[p % len(LEVELS)]
        last, first, other = name(rng)
        reps_of = [3000000 + (p * 7 + k) % reps for k in range(2 if p % 4 else 1)]
        birth = f"{rng.randrange(1, 28):02d}/{rng.randrange(1, 13):02d}/{2015 + p % 6}"
        pupil_writer.write(
            record(
                "categoriePersonne",
                "Eleve",
                str(2000000 + p),
                [
                    attr("ENTPersonJointure", str(2000000 + p)),
                    attr("ENTEleveINE", f"{p:09d}AB" if p % 50 else ""),
                    attr("sn", last),
                    attr("givenName", first),
                    attr("ENTPersonAutresPrenoms", other),
                    attr("ENTPersonDateNaissance", birth),
                    attr("personalTitle", rng.choice(("M.", "Mlle"))),
                    attr("ENTPersonStructRattach", str(100000 + school)),
                    attr("ENTEleveClasses", f"{100000 + school}${level}"),
                    attr("ENTEleveNiveau", level),
                    attr(
                        "ENTElevePersRelEleve",
                        *(f"{rep}$1$1$1$1$0" for rep in reps_of),
                    ),
                ],
            )
        )
    pupil_writer.close()

    staff_writer = Writer(out, "PersEducNat")
    for t in range(staff):
        school = moved(t % schools)
        level = LEVELS[t // schools % len(LEVELS)]
        last, first, _ = name(rng)
        teaches = t % 8 != 0
        staff_writer.write(
            record(
                "categoriePersonne",
                "PersEducNat",
                str(4000000 + t),
                [
                    attr("ENTPersonJointure", str(4000000 + t)),
                    attr("sn", last),
                    attr("givenName", first),
                    attr("ENTPersonDateNaissance", f"01/0{1 + t % 9}/19{70 + t % 25}"),
                    attr("ENTPersonStructRattach", str(100000 + school)),
                    attr(
                        "ENTPersonFonctions",
                        f"{100000 + school}${'ENS' if teaches else 'DIR'}$X$Y$Z",
                    ),
                    attr(
                        "ENTAuxEnsClasses",
                        f"{100000 + school}${level}" if teaches else "",
                    ),
                    attr("PersEducNatPresenceDevantEleves", "O" if teaches else "N"),
                ],
            )
        )
    staff_writer.close()
    return {
        "schools": schools,
        "pupils": pupils,
        "representatives": reps,
        "staff": staff,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--changed", type=float, default=0.0)
    args = parser.parse_args()
    print(generate(args.out, args.scale, args.seed, args.changed))


if __name__ == "__main__":
    main()
