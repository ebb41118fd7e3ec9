"""Text helpers shared by search, imports and login generation."""

import unicodedata


def ascii_fold(text: str) -> str:
    """Drop accents, macrons and the ʻokina: 'Tūmata Teʻi' -> 'Tumata Tei'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")


def normalise_name(text: str) -> str:
    """Lowercase ASCII words separated by one space, for search and matching."""
    folded = ascii_fold(text).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in folded).split())


def user_search_name(user) -> str:
    """What the directory searches in; bulk writers must set it themselves."""
    return normalise_name(f"{user.last_name} {user.first_name} {user.username}")
