"""Calls taken through the services, as a teacher's clicks would take them."""

import datetime as dt

from presences import services


def call(year, klass, day, half, teacher, marks=(), validate=True):
    """marks: (pupil, kind, reason-or-None) tuples."""
    register, _ = services.register_open(
        klass=klass, year=year, day=day, half=half, actor=teacher
    )
    for pupil, kind, reason in marks:
        services.mark_set(
            register=register,
            pupil_id=pupil.pk,
            slot="presence" if kind in ("absence", "late", "left") else kind,
            kind=kind,
            reason=reason,
            at_time=dt.time(8, 20) if kind in ("late", "left") else None,
            actor=teacher,
        )
    if validate:
        services.register_validate(register=register, actor=teacher)
    return register


def cm1_absence(world, year, day, pupil=None, reason=None, kind="absence"):
    """A validated morning call of CM1 with one mark (Māhina absent by default)."""
    return call(
        year,
        world.cm1,
        day,
        "am",
        world.teacher_cm1,
        [(pupil or world.pupil_cm1, kind, reason)],
    )
