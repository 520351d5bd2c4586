"""Follow-up receipts: the secret a reporter keeps to add to their report later, without an account.

A receipt is derived from the reference number under the service's secret, so nothing has to be
stored to check one, and the intake keeps no table linking people to reports. 100 bits in
Crockford's base32, in groups of four: long enough that guessing is hopeless (and rate-limited),
short enough to copy onto paper.

Rotating the secret must not strand the reporters who kept a receipt: the intake keeps its retired
secrets (``HOTLINE_RETIRED_REFERENCE_SECRETS``) only to check receipts, and makes new ones with the
current secret alone.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Final

from contracts.reference_numbers import ALPHABET

_GROUPS: Final = 5
_GROUP: Final = 4
_DOMAIN: Final = b"hotline follow-up receipt v1\x00"
# Crockford's decoding rules: what people write for the characters the alphabet leaves out.
_READ_AS: Final = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def receipt_for(reference_number: str, secret: bytes) -> str:
    digest = hmac.new(secret, _DOMAIN + reference_number.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:13], "big")  # 104 bits; 100 are used
    chars = []
    for _ in range(_GROUPS * _GROUP):
        number, index = divmod(number, 32)
        chars.append(ALPHABET[index])
    return "-".join("".join(chars[i:i + _GROUP]) for i in range(0, len(chars), _GROUP))


def normalise(text: str) -> str:
    """What a person typed, in canonical form: upper case, no spaces, Crockford look-alikes mapped."""
    compact = "".join(text.upper().split()).replace("-", "").translate(_READ_AS)
    return "-".join(compact[i:i + _GROUP] for i in range(0, len(compact), _GROUP))


def matches(reference_number: str, receipt: str, secrets: Sequence[bytes]) -> bool:
    """Whether ``receipt`` belongs to ``reference_number`` under any of ``secrets`` (the current one,
    then the retired ones). Every secret is tried, so the time taken does not say which matched."""
    given = normalise(receipt).encode()
    found = False
    for secret in secrets:
        found |= hmac.compare_digest(given, receipt_for(reference_number, secret).encode())
    return found
