"""Pure translation of a tip or a follow-up into a ``SignalReceived`` (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts import signal_id_for
from contracts.events import (
    AgeRange,
    AttachmentRef,
    Channel,
    ContactDetails,
    DeclaredFacts,
    Location,
    RelatedSignal,
    Reporter,
    SafeContact,
    SignalReceived,
    Victim,
    WebformSource,
)
from contracts.reference_numbers import reference_for
from intake_webform.submission import FollowUpSubmission, TipSubmission


def _location(tip: TipSubmission) -> Location | None:
    if not any((tip.location_city, tip.location_state, tip.location_zip, tip.location_details)):
        return None
    return Location(state=tip.location_state, city=tip.location_city, zip_code=tip.location_zip,
                    description=tip.location_details)


def _victims(tip: TipSubmission) -> list[Victim]:
    described = any((tip.victim_count, tip.victim_age is not None, tip.victim_age_low is not None,
                     tip.victim_age_high is not None)) or tip.victim_gender.value != "unknown" \
        or tip.victim_nationality.value != "unknown"
    if not described:
        return []
    age_range = None
    if tip.victim_age_low is not None or tip.victim_age_high is not None:
        low = tip.victim_age_low if tip.victim_age_low is not None else 0
        high = tip.victim_age_high if tip.victim_age_high is not None else 120
        age_range = AgeRange(low=low, high=high)
    return [Victim(count=tip.victim_count or 1, age=tip.victim_age, age_range=age_range,
                   gender=tip.victim_gender, nationality=tip.victim_nationality)]


def _reporter(tip: TipSubmission, interface_language: str) -> Reporter:
    contact = None
    if not tip.anonymous and tip.has_contact():
        contact = ContactDetails(name=tip.contact_name, email=tip.contact_email, phone=tip.contact_phone)
    safe = None
    if any((tip.safe_times, tip.safe_contact_instructions, tip.voicemail_ok, tip.text_ok,
            tip.safe_time_zone)):
        safe = SafeContact(safe_times=tip.safe_times, voicemail_ok=tip.voicemail_ok, text_ok=tip.text_ok,
                           instructions=tip.safe_contact_instructions, time_zone=tip.safe_time_zone)
    return Reporter(role=tip.reporter_role, anonymous=tip.anonymous,
                    consent_to_contact=tip.consent_to_contact and contact is not None,
                    consent_to_share=tip.consent_to_share, contact=contact, safe_contact=safe,
                    preferred_language=tip.preferred_language or interface_language)


def _webform_signal(
    submission_id: str, received_at: datetime, secret: bytes, **content: Any
) -> SignalReceived:
    """Every web signal's identity: the submission id decides the dedup key, the signal id and the
    reference number, so a retried submission is the same signal."""
    dedup_key = f"webform:{submission_id}"
    signal_id = signal_id_for(Channel.WEBFORM, dedup_key)
    return SignalReceived(signal_id=signal_id, reference_number=reference_for(str(signal_id), secret),
                          channel=Channel.WEBFORM, received_at=received_at,
                          source=WebformSource(submission_id=submission_id), dedup_key=dedup_key, **content)


def to_signal(
    tip: TipSubmission,
    *,
    submission_id: str,
    received_at: datetime,
    reference_secret: bytes,
    attachments: list[AttachmentRef] | None = None,
    interface_language: str = "en",
) -> SignalReceived:
    return _webform_signal(
        submission_id, received_at, reference_secret,
        reporter=_reporter(tip, interface_language),
        narrative=tip.narrative,
        facts=DeclaredFacts(victims=_victims(tip), location=_location(tip), danger_now=tip.danger_now,
                            trafficking_type=tip.trafficking_type),
        attachments=attachments or [],
    )


def follow_up_signal(
    follow_up: FollowUpSubmission,
    *,
    original_reference: str,
    submission_id: str,
    received_at: datetime,
    reference_secret: bytes,
    attachments: list[AttachmentRef] | None = None,
    interface_language: str = "en",
) -> SignalReceived:
    """A follow-up is a new signal of its own, linked to the report by its reference number."""
    return _webform_signal(
        submission_id, received_at, reference_secret,
        reporter=Reporter(preferred_language=interface_language),
        narrative=follow_up.narrative,
        attachments=attachments or [],
        related=RelatedSignal(relation="follow_up", reference_number=original_reference),
    )
