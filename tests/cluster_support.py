"""A secured three-node Kafka cluster of a test's own (``deploy.localcluster``), provisioned like production.

Topics from the registry under a prefix, one SCRAM user per service holding only the ACLs
``deploy.kafka_access`` grants it. ``service_env(service)`` gives a service process its own
credentials; ``settings(user)`` a client in the test as any user (None: the provisioning admin).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from contracts import Service
from deploy.cluster_access import client_settings, provision_cluster, service_users
from deploy.kafka_access import user_name
from deploy.localcluster import Cluster
from deploy.localkafka import LocalKafkaError
from deploy.localtls import LocalTlsError
from services.runtime import RuntimeSettings
from tests.conftest import _unavailable


@dataclass
class SecuredCluster:
    cluster: Cluster
    prefix: str

    def service_env(self, service: Service) -> dict[str, str]:
        return {**self.cluster.client_env(user_name(service)), "HOTLINE_TOPIC_PREFIX": self.prefix,
                "HOTLINE_REPLICATION_FACTOR": str(self.cluster.replication_factor)}

    def settings(self, service: Service | None = None) -> RuntimeSettings:
        return client_settings(self.cluster, user_name(service) if service else None, self.prefix)


def secured_cluster(directory: Path) -> Iterator[SecuredCluster]:
    """Start, provision, yield and stop a cluster (the body of a fixture)."""
    cluster = Cluster(directory, users=service_users())
    try:
        cluster.start()
    except (LocalKafkaError, LocalTlsError) as error:
        cluster.stop()
        _unavailable(f"cannot start a local Kafka cluster: {error}")
        raise
    prefix = f"c{uuid.uuid4().hex[:8]}."
    try:
        asyncio.run(provision_cluster(cluster, prefix))
        yield SecuredCluster(cluster, prefix)
    finally:
        cluster.stop()
