"""The web intake process on a broker of its own that goes away: tips are acknowledged from the
spool while it is down and arrive exactly once when it is back; no client address, user agent or
referrer appears in any log line, event, spooled or stored file."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from contracts import CODEC, Topic
from contracts.events import SignalReceived
from deploy.localkafka import Broker
from services.runtime import RuntimeSettings
from services.runtime.provision import provision
from services.runtime.topic_reader import read_whole_topic
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess, free_port

# What a client sends that must never be kept. The client connects from 127.0.0.2 on purpose.
CLIENT_ADDRESS = "127.0.0.2"
FORWARDED = "203.0.113.77"
USER_AGENT = "Mozilla/5.0 (X11; Linux) UniqueTestAgent/42.0"
REFERRER = "https://referrer.example/secret-page"
MARKERS = (CLIENT_ADDRESS, FORWARDED, "UniqueTestAgent", "referrer.example", "Jane Reporter")


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    broker = Broker(state_dir=tmp_path / "kafka", port=0)
    broker.start()
    yield broker
    broker.stop()


def _gps_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = "Jane Reporter"  # Artist
    exif.get_ifd(0x8825).update({1: "N", 2: (32.0, 46.0, 45.0), 3: "W", 4: (96.0, 48.0, 0.0)})
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


async def _send(client: httpx.AsyncClient, port: int, n: int, *, with_photo: bool = False) -> dict[str, str]:
    headers = {
        "User-Agent": USER_AGENT,
        "X-Forwarded-For": FORWARDED,
        "Referer": REFERRER,
        "Idempotency-Key": f"durability-{n}",
    }
    if with_photo:
        response = await client.post(
            f"http://127.0.0.1:{port}/en/tip",
            headers=headers,
            data={"narrative": f"Tip {n} with a photo.", "submission_token": f"t{n}"},
            files={"attachments": ("IMG_0001.jpg", _gps_jpeg(), "image/jpeg")},
        )
        assert response.status_code == 200, response.text
        return {"narrative": f"Tip {n} with a photo."}
    response = await client.post(
        f"http://127.0.0.1:{port}/api/v1/tips",
        headers=headers,
        json={"narrative": f"Tip number {n}.", "location_state": "TX"},
    )
    assert response.status_code == 202, response.text
    return {"narrative": f"Tip number {n}.", "reference_number": response.json()["reference_number"]}


async def _spool_gauge(client: httpx.AsyncClient, ops_port: int) -> float:
    text = (await client.get(f"http://127.0.0.1:{ops_port}/metrics")).text
    [value] = [line.split(" ")[1] for line in text.splitlines()
               if line.startswith("hotline_webform_spool_records ")]
    return float(value)


async def test_tips_taken_while_the_broker_is_down_arrive_exactly_once_and_nothing_identifies_the_client(
    own_broker: Broker, tmp_path: Path
) -> None:
    settings = RuntimeSettings(
        kafka_bootstrap=own_broker.bootstrap,
        topic_prefix="dur.",
        environment="test",
        kafka_request_timeout_ms=10_000,
    )
    # ops.events too: the intake's heartbeats go there, as in any deployment.
    await provision(settings, create=True, topics=(Topic.SIGNALS_RECEIVED, Topic.OPS_EVENTS))
    http_port = free_port()
    spool_dir, blob_dir = tmp_path / "spool", tmp_path / "blobs"
    webform = ServiceProcess(
        "intake_webform",
        {
            "HOTLINE_KAFKA_BOOTSTRAP": own_broker.bootstrap,
            "HOTLINE_TOPIC_PREFIX": "dur.",
            "HOTLINE_ENVIRONMENT": "test",
            "HOTLINE_REFERENCE_SECRET": "durability-test-secret",
            "HOTLINE_HTTP_PORT": str(http_port),
            "HOTLINE_SPOOL_DIR": str(spool_dir),
            "HOTLINE_BLOB_DIR": str(blob_dir),
            "HOTLINE_PUBLISH_TIMEOUT_S": "1",
            "HOTLINE_KAFKA_REQUEST_TIMEOUT_MS": "10000", "HOTLINE_RATE_PER_CLIENT": "1000",
            "HOTLINE_LOG_LEVEL": "DEBUG",
        },
        tmp_path / "webform.log",
    ).start()
    sent: list[dict[str, str]] = []
    try:
        transport = httpx.AsyncHTTPTransport(local_address=CLIENT_ADDRESS)
        async with httpx.AsyncClient(transport=transport, timeout=30) as client:
            for n in range(5):
                sent.append(await _send(client, http_port, n))
            sent.append(await _send(client, http_port, 5, with_photo=True))
            own_broker.stop()
            for n in range(6, 26):  # all acknowledged from the spool
                sent.append(await _send(client, http_port, n))
            spooled = list(spool_dir.glob("*.rec"))
            assert len(spooled) >= 19, "tips taken while the broker was down must be on disk"
            # The depth is on the intake's own /metrics, scraped without Kafka, during the outage.
            assert await _spool_gauge(client, webform.ops_port) == len(spooled)
            own_broker.start()
            await wait_for(lambda: not list(spool_dir.glob("*.rec")), timeout=90, what="spool drained")

            async def gauge_at_zero() -> bool:
                return await _spool_gauge(client, webform.ops_port) == 0

            await wait_for(gauge_at_zero, timeout=30, what="the spool gauge to fall with the drain")
    except BaseException:
        webform.stop_quietly()
        raise
    assert webform.terminate() == 0

    # The intake has exited cleanly after its spool drained: what is on the topic now is all it sent.
    records = await read_whole_topic(settings, Topic.SIGNALS_RECEIVED)
    events = [CODEC.decode(r.value or b"", r.headers).event for r in records]
    assert all(isinstance(e, SignalReceived) for e in events)
    signal_ids = [e.signal_id for e in events if isinstance(e, SignalReceived)]
    assert len(signal_ids) == len(set(signal_ids)) == len(sent), "each tip exactly once by signal id"
    assert sorted(e.narrative for e in events if isinstance(e, SignalReceived)) == sorted(
        s["narrative"] for s in sent
    )
    references = {e.reference_number for e in events if isinstance(e, SignalReceived)}
    assert {s["reference_number"] for s in sent if "reference_number" in s} <= references

    [photo_event] = [e for e in events if isinstance(e, SignalReceived) and e.attachments]
    [attachment] = photo_event.attachments
    stored = (blob_dir / attachment.sha256[:2] / attachment.sha256[2:4] / attachment.sha256).read_bytes()
    assert Image.open(io.BytesIO(stored)).getexif().get_ifd(0x8825) == {}
    assert b"Jane Reporter" not in stored

    kept: list[tuple[str, bytes]] = [("log", (tmp_path / "webform.log").read_bytes())]
    kept += [
        (
            f"record {r.offset}",
            (r.value or b"") + json.dumps([(k, v.decode()) for k, v in r.headers]).encode(),
        )
        for r in records
    ]
    kept += [
        (str(path), path.read_bytes())
        for path in tmp_path.rglob("*")
        if path.is_file() and (spool_dir in path.parents or blob_dir in path.parents)
    ]
    for where, content in kept:
        for marker in MARKERS:
            assert marker.encode() not in content, f"{marker} found in {where}"
    log_lines = webform.log_lines()
    assert any("spooled" in str(line.get("msg", "")) for line in log_lines)
    assert all("Tip number" not in json.dumps(line) for line in log_lines)
