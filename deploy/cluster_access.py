"""Provisioning the secured local cluster as production is: the registry's topics, one user per service.

The topics come from the registry (replication 3, ``min.insync.replicas`` 2); each service's user
gets exactly the ACLs ``deploy.kafka_access.grants`` derives for it, the grants the Strimzi
KafkaUsers carry, so a service that works on the local cluster works under its KafkaUser and one
that reaches for a topic it was not granted is refused here as it would be there.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import SecretStr

from contracts import Service, Topic
from deploy.kafka_access import grants, user_name
from deploy.localcluster import Cluster
from services.runtime import RuntimeSettings
from services.runtime.acls import AclEntry, create_acls
from services.runtime.provision import TopicReport, provision


def service_users() -> tuple[str, ...]:
    """The SCRAM users a cluster needs: one per service, named as the KafkaUsers are."""
    return tuple(user_name(s) for s in Service)


def acl_entries(prefix: str = "") -> Iterator[AclEntry]:
    """Every service's grants as ACL entries for its user, one per operation."""
    for service in Service:
        principal = f"User:{user_name(service)}"
        for grant in grants(service, prefix):
            for operation in grant.operations:
                yield AclEntry(principal, grant.resource, grant.name, grant.pattern, operation)


def client_settings(cluster: Cluster, user: str | None = None, prefix: str = "") -> RuntimeSettings:
    """Runtime settings that connect as ``user`` (None: the admin), for tools and tests."""
    if not cluster.secure:
        return RuntimeSettings(kafka_bootstrap=cluster.bootstrap, topic_prefix=prefix,
                               replication_factor=cluster.replication_factor, environment="test")
    env = cluster.client_env(user)
    return RuntimeSettings(
        kafka_bootstrap=cluster.bootstrap, kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512", kafka_sasl_username=env["HOTLINE_KAFKA_SASL_USERNAME"],
        kafka_sasl_password=SecretStr(env["HOTLINE_KAFKA_SASL_PASSWORD"]), kafka_ssl_cafile=cluster.ca_file,
        topic_prefix=prefix, replication_factor=cluster.replication_factor, environment="test")


async def provision_cluster(cluster: Cluster, prefix: str = "") -> tuple[list[TopicReport], int]:
    """Create the registry's topics under ``prefix`` and, on a secured cluster, every service's ACLs."""
    settings = client_settings(cluster, prefix=prefix)
    reports = await provision(settings, create=True, topics=tuple(Topic))
    acls = await create_acls(settings, acl_entries(prefix)) if cluster.secure else 0
    return reports, acls
