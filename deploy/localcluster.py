"""A local Kafka cluster shaped like production: three KRaft nodes on loopback, secured.

Each node is broker and controller (``process.roles=broker,controller``: three voters, so the
quorum survives one node). Topics get replication 3 and ``min.insync.replicas`` 2, as on Strimzi.
With ``secure`` (the default) every listener is encrypted and authenticated:

- ``CLIENT`` (the bootstrap address services use): SASL_SSL with SCRAM-SHA-512, the brokers'
  certificate signed by a CA made for this cluster (``deploy.localtls``);
- ``INTERNAL`` (broker to broker) and ``CONTROLLER``: mutual TLS with the brokers' certificate;
- StandardAuthorizer: nothing is allowed without an ACL, except to the super users, the brokers'
  certificate subject and ``hotline-admin`` (the provisioning user: topics and ACLs).

SCRAM users are written into the metadata log when the nodes are formatted (``--add-scram``), so
they exist from the first start: the admin and every user named at creation (the services').
Their passwords are drawn for the cluster and kept in ``credentials.json`` (mode 0600) in the state
directory; ``client_env(user)`` gives a service its ``HOTLINE_KAFKA_*`` settings. The ACLs are not
made here: ``deploy.cluster_access`` derives them from the topic registry (``deploy.kafka_access``,
the same grants as the Strimzi KafkaUsers) and applies them as the admin.

Stdlib only, like ``deploy.localkafka``; ``python -m deploy.localkafka start --nodes 3`` drives it.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from deploy.localkafka import (
    LocalKafkaError,
    _require,
    _wait_for_signal,
    fetch_jars,
    format_storage,
    launch_node,
    log_tail,
    new_cluster_id,
    running_pid,
    stop_process_group,
)
from deploy.localtls import BROKER_SUBJECT, ClusterTls, make_cluster_tls
from deploy.ports import free_port, port_open

ADMIN_USER = "hotline-admin"
MECHANISM = "SCRAM-SHA-512"
_PLAINTEXT = "CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT"


@dataclass(frozen=True)
class NodePorts:
    node_id: int
    client: int
    internal: int
    controller: int


@dataclass
class Cluster:
    """``nodes`` KRaft nodes under ``state_dir`` (``node-N/`` each, the TLS material, the credentials)."""

    state_dir: Path
    nodes: int = 3
    secure: bool = True
    users: tuple[str, ...] = ()  # SCRAM users besides the admin, made when the cluster is formatted
    heap: str = "-Xms128m -Xmx512m"
    ports: list[NodePorts] = field(default_factory=list)
    start_seconds: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self.state_dir = Path(self.state_dir).resolve()
        if self.nodes < 1:
            raise ValueError("a cluster needs at least one node")

    # ------------------------------------------------------------ what clients need

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{p.client}" for p in self.ports)

    @property
    def replication_factor(self) -> int:
        return min(3, self.nodes)

    @property
    def ca_file(self) -> Path:
        return self.state_dir / "tls" / "ca.pem"

    def credentials(self) -> dict[str, str]:
        """User name -> SCRAM password (the admin's and every user's made at creation)."""
        if not self.secure:
            return {}
        data: dict[str, str] = json.loads((self.state_dir / "credentials.json").read_text())
        return data

    def client_env(self, user: str | None = None) -> dict[str, str]:
        """The ``HOTLINE_KAFKA_*`` settings for ``user`` (None: the admin)."""
        env = {"HOTLINE_KAFKA_BOOTSTRAP": self.bootstrap}
        if self.secure:
            name = user or ADMIN_USER
            env.update({"HOTLINE_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                        "HOTLINE_KAFKA_SASL_MECHANISM": MECHANISM,
                        "HOTLINE_KAFKA_SASL_USERNAME": name,
                        "HOTLINE_KAFKA_SASL_PASSWORD": self.credentials()[name],
                        "HOTLINE_KAFKA_SSL_CAFILE": str(self.ca_file)})
        return env

    # ------------------------------------------------------------ the whole cluster

    def start(self, timeout: float = 180.0) -> str:
        """Start every node (creating the cluster the first time); return the bootstrap address."""
        started = time.monotonic()
        java = _require("java", "default-jre-headless")
        libs = fetch_jars()
        if not self._load():
            self._create(java, f"{libs}/*")
        with ThreadPoolExecutor(self.nodes) as pool:  # JVMs start in parallel: the slow part
            list(pool.map(lambda p: self.start_node(p.node_id, timeout=timeout), self.ports))
        self.start_seconds = time.monotonic() - started
        return self.bootstrap

    def stop(self, timeout: float = 30.0) -> None:
        for ports in self.ports or self._recorded_ports():
            self.stop_node(ports.node_id, timeout=timeout)

    def kill(self) -> None:
        """SIGKILL every node at once: the whole cluster gone, as in a power cut."""
        for ports in self.ports:
            self.kill_node(ports.node_id)

    def running_nodes(self) -> list[int]:
        return [p.node_id for p in self.ports if running_pid(self._pid_file(p.node_id)) is not None]

    # ------------------------------------------------------------ one node

    def start_node(self, node_id: int, timeout: float = 180.0) -> None:
        """Start one node on its data; return once its client port accepts connections."""
        if running_pid(self._pid_file(node_id)) is not None:
            return
        ports = self._ports(node_id)
        for port in (ports.client, ports.internal, ports.controller):
            if port_open(port):
                raise LocalKafkaError(f"port {port} on 127.0.0.1 is already in use (node {node_id})")
        libs = fetch_jars()
        java = _require("java", "default-jre-headless")
        process = launch_node(java, self.heap, f"{libs}/*", self._node_dir(node_id) / "server.properties",
                              self._logs_dir(node_id))
        self._pid_file(node_id).write_text(f"{process.pid}\n")
        deadline = time.monotonic() + timeout
        # The client port opens once the node has joined the quorum and registered as a broker.
        while not port_open(ports.client):
            code = process.poll()
            if code is not None:
                raise LocalKafkaError(f"node {node_id} exited during start-up (exit code {code}); "
                                      f"last log lines: {log_tail(self._logs_dir(node_id))}")
            if time.monotonic() > deadline:
                self.kill_node(node_id)
                raise LocalKafkaError(f"node {node_id} not ready after {timeout:.0f}s; "
                                      f"last log lines: {log_tail(self._logs_dir(node_id))}")
            time.sleep(0.1)

    def stop_node(self, node_id: int, timeout: float = 30.0) -> None:
        pid = running_pid(self._pid_file(node_id))
        if pid is not None:
            stop_process_group(pid, timeout)
        self._pid_file(node_id).unlink(missing_ok=True)

    def kill_node(self, node_id: int) -> None:
        """SIGKILL one node: no controlled shutdown, no leadership handed over."""
        pid = running_pid(self._pid_file(node_id))
        if pid is not None:
            stop_process_group(pid, 10.0, kill=True)
        self._pid_file(node_id).unlink(missing_ok=True)

    # ------------------------------------------------------------ creation

    def _create(self, java: str, classpath: str) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir.chmod(0o700)  # credentials and keys live here
        self.ports = [NodePorts(n, free_port(), free_port(), free_port()) for n in range(1, self.nodes + 1)]
        scram: list[str] = []
        if self.secure:
            if ClusterTls.existing(self.state_dir / "tls") is None:
                make_cluster_tls(self.state_dir / "tls")
            passwords = {name: secrets.token_urlsafe(24) for name in (ADMIN_USER, *self.users)}
            path = self.state_dir / "credentials.json"
            path.touch(mode=0o600)
            path.write_text(json.dumps(passwords, indent=1))
            for name, password in passwords.items():
                scram += ["--add-scram", f"{MECHANISM}=[name={name},password={password}]"]
        cluster_id = new_cluster_id()
        for ports in self.ports:
            self._logs_dir(ports.node_id).mkdir(parents=True, exist_ok=True)
            self._write_config(ports)
        with ThreadPoolExecutor(self.nodes) as pool:
            list(pool.map(lambda p: format_storage(
                java, classpath, self._node_dir(p.node_id) / "server.properties",
                self._logs_dir(p.node_id), cluster_id, *scram), self.ports))
        (self.state_dir / "cluster.json").write_text(json.dumps({
            "cluster_id": cluster_id, "secure": self.secure, "users": list(self.users),
            "nodes": [vars(p) for p in self.ports]}, indent=1))

    def _load(self) -> bool:
        """Adopt a cluster created earlier in this state dir (its ports are in its metadata)."""
        recorded = self._recorded_ports()
        if not recorded:
            return False
        info = json.loads((self.state_dir / "cluster.json").read_text())
        self.ports, self.secure, self.users = recorded, bool(info["secure"]), tuple(info["users"])
        self.nodes = len(recorded)
        return True

    def _recorded_ports(self) -> list[NodePorts]:
        try:
            info = json.loads((self.state_dir / "cluster.json").read_text())
        except (OSError, ValueError):
            return []
        return [NodePorts(**n) for n in info["nodes"]]

    def _write_config(self, ports: NodePorts) -> None:
        voters = ",".join(f"{p.node_id}@127.0.0.1:{p.controller}" for p in self.ports)
        rf = str(self.replication_factor)
        min_isr = str(min(2, self.replication_factor))
        settings = {
            "process.roles": "broker,controller",
            "node.id": str(ports.node_id),
            "controller.quorum.voters": voters,
            "listeners": f"CLIENT://127.0.0.1:{ports.client},INTERNAL://127.0.0.1:{ports.internal},"
                         f"CONTROLLER://127.0.0.1:{ports.controller}",
            "advertised.listeners": f"CLIENT://127.0.0.1:{ports.client},INTERNAL://127.0.0.1:{ports.internal}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "INTERNAL",
            "log.dirs": str(self._node_dir(ports.node_id) / "data"),
            # Production's durability: three copies, an acks=all write needs two of them.
            "default.replication.factor": rf,
            "min.insync.replicas": min_isr,
            "offsets.topic.replication.factor": rf,
            "transaction.state.log.replication.factor": rf,
            "transaction.state.log.min.isr": min_isr,
            "share.coordinator.state.topic.replication.factor": rf,
            "share.coordinator.state.topic.min.isr": min_isr,
            "unclean.leader.election.enable": "false",
            # Small internal topics and no first-join delay: a test cluster, not a smaller one.
            "group.initial.rebalance.delay.ms": "0",
            "offsets.topic.num.partitions": "3",
            "transaction.state.log.num.partitions": "1",
            "log.cleaner.dedupe.buffer.size": "2097152",
            "num.network.threads": "2",
            "num.io.threads": "2",
            "auto.create.topics.enable": "false",
            **(self._security() if self.secure else {"listener.security.protocol.map": _PLAINTEXT}),
        }
        path = self._node_dir(ports.node_id) / "server.properties"
        path.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
        path.chmod(0o600)

    def _security(self) -> dict[str, str]:
        tls = self.state_dir / "tls"
        return {
            "listener.security.protocol.map": "CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL",
            "sasl.enabled.mechanisms": MECHANISM,
            "listener.name.client.sasl.enabled.mechanisms": MECHANISM,
            "listener.name.client.scram-sha-512.sasl.jaas.config":
                "org.apache.kafka.common.security.scram.ScramLoginModule required;",
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": str(tls / "broker-keystore.pem"),
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": str(tls / "ca.pem"),
            "listener.name.internal.ssl.client.auth": "required",
            "listener.name.controller.ssl.client.auth": "required",
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "allow.everyone.if.no.acl.found": "false",
            "super.users": f"User:{BROKER_SUBJECT};User:{ADMIN_USER}",
        }

    # ------------------------------------------------------------ paths

    def _ports(self, node_id: int) -> NodePorts:
        for ports in self.ports or self._recorded_ports():
            if ports.node_id == node_id:
                return ports
        raise LocalKafkaError(f"no node {node_id} in {self.state_dir}")

    def _node_dir(self, node_id: int) -> Path:
        return self.state_dir / f"node-{node_id}"

    def _logs_dir(self, node_id: int) -> Path:
        return self._node_dir(node_id) / "logs"

    def _pid_file(self, node_id: int) -> Path:
        return self._node_dir(node_id) / "node.pid"


def write_client_env(cluster: Cluster) -> Path:
    """One ``<user>.env`` file per user (mode 0600) with its ``HOTLINE_KAFKA_*`` settings."""
    directory = cluster.state_dir / "clients"
    directory.mkdir(mode=0o700, exist_ok=True)
    for user in (ADMIN_USER, *cluster.users) if cluster.secure else ("plaintext",):
        path = directory / f"{user}.env"
        path.touch(mode=0o600)
        path.write_text("".join(f"{k}={v}\n" for k, v in cluster.client_env(
            user if cluster.secure else None).items()))
    return directory


def cluster_main(args: argparse.Namespace) -> int:
    """``python -m deploy.localkafka start|run|stop|status --nodes 3 [--insecure] [--topic-prefix P]``."""
    import asyncio

    from deploy.cluster_access import provision_cluster, service_users

    cluster = Cluster(args.state_dir, nodes=args.nodes or 3, secure=not args.insecure, users=service_users())
    try:
        if args.action in ("start", "run"):
            bootstrap = cluster.start(timeout=max(args.timeout, 180.0))
            reports, acls = asyncio.run(provision_cluster(cluster, args.topic_prefix))
            created = sum(1 for r in reports if r.status == "created")
            print(f"bootstrap={bootstrap} nodes={cluster.nodes} secure={'yes' if cluster.secure else 'no'} "
                  f"started_in={cluster.start_seconds:.1f}s topics_created={created} acls={acls} "
                  f"clients={write_client_env(cluster)} state={cluster.state_dir}", flush=True)
            if args.action == "run":
                _wait_for_signal()
                cluster.stop()
        elif args.action == "stop":
            cluster._load()
            cluster.stop(timeout=args.timeout)
        else:
            cluster._load()
            running = cluster.running_nodes()
            if not running:
                print("not running")
                return 3
            print(f"running nodes={','.join(map(str, running))} bootstrap={cluster.bootstrap}")
    except LocalKafkaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
