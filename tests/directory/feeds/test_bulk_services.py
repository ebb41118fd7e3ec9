"""The bulk variants the import uses give what the one-by-one services give."""

from directory import services
from directory.models import AppRight, CommunicationRule, Group, SchoolClass, Structure


def _shape(structure, klass=None):
    groups = Group.objects.filter(structure=structure, klass=klass)
    return {
        "groups": set(groups.values_list("kind", "role", "inner_communication")),
        "rules": set(
            CommunicationRule.objects.filter(source__in=groups).values_list(
                "source__role", "target__role"
            )
        ),
        "rights": set(
            AppRight.objects.filter(group__in=groups).values_list("group__role", "app")
        ),
    }


def test_schools_create_matches_structure_create(db):
    one = services.structure_create(kind="school", name="Une", uai="9840001D")
    [many] = services.schools_create(
        schools=[Structure(name="Deux", uai="9840002E")], parent=None
    )

    assert _shape(many) == _shape(one)
    assert many.path == f"/{many.pk}/"


def test_classes_groups_ensure_matches_class_create(db):
    school = services.structure_create(kind="school", name="Une", uai="9840001D")
    one = services.class_create(structure=school, school_year=2026, name="CM1")
    many = SchoolClass.objects.create(structure=school, school_year=2026, name="CM2")

    services.classes_groups_ensure(classes=[many])

    assert _shape(school, many) == _shape(school, one)
