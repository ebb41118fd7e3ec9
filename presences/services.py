"""Every write of Présences. Keyword-only, one transaction each."""

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
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
    _audit("presences.reason_update", actor, reason, reason.structure)


@transaction.atomic
def lateness_reason_add(
    *, structure: Structure, label: str, actor: User
) -> LatenessReason:
    reason = LatenessReason.objects.create(structure=structure, label=label)
    _audit("presences.lateness_reason_add", actor, reason, structure)
    return reason


# --- The call -----------------------------------------------------------------


def register_open(
    *, klass: SchoolClass, year: YearSettings, day: dt.date, half: str, actor: User
) -> Register:
    """The class's register of that half-day, created on first opening.

    Lazy creation, not a bulk generation at initialisation: a change of the
    exclusions or of the classes during the year needs no clean-up, and the
    rush of 8:00 writes one row per class, not a year of them in advance.
    """
    register = Register.objects.filter(klass=klass, date=day, half=half).first()
    if register is not None:
        return register
    try:
        with transaction.atomic():
            return Register.objects.create(
                klass=klass,
                structure_id=klass.structure_id,
                date=day,
                half=half,
                starts_at=calendar.half_start(year, day, half),
                opened_by=actor,
            )
    except IntegrityError:
        # Two teachers of the class opened it at the same instant.
        return Register.objects.get(klass=klass, date=day, half=half)


def _slot(kind: str) -> str:
    return "presence" if kind in PRESENCE_KINDS else kind


@transaction.atomic
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
    the 8:00 hot path."""
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

    now = timezone.now()
    current = (
        Event.objects.filter(
            register=register, pupil_id=pupil_id, slot=slot, replaced_at__isnull=True
        )
        .select_for_update()
        .first()
    )
    values = {
        "kind": kind,
        "at_time": at_time,
        "reason": reason,
        "lateness_reason": lateness_reason,
    }
    result = current
    if not register.is_validated:
        if kind is None:
            if current is not None:
                current.delete()
            result = None
        elif current is not None:
            for name, value in values.items():
                setattr(current, name, value)
            current.save(update_fields=[*values])
        else:
            result = Event.objects.create(
                register=register,
                pupil_id=pupil_id,
                slot=slot,
                structure_id=register.structure_id,
                klass_id=register.klass_id,
                date=register.date,
                half=register.half,
                created_by=actor,
                **values,
            )
    else:
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
                register=register,
                pupil_id=pupil_id,
                slot=slot,
                structure_id=register.structure_id,
                klass_id=register.klass_id,
                date=register.date,
                half=register.half,
                created_by=actor,
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


@transaction.atomic
def register_validate(*, register: Register, actor: User) -> Register:
    """Close the call. Validating with no mark records a full class."""
    if register.is_validated:
        return register
    now = timezone.now()
    has_marks = Event.objects.filter(
        register=register, replaced_at__isnull=True
    ).exists()
    register.validated_at, register.validated_by = now, actor
    register.full_class = not has_marks
    register.changed_at, register.changed_by = now, actor
    register.save(
        update_fields=[
            "validated_at",
            "validated_by",
            "full_class",
            "changed_at",
            "changed_by",
        ]
    )
    if has_marks:
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
        register = register_open(
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
