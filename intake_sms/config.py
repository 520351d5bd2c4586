"""Settings of the SMS intake (``HOTLINE_*`` environment variables)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator

from intake_sms.wording import CarrierReplies, hotline_names_in
from services.runtime.blob_keys import BlobKeySettings

_DEV_SECRET = "dev-only-reference-secret"  # noqa: S105 - refused outside dev below
_DEV_TWILIO = "dev-only-twilio-token"
MIB = 1024 * 1024


class SmsSettings(BlobKeySettings):
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8086, ge=0, le=65535)
    # Keys reference numbers and the texters' keyed hashes. The phone intake's secret: the same
    # person's calls and texts then carry the same key. 32+ random bytes outside dev.
    reference_secret: SecretStr = SecretStr(_DEV_SECRET)
    default_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")

    # Twilio signs every webhook with the account's auth token over the URL it called: set the
    # public URL exactly as configured in Twilio (scheme, host, port), never what a proxy forwards.
    twilio_auth_token: SecretStr = SecretStr(_DEV_TWILIO)
    twilio_public_url: str = "http://127.0.0.1:8086"
    # The account (AC...) whose credentials fetch MMS media and send texts.
    twilio_account_sid: str | None = Field(default=None, pattern=r"^AC[0-9a-fA-F]{32}$")
    # Who texts come from: the hotline's short code or number, or a Messaging Service (MG...).
    sms_from: str = "233733"
    twilio_messaging_service_sid: str | None = Field(default=None, pattern=r"^MG[0-9a-fA-F]{32}$")
    twilio_api_url: str = "https://api.twilio.com"
    # How texts go out: "twilio" (its Messages API) or "record" (appended to sms_outbox_file and
    # sent nowhere: the local run and the tests). Production needs twilio.
    sms_sender: Literal["twilio", "record"] = "record"
    sms_outbox_file: Path = Path(".local/sms/outbox.jsonl")

    # Conversation state (threads, opt-outs, the numbers replies go to), spool and media.
    state_dir: Path = Path(".local/sms")
    spool_dir: Path = Path(".local/sms/spool")
    spool_max_records: int = Field(default=10_000, ge=1)
    spool_max_bytes: int = Field(default=256 * MIB, ge=1024)
    # How long Twilio's webhook waits for Kafka's ack before the text goes to the spool instead.
    publish_timeout_s: float = Field(default=3.0, gt=0, le=10)
    blob_dir: Path = Path(".local/sms/blobs")
    # Where MMS media may be fetched from with the account's credentials; plain http only on
    # loopback, and only outside production.
    media_hosts: list[str] = Field(default_factory=lambda: ["api.twilio.com"])
    max_media_bytes: int = Field(default=5 * MIB, ge=1024)
    # All media of one message, within Twilio's 15 s webhook timeout.
    media_timeout_s: float = Field(default=8.0, gt=0, le=12)

    # A text from the same sender within this long of their previous one joins that conversation.
    conversation_window_hours: float = Field(default=24.0, gt=0)
    # A texter's number is kept (for supervisors' replies) this long after their last text, then
    # forgotten; their opt-out is kept for good, as a keyed hash.
    number_retention_days: float = Field(default=30.0, gt=0)
    # The hotline's names: no text the intake sends contains one unless the texter used it first.
    hotline_names: list[str] = Field(default_factory=lambda: [
        "National Human Trafficking Hotline", "Human Trafficking Hotline", "Trafficking Hotline"])
    # Answer STOP, HELP and START as carriers require. Off where Twilio's Advanced Opt-Out
    # already answers them (the opt-out is recorded either way).
    keyword_replies: bool = True
    reply_stop: str = CarrierReplies.stop
    reply_help: str = CarrierReplies.help
    reply_start: str = CarrierReplies.start
    # A texter who opted in (START) gets one acknowledgement, with the reference number, when a
    # new conversation of theirs opens. Nobody else is ever answered automatically.
    acknowledge_opted_in: bool = True
    reply_acknowledge: str = CarrierReplies.acknowledge

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Self:
        if self.environment != "dev" and self.reference_secret.get_secret_value() == _DEV_SECRET:
            raise ValueError("set HOTLINE_REFERENCE_SECRET outside dev (32+ random bytes)")
        if self.environment == "production":
            if self.twilio_auth_token.get_secret_value() == _DEV_TWILIO:
                raise ValueError("set HOTLINE_TWILIO_AUTH_TOKEN in production")
            if self.sms_sender != "twilio" or not self.twilio_account_sid:
                raise ValueError("production sends through Twilio: set HOTLINE_SMS_SENDER=twilio and "
                                 "HOTLINE_TWILIO_ACCOUNT_SID")
        for name in ("reply_stop", "reply_help", "reply_start", "reply_acknowledge"):
            if hotline_names_in(getattr(self, name), self.hotline_names):
                raise ValueError(f"HOTLINE_{name.upper()} names the hotline: automatic texts never do")
        if "{reference}" not in self.reply_acknowledge:
            raise ValueError("HOTLINE_REPLY_ACKNOWLEDGE must say {reference} (the reference number)")
        return self

    def carrier_replies(self) -> CarrierReplies:
        return CarrierReplies(stop=self.reply_stop, help=self.reply_help, start=self.reply_start,
                              acknowledge=self.reply_acknowledge)

    @property
    def state_file(self) -> Path:
        return self.state_dir / "sms-state.sqlite3"
