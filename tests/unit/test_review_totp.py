"""TOTP (RFC 6238) and recovery codes, pure and with the time injected: the RFC's own test vectors."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from services.review import totp

pytestmark = pytest.mark.unit

# RFC 6238, appendix B: the seeds are these ASCII strings; the codes are eight digits.
SEEDS = {"sha1": b"12345678901234567890", "sha256": b"12345678901234567890123456789012",
         "sha512": b"1234567890123456789012345678901234567890123456789012345678901234"}
VECTORS = [  # (Unix time, SHA1, SHA256, SHA512)
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


def _b32(seed: bytes) -> str:
    return base64.b32encode(seed).decode("ascii")


@pytest.mark.parametrize(("unix", "sha1", "sha256", "sha512"), VECTORS)
def test_the_codes_are_rfc_6238s(unix: int, sha1: str, sha256: str, sha512: str) -> None:
    when = datetime.fromtimestamp(unix, UTC)
    for digest, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        secret = _b32(SEEDS[digest])
        assert totp.code_at(secret, totp.step_at(when), digits=8, digest=digest) == expected
        assert totp.matching_step(secret, expected, when, digits=8, digest=digest) == totp.step_at(when)


def test_one_step_either_side_is_accepted_and_two_are_not() -> None:
    secret, when = totp.new_secret(), datetime(2031, 3, 4, 9, 0, 15, tzinfo=UTC)
    now = totp.step_at(when)
    for offset in (-1, 0, 1):
        assert totp.matching_step(secret, totp.code_at(secret, now + offset), when) == now + offset
    for offset in (-2, 2):
        code = totp.code_at(secret, now + offset)
        if code not in {totp.code_at(secret, now + o) for o in (-1, 0, 1)}:  # a one-in-a-million clash
            assert totp.matching_step(secret, code, when) is None


def test_what_is_typed_is_read_kindly_but_only_digits_of_the_right_length_count() -> None:
    secret, when = totp.new_secret(), datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
    code = totp.code_at(secret, totp.step_at(when))
    assert totp.matching_step(secret, f" {code[:3]} {code[3:]} ", when) == totp.step_at(when)
    for wrong in ("", code[:5], code + "0", "abcdef", "\uff11\uff12\uff13\uff14\uff15\uff16"):
        assert totp.matching_step(secret, wrong, when) is None
    with pytest.raises(ValueError, match="timezone"):
        totp.step_at(datetime(2031, 3, 4, 9, 0))  # naive: the point of the test


def test_a_secret_is_160_bits_and_reads_in_groups_of_four() -> None:
    secret = totp.new_secret()
    assert len(base64.b32decode(secret)) == 20 and secret != totp.new_secret()
    groups = totp.grouped(secret).split(" ")
    assert all(len(g) == 4 for g in groups) and "".join(groups) == secret


def test_the_app_link_and_its_qr_code_name_the_issuer_and_carry_the_secret() -> None:
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, "sam", "Example Hotline")
    parts = urlsplit(uri)
    query = parse_qs(parts.query)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp") and parts.path.endswith("sam")
    assert query["secret"] == [secret] and query["issuer"] == ["Example Hotline"]
    svg = totp.qr_svg(uri)  # inline markup for the page, no script, nothing fetched
    assert svg.startswith("<svg") and svg.endswith("</svg>") and "<path" in svg
    assert "script" not in svg and "href" not in svg


def test_recovery_codes_are_80_random_bits_and_read_however_they_are_typed() -> None:
    codes = totp.new_recovery_codes()
    assert len(codes) == totp.RECOVERY_CODES == len(set(codes))
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", c) for c in codes)
    digest = totp.recovery_digest(codes[0])
    assert digest == hashlib.sha256(codes[0].replace("-", "").encode()).hexdigest()
    assert totp.recovery_digest(" " + codes[0].lower().replace("-", " ") + " ") == digest
    assert totp.recovery_digest("0000-1111-2222-3333") == totp.recovery_digest("oooo-iiii-2222-3333")
    assert totp.recovery_digest("123456") is None and totp.recovery_digest("UUUU-UUUU-UUUU-UUUU") is None
    assert totp.is_totp_shaped("123 456") and not totp.is_totp_shaped(codes[0])


def test_steps_are_thirty_seconds() -> None:
    start = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
    assert totp.step_at(start + timedelta(seconds=29)) == totp.step_at(start)
    assert totp.step_at(start + timedelta(seconds=30)) == totp.step_at(start) + 1
