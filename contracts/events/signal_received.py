"""``SignalReceived``: one signal taken in by any intake, in the one shape everything downstream reads."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from contracts._base import ContractModel, Event
from contracts.events._common import (
    Answer,
    CallType,
    Channel,
    DeclaredTraffickingType,
    Gender,
    Nationality,
    ReporterRole,
    Urgency,
)

ReferenceNumber = Annotated[str, Field(pattern=r"^[0-9A-Z]{2,8}(-[0-9A-Z]{2,8}){1,4}$", max_length=32)]
LanguageTag = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35)]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
ShortText = Annotated[str, Field(max_length=500)]
TimeZoneName = Annotated[str, Field(pattern=r"^[A-Za-z]+(/[A-Za-z0-9_+-]+){0,2}$", max_length=64)]

MAX_NARRATIVE_CHARS = 200_000


# ---------------------------------------------------------------- where it came from


class WebformSource(ContractModel):
    """A submission of the web tip form or its JSON API."""

    kind: Literal["webform"] = "webform"
    submission_id: Annotated[str, Field(min_length=1, max_length=128)]


class EmailSource(ContractModel):
    """A message in a hotline mailbox. UIDVALIDITY + UID locate it; Message-ID threads it."""

    kind: Literal["email"] = "email"
    mailbox: Annotated[str, Field(min_length=1, max_length=256)]
    uidvalidity: Annotated[int, Field(ge=1)]
    uid: Annotated[int, Field(ge=1)]
    message_id: Annotated[str, Field(max_length=998)] | None = None
    # Auto-replies and bounces are recorded like any mail, marked so triage can set them aside.
    automated: Literal["auto_reply", "bounce"] | None = None
    # The narrative is the whole text; its first ``newest_chars`` characters are the newest
    # message, before quoted history and signatures.
    newest_chars: Annotated[int, Field(ge=0)] | None = None
    # The whole message as received, in the email intake's blob store: review's retention purge
    # deletes it by this name. None in signals taken in before it was carried.
    raw_sha256: Sha256Hex | None = None


class CallDetails(ContractModel):
    """What the telephony system recorded about a call (no caller number: see ``caller_key``)."""

    started_at: AwareDatetime | None = None
    answered_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    duration_s: Annotated[int, Field(ge=0)] | None = None
    billable_s: Annotated[int, Field(ge=0)] | None = None
    disposition: Annotated[str, Field(max_length=32)] | None = None
    direction: Literal["inbound", "outbound", "unknown"] = "unknown"


class Interpreter(ContractModel):
    """An interpreter on the call, as the call specialist recorded it."""

    language: LanguageTag
    minutes: Annotated[int, Field(ge=0, le=24 * 60)] | None = None


class PhoneSource(ContractModel):
    """A call: what the telephony system recorded, or what the call specialist wrote up."""

    kind: Literal["phone"] = "phone"
    call_id: Annotated[str, Field(min_length=1, max_length=128)]
    fragment: Literal["call_record", "recording", "transcription", "specialist_report"]
    system: Annotated[str, Field(min_length=1, max_length=64)]
    # Repeat-caller correlation without the number: HMAC of the E.164 number under a secret.
    caller_key: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")] | None = None
    # Derived from the number (area code), a hint for jurisdiction, never a declared fact.
    caller_region_hint: Annotated[str, Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")] | None = None
    call: CallDetails | None = None
    interpreter: Interpreter | None = None


class SmsMedia(ContractModel):
    """One medium of an MMS as Twilio listed it, and what became of it. Stored media are also in
    the signal's ``attachments`` (by sha256); the others say why they are not."""

    media_sid: Annotated[str, Field(pattern=r"^ME[0-9a-fA-F]{32}$")] | None = None
    declared_type: Annotated[str, Field(max_length=127)] | None = None
    # stored: fetched, scrubbed and in the blob store; refused: fetched, but not a type that can be
    # scrubbed (or too large); unavailable: could not be fetched from the provider.
    outcome: Literal["stored", "refused", "unavailable"]
    sha256: Sha256Hex | None = None
    reason: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")] | None = None

    @model_validator(mode="after")
    def _stored_has_digest(self) -> SmsMedia:
        if (self.outcome == "stored") != (self.sha256 is not None):
            raise ValueError("a stored medium has a sha256, and only a stored one")
        return self


class SmsSource(ContractModel):
    """A text message (SMS, or MMS with media) to the hotline's number.

    The sender's number is never here (as for callers): ``sender_key`` is the same keyed hash as
    a caller's ``caller_key``, so one person's texts and calls correlate; the region hint is
    derived from the number. Messages from one sender within the intake's window are one
    conversation: ``conversation_id`` is its first message's signal id.
    """

    kind: Literal["sms"] = "sms"
    message_sid: Annotated[str, Field(pattern=r"^[A-Z]{2}[0-9a-fA-F]{32}$")]
    system: Annotated[str, Field(min_length=1, max_length=64)] = "twilio"
    sender_key: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")] | None = None
    sender_region_hint: Annotated[str, Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")] | None = None
    conversation_id: UUID
    # 1 for the message that opened the conversation, then 2, 3, ...
    sequence: Annotated[int, Field(ge=1)] = 1
    # The whole message was a carrier keyword (STOP, HELP, START and their synonyms). It is a
    # signal like any other text: "HELP" sent to a hotline may be exactly that.
    keyword: Literal["stop", "help", "start"] | None = None
    num_media: Annotated[int, Field(ge=0, le=10)] = 0
    media: list[SmsMedia] = Field(default_factory=list, max_length=10)


SourceReference = Annotated[
    WebformSource | EmailSource | PhoneSource | SmsSource, Field(discriminator="kind")
]


# ---------------------------------------------------------------- who reported it


class ContactDetails(ContractModel):
    """Identifying data. Carried only in the event value (never headers, logs or metrics)."""

    name: ShortText | None = None
    email: Annotated[str, Field(max_length=320)] | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    other: ShortText | None = None


class SafeContact(ContractModel):
    """How the hotline may reach the reporter without putting them at risk."""

    safe_times: ShortText | None = None
    voicemail_ok: bool = False
    text_ok: bool = False
    instructions: Annotated[str, Field(max_length=2000)] | None = None
    # The zone ``safe_times`` are meant in (an IANA name such as America/Chicago), when the reporter
    # said; None: not said (a reader uses a zone named in the words, else the hotline's).
    time_zone: TimeZoneName | None = None


class Reporter(ContractModel):
    role: ReporterRole = ReporterRole.UNKNOWN
    anonymous: bool = True
    consent_to_contact: bool = False
    consent_to_share: bool = False
    contact: ContactDetails | None = None
    safe_contact: SafeContact | None = None
    preferred_language: LanguageTag | None = None

    @model_validator(mode="after")
    def _anonymous_reporters_have_no_contact(self) -> Reporter:
        if self.anonymous and self.contact is not None:
            raise ValueError("an anonymous reporter cannot carry contact details")
        return self


# ---------------------------------------------------------------- what the reporter declared


class AgeRange(ContractModel):
    low: Annotated[int, Field(ge=0, le=120)]
    high: Annotated[int, Field(ge=0, le=120)]

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.low > self.high:
            raise ValueError("age range low must not exceed high")
        return self


class Victim(ContractModel):
    """One potential victim, or a group described alike (``count`` > 1)."""

    count: Annotated[int, Field(ge=1, le=100_000)] = 1
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    age_range: AgeRange | None = None
    gender: Gender = Gender.UNKNOWN
    nationality: Nationality = Nationality.UNKNOWN


class Location(ContractModel):
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "US"
    state: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    city: ShortText | None = None
    zip_code: Annotated[str, Field(pattern=r"^\d{5}(-\d{4})?$")] | None = None
    description: Annotated[str, Field(max_length=2000)] | None = None


class DeclaredFacts(ContractModel):
    """Structured facts as given on a form or by a call specialist; triage weighs them with the text."""

    victims: list[Victim] = Field(default_factory=list, max_length=200)
    location: Location | None = None
    danger_now: Answer = Answer.NOT_ASKED
    trafficking_type: DeclaredTraffickingType = DeclaredTraffickingType.NOT_STATED
    call_type: CallType | None = None
    # The urgency a call specialist judged; triage weighs it with its own rules.
    urgency: Urgency | None = None


class AttachmentRef(ContractModel):
    """An attachment by reference: the bytes live in the blob store, never in Kafka."""

    sha256: Sha256Hex
    media_type: Annotated[str, Field(pattern=r"^[a-z0-9.+-]+/[a-z0-9.+-]+$", max_length=127)]
    size_bytes: Annotated[int, Field(ge=0)]
    filename: Annotated[str, Field(max_length=255)] | None = None


class RelatedSignal(ContractModel):
    """A follow-up, reply or another fragment of the same call."""

    relation: Literal["follow_up", "reply", "same_call"]
    signal_id: UUID | None = None
    reference_number: ReferenceNumber | None = None

    @model_validator(mode="after")
    def _points_somewhere(self) -> RelatedSignal:
        if self.signal_id is None and self.reference_number is None:
            raise ValueError("a related signal needs a signal_id or a reference_number")
        return self


# ---------------------------------------------------------------- the event


class SignalReceived(Event):
    """A signal taken in by an intake and made durable. Key: ``signal_id``."""

    EVENT_TYPE = "org.hotline.signal.received"
    VERSION = 1

    signal_id: UUID
    reference_number: ReferenceNumber
    channel: Channel
    received_at: AwareDatetime
    source: SourceReference
    dedup_key: Annotated[str, Field(min_length=8, max_length=256)]
    reporter: Reporter = Field(default_factory=Reporter)
    subject: Annotated[str, Field(max_length=1000)] | None = None
    narrative: Annotated[str, Field(max_length=MAX_NARRATIVE_CHARS)] = ""
    facts: DeclaredFacts = Field(default_factory=DeclaredFacts)
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=100)
    related: RelatedSignal | None = None

    @model_validator(mode="after")
    def _source_matches_channel(self) -> SignalReceived:
        if self.source.kind != self.channel.value:
            raise ValueError(f"source kind {self.source.kind!r} does not match channel")
        return self

    def event_id(self) -> str:
        return str(self.signal_id)

    def partition_key(self) -> str:
        return str(self.signal_id)
