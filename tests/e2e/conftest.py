"""End-to-end fixtures: the services as processes on the real broker, under a per-test prefix."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser

from deploy.screenshots import CHROMIUM, chromium
from services.runtime import RuntimeSettings
from tests.e2e.processes import ServiceProcess


@pytest.fixture
def service_env(topics: RuntimeSettings, tmp_path: Path) -> dict[str, str]:
    return {
        "HOTLINE_FAUST_DATADIR": str(tmp_path / "faust"),
        "HOTLINE_KAFKA_BOOTSTRAP": topics.kafka_bootstrap,
        "HOTLINE_TOPIC_PREFIX": topics.topic_prefix,
        "HOTLINE_ENVIRONMENT": "test",
        "HOTLINE_REFERENCE_SECRET": "e2e-test-reference-secret",
        "HOTLINE_ENTITY_KEY_SECRET": "e2e-test-entity-key-secret-0123456789",
        "HOTLINE_LOG_LEVEL": "INFO",
        "HOTLINE_SPOOL_DIR": str(tmp_path / "webform-spool"),
        "HOTLINE_BLOB_DIR": str(tmp_path / "webform-blobs"),
    }


@pytest.fixture
def launch(service_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., ServiceProcess]]:
    started: list[ServiceProcess] = []

    def start(module: str, **env: str) -> ServiceProcess:
        name = f"{module.replace('.', '_')}-{len(started)}.log"
        process = ServiceProcess(module, {**service_env, **env}, tmp_path / name).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop_quietly()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless and off the network (``deploy.screenshots``); missing, the test fails."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run ./dev setup (installs Debian's chromium)")
    async with chromium() as launched:
        yield launched
