"""A benchmark's child processes: a clean environment, always stopped, waited on until they answer.

Progress goes to stderr as timestamped lines, so the figures on stdout stay clean.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextmanager
def child(name: str, argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process that is always stopped on the way out: SIGTERM, then SIGKILL after 20 s."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    with log.open("ab") as out:
        process = subprocess.Popen(argv, cwd=REPO, env={**clean, **env}, stdout=out, stderr=out,  # noqa: S603 - fixed argv
                                   stdin=subprocess.DEVNULL)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                say(f"{name} ignored SIGTERM for 20 s; killing it")
                process.kill()
                process.wait(10)


def wait_http(name: str, url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise SystemExit(f"{name} exited with {process.returncode}:\n{tail}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{name}: {url} not ready after {timeout:.0f}s")


def start_quiet(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A child with a clean environment and its output discarded; the caller stops it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    return subprocess.Popen(  # noqa: S603 - fixed argv
        argv, cwd=REPO, env={**clean, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def start_bare_endpoint(port: int) -> subprocess.Popen[bytes]:
    """``bench.bare_endpoint`` under uvicorn: what an intake is measured against (same body, no Kafka)."""
    return start_quiet([sys.executable, "-m", "uvicorn", "bench.bare_endpoint:app", "--port", str(port),
                        "--no-access-log", "--log-level", "warning"], {})


@contextmanager
def kafka(bootstrap: str | None) -> Iterator[str]:
    """The broker a benchmark runs on: the one ``--bootstrap`` names, else a private one for the run."""
    if bootstrap:
        yield bootstrap
        return
    from deploy.localkafka import Broker  # the JVM's jars are looked up only when a broker is wanted

    with tempfile.TemporaryDirectory(prefix="bench-kafka-") as state, \
            Broker(state_dir=Path(state), port=0) as broker:
        yield broker.bootstrap
