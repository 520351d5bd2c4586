"""Reference numbers a reporter can read out on the phone: no ambiguous characters, with a check character."""

from __future__ import annotations

import hashlib
import re
from typing import Final

# Crockford's base32 alphabet: no I, L, O or U, so nothing reads as 1, 0 or a rude word.
ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BODY_LENGTH: Final = 8
# What people write for what the alphabet means (Crockford's decoding): O for 0, I or L for 1.
_LOOKALIKES: Final = str.maketrans("OIL", "011")
# Between the groups: nothing, a dash (any of Unicode's, as mail clients and phones substitute
# them) or spaces, on one line ("HT 7K3M Q9XW4" is how a number is read out and written down).
_GAP: Final = r"[ \t\u00a0\u2007\u202f\-\u2010-\u2015\u2212]{0,3}"
WRITTEN: Final = re.compile(
    rf"(?<![0-9A-Za-z])HT{_GAP}([0-9A-Za-z]{{4}}){_GAP}([0-9A-Za-z]{{5}})(?![0-9A-Za-z])", re.IGNORECASE)


def _luhn_sum(codes: list[int], *, double_first: bool) -> int:
    # Luhn mod N over the base-32 values, from the right: catches every single substitution
    # and almost every swap of neighbours, the two mistakes people make reading a number out.
    n = len(ALPHABET)
    total, factor = 0, 2 if double_first else 1
    for code in reversed(codes):
        addend = factor * code
        total += addend // n + addend % n
        factor = 3 - factor
    return total


def _check_char(body: str) -> str:
    n = len(ALPHABET)
    remainder = _luhn_sum([ALPHABET.index(c) for c in body], double_first=True) % n
    return ALPHABET[(n - remainder) % n]


def reference_for(signal_id: str, secret: bytes) -> str:
    """``HT-XXXX-XXXXC``: derived from the signal id under a secret, so a retried intake gets the
    same number and nobody without the secret can guess another reporter's number."""
    # BLAKE2b takes keys of up to 64 bytes; a longer secret is reduced first rather than refused.
    key = secret if len(secret) <= 64 else hashlib.sha256(secret).digest()
    digest = hashlib.blake2b(signal_id.encode(), key=key, digest_size=10).digest()
    number = int.from_bytes(digest, "big")
    body = ""
    for _ in range(_BODY_LENGTH):
        number, index = divmod(number, 32)
        body += ALPHABET[index]
    return f"HT-{body[:4]}-{body[4:]}{_check_char(body)}"


def is_valid(reference: str) -> bool:
    """Whether ``reference`` (any case, spaces ignored) is well formed with a matching check character."""
    text = reference.upper().replace(" ", "")
    if not text.startswith("HT-") or len(text) != len("HT-XXXX-XXXXC"):
        return False
    body = text[3:7] + text[8:-1]
    if text[7] != "-" or any(c not in ALPHABET for c in body + text[-1]):
        return False
    codes = [ALPHABET.index(c) for c in body + text[-1]]
    return _luhn_sum(codes, double_first=False) % len(ALPHABET) == 0


def _shaped(match: re.Match[str]) -> str:
    body = (match[1] + match[2]).upper().translate(_LOOKALIKES)
    return f"HT-{body[:4]}-{body[4:]}"


def canonical(text: str) -> str | None:
    """``HT-XXXX-XXXXC`` for a valid reference number however it was written (any case, with
    spaces, other dashes or none, O for 0 and I or L for 1); None when ``text`` is not one or its
    check character does not hold."""
    match = WRITTEN.fullmatch(text.strip())
    if match is None:
        return None
    number = _shaped(match)
    return number if is_valid(number) else None


def find_written(text: str) -> tuple[str, ...]:
    """Every reference number written in ``text``, in order and once each, as ``HT-XXXX-XXXXX``:
    the canonical number when its check character holds, else as written (``is_valid`` tells)."""
    return tuple(dict.fromkeys(_shaped(match) for match in WRITTEN.finditer(text)))
