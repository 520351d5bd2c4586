"""Building the web intake in-process for tests: an app around a publisher, with its own spool and blobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from intake_webform.handler import Intake, Limits
from intake_webform.metrics import WebformMetrics
from intake_webform.ratelimit import GlobalBudget, RateLimiter
from intake_webform.source import build_app
from services.runtime import Publisher
from services.runtime.blobs import BlobStore
from services.runtime.durable import DurableSender
from services.runtime.spool import Spool

SECRET = b"test-secret-0123456789abcdef0123"
NOW = datetime(2026, 3, 16, 14, 0, tzinfo=UTC)


@dataclass
class Webform:
    app: FastAPI
    intake: Intake
    sender: DurableSender
    spool: Spool
    blobs: BlobStore
    limiter: RateLimiter


def build_webform(
    tmp_path: Path,
    publisher: Publisher,
    *,
    publish_timeout: float = 2.0,
    spool_max_records: int = 1000,
    max_attachments: int = 3,
    max_attachment_bytes: int = 2 * 1024 * 1024,
    max_request_bytes: int = 8 * 1024 * 1024,
    rate_per_client: int | None = 1000,
    rate_global_per_s: float = 10_000.0,
    rate_global_burst: int = 10_000,
    secret: bytes = SECRET,
    retired_secrets: tuple[bytes, ...] = (),
) -> Webform:
    spool = Spool(tmp_path / "spool", max_records=spool_max_records, max_bytes=64 * 1024 * 1024)
    budget = GlobalBudget(per_s=rate_global_per_s, burst=rate_global_burst)
    sender = DurableSender(publisher, spool, publish_timeout=publish_timeout, backoff_initial=0.05,
                           backoff_max=0.5, budget=budget)
    blobs = BlobStore(tmp_path / "blobs")
    intake = Intake(sender=sender, blobs=blobs, limits=Limits(max_attachments, max_attachment_bytes),
                    secret=secret, now=lambda: NOW, metrics=WebformMetrics(), retired_secrets=retired_secrets)
    limiter = RateLimiter(per_client=rate_per_client, window_s=600)
    app = build_app(intake=intake, limiter=limiter, max_request_bytes=max_request_bytes)
    return Webform(app=app, intake=intake, sender=sender, spool=spool, blobs=blobs, limiter=limiter)
