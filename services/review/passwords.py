"""The staff password policy: what is too weak to accept, and the one normal form a password is
hashed and checked in."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["MAX_PASSWORD", "MIN_PASSWORD", "normalise", "password_problem"]

MIN_PASSWORD: Final = 12
MAX_PASSWORD: Final = 1024
# Words whose variants ("Password2024!") are the first guesses of anyone trying accounts here.
_GUESSABLE: Final = frozenset({"password", "passwort", "qwerty", "qwertyuiop", "letmein", "welcome", "admin",
                               "administrator", "supervisor", "analyst", "hotline", "trafficking", "secret",
                               "changeme", "iloveyou", "abc", "abcdef", "abcdefghijkl", "monkey", "dragon"})


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is too weak for a staff account, or None. Length first (NIST SP 800-63B):
    at least 12 characters, not the username, not a common word with digits, not a short repeat."""
    if len(password) < MIN_PASSWORD:
        return f"the password must be at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"the password must be at most {MAX_PASSWORD} characters"
    lowered = password.lower()
    if username and len(username) >= 3 and username.lower() in lowered:
        return "the password must not contain the username"
    if len(set(lowered)) < 6:
        return "the password repeats too few characters; use a passphrase of several words"
    if re.sub(r"[^a-z]", "", lowered) in _GUESSABLE or lowered.strip("0123456789!?.#@$%&*_- ") in _GUESSABLE:
        return "the password is a common word with digits or symbols; use a passphrase of several words"
    return None


def normalise(password: str) -> str:
    # The same passphrase typed on another keyboard (composed or decomposed accents) is the same.
    return unicodedata.normalize("NFKC", password)
