"""Signed webhooks: a receiver accepts the signed body once fresh, and nothing else."""

from __future__ import annotations

from services.reporting.signing import signed_headers, verify

SECRET = b"contact-secret"
BODY = b'{"reference_number":"HT-ABCD-EFGH1"}'


def test_a_fresh_signed_body_verifies() -> None:
    assert verify(SECRET, signed_headers(SECRET, 1_000_000, BODY, "report-x-0-0"), BODY, now=1_000_100)


def test_a_changed_body_another_secret_or_an_old_timestamp_is_rejected() -> None:
    headers = signed_headers(SECRET, 1_000_000, BODY, "report-x-0-0")
    assert not verify(SECRET, headers, BODY + b" ", now=1_000_000)
    assert not verify(b"other-secret", headers, BODY, now=1_000_000)
    assert not verify(SECRET, headers, BODY, now=1_000_301)  # replayed after the 5-minute window
    assert not verify(SECRET, {**headers, "X-Hotline-Timestamp": "soon"}, BODY, now=1_000_000)
