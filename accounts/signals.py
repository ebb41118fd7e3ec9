"""Authentication events into the audit log: ids and addresses, nothing else."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_delete, post_save

from accounts.cas.sessions import fresh_login_mark
from accounts.middleware import idle_stamp
from nati import cache
from nati.audit import audit_record


def _logged_in(sender, request, user, **kwargs):
    fresh_login_mark(request)
    # The idle clock starts at login, so the first pages write no session.
    idle_stamp(request)
    audit_record(action="auth.login", actor=user, target=user, request=request)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action="auth.logout", actor=user, target=user, request=request)


def _password_changed(sender, request, user, **kwargs):
    audit_record(
        action="auth.password_change", actor=user, target=user, request=request
    )


def _user_saved(sender, instance, **kwargs):
    cache.bump(cache.USER.format(user=instance.pk))


def _connector_changed(sender, **kwargs):
    # A connector's tile is kept with the directory's generation.
    cache.bump(cache.DIRECTORY)


def connect() -> None:
    from accounts.cas.models import Connector
    from accounts.models import User

    # A deleted or changed user is read again (their kept row logs them in).
    post_save.connect(_user_saved, sender=User, dispatch_uid="nati-cache-user")
    post_delete.connect(_user_saved, sender=User, dispatch_uid="nati-cache-user-gone")
    for signal in (post_save, post_delete):
        signal.connect(
            _connector_changed, sender=Connector, dispatch_uid=f"nati-cache-{signal}"
        )
    user_logged_in.connect(_logged_in, dispatch_uid="nati-audit-login")
    user_logged_out.connect(_logged_out, dispatch_uid="nati-audit-logout")
    for signal in (password_changed, password_set, password_reset):
        signal.connect(_password_changed, dispatch_uid=f"nati-audit-{id(signal)}")
