"""Reversible encryption of provisional passwords, keyed on SECRET_KEY.

A provisional password is a one-time credential printed on a letter; it is kept
encrypted (never hashed) so that the school can print the letter again, and it
is wiped as soon as its owner chooses a password.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(
        b"nati.provisional-password:" + settings.SECRET_KEY.encode()
    ).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secret_encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def secret_decrypt(token: str) -> str | None:
    """The text, or None when the token is not ours (rotated SECRET_KEY)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None
