"""Reference numbers a reporter can read out on the phone: no ambiguous characters, with a check character."""

from __future__ import annotations

import hashlib
from typing import Final

# Crockford's base32 alphabet: no I, L, O or U, so nothing reads as 1, 0 or a rude word.
ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BODY_LENGTH: Final = 8


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
