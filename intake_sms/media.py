"""MMS media: fetched with the account's credentials, scrubbed like the web form's attachments (the
runtime's ``attachments.scrub``), stored by sha256 in the blob store. Never on Kafka.

A medium that cannot be fetched (gone, refused, too slow, from a host that is not the provider's)
or cannot be scrubbed (a video, a type the scrubber does not know, too large) is not dropped in
silence: the signal's ``source.media`` says what became of each, so the case says so.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from contracts.events import AttachmentRef, SmsMedia
from intake_sms.translate import MediaItem
from services.runtime.attachments import AttachmentRejected, scrub
from services.runtime.blobs import BlobStore

log = logging.getLogger(__name__)


class MediaUnavailable(Exception):
    """A medium could not be fetched; ``reason`` is a code for the event (never the URL)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MediaFetcher(Protocol):
    async def fetch(self, url: str, *, max_bytes: int) -> bytes:
        """The medium's bytes. Raises ``MediaUnavailable``."""


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class TwilioMediaFetcher:
    """Twilio's media URLs, with HTTP Basic (account SID and auth token) when media are protected.

    Only ``hosts`` are asked, over https (plain http only to a loopback host, for local runs and
    tests): a credential is never sent anywhere else. Twilio answers with a redirect to its
    storage; httpx drops the Authorization header when a redirect leaves the origin.
    """

    def __init__(self, client: httpx.AsyncClient, *, hosts: Sequence[str], account_sid: str | None,
                 auth_token: str, allow_loopback_http: bool) -> None:
        self._client = client
        self._hosts = frozenset(h.lower() for h in hosts)
        self._auth = httpx.BasicAuth(account_sid, auth_token) if account_sid else None
        self._loopback_http = allow_loopback_http

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host not in self._hosts:
            return False
        return parts.scheme == "https" or (parts.scheme == "http" and self._loopback_http and _loopback(host))

    async def fetch(self, url: str, *, max_bytes: int) -> bytes:
        if not url:
            raise MediaUnavailable("no_url")
        if not self._allowed(url):
            raise MediaUnavailable("host_not_allowed")
        try:
            async with self._client.stream("GET", url, auth=self._auth or httpx.USE_CLIENT_DEFAULT,
                                           follow_redirects=True) as response:
                if response.status_code != 200:
                    raise MediaUnavailable(f"http_{response.status_code}")
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise MediaUnavailable("too_large")
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.TimeoutException:
            raise MediaUnavailable("fetch_timeout") from None
        except httpx.HTTPError as error:
            raise MediaUnavailable("fetch_error") from error


@dataclass(frozen=True)
class TakenMedia:
    media: list[SmsMedia]
    attachments: list[AttachmentRef]


async def take_media(items: Sequence[MediaItem], *, fetcher: MediaFetcher, blobs: BlobStore, max_bytes: int,
                     timeout_s: float) -> TakenMedia:
    """Fetch, scrub and store every medium, within ``timeout_s`` for all of them together."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    media: list[SmsMedia] = []
    attachments: list[AttachmentRef] = []
    for item in items:
        common = {"media_sid": item.media_sid, "declared_type": item.declared_type}
        try:
            data = await asyncio.wait_for(fetcher.fetch(item.url, max_bytes=max_bytes),
                                          max(deadline - loop.time(), 0.001))
        except TimeoutError:
            media.append(SmsMedia(**common, outcome="unavailable", reason="fetch_timeout"))
            continue
        except MediaUnavailable as error:
            log.warning("MMS medium not fetched", extra={"reason": error.reason})
            media.append(SmsMedia(**common, outcome="unavailable", reason=error.reason))
            continue
        try:
            clean = await asyncio.to_thread(scrub, data, filename=None, declared_type=item.declared_type,
                                            max_bytes=max_bytes)
        except AttachmentRejected as rejected:
            media.append(SmsMedia(**common, outcome="refused", reason=rejected.code.value))
            continue
        await asyncio.to_thread(blobs.put, clean.data)
        media.append(SmsMedia(**common, outcome="stored", sha256=clean.sha256))
        attachments.append(AttachmentRef(sha256=clean.sha256, media_type=clean.media_type,
                                         size_bytes=len(clean.data)))
    return TakenMedia(media=media, attachments=attachments)
