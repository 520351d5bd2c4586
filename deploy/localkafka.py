"""A real single-node Apache Kafka broker (KRaft) for development and tests, from Maven Central jars.

Stdlib only, so it runs before the project's virtualenv exists:
``python -m deploy.localkafka fetch|start|stop|status|run``. From Python: ``Broker(...).start()``.
With ``--nodes 3`` it starts a cluster shaped like production instead (``deploy.localcluster``:
SASL_SSL, SCRAM users and ACLs per service, replication 3), provisioned from the virtualenv.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from deploy.ports import free_port, port_open
from deploy.started import StartedInBlock

KAFKA_VERSION = "4.1.2"
DEPLOY_DIR = Path(__file__).resolve().parent
REPO_ROOT = DEPLOY_DIR.parent
POM = DEPLOY_DIR / "kafka" / "pom.xml"
LOG4J_CONFIG = DEPLOY_DIR / "kafka" / "log4j2.xml"
DEFAULT_STATE_DIR = REPO_ROOT / ".local" / "kafka"
# Flags of Kafka's own bin/kafka-server-start.sh, with a heap sized for a 2-core machine.
JVM_FLAGS = (
    "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true",
)


class LocalKafkaError(Exception):
    """One line saying what is missing or wrong, and what to do about it."""


def _require(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise LocalKafkaError(f"{tool} not found on PATH: install it (Debian: apt-get install {package})")
    return path


def default_libs_dir() -> Path:
    override = os.environ.get("HOTLINE_KAFKA_LIBS")
    if override:
        return Path(override)
    return Path.home() / ".cache" / "hotline" / f"kafka-{KAFKA_VERSION}" / "libs"


def fetch_jars(libs_dir: Path | None = None, *, quiet: bool = True) -> Path:
    """The broker's runtime classpath, fetched once with Maven; later calls return at once."""
    libs = libs_dir or default_libs_dir()
    marker = libs / ".complete"
    if marker.exists():
        return libs
    mvn = _require("mvn", "maven")
    libs.parent.mkdir(parents=True, exist_ok=True)
    # Copy into a scratch dir and rename, so an interrupted fetch never looks complete.
    scratch = Path(tempfile.mkdtemp(prefix="libs-", dir=libs.parent))
    command = [mvn, "-B", "-f", str(POM), "dependency:copy-dependencies",
               f"-DoutputDirectory={scratch}", "-DincludeScope=runtime"]
    if quiet:
        command.insert(2, "-q")
    result = subprocess.run(command, capture_output=quiet, text=True, check=False)  # noqa: S603 - fixed argv
    if result.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        tail = " | ".join((result.stdout or "").strip().splitlines()[-3:])
        raise LocalKafkaError(
            f"Maven could not fetch Kafka {KAFKA_VERSION} (exit {result.returncode}): {tail}")
    (scratch / ".complete").write_text(KAFKA_VERSION + "\n")
    if libs.exists():
        shutil.rmtree(libs)
    scratch.rename(libs)
    return libs


def new_cluster_id() -> str:
    while True:
        cluster_id = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
        if not cluster_id.startswith("-"):  # the storage tool would read it as an option
            return cluster_id


def launch_node(java: str, heap: str, classpath: str, config: Path,
                logs_dir: Path) -> subprocess.Popen[bytes]:
    """Start one Kafka server process (broker, controller or both) on ``config``."""
    with (logs_dir / "stdout.log").open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - fixed argv
            [java, *heap.split(), *JVM_FLAGS,
             f"-Dlog4j2.configurationFile={LOG4J_CONFIG}", f"-Dkafka.logs.dir={logs_dir}",
             "-cp", classpath, "kafka.Kafka", str(config)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopping signals the whole JVM
        )


def format_storage(java: str, classpath: str, config: Path, logs_dir: Path, cluster_id: str,
                   *extra: str) -> None:
    """Format a node's data dir for ``cluster_id`` (``extra``: e.g. SCRAM users to bootstrap)."""
    result = subprocess.run(  # noqa: S603 - fixed argv
        [java, "-cp", classpath, f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
         f"-Dkafka.logs.dir={logs_dir}", "kafka.tools.StorageTool", "format",
         "-t", cluster_id, "-c", str(config), *extra],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        tail = " | ".join((result.stdout + result.stderr).strip().splitlines()[-3:])
        raise LocalKafkaError(f"formatting with {config} failed: {tail}")


def process_alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        # Reap it if it is our child, so it does not linger as a zombie that looks alive.
        os.waitpid(pid, os.WNOHANG)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def running_pid(pid_file: Path) -> int | None:
    """The pid recorded in ``pid_file`` if that process is still alive."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def stop_process_group(pid: int, timeout: float, *, kill: bool = False) -> None:
    """SIGTERM (or SIGKILL at once with ``kill``) the process group, SIGKILL after ``timeout``."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL if kill else signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if process_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        while process_alive(pid) and time.monotonic() < deadline + 10:
            time.sleep(0.05)


def log_tail(logs_dir: Path, lines: int = 5) -> str:
    texts = []
    for name in ("stdout.log", "server.log"):
        with contextlib.suppress(OSError):
            texts.extend((logs_dir / name).read_text(errors="replace").splitlines()[-lines:])
    return " | ".join(texts[-lines:]) or "(no log output)"


@dataclass
class Broker(StartedInBlock):
    """One broker+controller on 127.0.0.1, its data, logs and pid under ``state_dir``."""

    state_dir: Path
    port: int = 9092
    controller_port: int = 0
    heap: str = "-Xms256m -Xmx1g"
    start_seconds: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self.state_dir = Path(self.state_dir).resolve()

    # ------------------------------------------------------------ paths and state

    @property
    def data_dir(self) -> Path:
        return self.state_dir / "data"

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def _pid_file(self) -> Path:
        return self.state_dir / "broker.pid"

    @property
    def _info_file(self) -> Path:
        return self.state_dir / "broker.json"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _pid(self) -> int | None:
        return running_pid(self._pid_file)

    def running(self) -> bool:
        return self._pid() is not None

    # ------------------------------------------------------------ start and stop

    def start(self, timeout: float = 90.0) -> str:
        """Start the broker (formatting its data dir the first time); return its bootstrap address."""
        java = _require("java", "default-jre-headless")
        self._adopt_recorded_ports()
        if self.running():
            return self.bootstrap
        libs = fetch_jars()
        self.port = self.port or free_port()
        self.controller_port = self.controller_port or free_port()
        for port in (self.port, self.controller_port):
            if port_open(port):
                raise LocalKafkaError(
                    f"port {port} on 127.0.0.1 is already in use: stop the other broker "
                    "(python -m deploy.localkafka stop) or pass --port 0")
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        classpath = f"{libs}/*"
        if not (self.data_dir / "meta.properties").exists():
            self._format(java, classpath, config)
        started = time.monotonic()
        process = launch_node(java, self.heap, classpath, config, self.logs_dir)
        self._pid_file.write_text(f"{process.pid}\n")
        self._info_file.write_text(json.dumps({"pid": process.pid, "port": self.port,
                                               "controller_port": self.controller_port,
                                               "bootstrap": self.bootstrap}))
        # The client port opens only once the broker has joined its KRaft quorum and is ready.
        deadline = started + timeout
        while not port_open(self.port):
            code = process.poll()
            if code is not None:
                raise LocalKafkaError(f"broker exited during start-up (exit code {code}); "
                                      f"last log lines: {self._log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise LocalKafkaError(
                    f"broker not ready after {timeout:.0f}s; last log lines: {self._log_tail()}")
            time.sleep(0.1)
        self.start_seconds = time.monotonic() - started
        return self.bootstrap

    def stop(self, timeout: float = 30.0) -> None:
        pid = self._pid()
        if pid is not None:
            stop_process_group(pid, timeout)
        self._pid_file.unlink(missing_ok=True)


    # ------------------------------------------------------------ internals

    def _adopt_recorded_ports(self) -> None:
        # A restart on the same data keeps its ports: the advertised address is in the data.
        try:
            recorded = json.loads(self._info_file.read_text())
        except (OSError, ValueError):
            return
        if self.port == 0:
            self.port = int(recorded.get("port", 0))
        if self.controller_port == 0:
            self.controller_port = int(recorded.get("controller_port", 0))

    def _write_config(self) -> Path:
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.data_dir),
            # One node: every internal topic must have replication factor 1, or consumer
            # groups and the transaction coordinator never become available.
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # Fast tests: no 3 s wait on a group's first join, small internal topics.
            "group.initial.rebalance.delay.ms": "0",
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.num.partitions": "1",
            "log.cleaner.dedupe.buffer.size": "2097152",
            "num.network.threads": "2",
            "num.io.threads": "2",
            # Topics come from the registry (hotline-topics ensure), never from a typo.
            "auto.create.topics.enable": "false",
            "num.partitions": "1",
        }
        path = self.state_dir / "server.properties"
        path.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
        return path

    def _format(self, java: str, classpath: str, config: Path) -> None:
        format_storage(java, classpath, config, self.logs_dir, new_cluster_id())

    def _log_tail(self, lines: int = 5) -> str:
        return log_tail(self.logs_dir, lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.localkafka", description=__doc__)
    parser.add_argument("action", choices=("fetch", "start", "stop", "status", "run"))
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    parser.add_argument("--port", type=int, default=None,
                        help="client port (0 = a free one; default: the port this state dir used "
                        "last, else 9092)")
    parser.add_argument("--timeout", type=float, default=90.0)
    parser.add_argument("--nodes", type=int, default=None,
                        help="3: a cluster like production (replication 3, min.insync.replicas 2, "
                        "SASL_SSL with SCRAM, ACLs per service; see deploy.localcluster); default 1")
    parser.add_argument("--insecure", action="store_true", help="a cluster with plaintext listeners")
    parser.add_argument("--topic-prefix", default="", help="a cluster's topics and ACLs under this prefix")
    args = parser.parse_args(argv)
    if args.action != "fetch" and (
            (args.nodes or 1) > 1 or (args.state_dir / "cluster.json").exists()):
        from deploy.localcluster import cluster_main  # a cluster: the venv's packages provision it

        return cluster_main(args)
    broker = Broker(state_dir=args.state_dir, port=0 if args.port is None else args.port)
    broker._adopt_recorded_ports()
    if args.port is None and broker.port == 0:
        broker.port = 9092
    try:
        if args.action == "fetch":
            print(f"kafka {KAFKA_VERSION} jars in {fetch_jars(quiet=False)}")
        elif args.action in ("start", "run"):
            bootstrap = broker.start(timeout=args.timeout)
            print(f"bootstrap={bootstrap} started_in={broker.start_seconds:.1f}s "
                  f"state={broker.state_dir}", flush=True)
            if args.action == "run":
                _wait_for_signal()
                broker.stop()
        elif args.action == "stop":
            broker.stop(timeout=args.timeout)
        elif broker.running():
            print(f"running bootstrap={broker.bootstrap}")
        else:
            print("not running")
            return 3
    except LocalKafkaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _wait_for_signal() -> None:
    received: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda number, _frame: received.append(number))
    while not received:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
