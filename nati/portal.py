"""The apps of "Mes applis", registered in one place.

An app is opened by the members of the groups holding an AppRight on its code.
`default_roles` are the group roles that receive the right when a school's
groups are created; the console changes them afterwards.
"""

from dataclasses import dataclass

from directory.models import GroupRole


@dataclass(frozen=True)
class App:
    code: str
    name: str
    icon: str
    url_name: str
    default_roles: frozenset[str]
    description: str = ""


_EVERYONE = frozenset(
    {GroupRole.PUPILS, GroupRole.PARENTS, GroupRole.TEACHERS, GroupRole.STAFF}
)
_SCHOOL_STAFF = frozenset({GroupRole.TEACHERS, GroupRole.STAFF})
_ADMINS = frozenset(
    {
        GroupRole.ADML,
        GroupRole.DIRECTION,
        GroupRole.DISTRICT_STAFF,
        GroupRole.PROJECT_LEAD,
    }
)

MESSAGERIE = "messagerie"
PRESENCES = "presences"
ANNUAIRE = "annuaire"
MES_DONNEES = "mes-donnees"
ASSISTANCE = "assistance"
GAR = "gar"
CONSOLE = "console"

APPS: dict[str, App] = {
    app.code: app
    for app in [
        App(
            MESSAGERIE,
            "Messagerie",
            "mail",
            "messaging-inbox",
            _EVERYONE,
            "Écrire et lire ses messages",
        ),
        App(
            PRESENCES,
            "Présences",
            "check",
            "presences-home",
            _SCHOOL_STAFF | {GroupRole.PARENTS},
            "L'appel et le registre d'absences",
        ),
        App(
            ANNUAIRE,
            "Annuaire",
            "book",
            "directory-annuaire",
            _EVERYONE,
            "Trouver une personne ou un groupe",
        ),
        App(
            MES_DONNEES,
            "Mes données",
            "user",
            "accounts-my-data",
            _EVERYONE,
            "Ce que nati conserve sur moi",
        ),
        App(
            ASSISTANCE,
            "Assistance",
            "help",
            "moderation-support",
            _SCHOOL_STAFF | _ADMINS,
            "Demander de l'aide",
        ),
        App(
            GAR,
            "Affectation GAR",
            "books",
            "gar-home",
            frozenset({GroupRole.ADML, GroupRole.PROJECT_LEAD}),
            "Les manuels numériques",
        ),
        App(
            CONSOLE,
            "Console d'administration",
            "settings",
            "console-home",
            _ADMINS,
            "Utilisateurs, classes, groupes et droits",
        ),
    ]
}
