"""Building the SMS intake in-process for tests: the app around a publisher, with its own state,
spool, blobs, a recording sender and media served by an httpx mock of Twilio."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from twilio.request_validator import RequestValidator

from intake_sms.conversations import ConversationStore
from intake_sms.handler import AutoReplies, TextIntake
from intake_sms.media import TwilioMediaFetcher
from intake_sms.metrics import SmsMetrics
from intake_sms.outbound import RecordingSender
from intake_sms.source import build_app
from intake_sms.wording import CarrierReplies
from services.runtime import Publisher
from services.runtime.blobs import BlobStore
from services.runtime.durable import DurableSender
from services.runtime.spool import Spool

TOKEN = "twilio-test-auth-token"
ACCOUNT = "AC" + "0" * 32
PUBLIC = "https://hotline.example.org"
SECRET = b"test-secret-0123456789abcdef0123"
NAMES = ("National Human Trafficking Hotline", "Trafficking Hotline")
T0 = datetime(2026, 3, 16, 14, 0, tzinfo=UTC)
MEDIA_HOST = "api.twilio.com"
_SIDS = itertools.count(1)


def message_sid() -> str:
    return f"SM{next(_SIDS):032x}"


def params(body: str, *, sender: str = "+12145550123", sid: str | None = None,
           media: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:
    """A messaging webhook's parameters as Twilio sends them (fake 555 numbers)."""
    found = {"MessageSid": sid or message_sid(), "SmsMessageSid": "", "AccountSid": ACCOUNT,
             "From": sender, "To": "233733", "Body": body, "NumMedia": str(len(media)), "NumSegments": "1"}
    found["SmsMessageSid"] = found["MessageSid"]
    for index, (url, media_type) in enumerate(media):
        found[f"MediaUrl{index}"] = url
        found[f"MediaContentType{index}"] = media_type
    return found


def signature(path: str, form: dict[str, str], *, token: str = TOKEN) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(PUBLIC + path, form)}


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Sms:
    app: FastAPI
    intake: TextIntake
    store: ConversationStore
    spool: Spool
    blobs: BlobStore
    texts: RecordingSender
    clock: Clock
    media: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # url -> (status, bytes) served
    media_requests: list[httpx.Request] = field(default_factory=list)

    def close(self) -> None:
        self.store.close()


def build_sms(tmp_path: Path, publisher: Publisher, *, window_hours: float = 24.0,
              publish_timeout: float = 2.0, clock: Clock | None = None,
              store_path: Path | None = None) -> Sms:
    clock = clock or Clock()
    spool = Spool(tmp_path / "spool", max_records=100, max_bytes=16 * 1024 * 1024)
    sender = DurableSender(publisher, spool, publish_timeout=publish_timeout, backoff_initial=0.05,
                           backoff_max=0.5)
    store = ConversationStore(store_path or tmp_path / "state" / "sms-state.sqlite3",
                              window=timedelta(hours=window_hours), number_retention=timedelta(days=30))
    blobs = BlobStore(tmp_path / "blobs")
    texts = RecordingSender()
    served: dict[str, tuple[int, bytes]] = {}
    requests: list[httpx.Request] = []

    def twilio_media(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        status, data = served.get(str(request.url), (404, b""))
        return httpx.Response(status, content=data)

    client = httpx.AsyncClient(transport=httpx.MockTransport(twilio_media))
    fetcher = TwilioMediaFetcher(client, hosts=[MEDIA_HOST], account_sid=ACCOUNT, auth_token=TOKEN,
                                 allow_loopback_http=True)
    intake = TextIntake(sender=sender, store=store, fetcher=fetcher, blobs=blobs, texts=texts,
                        auto=AutoReplies(CarrierReplies()), secret=SECRET, hotline_names=NAMES, now=clock,
                        metrics=SmsMetrics())
    app = build_app(intake=intake, twilio_auth_token=TOKEN, public_url=PUBLIC)
    return Sms(app=app, intake=intake, store=store, spool=spool, blobs=blobs, texts=texts, clock=clock,
               media=served, media_requests=requests)


def media_url(n: int) -> str:
    return f"https://{MEDIA_HOST}/2010-04-01/Accounts/{ACCOUNT}/Messages/MM{n:032x}/Media/ME{n:032x}"

