"""Starting the web intake as a process for end-to-end tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.processes import ServiceProcess, free_port


@dataclass(frozen=True)
class RunningWebform:
    process: ServiceProcess
    url: str
    spool_dir: Path
    blob_dir: Path


def start_webform(launch: Callable[..., ServiceProcess], tmp_path: Path, **env: str) -> RunningWebform:
    port = free_port()
    spool_dir, blob_dir = tmp_path / "webform-spool", tmp_path / "webform-blobs"
    process = launch("intake_webform", HOTLINE_HTTP_PORT=str(port), HOTLINE_SPOOL_DIR=str(spool_dir),
                     HOTLINE_BLOB_DIR=str(blob_dir), **env)
    return RunningWebform(process, f"http://127.0.0.1:{port}", spool_dir, blob_dir)
