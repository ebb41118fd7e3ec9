"""The CAS server's writes and rules: connectors, tickets, released attributes.

Protocol: Apereo CAS 2.0 / 3.0 (service tickets only; nati grants no proxy).
"""

import datetime as dt
import functools
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.cas.models import AttributeProfile, Connector, ServiceTicket
from accounts.models import Profile, User
from directory.models import AppRight, Group, GroupRole, Membership, Structure
from directory.services import app_right_set
from nati.audit import audit_record
from nati.cache import DIRECTORY, writes

logger = logging.getLogger(__name__)

TICKET_PREFIX = "ST-"

# What an administrator reads in the connector's refusal log.
REFUSAL_LABELS = {
    "UNKNOWN_SERVICE": "adresse de service inconnue",
    "NO_RIGHT": "utilisateur sans attribution de ce connecteur",
    "INVALID_REQUEST": "requête incomplète (ticket ou service manquant)",
    "INVALID_TICKET_SPEC": "ce n'est pas un ticket de service",
    "INVALID_TICKET": "ticket inconnu, expiré, déjà utilisé ou sans nouvelle saisie",
    "INVALID_SERVICE": "ticket émis pour un autre service",
    "UNAUTHORIZED_SERVICE_PROXY": "demande de proxy (non accordée)",
}


class CasError(Exception):
    """A validation refused, with the specification's error code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# --- Connectors ----------------------------------------------------------------


def connectors_for_service(service: str) -> list[Connector]:
    """Connectors whose pattern matches `service`. Connectors are few (one or two
    a school), so they are matched in Python rather than by a LIKE query."""
    return [c for c in Connector.objects.all() if c.matches(service)]


def connector_allowed(user: User, connectors: list[Connector]) -> Connector | None:
    """The first of `connectors` that `user` holds the right on. One query."""
    if not connectors or user.is_predeleted or user.merged_into_id:
        return None
    codes = {c.app_code: c for c in connectors}
    found = (
        AppRight.objects.filter(app__in=codes, group__memberships__user=user)
        .values_list("app", flat=True)
        .first()
    )
    return codes.get(found)


@writes(DIRECTORY)
@transaction.atomic
def connector_create(
    *,
    structure: Structure,
    name: str,
    service_pattern: str,
    launch_url: str,
    attribute_profile: str = AttributeProfile.PRONOTE,
    actor: User | None = None,
    request=None,
) -> Connector:
    connector = Connector.objects.create(
        structure=structure,
        name=name,
        service_pattern=service_pattern,
        launch_url=launch_url,
        attribute_profile=attribute_profile,
    )
    audit_record(
        action="cas.connector_create",
        actor=actor,
        target=connector,
        structure=structure,
        request=request,
    )
    return connector


def attribution_groups(connector: Connector):
    """Groups of the connector's school that may receive it: profiles, classes,
    functions and manual groups."""
    return Group.objects.filter(structure=connector.structure).exclude(
        kind="favourites"
    )


@writes(DIRECTORY)
@transaction.atomic
def connector_attribution_set(
    *, connector: Connector, group_ids: set[int], actor: User, request=None
) -> None:
    """Give the connector to exactly these groups of its school."""
    held = set(
        AppRight.objects.filter(app=connector.app_code).values_list(
            "group_id", flat=True
        )
    )
    for group in attribution_groups(connector).filter(pk__in=held ^ group_ids):
        app_right_set(
            group=group,
            app=connector.app_code,
            granted=group.pk in group_ids,
            actor=actor,
            request=request,
        )


# --- Tickets -------------------------------------------------------------------


def _commit_without_waiting() -> None:
    """Spending a ticket need not wait for the disk (PostgreSQL's
    synchronous_commit off, for this transaction only): a crash could lose the
    last fraction of a second of spends, and those tickets expire within five
    minutes anyway. This is what keeps serviceValidate near the floor."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def ticket_issue(
    *, user: User, connector: Connector, service: str, from_new_login: bool, request
) -> ServiceTicket:
    now = timezone.now()
    ticket = ServiceTicket.objects.create(
        ticket=TICKET_PREFIX + secrets.token_urlsafe(32),
        user=user,
        connector=connector,
        service=service,
        expires_at=now + dt.timedelta(seconds=settings.NATI_CAS_TICKET_SECONDS),
        from_new_login=from_new_login,
    )
    audit_record(
        action="cas.ticket_issued",
        actor=user,
        target=connector,
        structure=connector.structure,
        request=request,
        data={"ticket": ticket.pk},
    )
    return ticket


def refusal_record(
    *, code: str, request, connector: Connector | None = None, user=None
) -> None:
    """Every refusal is kept for the connector: an administrator can see why
    Pronote turned someone away (no names: ids and the error code)."""
    audit_record(
        action="cas.refused",
        target=connector,
        structure=connector.structure if connector else None,
        request=request,
        data={"code": code, "user": user.pk if user else None},
    )
    logger.info(
        "cas refused code=%s connector=%s", code, connector.pk if connector else None
    )


# The ticket with its user, connector and the connector's structure, in one
# hand-written join: serviceValidate is Pronote's hot path, and the ORM took
# longer to compile this select_related than the database to answer it.
_TICKET_MODELS = (
    ("t", ServiceTicket),
    ("u", User),
    ("c", Connector),
    ("s", Structure),
)


@functools.cache
def _ticket_sql() -> str:
    columns = ", ".join(
        f'{alias}."{field.column}"'
        for alias, model in _TICKET_MODELS
        for field in model._meta.concrete_fields
    )
    return (
        f"SELECT {columns}"  # noqa: S608 (our models' own columns)
        f" FROM {ServiceTicket._meta.db_table} t"
        f" JOIN {User._meta.db_table} u ON u.id = t.user_id"
        f" JOIN {Connector._meta.db_table} c ON c.id = t.connector_id"
        f" JOIN {Structure._meta.db_table} s ON s.id = c.structure_id"
        " WHERE t.ticket = %s"
    )


@functools.cache
def _raw_values_are_python(vendor: str) -> bool:
    """Whether the database hands these models' columns back as Python values
    (PostgreSQL does; SQLite's dates need Django's converters)."""
    return not any(
        hasattr(field, "from_db_value")
        or connection.ops.get_db_converters(field.get_col(model._meta.db_table))
        for _alias, model in _TICKET_MODELS
        for field in model._meta.concrete_fields
    )


def _ticket_read(ticket: str) -> ServiceTicket | None:
    if not _raw_values_are_python(connection.vendor):
        return (
            ServiceTicket.objects.select_related("user", "connector__structure")
            .filter(ticket=ticket)
            .first()
        )
    with connection.cursor() as cursor:
        cursor.execute(_ticket_sql(), [ticket])
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for _alias, model in _TICKET_MODELS:
        fields = model._meta.concrete_fields
        values = row[start : start + len(fields)]
        start += len(fields)
        instances.append(
            model.from_db(connection.alias, [f.attname for f in fields], values)
        )
    found, user, connector, structure = instances
    connector.structure = structure
    found.user, found.connector = user, connector
    return found


def ticket_validate(
    *, ticket: str, service: str, renew: bool, request
) -> ServiceTicket:
    """Consume `ticket` for `service`; raises CasError with the spec's code.

    A ticket is consumed by its first validation, successful or not."""
    if not ticket or not service:
        raise _refused(
            "INVALID_REQUEST", "Les paramètres ticket et service sont requis.", request
        )
    if not ticket.startswith(TICKET_PREFIX):
        raise _refused(
            "INVALID_TICKET_SPEC",
            f"Le ticket {ticket!r} n'est pas un ticket de service.",
            request,
        )
    # One statement spends the ticket: of two concurrent validations, one wins.
    now = timezone.now()
    with transaction.atomic():
        _commit_without_waiting()
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ServiceTicket._meta.db_table} SET consumed_at = %s"  # noqa: S608
                " WHERE ticket = %s AND consumed_at IS NULL",
                [connection.ops.adapt_datetimefield_value(now), ticket],
            )
            first_use = cursor.rowcount
    found = _ticket_read(ticket)
    if found is None:
        raise _refused("INVALID_TICKET", f"Le ticket {ticket} est inconnu.", request)
    connector, user = found.connector, found.user
    if not first_use:
        raise _refused(
            "INVALID_TICKET",
            f"Le ticket {ticket} a déjà été utilisé.",
            request,
            connector,
            user,
        )
    if found.expires_at <= now:
        raise _refused(
            "INVALID_TICKET", f"Le ticket {ticket} a expiré.", request, connector, user
        )
    if found.service != service:
        raise _refused(
            "INVALID_SERVICE",
            f"Le ticket {ticket} n'a pas été émis pour ce service.",
            request,
            connector,
            user,
        )
    if renew and not found.from_new_login:
        raise _refused(
            "INVALID_TICKET",
            f"Le ticket {ticket} ne vient pas d'une saisie du mot de passe (renew).",
            request,
            connector,
            user,
        )
    # The connector right was checked when the ticket was issued, at most
    # NATI_CAS_TICKET_SECONDS ago; the account itself is checked again.
    if not user.is_active or user.merged_into_id or user.is_predeleted:
        raise _refused(
            "INVALID_TICKET",
            f"Le ticket {ticket} n'est plus valable pour cet utilisateur.",
            request,
            connector,
            user,
        )
    return found


def _refused(code, message, request, connector=None, user=None) -> CasError:
    refusal_record(code=code, request=request, connector=connector, user=user)
    return CasError(code, message)


# --- Attributes ----------------------------------------------------------------

PRONOTE_CATEGORIES = {
    Profile.PUPIL: "National_1",
    Profile.PARENT: "National_2",
    Profile.TEACHER: "National_3",
    Profile.STAFF: "National_4",
}
# National_5 (school life) has no function in nati's directory yet: it comes
# when the feeds bring a school-life function group.
FUNCTION_CATEGORIES = {
    GroupRole.DIRECTION: "National_6",
    GroupRole.DISTRICT_STAFF: "National_7",
}


@dataclass(frozen=True)
class Release:
    user: str
    attributes: list[tuple[str, str]]


def attributes_release(user: User, connector: Connector) -> Release:
    """What the connector's attribute profile releases about `user`: (name,
    value) pairs, a name repeated where the user has several values."""
    if connector.attribute_profile != AttributeProfile.PRONOTE:
        return Release(user.username, [])
    categories = (
        [PRONOTE_CATEGORIES[user.profile]] if user.profile in PRONOTE_CATEGORIES else []
    )
    roles = []
    if user.profile not in (Profile.PUPIL, Profile.PARENT):
        # Pupils and parents hold no function: their answer needs no query.
        roles = Membership.objects.filter(
            user=user, group__kind="function", group__role__in=FUNCTION_CATEGORIES
        ).values_list("group__role", flat=True)
    categories += sorted({FUNCTION_CATEGORIES[r] for r in roles} - set(categories))
    pairs = [
        ("user", user.username),
        ("nom", user.last_name),
        ("prenom", user.first_name),
    ]
    if user.birth_date:
        pairs.append(("dateNaissance", user.birth_date.strftime("%d/%m/%Y")))
    postal_code = user.postal_code or connector.structure.postal_code
    if postal_code:
        pairs.append(("codePostal", postal_code))
    pairs += [("categories", category) for category in categories]
    return Release(user.username, pairs)
