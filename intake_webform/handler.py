"""The web intake's hand-off: taking in a tip or a follow-up, whatever the door (HTML form or JSON API).

Order of work: validate everything (fields, then every attachment) before anything is kept;
store scrubbed attachments in the blob store; build the signal; make it durable (Kafka's ack or
the fsynced spool). Only then does the reporter get a reference number and a receipt.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from contracts import Topic
from contracts.events import AttachmentRef, SignalReceived
from contracts.reference_numbers import is_valid
from intake_webform.metrics import WebformMetrics
from intake_webform.receipts import matches, receipt_for
from intake_webform.submission import FieldError, FollowUpSubmission, TipSubmission, cross_check
from intake_webform.translate import follow_up_signal, to_signal
from services.runtime.attachments import AttachmentRejected, CleanAttachment, scrub
from services.runtime.blobs import BlobStore
from services.runtime.durable import DurableSender, Outcome

MIB = 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """An attachment as it arrived, before it is checked and scrubbed."""

    data: bytes
    filename: str | None
    declared_type: str | None


@dataclass(frozen=True)
class Limits:
    max_attachments: int
    max_attachment_bytes: int


@dataclass(frozen=True)
class Receipt:
    reference_number: str
    receipt: str | None  # None for a follow-up: the reporter already holds theirs
    signal_id: str
    outcome: Outcome


class Rejected(Exception):
    """The submission has problems a person can fix; nothing was kept."""

    def __init__(self, problems: list[FieldError], *, status: int = 422) -> None:
        super().__init__(", ".join(f"{p.field}:{p.code}" for p in problems))
        self.problems = problems
        self.status = status


class IdempotencyKeys:
    """Remembers which body an ``Idempotency-Key`` was first used with, to refuse a reuse for a
    different tip. Bounded and in memory: after a restart the derived submission id still makes a
    retry of the same body the same signal, and a different body a different one, so nothing is lost."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._seen: OrderedDict[str, str] = OrderedDict()

    def check(self, key_id: str, fingerprint: str) -> bool:
        fingerprint = hashlib.sha256(fingerprint.encode()).hexdigest()
        first = self._seen.setdefault(key_id, fingerprint)
        self._seen.move_to_end(key_id)
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
        return hmac.compare_digest(first, fingerprint)


class Intake:
    def __init__(
        self,
        *,
        sender: DurableSender,
        blobs: BlobStore,
        limits: Limits,
        secret: bytes,
        now: Callable[[], datetime],
        metrics: WebformMetrics,
        source: str = "/hotline/intake-webform",
        retired_secrets: Sequence[bytes] = (),
    ) -> None:
        self.sender = sender
        self.blobs = blobs
        self.limits = limits
        self._secret = secret
        # Receipts made before a rotation still prove a report; nothing new is made with these.
        self._receipt_secrets = (secret, *retired_secrets)
        self._now = now
        self.metrics = metrics
        self._source = source
        self.idempotency = IdempotencyKeys()

    @property
    def receipt_secrets(self) -> tuple[bytes, ...]:
        return self._receipt_secrets

    @property
    def source(self) -> str:
        return self._source

    def now(self) -> datetime:
        return self._now()

    # ------------------------------------------------------------ ids

    def _keyed(self, *parts: str) -> str:
        message = "\x00".join(parts).encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:40]

    def submission_id(self, kind: str, token: str | None, fingerprint: str) -> str:
        """The same token with the same content is the same submission (a retry, a double click);
        the same token with other content is a new one, so a reused key never swallows a tip."""
        if not token:
            return f"{kind}-{uuid.uuid4()}"
        return f"{kind}-{self._keyed('submission', kind, token, fingerprint)}"

    def idempotency_conflict(self, token: str, fingerprint: str) -> bool:
        return not self.idempotency.check(self._keyed("idempotency-key", token), fingerprint)

    # ------------------------------------------------------------ attachments

    async def _clean(self, uploads: list[Upload]) -> list[CleanAttachment]:
        if len(uploads) > self.limits.max_attachments:
            raise Rejected([FieldError("attachments", "attachment_too_many",
                                       {"count": self.limits.max_attachments})])
        cleaned: list[CleanAttachment] = []
        problems: list[FieldError] = []
        for upload in uploads:
            try:
                cleaned.append(await asyncio.to_thread(
                    scrub, upload.data, filename=upload.filename, declared_type=upload.declared_type,
                    max_bytes=self.limits.max_attachment_bytes))
            except AttachmentRejected as rejected:
                self.metrics.attachments_rejected.labels(code=rejected.code.value).inc()
                problems.append(FieldError("attachments", f"attachment_{rejected.code.value}", {
                    "name": rejected.filename or "?",
                    "limit": self.limits.max_attachment_bytes // MIB}))
        if problems:
            raise Rejected(problems)
        return cleaned

    async def _store(self, cleaned: list[CleanAttachment]) -> list[AttachmentRef]:
        references = []
        for attachment in cleaned:
            await asyncio.to_thread(self.blobs.put, attachment.data)
            self.metrics.attachments_stored.labels(media_type=attachment.media_type).inc()
            references.append(AttachmentRef(sha256=attachment.sha256, media_type=attachment.media_type,
                                            size_bytes=len(attachment.data), filename=attachment.filename))
        return references

    async def _deliver(self, signal: SignalReceived, kind: str) -> Outcome:
        outcome = await self.sender.accept(Topic.SIGNALS_RECEIVED, signal, source=self._source)
        self.metrics.accept(kind, outcome.value)
        return outcome

    # ------------------------------------------------------------ the two doors

    async def take_tip(
        self, tip: TipSubmission, uploads: list[Upload], *, submission_id: str, language: str
    ) -> Receipt:
        """Raises ``Rejected`` (fixable, nothing kept) or ``SpoolFull`` (cannot be made durable)."""
        problems = cross_check(tip)
        if problems:
            raise Rejected(problems)
        references = await self._store(await self._clean(uploads))
        signal = to_signal(tip, submission_id=submission_id, received_at=self._now(),
                           reference_secret=self._secret, attachments=references,
                           interface_language=language)
        outcome = await self._deliver(signal, "tip")
        return Receipt(reference_number=signal.reference_number,
                       receipt=receipt_for(signal.reference_number, self._secret),
                       signal_id=str(signal.signal_id), outcome=outcome)

    def check_follow_up(self, follow_up: FollowUpSubmission, uploads: list[Upload]) -> str:
        """The canonical reference number, once the receipt proves the reporter holds it."""
        reference = "".join(follow_up.reference_number.upper().split())
        if not is_valid(reference):
            raise Rejected([FieldError("reference_number", "reference_invalid")])
        if not matches(reference, follow_up.receipt, self._receipt_secrets):
            self.metrics.receipt_mismatches.inc()
            raise Rejected([FieldError("receipt", "receipt_mismatch")], status=403)
        if not follow_up.narrative and not uploads:
            raise Rejected([FieldError("narrative", "follow_up_empty")])
        return reference

    async def take_follow_up(
        self, follow_up: FollowUpSubmission, uploads: list[Upload], *, submission_id: str, language: str
    ) -> Receipt:
        reference = self.check_follow_up(follow_up, uploads)
        references = await self._store(await self._clean(uploads))
        signal = follow_up_signal(follow_up, original_reference=reference, submission_id=submission_id,
                                  received_at=self._now(), reference_secret=self._secret,
                                  attachments=references, interface_language=language)
        outcome = await self._deliver(signal, "follow_up")
        return Receipt(reference_number=reference, receipt=None, signal_id=str(signal.signal_id),
                       outcome=outcome)
