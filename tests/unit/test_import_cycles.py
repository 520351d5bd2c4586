"""No import cycles in the packages the services ship, counting imports inside functions too.

import-linter sees module-level imports; a cycle closed by an import inside a function (as
``runtime.provision`` and ``runtime.topic_manifests`` once had) passes it and still ties two
modules into one. This walks every import statement of every module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
# deploy/ holds local tools rather than shipped code, and tests/ and bench/ are not imported by it.
PACKAGES = ("contracts", "services", "intake_webform", "intake_email", "intake_phone", "intake_sms", "triage")


def _modules() -> dict[str, ast.Module]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue  # Alembic loads these by path, never by import
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = ast.parse(path.read_text(), filename=str(path))
    return found


def _imported(node: ast.AST, known: dict[str, ast.Module]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names if alias.name in known)
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        submodules = [f"{node.module}.{alias.name}" for alias in node.names]
        if all(name in known for name in submodules):
            yield from submodules  # ``from package import module``: the module is what is used
        elif node.module in known:
            yield node.module


def import_graph(modules: dict[str, ast.Module]) -> dict[str, set[str]]:
    return {name: {dep for node in ast.walk(tree) for dep in _imported(node, modules) if dep != name}
            for name, tree in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_shipped_packages_have_no_import_cycle() -> None:
    assert cycles(import_graph(_modules())) == []


def test_a_cycle_closed_inside_a_function_is_found() -> None:
    modules = {
        "a": ast.parse("from b import render\n"),
        "b": ast.parse("def render():\n    from a import x\n"),
        "c": ast.parse("import a\n"),
    }
    assert cycles(import_graph(modules)) == [["a", "b"]]
