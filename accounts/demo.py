"""The demo's CAS connector: Pronote for the École Arthur Rimbaud (9840001D)."""

from accounts.cas.models import AttributeProfile, Connector
from accounts.cas.services import connector_attribution_set, connector_create
from directory.models import Group, GroupKind, GroupRole, Structure

DEMO_UAI = "9840001D"
PRONOTE_PATTERN = "https://demo.index-education.net/pronote/*"
PRONOTE_LAUNCH = "https://demo.index-education.net/pronote/"
PROFILES = [GroupRole.PUPILS, GroupRole.PARENTS, GroupRole.TEACHERS, GroupRole.STAFF]


def seed_pronote() -> None:
    """Idempotent: a second run finds the connector and its four profiles."""
    school = Structure.objects.filter(uai=DEMO_UAI).first()
    if school is None:
        return
    connector = Connector.objects.filter(
        structure=school, service_pattern=PRONOTE_PATTERN
    ).first() or connector_create(
        structure=school,
        name="Pronote",
        service_pattern=PRONOTE_PATTERN,
        launch_url=PRONOTE_LAUNCH,
        attribute_profile=AttributeProfile.PRONOTE,
    )
    groups = Group.objects.filter(
        structure=school, kind=GroupKind.PROFILE, role__in=PROFILES
    ).values_list("pk", flat=True)
    connector_attribution_set(connector=connector, group_ids=set(groups), actor=None)
