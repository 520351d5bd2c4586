"""Second-factor codes, pure and with the time passed in: TOTP (RFC 6238, through pyotp) and recovery codes.

A TOTP code is six digits from the account's secret and the current 30-second time step. A code
is accepted for the step before and the step after the current one as well (``WINDOW``): phones
drift, and people type slowly. Which step matched is returned, so the caller can refuse that step,
and every earlier one, the next time (a code seen over a shoulder or in a proxy log is spent).

Recovery codes are 80 random bits written as four groups of four Crockford base32 characters,
for the day the phone is lost. Only their SHA-256 is kept: at 80 bits, guessing a code from its
digest is out of reach, so a slow hash would only slow the sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from typing import Final

import pyotp
import segno

__all__ = [
    "DIGITS",
    "RECOVERY_CODES",
    "STEP_SECONDS",
    "WINDOW",
    "code_at",
    "grouped",
    "is_totp_shaped",
    "matching_step",
    "new_recovery_codes",
    "new_secret",
    "provisioning_uri",
    "qr_svg",
    "recovery_digest",
    "step_at",
]

STEP_SECONDS: Final = 30
DIGITS: Final = 6
WINDOW: Final = 1  # steps accepted either side of now
RECOVERY_CODES: Final = 10
_CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# What people type for what they read: O for 0, I or L for 1 (Crockford's reading rules).
_READ_AS: Final = str.maketrans({"O": "0", "I": "1", "L": "1"})
_RECOVERY: Final = re.compile(rf"[{_CROCKFORD}]{{16}}")
_ASCII_DIGITS: Final = re.compile(r"[0-9]+")
_DIGESTS: Final = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def new_secret() -> str:
    """A fresh TOTP secret: 160 random bits (RFC 4226's recommended length) in base32."""
    return pyotp.random_base32(32)


def _totp(secret: str, digits: int = DIGITS, digest: str = "sha1") -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=digits, digest=_DIGESTS[digest], interval=STEP_SECONDS)


def step_at(when: datetime) -> int:
    """The RFC 6238 time step (``T``) of a timezone-aware time."""
    if when.tzinfo is None:
        raise ValueError("TOTP needs a timezone-aware time")
    return int(when.timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """The code of ``secret`` for time step ``step``."""
    return _totp(secret, digits, digest).generate_otp(step)


def is_totp_shaped(typed: str) -> bool:
    """Whether what was typed is meant as an app's code (digits) rather than a recovery code."""
    return _ASCII_DIGITS.fullmatch(re.sub(r"[\s-]", "", typed)) is not None


def matching_step(secret: str, typed: str, when: datetime, *, window: int = WINDOW, digits: int = DIGITS,
                  digest: str = "sha1") -> int | None:
    """The time step whose code ``typed`` is, within ``window`` steps of ``when``; None if none."""
    code = re.sub(r"[\s-]", "", typed)
    # ASCII digits only: str.isdigit() also takes other scripts' digits, which no app shows.
    if len(code) != digits or _ASCII_DIGITS.fullmatch(code) is None:
        return None
    now = step_at(when)
    found = None
    for step in range(now - window, now + window + 1):
        # Every step is compared (no early exit), each in constant time.
        if hmac.compare_digest(code_at(secret, step, digits=digits, digest=digest), code):
            found = step if found is None else found
    return found


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app reads from the QR code."""
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (no image file, no script; fits the pages' CSP)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff",
                                                     title="QR code for your authenticator app"))


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """``count`` fresh recovery codes, written ``XXXX-XXXX-XXXX-XXXX``."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_CROCKFORD) for _ in range(16))
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
    return codes


def recovery_digest(typed: str) -> str | None:
    """The stored form of a recovery code however it was typed (case, spaces, hyphens, O for 0);
    None when it cannot be one."""
    code = re.sub(r"[\s-]", "", typed.upper()).translate(_READ_AS)
    if not _RECOVERY.fullmatch(code):
        return None
    return hashlib.sha256(code.encode("ascii")).hexdigest()
