"""The YAML boundary: a protocol file's text to plain data, with the line of every key and list item.

PyYAML types end here: callers see ``YamlDocument`` (data, a path-to-line index, duplicate keys) or
``YamlSyntaxError`` (line and problem). Scalars resolve as in YAML 1.2's core schema rather than
PyYAML's YAML 1.1 defaults, because those silently turn protocol data into something else:
``17:00`` into the integer 1020 (base 60), ``NO`` (Norway) and ``on``/``off`` into booleans, and a
leading-zero ``0101`` into an octal number. Only ``true``/``false`` are booleans here, and times,
country codes and numbers with leading zeros stay text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import yaml

PathPart = str | int
KeyPath = tuple[PathPart, ...]

_YAML_1_1_ONLY: Final = frozenset({"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                                   "tag:yaml.org,2002:float"})
_CORE_SCALARS: Final = (
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    ("tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+)$"), "-+0123456789"),
    ("tag:yaml.org,2002:float",
     re.compile(r"^(?:[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
     "-+0123456789."),
)


def _core_schema_loader() -> Any:
    resolvers = {first: [(tag, rx) for tag, rx in entries if tag not in _YAML_1_1_ONLY]
                 for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    loader: Any = type("ProtocolLoader", (yaml.SafeLoader,), {"yaml_implicit_resolvers": resolvers})
    for tag, pattern, first in _CORE_SCALARS:
        loader.add_implicit_resolver(tag, pattern, list(first))
    return loader


_LOADER: Final = _core_schema_loader()


@dataclass(frozen=True)
class YamlDocument:
    """A parsed file: its data, the 1-based line of each mapping key and list item, duplicate keys."""

    data: object
    lines: Mapping[KeyPath, int]
    duplicate_keys: Sequence[tuple[KeyPath, int]]

    def line_of(self, path: Sequence[PathPart]) -> tuple[int, KeyPath]:
        """The line of the deepest part of ``path`` that is in the file, and that part.

        Parts that are not in the file are skipped rather than ending the walk: pydantic puts union
        tags (``email``, ``weekly``) in its error locations between real keys.
        """
        found: KeyPath = ()
        for part in path:
            candidate = (*found, part)
            if candidate in self.lines:
                found = candidate
        return self.lines.get(found, 1), found


class YamlSyntaxError(Exception):
    """The text is not YAML, or not one document. ``line`` is 1-based."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


def parse(text: str) -> YamlDocument:
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = str(error.problem or error.context or "not YAML")
        if error.context and error.problem:
            # PyYAML notices an unclosed bracket only where the text goes on: say where it opened.
            started = f" at line {error.context_mark.line + 1}" if error.context_mark is not None else ""
            problem += f" ({error.context}{' started' if started else ''}{started})"
        raise YamlSyntaxError(line, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(1, f"YAML syntax error: {error}") from None
    finally:
        loader.dispose()
    lines: dict[KeyPath, int] = {(): 1}
    duplicates: list[tuple[KeyPath, int]] = []
    if node is not None:
        _index(node, (), lines, duplicates, set())
    return YamlDocument(data=data, lines=lines, duplicate_keys=duplicates)


def _index(node: Any, path: KeyPath, lines: dict[KeyPath, int], duplicates: list[tuple[KeyPath, int]],
           active: set[int]) -> None:
    if id(node) in active:  # an alias that contains itself
        return
    active.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = str(key_node.value)
            line = int(key_node.start_mark.line) + 1
            if key in seen:
                duplicates.append(((*path, key), line))
            seen.add(key)
            lines[(*path, key)] = line
            _index(value_node, (*path, key), lines, duplicates, active)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            lines[(*path, position)] = int(item.start_mark.line) + 1
            _index(item, (*path, position), lines, duplicates, active)
    active.discard(id(node))


def dump(data: object) -> str:
    """Block-style YAML that ``parse`` reads back to the same data (ambiguous scalars are quoted)."""
    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    return text
