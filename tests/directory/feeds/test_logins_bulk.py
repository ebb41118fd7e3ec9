"""New accounts of a large delivery get the logins logins_allocate would give."""

from accounts.models import Profile, User
from accounts.services import logins_allocate
from directory.feeds import apply


def test_bulk_logins_are_those_of_logins_allocate(db, monkeypatch):
    User.objects.create(username="teva.amaru", profile=Profile.PARENT)
    User.objects.create(username="teva.amaru3", profile=Profile.PARENT)
    User.objects.create(username="moana.tepa2", profile=Profile.PARENT)
    names = [("Teva", "Amaru"), ("Moana", "Tepa"), ("Tēva", "Amaru")] * 40
    names += [("Hinano", "Flosse"), ("", ""), ("Moana", "Tepa")]
    expected = logins_allocate(names)

    monkeypatch.setattr(apply, "_LOGINS_IN_BULK", 0)
    logins = apply._logins_allocate(names)

    assert logins == expected
    assert len(set(logins)) == len(logins)
    assert logins[:4] == ["teva.amaru2", "moana.tepa", "teva.amaru4", "teva.amaru5"]
