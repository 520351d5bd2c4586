"""A real, private PostgreSQL cluster (Debian's ``postgresql`` binaries) on loopback: the tests' database
server and the local demo's.

Nothing system-wide is touched: the data, the server log and the socket live in one directory, and the
server listens on 127.0.0.1 only. Every local connection is trusted, so keep only throwaway data in it.
Stdlib only (it drives ``initdb``, ``pg_ctl`` and ``psql``), so it runs before the virtualenv exists.

    python -m deploy.localpostgres start --dir .local/postgres [--port N] [--durable]  # prints url=...
    python -m deploy.localpostgres stop --dir .local/postgres
    python -m deploy.localpostgres run --dir .local/postgres                          # until Ctrl-C
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from deploy.ports import free_port, port_open

INSTALL_ROOT = Path("/usr/lib/postgresql")
SUPERUSER = "postgres"  # the cluster's bootstrap superuser, whatever the OS user running it
SERVER_USER = "postgres"  # the system user of Debian's package: the server runs as it when we are root
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_SOCKET_PATH_MAX = 107  # sun_path holds 108 bytes with the trailing NUL
# The cluster's owner role and database, run by psql with -v owner=... database=... (psql quotes them).
# Idempotent, so a start after an interrupted first start still ends with both in place.
_ENSURE_OWNER = """
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \\gexec
"""


class LocalPostgresError(Exception):
    """One line saying what failed, with the server log's last lines when there are any."""


class PostgresMissing(LocalPostgresError):
    """The PostgreSQL server binaries are not installed."""


def bin_dir() -> Path:
    """The bin directory of the newest installed major version (``/usr/lib/postgresql/<ver>/bin``)."""
    found: list[tuple[tuple[int, ...], Path]] = []
    for initdb in INSTALL_ROOT.glob("*/bin/initdb"):
        version = initdb.parent.parent.name
        if re.fullmatch(r"\d+(\.\d+)*", version):
            found.append((tuple(int(part) for part in version.split(".")), initdb.parent))
    if not found:
        raise PostgresMissing(f"PostgreSQL is not installed (no {INSTALL_ROOT}/<version>/bin/initdb): "
                              "run ./dev setup, or apt-get install postgresql")
    return max(found)[1]






def private_root() -> Path:
    """A fresh directory under the system temp dir, which the ``postgres`` user can reach as well."""
    return Path(tempfile.mkdtemp(prefix="hotline-postgres-"))


def _identifier(name: str) -> str:
    # Names are checked rather than quoted: they go into SQL and URLs, and tests make them up.
    if not _NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a plain PostgreSQL name ([a-z_][a-z0-9_]*, at most 63 chars)")
    return name


def _clean_env() -> dict[str, str]:
    # PGPORT, PGDATA, PGUSER... of the caller's shell must not redirect our commands to another server.
    return {key: value for key, value in os.environ.items() if not key.startswith("PG")}


@dataclass
class Postgres:
    """One cluster in ``directory`` (``data/``, ``postgres.log``, the socket), owned by this run."""

    directory: Path = field(default_factory=private_root)
    port: int = 0  # 0: the port this directory used last, else a free one
    durable: bool = False  # False: no fsync, for tests; the local demo keeps its data across crashes
    database: str = "hotline"
    user: str = "hotline"
    start_seconds: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self.directory = Path(self.directory).resolve()
        _identifier(self.database)
        _identifier(self.user)

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def log_file(self) -> Path:
        return self.directory / "postgres.log"

    @property
    def _info_file(self) -> Path:
        return self.directory / "cluster.json"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the cluster's own database, as its (non-superuser) owner."""
        return self.url_for(self.database)

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{_identifier(database)}"

    # ------------------------------------------------------------ start and stop

    def start(self, timeout: float = 60.0) -> Postgres:
        """Start the cluster (creating it, its role and its database the first time); return self."""
        binaries = bin_dir()
        started = time.monotonic()
        self._prepare_directory()
        self._adopt_recorded_port()
        if self.running():
            self.port = self._running_port() or self.port
            return self
        self.port = self.port or free_port()
        if port_open(self.port):
            raise LocalPostgresError(f"port {self.port} on 127.0.0.1 is already in use: stop whatever "
                                     "listens there, or use port 0 for a free one")
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(binaries)
        try:
            self._run([str(binaries / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file),
                       "-w", "-t", str(max(1, round(timeout))), "-o", self._server_options(), "start"],
                      "starting PostgreSQL", as_server=True)
            self._info_file.write_text(json.dumps({"port": self.port}) + "\n")
            self._psql(binaries, _ENSURE_OWNER, {"owner": self.user, "database": self.database})
        except LocalPostgresError:
            self._stop(binaries, mode="immediate", timeout=10, check=False)  # leave nothing running
            raise
        self.start_seconds = time.monotonic() - started
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server (``pg_ctl stop -m fast``): sessions are ended, the data is kept."""
        if self._has_pid_file():
            self._stop(bin_dir(), mode="fast", timeout=timeout, check=True)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def running(self) -> bool:
        if not self._has_pid_file():
            return False
        status = self._command([str(bin_dir() / "pg_ctl"), "-D", str(self.data_dir), "status"],
                               as_server=True)
        return status.returncode == 0

    # ------------------------------------------------------------ databases

    def create_database(self, name: str) -> str:
        """A new, empty database owned by ``user``; returns its SQLAlchemy URL."""
        self._psql(bin_dir(), f"CREATE DATABASE {_identifier(name)} OWNER {self.user};")
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop the database if it exists, ending the sessions still connected to it."""
        self._psql(bin_dir(), f"DROP DATABASE IF EXISTS {_identifier(name)} WITH (FORCE);")

    # ------------------------------------------------------------ internals

    def _server_options(self) -> str:
        options = ["-p", str(self.port), "-c", "listen_addresses=127.0.0.1"]
        socket_path = f"{self.directory}/.s.PGSQL.{self.port}"
        # A deep directory cannot hold a Unix socket; TCP on loopback is all the tests use anyway.
        options += ["-k", str(self.directory) if len(socket_path) <= _SOCKET_PATH_MAX else ""]
        if not self.durable:
            options += ["-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off"]
        return shlex.join(options)  # pg_ctl hands the options to /bin/sh

    def _has_pid_file(self) -> bool:
        try:
            return (self.data_dir / "postmaster.pid").exists()
        except OSError as error:
            raise LocalPostgresError(f"cannot look into {self.data_dir}: {error.strerror}") from None

    def _prepare_directory(self) -> None:
        as_root = os.geteuid() == 0
        owner = self._server_account() if as_root else None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if owner is not None:
                os.chown(self.directory, owner.pw_uid, owner.pw_gid)
            self.directory.chmod(0o700)
        except OSError as error:
            raise LocalPostgresError(f"cannot use {self.directory}: {error.strerror}") from None

    def _server_account(self) -> pwd.struct_passwd:
        # initdb and postgres refuse to run as root: the server runs as the package's system user,
        # which must own the directory (for the log and the socket) and be able to walk down to it.
        try:
            account = pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise LocalPostgresError(f"running as root, the server must run as the {SERVER_USER} system "
                                     "user, which does not exist: apt-get install postgresql") from None
        groups = set(os.getgrouplist(SERVER_USER, account.pw_gid))
        for parent in self.directory.parents:
            try:
                mode = parent.stat()
            except FileNotFoundError:
                continue  # made by mkdir below, searchable unless the umask says otherwise
            if mode.st_uid == account.pw_uid:
                searchable = mode.st_mode & stat.S_IXUSR
            elif mode.st_gid in groups:
                searchable = mode.st_mode & stat.S_IXGRP
            else:
                searchable = mode.st_mode & stat.S_IXOTH
            if not searchable:
                raise LocalPostgresError(
                    f"{parent} is closed to the {SERVER_USER} user, which runs the server when started "
                    f"as root: use a directory it can reach (the default is under {tempfile.gettempdir()})")
        return account

    def _initdb(self, binaries: Path) -> None:
        command = [str(binaries / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
                   "--encoding=UTF8", "--locale=C.UTF-8"]
        if not self.durable:
            command.append("--no-sync")
        self._run(command, "initdb", as_server=True)

    def _psql(self, binaries: Path, script: str, variables: dict[str, str] | None = None) -> None:
        settings = [f"--set={name}={value}" for name, value in (variables or {}).items()]
        self._run([str(binaries / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", *settings,
                   "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", "postgres", "-f", "-"],
                  "psql", stdin=script)

    def _stop(self, binaries: Path, *, mode: str, timeout: float, check: bool) -> None:
        if not self.running():
            return  # also a postmaster.pid left by a server that died
        self._run([str(binaries / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w",
                   "-t", str(max(1, round(timeout))), "stop"], "stopping PostgreSQL", as_server=True,
                  check=check)

    def _running_port(self) -> int | None:
        # The fourth line of postmaster.pid is the port the running server listens on.
        with contextlib.suppress(OSError, IndexError, ValueError):
            return int((self.data_dir / "postmaster.pid").read_text().splitlines()[3])
        return None

    def _adopt_recorded_port(self) -> None:
        if self.port == 0:
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                self.port = int(json.loads(self._info_file.read_text())["port"])

    def _command(self, argv: list[str], *, as_server: bool = False,
                 stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        if as_server and os.geteuid() == 0:
            argv = ["runuser", "-u", SERVER_USER, "--", *argv]
        # The cwd is the cluster's directory: the server user may not be allowed into the caller's.
        return subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False,  # noqa: S603 - fixed argv
                              cwd=self.directory, env=_clean_env())

    def _run(self, argv: list[str], what: str, *, as_server: bool = False, stdin: str | None = None,
             check: bool = True) -> None:
        result = self._command(argv, as_server=as_server, stdin=stdin)
        if result.returncode != 0 and check:
            said = " | ".join((result.stdout + result.stderr).strip().splitlines()[-3:])
            raise LocalPostgresError(f"{what} failed (exit {result.returncode}): {said or '(no output)'}; "
                                     f"server log: {self._log_tail()}")

    def _log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return " | ".join(text.strip().splitlines()[-lines:]) or "(empty)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.localpostgres", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["start", "stop", "status", "run"])
    parser.add_argument("--dir", type=Path, default=Path(".local/postgres"))
    parser.add_argument("--port", type=int, default=0,
                        help="0 (default): the port this directory used last, else a free one")
    parser.add_argument("--durable", action="store_true", help="keep fsync on (the local demo's data)")
    args = parser.parse_args(argv)
    server = Postgres(directory=args.dir, port=args.port, durable=args.durable)
    try:
        if args.command == "stop":
            server.stop()
            return 0
        if args.command == "status":
            server._adopt_recorded_port()
            if not server.running():
                print("not running")
                return 3
            server.port = server._running_port() or server.port
            print(f"url={server.url} dir={server.directory}")
            return 0
        server.start()
        print(f"url={server.url} dir={server.directory} started_in={server.start_seconds:.1f}s", flush=True)
        if args.command == "run":
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
            try:
                signal.sigwait({signal.SIGINT, signal.SIGTERM})
            finally:
                server.stop()
    except LocalPostgresError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
