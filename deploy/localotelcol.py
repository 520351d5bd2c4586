"""A real OpenTelemetry Collector (OTLP receiver, file exporter), built from the Go module proxy.

``deploy/otelcol/`` is the collector's source as the collector's builder would generate it for two
components, with its ``go.sum``; ``build`` compiles it once into ``~/.cache/hotline`` (like the
Kafka jars), keyed by a digest of those files, so a changed version builds afresh and an
unchanged one never again. ``Collector`` runs it on a free loopback port, writing every span it
receives to a JSON-lines file (OTLP JSON, one export request a line): the tests' trace receiver.

Stdlib only, so it runs before the project's virtualenv exists:
``python -m deploy.localotelcol build|path|run``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from deploy.ports import free_port, port_open
from deploy.started import StartedInBlock

COLLECTOR_VERSION = "0.161.0"
SOURCE_DIR = Path(__file__).resolve().parent / "otelcol"
SOURCES = ("go.mod", "go.sum", "main.go")


class CollectorError(Exception):
    """One line saying what is missing or wrong, and what to do about it."""


def cache_root() -> Path:
    return Path(os.environ.get("HOTLINE_CACHE_DIR") or Path.home() / ".cache" / "hotline")


def binary_path() -> Path:
    override = os.environ.get("HOTLINE_OTELCOL")
    if override:
        return Path(override)
    digest = hashlib.sha256(b"".join((SOURCE_DIR / name).read_bytes() for name in SOURCES)).hexdigest()[:16]
    return cache_root() / f"otelcol-{COLLECTOR_VERSION}-{digest}" / "otelcol"


def build(*, quiet: bool = True) -> Path:
    """The collector binary, built once with ``go build`` from the committed module files."""
    target = binary_path()
    if target.exists():
        return target
    go = shutil.which("go")
    if go is None:
        raise CollectorError("go not found on PATH: install Go (Debian: apt-get install golang-go)")
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="otelcol-", dir=target.parent))
    env = {**os.environ, "GOFLAGS": "-mod=readonly", "CGO_ENABLED": "0",
           "GOMODCACHE": os.environ.get("GOMODCACHE") or str(cache_root() / "go-mod")}
    command = [go, "build", "-trimpath", "-ldflags=-s -w", "-o", str(scratch / "otelcol"), "."]
    result = subprocess.run(command, cwd=SOURCE_DIR, env=env, capture_output=quiet, text=True,  # noqa: S603 - fixed argv
                            check=False)
    if result.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        tail = " | ".join((result.stderr or "").strip().splitlines()[-3:])
        raise CollectorError(f"go build of the collector failed (exit {result.returncode}): {tail}")
    # Renamed into place only when complete: an interrupted build never looks finished.
    (scratch / "otelcol").rename(target)
    shutil.rmtree(scratch, ignore_errors=True)
    return target


def _config(port: int, out: Path) -> str:
    # JSON is YAML: no YAML library needed before the virtualenv exists.
    return json.dumps({
        "receivers": {"otlp": {"protocols": {"http": {"endpoint": f"127.0.0.1:{port}"}}}},
        "exporters": {"file": {"path": str(out), "flush_interval": "100ms"}},
        "service": {
            "telemetry": {"metrics": {"level": "none"}, "logs": {"level": "warn"}},
            "pipelines": {"traces": {"receivers": ["otlp"], "exporters": ["file"]}},
        },
    }, indent=2)


class Collector(StartedInBlock):
    """A collector process of one's own: ``endpoint`` to send OTLP/HTTP to, ``spans()`` to read back."""

    def __init__(self, state_dir: Path, *, port: int = 0) -> None:
        self.state_dir = state_dir
        self.port = port or free_port()
        self.out = state_dir / "traces.jsonl"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> str:
        binary = build()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        config = self.state_dir / "otelcol.yaml"
        config.write_text(_config(self.port, self.out))
        log = (self.state_dir / "otelcol.log").open("ab")
        self._process = subprocess.Popen([str(binary), f"--config={config}"],  # noqa: S603 - fixed argv
                                         stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not port_open(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = (self.state_dir / "otelcol.log").read_text(errors="replace").strip().splitlines()[-3:]
                raise CollectorError(f"the collector did not start: {' | '.join(tail)}")
            time.sleep(0.1)
        return self.endpoint

    def stop(self, timeout: float = 15.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def spans(self) -> Iterator[dict[str, Any]]:
        """Every span written so far, each with its resource's ``service.name`` as ``service``."""
        if not self.out.exists():
            return
        text = self.out.read_text(encoding="utf-8")
        # The collector may be writing a line as it is read: only lines it has finished count.
        for line in text[:text.rfind("\n") + 1].splitlines():
            if not line.strip():
                continue
            for resource_spans in json.loads(line).get("resourceSpans", []):
                service = next((a["value"].get("stringValue") for a in
                                resource_spans.get("resource", {}).get("attributes", [])
                                if a["key"] == "service.name"), None)
                for scope in resource_spans.get("scopeSpans", []):
                    for span in scope.get("spans", []):
                        yield {**span, "service": service}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.localotelcol", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("build", "path", "run"))
    parser.add_argument("--state-dir", type=Path, default=Path(".local/otelcol"))
    parser.add_argument("--port", type=int, default=4318)
    args = parser.parse_args(argv)
    try:
        if args.action == "path":
            print(binary_path())
        elif args.action == "build":
            print(build())
        else:
            with Collector(args.state_dir, port=args.port) as collector:
                print(f"OTLP/HTTP on {collector.endpoint}; spans to {collector.out} (Ctrl-C stops)",
                      flush=True)
                stops = {signal.SIGINT, signal.SIGTERM}
                signal.pthread_sigmask(signal.SIG_BLOCK, stops)
                signal.sigwait(stops)
    except CollectorError as error:
        print(f"otelcol: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
