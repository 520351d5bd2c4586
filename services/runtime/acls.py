"""Creating Kafka ACLs (StandardAuthorizer) as a super user: the local cluster's provisioning.

aiokafka's admin client has no ACL call, but its protocol module has the CreateAcls request
(version 1, which names the pattern type and which Kafka 4 still serves); this sends one per entry
to any broker, which forwards it to the controllers. In production Strimzi's User Operator writes
the same ACLs from the KafkaUser resources.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from aiokafka.protocol.admin import CreateAclsRequest

from services.runtime.kafka_options import client_options
from services.runtime.settings import RuntimeSettings

ResourceType = Literal["topic", "group", "cluster"]
Pattern = Literal["literal", "prefix"]
Operation = Literal["Read", "Write", "Create", "Delete", "Alter", "Describe", "DescribeConfigs",
                    "AlterConfigs", "IdempotentWrite"]

# Kafka's protocol codes (org.apache.kafka.common.acl / resource).
_RESOURCE = {"topic": 2, "group": 3, "cluster": 4}
_PATTERN = {"literal": 3, "prefix": 4}
_OPERATION = {"Read": 3, "Write": 4, "Create": 5, "Delete": 6, "Alter": 7, "Describe": 8,
              "DescribeConfigs": 10, "AlterConfigs": 11, "IdempotentWrite": 12}
_ALLOW = 3


@dataclass(frozen=True)
class AclEntry:
    """Allow ``principal`` (``User:<name>``) one operation on a resource, from any host."""

    principal: str
    resource: ResourceType
    name: str
    pattern: Pattern
    operation: Operation


async def create_acls(settings: RuntimeSettings, entries: Iterable[AclEntry]) -> int:
    """Create ``entries`` (creating one that exists is a no-op); return how many were sent."""
    admin = AIOKafkaAdminClient(**client_options(settings, client_id="hotline-acls"))
    await admin.start()
    sent = 0
    try:
        for entry in entries:
            request = CreateAclsRequest(_RESOURCE[entry.resource], entry.name, _PATTERN[entry.pattern],
                                        entry.principal, "*", _OPERATION[entry.operation], _ALLOW)
            # The admin client's own connection pool: any broker answers CreateAcls.
            node = admin._client.get_random_node()
            response = await admin._client.send(node, request)
            for code, message in response.creation_responses:
                if code != 0:
                    raise KafkaError(f"creating an ACL for {entry.principal} on {entry.resource} "
                                     f"{entry.name} failed: error {code} {message or ''}".strip())
            sent += 1
    finally:
        await admin.close()
    return sent
