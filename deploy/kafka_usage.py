"""What a service's code does with Kafka, read from its source: the topics it names and how, and
the consumer groups it joins. ``tests/unit/test_kafka_acls.py`` holds this against the ACLs that
``deploy.kafka_access`` grants, so a service that starts using a topic its KafkaUser may not touch
fails a test instead of failing in production with an authorization error.

The code of a service is every module of its package that ``python -m <package>`` imports,
directly or not (operators' command-line tools that the process never imports, such as
``hotline-triage replay``, run with an operator's credentials, not the service's). In it:

- ``Topic.X`` passed to a publishing call (``publish``, ``publish_record``, ``send``, ``enqueue``,
  ...) is a write;
- ``Topic.X`` given to a consuming construct (``ConsumerSpec``, ``DeadLetterer``, ``BrokerRecord``,
  ``TopicFollower``, ``read_whole_topic``, a faust ``app.topic``) is a read;
- any other ``Topic.X`` is a use that needs read or write access;
- group names are the ``group=`` of a ``ConsumerSpec`` and the argument of ``settings.group_id``;
  an f-string counts by its constant beginning.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from contracts import Service, Topic

ROOT = Path(__file__).resolve().parents[1]

PACKAGES: dict[Service, str] = {
    Service.INTAKE_WEBFORM: "intake_webform",
    Service.INTAKE_EMAIL: "intake_email",
    Service.INTAKE_PHONE: "intake_phone",
    Service.INTAKE_SMS: "intake_sms",
    Service.TRIAGE: "triage",
    Service.REVIEW: "services.review",
    Service.REPORTING: "services.reporting",
    Service.OPS: "services.ops",
}

Access = Literal["write", "read", "use"]

_WRITE_CALLS = frozenset({"publish", "publish_record", "_publish", "send", "enqueue", "_enqueue"})
_READ_CALLS = frozenset({"ConsumerSpec", "DeadLetterer", "BrokerRecord", "TopicFollower", "read_whole_topic",
                         "topic", "consumer_lag", "topic_depths"})


@dataclass(frozen=True)
class TopicUse:
    topic: Topic
    access: Access
    where: str  # module:line


@dataclass(frozen=True)
class GroupUse:
    name: str
    exact: bool  # False: an f-string whose constant beginning is ``name``
    where: str


def _module_path(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _imports(tree: ast.Module, module: str, package: str) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                parts = module.split(".")[: -node.level]
                base = ".".join([*parts, node.module] if node.module else parts)
            else:
                base = node.module or ""
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def service_modules(service: Service) -> dict[str, ast.Module]:
    """Every module of the service's package that ``python -m <package>`` imports, parsed."""
    return dict(_parsed(service))


@cache
def _parsed(service: Service) -> dict[str, ast.Module]:
    package = PACKAGES[service]
    pending, parsed = [f"{package}.__main__"], {}
    while pending:
        module = pending.pop()
        if module in parsed:
            continue
        path = _module_path(module)
        if path is None:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        parsed[module] = tree
        pending.extend(name for name in _imports(tree, module, package)
                       if name == package or name.startswith(f"{package}."))
    return parsed


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def _decided_by(call: ast.Call) -> Access | None:
    name = _call_name(call)
    if name in _WRITE_CALLS:
        return "write"
    return "read" if name in _READ_CALLS else None


def _access(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> Access:
    """The nearest enclosing call that publishes or consumes decides; a topic in the table a
    comprehension builds consumers or publications from counts as given to them; otherwise a use."""
    current = parents.get(node)
    while current is not None and not isinstance(current, ast.stmt):
        if isinstance(current, ast.Call) and (access := _decided_by(current)) is not None:
            return access
        if isinstance(current, ast.comprehension):
            owner = parents[current]
            built = [owner.elt] if isinstance(owner, ast.ListComp | ast.SetComp | ast.GeneratorExp) else []
            for call in (n for part in built for n in ast.walk(part) if isinstance(n, ast.Call)):
                if (access := _decided_by(call)) is not None:
                    return access
        current = parents.get(current)
    return "use"


def topic_uses(modules: dict[str, ast.Module]) -> list[TopicUse]:
    uses = []
    for module, tree in modules.items():
        parents = _parents(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "Topic" and node.attr in Topic.__members__):
                uses.append(TopicUse(Topic[node.attr], _access(node, parents), f"{module}:{node.lineno}"))
    return uses


def _constants(modules: dict[str, ast.Module]) -> dict[str, str]:
    """Module-level string constants (``GROUP = "triage"``), by name."""
    found = {}
    for tree in modules.values():
        for node in tree.body:
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)):
                found.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
    return found


def _group(value: ast.expr, constants: dict[str, str]) -> tuple[str, bool] | None:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value, True
    if isinstance(value, ast.Name) and value.id in constants:
        return constants[value.id], True
    if isinstance(value, ast.JoinedStr):
        head: list[str] = []
        for part in value.values:
            if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                return "".join(head), False
            head.append(part.value)
        return "".join(head), True
    return None


def group_uses(modules: dict[str, ast.Module]) -> list[GroupUse]:
    constants = _constants(modules)
    uses = []
    for module, tree in modules.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            values: list[ast.expr] = []
            if _call_name(node) == "group_id":
                values = node.args[:1]
            elif _call_name(node) == "ConsumerSpec":
                values = [k.value for k in node.keywords if k.arg == "group"]
            for value in values:
                group = _group(value, constants)
                if group is None:
                    raise ValueError(f"{module}:{node.lineno}: a consumer group this check cannot read")
                uses.append(GroupUse(group[0], group[1], f"{module}:{node.lineno}"))
    return uses
