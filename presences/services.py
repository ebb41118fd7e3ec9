"""Every write of Présences. Keyword-only, one transaction each."""

import datetime as dt
import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from directory.models import ClassPupil, SchoolClass, Structure
from messaging.services import notification_post
from nati.audit import audit_record
from nati.dates import current_school_year
from presences import calendar, selectors
from presences.models import (
    DEFAULT_WEEK,
    PRESENCE_KINDS,
    AbsenceReason,
    Declaration,
    DeclarationState,
    Event,
    Exclusion,
    Half,
    Kind,
    LatenessReason,
    Mailing,
    MailingRecipient,
    Register,
    YearSettings,
)

logger = logging.getLogger(__name__)

# The territory's reasons, worded as its rule says. (code, label, justifiable)
DEFAULT_REASONS = [
    ("O", "Absence illégitime", False),
    ("A", "Maladie de l'enfant", True),
    ("B", "Décès d'un membre de la famille", True),
    ("C", "Maladie transmissible ou contagieuse d'un membre de la famille", True),
    ("D", "Réunion solennelle de famille", True),
    (
        "E",
        "Empêchement résultant de la difficulté accidentelle des communications",
        True,
    ),
    (
        "F",
        "Absence temporaire des personnes responsables lorsque les enfants les suivent",
        True,
    ),
]
DEFAULT_LATENESS_REASONS = [
    "Motif non valable",
    "Panne de réveil",
    "Retard de transport",
]


def _audit(action: str, actor: User, target, structure: Structure) -> None:
    audit_record(action=action, actor=actor, target=target, structure=structure)


def settings_changed(*, structure_id: int) -> None:
    """A new version of the school's year settings, exclusions and reasons: the
    call's cache of them (selectors.school_settings) reads them anew. Inside the
    change's transaction, so that it is drawn only if the change commits."""
    YearSettings.objects.filter(structure_id=structure_id).update(version=uuid.uuid4())


class InitialisationRefused(ValidationError):
    """Some classes have no teacher: their calls would have nobody to take them."""

    def __init__(self, class_names: list[str]):
        self.class_names = class_names
        super().__init__(
            "Initialisation impossible : aucun enseignant n'est rattaché à "
            + ", ".join(class_names)
            + ". Rattachez un enseignant à chaque classe dans la console."
        )


def reasons_ensure(*, structure: Structure) -> None:
    """The territory's default reasons of a school. Idempotent."""
    AbsenceReason.objects.bulk_create(
        [
            AbsenceReason(
                structure=structure,
                code=code,
                label=label,
                can_be_justified=justifiable,
                needs_regularisation=justifiable,
                alert_when_regularised=False,
                alert_when_not_regularised=True,
            )
            for code, label, justifiable in DEFAULT_REASONS
        ],
        ignore_conflicts=True,
    )
    existing = set(
        LatenessReason.objects.filter(structure=structure).values_list(
            "label", flat=True
        )
    )
    LatenessReason.objects.bulk_create(
        [
            LatenessReason(structure=structure, label=label)
            for label in DEFAULT_LATENESS_REASONS
            if label not in existing
        ]
    )
    settings_changed(structure_id=structure.pk)


def _exclusion_check(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError("La date de fin précède la date de début.")
    if start < timezone.localdate():
        raise ValidationError(
            "Une période d'exclusion commence aujourd'hui au plus tôt : un jour "
            "où l'appel était demandé ne peut pas être exclu après coup."
        )


@transaction.atomic
def year_initialise(
    *,
    structure: Structure,
    actor: User,
    start: dt.date,
    end: dt.date,
    morning: tuple[dt.time, dt.time] = (dt.time(8), dt.time(12)),
    afternoon: tuple[dt.time, dt.time] = (dt.time(14), dt.time(17)),
    week: dict[str, str] | None = None,
    holidays: list[tuple[str, dt.date, dt.date]] = (),
    school_year: int | None = None,
) -> YearSettings:
    """Initialise a school's year; refuses while a class has no teacher."""
    school_year = school_year or current_school_year()
    without_teacher = list(
        SchoolClass.objects.filter(
            structure=structure, school_year=school_year, teacher_links__isnull=True
        ).values_list("name", flat=True)
    )
    if without_teacher:
        raise InitialisationRefused(sorted(without_teacher))
    if end <= start:
        raise ValidationError("La fin de l'année doit suivre son début.")
    if morning[1] <= morning[0] or afternoon[1] <= afternoon[0]:
        raise ValidationError("Chaque demi-journée doit finir après avoir commencé.")
    if afternoon[0] < morning[1]:
        raise ValidationError("L'après-midi commence après la fin du matin.")

    year = YearSettings.objects.create(
        structure=structure,
        school_year=school_year,
        start=start,
        end=end,
        morning_start=morning[0],
        morning_end=morning[1],
        afternoon_start=afternoon[0],
        afternoon_end=afternoon[1],
        week=week or DEFAULT_WEEK,
        initialised_by=actor,
    )
    for label, first, last in holidays:
        _exclusion_check(first, last)
        Exclusion.objects.create(year=year, label=label, start=first, end=last)
    reasons_ensure(structure=structure)
    _audit("presences.year_initialise", actor, year, structure)
    return year


@transaction.atomic
def exclusion_add(
    *, year: YearSettings, label: str, start: dt.date, end: dt.date, actor: User
) -> Exclusion:
    _exclusion_check(start, end)
    exclusion = Exclusion.objects.create(year=year, label=label, start=start, end=end)
    settings_changed(structure_id=year.structure_id)
    _audit("presences.exclusion_add", actor, exclusion, year.structure)
    return exclusion


@transaction.atomic
def exclusion_remove(*, exclusion: Exclusion, actor: User) -> None:
    if exclusion.start < timezone.localdate():
        raise ValidationError(
            "Cette période a commencé : elle ne peut plus être supprimée."
        )
    _audit("presences.exclusion_remove", actor, exclusion, exclusion.year.structure)
    exclusion.delete()
    settings_changed(structure_id=exclusion.year.structure_id)


def _fields_set(obj, values: dict, allowed: set[str]) -> None:
    for name, value in values.items():
        if name not in allowed:
            raise ValueError(name)
        setattr(obj, name, value)


@transaction.atomic
def year_settings_update(*, year: YearSettings, actor: User, **values) -> None:
    _fields_set(
        year,
        values,
        {
            "absence_threshold",
            "lateness_threshold",
            "incident_threshold",
            "notebook_threshold",
            "count_without_reason",
        },
    )
    year.save(update_fields=list(values))
    settings_changed(structure_id=year.structure_id)
    _audit("presences.settings_update", actor, year, year.structure)


@transaction.atomic
def reason_update(*, reason: AbsenceReason, actor: User, **flags) -> None:
    _fields_set(
        reason,
        flags,
        {
            "label",
            "needs_regularisation",
            "counts_in_record",
            "alert_when_regularised",
            "alert_when_not_regularised",
        },
    )
    if not reason.can_be_justified:
        # O stays what the territory says: it cannot be regularised into a
        # justified absence, whatever the form sent.
        reason.needs_regularisation = False
    reason.save()
    settings_changed(structure_id=reason.structure_id)
    _audit("presences.reason_update", actor, reason, reason.structure)


@transaction.atomic
def lateness_reason_add(
    *, structure: Structure, label: str, actor: User
) -> LatenessReason:
    reason = LatenessReason.objects.create(structure=structure, label=label)
    settings_changed(structure_id=structure.pk)
    _audit("presences.lateness_reason_add", actor, reason, structure)
    return reason


# --- The call -----------------------------------------------------------------


def register_open(
    *, klass: SchoolClass, year: YearSettings, day: dt.date, half: str, actor: User
) -> tuple[Register, bool]:
    """The class's register of that half-day, created on first opening; and
    whether this call created it (then it has no mark yet).

    Lazy creation, not a bulk generation at initialisation: a change of the
    exclusions or of the classes during the year needs no clean-up, and the
    rush of 8:00 writes one row per class, not a year of them in advance.
    """
    values = _db_values(
        Register,
        klass_id=klass.pk,
        structure_id=klass.structure_id,
        date=day,
        half=half,
        starts_at=calendar.half_start(year, day, half),
        opened_by_id=actor.pk,
        full_class=False,
    )
    created = list(Register.objects.raw(_REGISTER_INSERT_SQL, values))
    if created:
        return created[0], True
    return Register.objects.get(klass_id=klass.pk, date=day, half=half), False


def _db_values(model, **values) -> dict:
    """`values` (by column) as the database takes them, for the SQL below."""
    fields = model._meta
    return {
        name: fields.get_field(name).get_db_prep_save(value, connection)
        for name, value in values.items()
    }


# One statement, whoever comes first: two teachers of the class opening it at
# the same instant get the same row.
_REGISTER_INSERT_SQL = """
INSERT INTO presences_register
    (klass_id, structure_id, date, half, starts_at, opened_by_id, full_class)
VALUES (%(klass_id)s, %(structure_id)s, %(date)s, %(half)s, %(starts_at)s,
        %(opened_by_id)s, %(full_class)s)
ON CONFLICT (klass_id, date, half) DO NOTHING
RETURNING *
"""

# A mark before validation: the slot's current event inserted or edited in
# place, by one statement that checks as it writes that the register is still
# open (a validated register takes corrections only).
_MARK_COLUMNS = [
    "register_id",
    "pupil_id",
    "structure_id",
    "klass_id",
    "date",
    "half",
    "kind",
    "slot",
    "at_time",
    "reason_id",
    "lateness_reason_id",
    "comment",
    "is_correction",
    "created_by_id",
    "created_at",
]
_MARK_UPSERT_SQL = """
INSERT INTO presences_event
    (register_id, pupil_id, structure_id, klass_id, date, half, kind, slot,
     at_time, reason_id, lateness_reason_id, comment, is_correction,
     created_by_id, created_at)
SELECT %(register_id)s, %(pupil_id)s, %(structure_id)s, %(klass_id)s, %(date)s,
       %(half)s, %(kind)s, %(slot)s, %(at_time)s, %(reason_id)s,
       %(lateness_reason_id)s, %(comment)s, %(is_correction)s,
       %(created_by_id)s, %(created_at)s
WHERE EXISTS (SELECT 1 FROM presences_register r
              WHERE r.id = %(register_id)s AND r.validated_at IS NULL)
ON CONFLICT (register_id, pupil_id, slot) WHERE replaced_at IS NULL
DO UPDATE SET kind = excluded.kind, at_time = excluded.at_time,
    reason_id = excluded.reason_id,
    lateness_reason_id = excluded.lateness_reason_id
RETURNING id, created_by_id
"""

# Validation: full_class computed by the statement that closes the register,
# so that a mark saved an instant before counts.
_VALIDATE_SQL = """
UPDATE presences_register
SET validated_at = %(now)s, validated_by_id = %(actor)s,
    changed_at = %(now)s, changed_by_id = %(actor)s,
    full_class = NOT EXISTS (
        SELECT 1 FROM presences_event e
        WHERE e.register_id = presences_register.id AND e.replaced_at IS NULL)
WHERE id = %(pk)s AND validated_at IS NULL
RETURNING full_class
"""


def _slot(kind: str) -> str:
    return "presence" if kind in PRESENCE_KINDS else kind


def mark_set(
    *,
    register: Register,
    pupil_id: int,
    slot: str,
    kind: str | None,
    actor: User,
    at_time: dt.time | None = None,
    reason: AbsenceReason | None = None,
    lateness_reason: LatenessReason | None = None,
    enrolled: bool = False,
) -> Event | None:
    """Set (kind) or withdraw (kind=None) a pupil's mark in one slot.

    Before validation the row is edited in place; after it, the old row is
    closed and a correction row opened, and the change is audited.
    `enrolled=True` says the caller fetched the pupil as one of the register's
    class (the call view does, to answer 404): the check is not made twice on
    the 8:00 hot path. A mark of an open register is one statement, atomic by
    itself; a correction is one transaction."""
    if kind is not None and _slot(kind) != slot:
        raise ValueError("kind does not fit slot")
    if not enrolled and not ClassPupil.objects.filter(
        klass_id=register.klass_id, user_id=pupil_id
    ):
        raise ValidationError("Cet élève n'est pas inscrit dans la classe.")
    if kind == Kind.ABSENCE:
        at_time, lateness_reason = None, None
    elif kind in (Kind.LATENESS, Kind.EARLY_LEAVE):
        reason = None
        at_time = at_time or timezone.localtime().time().replace(
            second=0, microsecond=0
        )
        if kind == Kind.EARLY_LEAVE:
            lateness_reason = None
    else:
        at_time, reason, lateness_reason = None, None, None
    values = {
        "kind": kind,
        "at_time": at_time,
        "reason": reason,
        "lateness_reason": lateness_reason,
    }

    if not register.is_validated:
        written, event = _mark_in_place(register, pupil_id, slot, actor, values)
        if written:
            return event
        # Validated meanwhile: the mark becomes a correction.
        register.refresh_from_db()
    return _mark_correct(register, pupil_id, slot, actor, values)


def _mark_in_place(register, pupil_id, slot, actor, values) -> tuple[bool, Event]:
    """The mark of an open register, one statement (no transaction needed);
    (False, None) if the register was validated in between."""
    if values["kind"] is None:
        deleted, _ = Event.objects.filter(
            register_id=register.pk,
            pupil_id=pupil_id,
            slot=slot,
            replaced_at__isnull=True,
            register__validated_at__isnull=True,
        ).delete()
        still_open = deleted or (
            Register.objects.filter(pk=register.pk, validated_at__isnull=True).exists()
        )
        return bool(still_open), None
    event = Event(
        **_event_fields(register, pupil_id, slot, actor),
        created_at=timezone.now(),
        **values,
    )
    columns = {column: getattr(event, column) for column in _MARK_COLUMNS}
    with connection.cursor() as cursor:
        cursor.execute(_MARK_UPSERT_SQL, _db_values(Event, **columns))
        row = cursor.fetchone()
    if row is None:
        return False, None
    event.pk, event.created_by_id = row[0], row[1]
    # An edited row keeps its creation time; the one the database holds is
    # not read back, for the caller shows none.
    return True, event


def _event_fields(register, pupil_id, slot, actor) -> dict:
    """A new event's fields that say where and by whom, the register's
    denormalised ones included."""
    return {
        "register_id": register.pk,
        "pupil_id": pupil_id,
        "slot": slot,
        "structure_id": register.structure_id,
        "klass_id": register.klass_id,
        "date": register.date,
        "half": register.half,
        "created_by": actor,
    }


@transaction.atomic
def _mark_correct(register, pupil_id, slot, actor, values) -> Event | None:
    """A change of a validated call: the current row closed, a correction row
    opened (unless the mark is withdrawn), the change audited."""
    kind = values["kind"]
    now = timezone.now()
    current = (
        Event.objects.filter(
            register=register, pupil_id=pupil_id, slot=slot, replaced_at__isnull=True
        )
        .select_for_update()
        .first()
    )
    unchanged = (current is None and kind is None) or (
        current is not None
        and all(
            getattr(current, f"{n}_id" if n.endswith("reason") else n)
            == (getattr(v, "pk", v))
            for n, v in values.items()
        )
    )
    if unchanged:
        return current
    if current is not None:
        current.replaced_at, current.replaced_by = now, actor
        current.save(update_fields=["replaced_at", "replaced_by"])
    result = None
    if kind is not None:
        result = Event.objects.create(
            **_event_fields(register, pupil_id, slot, actor),
            is_correction=True,
            **values,
        )
    _audit_correction(register, actor, pupil_id, slot, kind)
    # Who changed a validated call; before validation each event's
    # created_by already says who marked it (one write less a mark).
    Register.objects.filter(pk=register.pk).update(
        full_class=False, changed_at=now, changed_by=actor
    )
    if result is not None:
        _notify_on_commit(event_ids=[result.pk])
    return result


def _audit_correction(register, actor, pupil_id, slot, kind) -> None:
    audit_record(
        action="presences.call_correct",
        actor=actor,
        target=register,
        data={"pupil": pupil_id, "slot": slot, "kind": kind or ""},
    )


def register_validate(*, register: Register, actor: User) -> Register:
    """Close the call. Validating with no mark records a full class. One
    statement; a register validated meanwhile by someone else is read back."""
    if register.is_validated:
        return register
    now = timezone.now()
    params = {"now": _db_values(Register, validated_at=now)["validated_at"]}
    params |= {"actor": actor.pk, "pk": register.pk}
    with connection.cursor() as cursor:
        cursor.execute(_VALIDATE_SQL, params)
        row = cursor.fetchone()
    if row is None:
        register.refresh_from_db()
        return register
    register.validated_at, register.validated_by = now, actor
    register.changed_at, register.changed_by = now, actor
    register.full_class = bool(row[0])
    if not register.full_class:
        _notify_on_commit(register_id=register.pk)
    return register


def _notify_on_commit(**target) -> None:
    from presences.tasks import events_notify_task

    transaction.on_commit(lambda: events_notify_task.delay(**target))


_NOTICE = {
    Kind.ABSENCE: "Absence",
    Kind.LATENESS: "Retard",
    Kind.EARLY_LEAVE: "Départ anticipé",
}


@transaction.atomic
def events_notify(*, register_id: int | None = None, event_ids=None) -> int:
    """Tell each pupil's legal representatives of the marks of a validated call
    on their home page. Safe to run twice: notified rows are skipped."""
    events = Event.objects.filter(
        replaced_at__isnull=True, notified_at__isnull=True, kind__in=PRESENCE_KINDS
    ).select_related("pupil", "structure")
    if register_id is not None:
        events = events.filter(register_id=register_id)
    if event_ids is not None:
        events = events.filter(pk__in=event_ids)
    events = list(events)
    if not events:
        return 0
    parents = selectors.representatives_of({e.pupil_id for e in events})
    url = reverse("presences-family")
    halves = dict(Half.choices)
    for event in events:
        when = f"{event.date:%d/%m} ({halves[event.half].lower()})"
        notification_post(
            recipients=parents.get(event.pupil_id, []),
            kind="absence",
            text=f"{_NOTICE[event.kind]} de {event.pupil.first_name} le {when}",
            url=url,
            structure=event.structure,
        )
    Event.objects.filter(pk__in=[e.pk for e in events]).update(
        notified_at=timezone.now()
    )
    return len(events)


@transaction.atomic
def event_regularise(
    *, event: Event, reason: AbsenceReason, actor: User, comment: str = ""
) -> Event:
    """The director sets the reason and marks the absence regularised."""
    if event.kind != Kind.ABSENCE:
        raise ValidationError("Seule une absence se régularise.")
    if reason.structure_id != event.structure_id:
        raise ValidationError("Ce motif n'est pas celui de l'école.")
    event.reason = reason
    event.comment = comment or event.comment
    if reason.can_be_justified:
        event.regularised_at, event.regularised_by = timezone.now(), actor
    else:
        event.regularised_at, event.regularised_by = None, None
    event.save(update_fields=["reason", "comment", "regularised_at", "regularised_by"])
    audit_record(
        action="presences.regularise",
        actor=actor,
        target=event,
        structure=event.structure,
        data={"reason": reason.pk},
    )
    return event


# --- Families -----------------------------------------------------------------


@transaction.atomic
def declaration_create(
    *,
    parent: User,
    pupil: User,
    structure: Structure,
    start: dt.date,
    start_half: str,
    end: dt.date,
    end_half: str,
    reason: AbsenceReason,
    comment: str = "",
    attachment=None,
) -> Declaration:
    if (end, end_half) < (start, start_half):
        raise ValidationError("La fin de l'absence précède son début.")
    if reason.structure_id != structure.pk or not reason.can_be_justified:
        raise ValidationError("Choisissez un des motifs proposés.")
    declaration = Declaration.objects.create(
        parent=parent,
        pupil=pupil,
        structure=structure,
        start=start,
        start_half=start_half,
        end=end,
        end_half=end_half,
        reason=reason,
        comment=comment,
        attachment=attachment or "",
    )
    _audit("presences.declaration_create", parent, declaration, structure)
    return declaration


def declaration_half_days(declaration: Declaration, year: YearSettings):
    return [
        (day, half)
        for day, half in calendar.school_half_days(
            year, declaration.start, declaration.end, year.exclusions.all()
        )
        if (declaration.start, declaration.start_half)
        <= (day, half)
        <= (declaration.end, declaration.end_half)
    ]


@transaction.atomic
def declaration_accept(*, declaration: Declaration, actor: User) -> int:
    """Turn the declaration into justified absences on each school half-day it
    covers; returns how many half-days."""
    if declaration.state != DeclarationState.PENDING:
        raise ValidationError("Cette déclaration a déjà été traitée.")
    year = selectors.year_of(declaration.structure_id)
    klass = selectors.pupil_class(declaration.pupil_id, declaration.structure_id)
    if year is None or klass is None:
        raise ValidationError("L'élève n'a pas de classe cette année dans l'école.")
    now = timezone.now()
    half_days = declaration_half_days(declaration, year)
    for day, half in half_days:
        register, _ = register_open(
            klass=klass, year=year, day=day, half=half, actor=actor
        )
        event = mark_set(
            register=register,
            pupil_id=declaration.pupil_id,
            slot="presence",
            kind=Kind.ABSENCE,
            reason=declaration.reason,
            actor=actor,
        )
        Event.objects.filter(pk=event.pk).update(
            regularised_at=now, regularised_by=actor, declaration=declaration
        )
    declaration.state = DeclarationState.ACCEPTED
    declaration.processed_by, declaration.processed_at = actor, now
    declaration.save(update_fields=["state", "processed_by", "processed_at"])
    notification_post(
        recipients=[declaration.parent],
        kind="absence",
        text="Votre déclaration d'absence a été acceptée : absence justifiée.",
        url=reverse("presences-family"),
        structure=declaration.structure,
    )
    _audit("presences.declaration_accept", actor, declaration, declaration.structure)
    return len(half_days)


@transaction.atomic
def declaration_decline(*, declaration: Declaration, actor: User, answer: str) -> None:
    if declaration.state != DeclarationState.PENDING:
        raise ValidationError("Cette déclaration a déjà été traitée.")
    if not answer.strip():
        raise ValidationError("Dites en un mot pourquoi la déclaration est refusée.")
    declaration.state = DeclarationState.DECLINED
    declaration.answer = answer.strip()
    declaration.processed_by, declaration.processed_at = actor, timezone.now()
    declaration.save(update_fields=["state", "answer", "processed_by", "processed_at"])
    notification_post(
        recipients=[declaration.parent],
        kind="absence",
        text=f"Votre déclaration d'absence a été refusée : {declaration.answer}",
        url=reverse("presences-family"),
        structure=declaration.structure,
    )
    _audit("presences.declaration_decline", actor, declaration, declaration.structure)


# --- Merge ----------------------------------------------------------------------


def pupil_rows_move(*, kept: User, removed: User) -> None:
    """Move a pupil's events and declarations onto the kept account."""
    Event.objects.filter(pupil=removed).update(pupil=kept)
    Declaration.objects.filter(pupil=removed).update(pupil=kept)
    Declaration.objects.filter(parent=removed).update(parent=kept)
    MailingRecipient.objects.filter(pupil=removed).update(pupil=kept)
    MailingRecipient.objects.filter(representative=removed).update(representative=kept)


# --- Publipostage ---------------------------------------------------------------


@transaction.atomic
def mailing_create(
    *,
    structure: Structure,
    actor: User,
    channel: str,
    start: dt.date,
    end: dt.date,
    kinds: list[str],
    subject: str,
    body: str,
    recipients: list[dict],
) -> Mailing:
    """Record a mailing and its recipients, then queue its sending."""
    from presences.tasks import mailing_send_task

    if not recipients:
        raise ValidationError("Aucun destinataire : rien à envoyer.")
    mailing = Mailing.objects.create(
        structure=structure,
        created_by=actor,
        channel=channel,
        start=start,
        end=end,
        kinds=kinds,
        subject=subject,
        body=body,
    )
    for item in recipients:
        row = MailingRecipient.objects.create(
            mailing=mailing,
            pupil=item["pupil"],
            representative=item["representative"],
            address=item["address"],
            text=item["text"],
        )
        row.events.set(item["event_ids"])
    audit_record(
        action="presences.mailing_create",
        actor=actor,
        target=mailing,
        structure=structure,
        data={"recipients": len(recipients), "channel": channel},
    )
    transaction.on_commit(lambda: mailing_send_task.delay(mailing.pk))
    return mailing


def mailing_send(*, mailing_id: int) -> Mailing:
    """Send what is not sent yet; safe to run twice."""
    from presences.mailing import mailing_deliver

    mailing = Mailing.objects.get(pk=mailing_id)
    mailing_deliver(mailing)
    return mailing


@transaction.atomic
def message_template_create(
    *, structure: Structure, actor: User, name: str, subject: str, body: str
):
    from presences.models import MessageTemplate

    template = MessageTemplate.objects.create(
        structure=structure, name=name, subject=subject, body=body
    )
    _audit("presences.template_create", actor, template, structure)
    return template
