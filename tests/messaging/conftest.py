import pytest
from django.urls import reverse

from directory.models import Group, GroupKind, GroupRole


def class_group(klass, role):
    return Group.objects.get(klass=klass, kind=GroupKind.CLASS, role=role)


@pytest.fixture
def parents_cm1(world):
    return class_group(world.cm1, GroupRole.PARENTS)


@pytest.fixture
def send(client_for):
    """send(sender, users=[...], groups=[...], **fields) -> the response of the
    compose form's POST, as the browser would send it (no confirmation)."""

    def post(sender, users=(), groups=(), subject="Bonjour", body="Texte", **extra):
        data = {
            "subject": subject,
            "body": body,
            "users": [u.pk for u in users],
            "groups": [g.pk for g in groups],
            "action": "send",
            **extra,
        }
        return client_for(sender).post(reverse("messaging-compose"), data)

    return post


@pytest.fixture(autouse=True)
def _async_unsafe_restored():
    """tests/conftest.py's `browser` sets DJANGO_ALLOW_ASYNC_UNSAFE for good;
    left set, it fails the later `check --deploy` test. Put it back as found."""
    import os

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    yield
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before
