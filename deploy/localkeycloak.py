"""A real OpenID provider for tests: Keycloak's server distribution from Maven Central, in dev mode.

``fetch`` gets ``org.keycloak:keycloak-quarkus-dist`` (the tarball Keycloak itself releases) with
Maven, like the Kafka jars, and unpacks it once into ``~/.cache/hotline/keycloak-<version>``.
``LocalKeycloak`` runs ``kc.sh start-dev`` on loopback with an in-memory database and the realm
file it is given imported at start, so every run begins from that file alone.

Keycloak rebuilds itself (Quarkus "augmentation", about a minute here) the first time it starts
with a set of build options, and keeps the result in its ``lib/``. The cached distribution is
therefore started in place, under a lock, so later runs skip that minute; a second run while the
lock is held gets a copy of its own and pays the minute.

Keycloak needs Java 21 or later: ``KEYCLOAK_JAVA_HOME``, ``JAVA_HOME`` or the newest JDK under
``/usr/lib/jvm`` that is recent enough.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import IO, Self

from deploy.localkafka import process_alive, stop_process_group
from deploy.ports import free_port

__all__ = ["KEYCLOAK_VERSION", "LocalKeycloak", "LocalKeycloakError", "fetch", "find_java"]

KEYCLOAK_VERSION = "26.4.7"
ARTIFACT = f"org.keycloak:keycloak-quarkus-dist:{KEYCLOAK_VERSION}:tar.gz"
MIN_JAVA = 21


class LocalKeycloakError(Exception):
    """One line saying what is missing or wrong, and what to do about it."""


def default_home() -> Path:
    override = os.environ.get("HOTLINE_KEYCLOAK_HOME")
    if override:
        return Path(override)
    return Path.home() / ".cache" / "hotline" / f"keycloak-{KEYCLOAK_VERSION}"


def _tarball() -> Path:
    repository = Path(os.environ.get("HOTLINE_M2_REPOSITORY", Path.home() / ".m2" / "repository"))
    return (repository / "org" / "keycloak" / "keycloak-quarkus-dist" / KEYCLOAK_VERSION
            / f"keycloak-quarkus-dist-{KEYCLOAK_VERSION}.tar.gz")


def fetch(home: Path | None = None, *, quiet: bool = True) -> Path:
    """The unpacked distribution, fetched with Maven and unpacked once; later calls return at once."""
    home = home or default_home()
    if (home / ".complete").exists():
        return home
    tarball = _tarball()
    if not tarball.exists():
        mvn = shutil.which("mvn")
        if mvn is None:
            raise LocalKeycloakError("mvn not found on PATH: install it (Debian: apt-get install maven)")
        command = [mvn, "-B", "dependency:get", f"-Dartifact={ARTIFACT}", "-Dtransitive=false"]
        if quiet:
            command.insert(1, "-q")
        result = subprocess.run(command, capture_output=quiet, text=True, check=False)  # noqa: S603 - fixed argv
        if result.returncode != 0 or not tarball.exists():
            tail = " | ".join((result.stdout or "").strip().splitlines()[-3:])
            raise LocalKeycloakError(f"Maven could not fetch {ARTIFACT} (exit {result.returncode}): {tail}")
    home.parent.mkdir(parents=True, exist_ok=True)
    # Unpack into a scratch dir and rename, so an interrupted unpack never looks complete.
    scratch = Path(tempfile.mkdtemp(prefix="keycloak-", dir=home.parent))
    try:
        with tarfile.open(tarball) as archive:
            archive.extractall(scratch, filter="data")
        unpacked = scratch / f"keycloak-{KEYCLOAK_VERSION}"
        if not (unpacked / "bin" / "kc.sh").exists():
            raise LocalKeycloakError(f"{tarball} holds no keycloak-{KEYCLOAK_VERSION}/bin/kc.sh")
        (unpacked / ".complete").write_text(KEYCLOAK_VERSION + "\n")
        if home.exists():
            shutil.rmtree(home)
        unpacked.rename(home)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return home


def _java_major(java_home: Path) -> int:
    with contextlib.suppress(OSError):
        match = re.search(r'^JAVA_VERSION="(\d+)', (java_home / "release").read_text(), re.MULTILINE)
        if match:
            return int(match.group(1))
    return 0


def find_java() -> Path:
    """A JDK home with Java 21 or later."""
    named = [os.environ.get("KEYCLOAK_JAVA_HOME"), os.environ.get("JAVA_HOME")]
    candidates = [Path(p) for p in named if p]
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        candidates += sorted((p for p in jvm.iterdir() if p.is_dir() and not p.is_symlink()),
                             key=_java_major, reverse=True)
    for home in candidates:
        if _java_major(home) >= MIN_JAVA and (home / "bin" / "java").exists():
            return home
    raise LocalKeycloakError(f"Keycloak {KEYCLOAK_VERSION} needs Java {MIN_JAVA}+ and none was found "
                             "(set KEYCLOAK_JAVA_HOME, or apt-get install openjdk-21-jre-headless)")


class LocalKeycloak:
    """One Keycloak in dev mode on 127.0.0.1 with ``realm_file`` imported; ``issuer(realm)`` is its
    issuer URL. Use as a context manager, or ``start`` and ``stop``."""

    def __init__(self, realm_file: Path, work_dir: Path, *, home: Path | None = None) -> None:
        self.realm_file = realm_file
        self.work_dir = work_dir
        self.home = home or default_home()
        self.port = 0
        self.start_seconds = 0.0
        self._process: subprocess.Popen[bytes] | None = None
        self._lock: IO[str] | None = None
        self._log = work_dir / "keycloak.log"

    def issuer(self, realm: str) -> str:
        return f"http://127.0.0.1:{self.port}/realms/{realm}"

    def start(self, realm: str, timeout: float = 300.0) -> str:
        """Start it and wait until ``realm``'s discovery document is served; its issuer."""
        fetch(self.home)
        java = find_java()
        home = self._claim_home()
        data = home / "data"
        shutil.rmtree(data, ignore_errors=True)  # nothing of an earlier run is imported or kept
        (data / "import").mkdir(parents=True)
        shutil.copyfile(self.realm_file, data / "import" / self.realm_file.name)
        self.port = free_port()
        command = [str(home / "bin" / "kc.sh"), "start-dev", "--http-host", "127.0.0.1",
                   "--http-port", str(self.port), "--http-management-port", str(free_port()),
                   "--db", "dev-mem", "--import-realm"]
        env = {**os.environ, "JAVA_HOME": str(java), "PATH": f"{java / 'bin'}:{os.environ.get('PATH', '')}"}
        self.work_dir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,  # noqa: S603
                                             start_new_session=True)
        url = f"{self.issuer(realm)}/.well-known/openid-configuration"
        while time.monotonic() - started < timeout:
            if not process_alive(self._process.pid):
                raise LocalKeycloakError(f"Keycloak exited while starting: {self.log_tail()}")
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    self.start_seconds = time.monotonic() - started
                    return self.issuer(realm)
            time.sleep(0.5)
        self.stop()
        raise LocalKeycloakError(f"Keycloak did not serve {url} within {timeout:.0f}s: {self.log_tail()}")

    def stop(self, timeout: float = 30.0) -> None:
        if self._process is not None:
            stop_process_group(self._process.pid, timeout)
            self._process = None
        if self._lock is not None:
            self._lock.close()  # releases the lock on the cached distribution
            self._lock = None

    def log_tail(self, lines: int = 5) -> str:
        with contextlib.suppress(OSError):
            return " | ".join(self._log.read_text(errors="replace").strip().splitlines()[-lines:])
        return "(no log)"

    def _claim_home(self) -> Path:
        lock = (self.home.parent / f"{self.home.name}.lock").open("w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            copy = self.work_dir / "keycloak"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(self.home, copy, symlinks=True)
            return copy
        self._lock = lock
        return self.home

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.localkeycloak", description=__doc__)
    parser.add_argument("action", choices=("fetch", "path"))
    args = parser.parse_args(argv)
    try:
        if args.action == "fetch":
            print(f"keycloak {KEYCLOAK_VERSION} in {fetch(quiet=False)}")
        else:
            print(default_home())
    except LocalKeycloakError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
