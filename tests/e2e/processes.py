"""Running the services as real processes (``python -m ...``) for end-to-end tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from deploy.ports import free_port

REPO = Path(__file__).resolve().parents[2]




@dataclass
class ServiceProcess:
    module: str
    env: dict[str, str]
    log_path: Path
    ops_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    # Its own process group (the fault drill kills every group it started on Ctrl-C or SIGTERM).
    new_session: bool = False

    def start(self, ready_timeout: float = 60.0) -> ServiceProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
        env.update(self.env, HOTLINE_OPS_PORT=str(self.ops_port))
        log = self.log_path.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", self.module], cwd=REPO, env=env,  # noqa: S603 - fixed argv
                                        stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                        start_new_session=self.new_session)
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.module} exited with {self.process.returncode}: {self.tail()}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.ops_port}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.module} not ready after {ready_timeout}s: {self.tail()}")

    def terminate(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(f"{self.module} ignored SIGTERM for {timeout}s") from None

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def stop_quietly(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for raw in self.log_path.read_text(errors="replace").splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                lines.append({"raw": raw})
        return lines

    def tail(self, n: int = 15) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
