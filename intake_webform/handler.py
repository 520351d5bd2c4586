"""Taking in one tip: translate, publish, answer with the reference number once Kafka has it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from contracts import Topic
from intake_webform.translate import TipSubmission, to_signal
from services.runtime import Publisher


@dataclass(frozen=True)
class Receipt:
    reference_number: str
    signal_id: str


async def take_in(
    submission: TipSubmission,
    *,
    submission_id: str,
    publisher: Publisher,
    now: Callable[[], datetime],
    reference_secret: bytes,
) -> Receipt:
    """Publish the tip and return its receipt. Raises ``PublishError`` if Kafka did not ack it."""
    signal = to_signal(submission, submission_id=submission_id, received_at=now(),
                       reference_secret=reference_secret)
    # The reference number goes back to the reporter only after the broker acknowledged the
    # record with acks=all: a number for a tip we do not hold would be a broken promise.
    await publisher.publish(Topic.SIGNALS_RECEIVED, signal)
    return Receipt(reference_number=signal.reference_number, signal_id=str(signal.signal_id))
