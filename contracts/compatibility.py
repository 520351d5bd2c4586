"""Whether a change to an event's JSON Schema snapshot keeps the version: compatible both ways.

Backward: consumers of the new schema read what producers of the old one wrote. Forward: consumers
of the old schema read what producers of the new one write (they ignore fields they do not know:
the codec is a tolerant reader). So a field may be added when it is optional (it has a default,
so records written without it still read); anything else that changes what a field accepts
breaks one side or the other: removing or renaming a field, changing its type, its enum values or
its constraints, making it required or optional, adding a required field. Such a change needs a
new ``VERSION`` and an ``Upcaster`` in ``contracts.codec.CODEC``. Titles, descriptions and
defaults are documentation here (producers always write every field), and a nested model may be
renamed: schemas are compared by structure, with ``$ref`` resolved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

_DOCUMENTATION: Final = frozenset({"title", "description", "default", "examples", "$comment"})
# Keys compared structurally below; every other key is compared as a value.
_STRUCTURE: Final = frozenset({"properties", "required", "anyOf", "oneOf", "allOf", "items",
                               "discriminator", "$defs", "$id", "$schema"})

Schema = Mapping[str, Any]


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """What in ``new`` is not compatible with ``old`` (empty: the change may keep its version)."""
    return _Comparison(old, new).node(old, new, "", frozenset())


class _Comparison:
    def __init__(self, old_document: Schema, new_document: Schema) -> None:
        self._old = old_document
        self._new = new_document

    def node(self, old: Schema, new: Schema, path: str, refs: frozenset[tuple[str, str]]) -> list[str]:
        pair = (str(old.get("$ref", "")), str(new.get("$ref", "")))
        if pair != ("", "") and pair in refs:
            return []  # a recursive model, already being compared further up
        refs = refs | {pair} if pair != ("", "") else refs
        old, new = _resolve(self._old, old), _resolve(self._new, new)
        where = path or "the event"
        if "properties" in old and "properties" in new:
            problems = self._fields(old, new, path, refs)
        elif "properties" in old or "properties" in new:
            return [f"{where}: changes between an object and another type"]
        else:
            problems = []
        for key in ("anyOf", "oneOf", "allOf"):
            problems += self._alternatives(old.get(key), new.get(key), key, path, refs)
        if ("items" in old) != ("items" in new):
            problems.append(f"{where}: changes between a list and another type")
        elif "items" in old:
            problems += self.node(old["items"], new["items"], f"{path}[]", refs)
        if _discriminator(old) != _discriminator(new):
            problems.append(f"{where}: changes the field that tells its kinds apart")
        if _mapping_keys(old) != _mapping_keys(new):
            problems.append(f"{where}: changes the kinds its discriminator names "
                            f"({_listed(_mapping_keys(old))} -> {_listed(_mapping_keys(new))})")
        problems += _values(old, new, where)
        return problems

    def _fields(self, old: Schema, new: Schema, path: str, refs: frozenset[tuple[str, str]]) -> list[str]:
        problems = []
        old_fields, new_fields = old["properties"], new["properties"]
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        for name in sorted(set(old_fields) - set(new_fields)):
            problems.append(f"{_join(path, name)}: removed (or renamed)")
        for name in sorted(set(new_fields) - set(old_fields)):
            if name in new_required:
                problems.append(f"{_join(path, name)}: added as a required field (records written "
                                "without it would not read)")
        for name in sorted(set(old_fields) & set(new_fields)):
            field = _join(path, name)
            if (name in old_required) != (name in new_required):
                problems.append(f"{field}: {'now' if name in new_required else 'no longer'} required")
            problems += self.node(old_fields[name], new_fields[name], field, refs)
        return problems

    def _alternatives(
        self, old: Sequence[Schema] | None, new: Sequence[Schema] | None, key: str, path: str,
        refs: frozenset[tuple[str, str]],
    ) -> list[str]:
        if old is None and new is None:
            return []
        if old is None or new is None or len(old) != len(new):
            return [f"{path or 'the event'}: changes its type ({key}: "
                    f"{_summary(self._old, old)} -> {_summary(self._new, new)})"]
        problems = []
        for first, second in zip(old, new, strict=True):
            problems += self.node(first, second, path, refs)
        return problems


def _resolve(document: Schema, node: Schema) -> Schema:
    """``node`` with its ``$ref`` replaced by the definition (keys beside the ref win)."""
    seen: set[str] = set()
    while "$ref" in node:
        ref = str(node["$ref"])
        if ref in seen or not ref.startswith("#/$defs/"):
            raise ValueError(f"cannot resolve {ref}")
        seen.add(ref)
        target = document["$defs"][ref.removeprefix("#/$defs/")]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _values(old: Schema, new: Schema, where: str) -> list[str]:
    problems = []
    for key in sorted((set(old) | set(new)) - _DOCUMENTATION - _STRUCTURE):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key == "enum" and isinstance(before, list) and isinstance(after, list):
            added = [v for v in after if v not in before]
            gone = [v for v in before if v not in after]
            if added:
                problems.append(f"{where}: accepts new values {_listed(added)} (consumers not yet "
                                "upgraded would refuse them)")
            if gone:
                problems.append(f"{where}: no longer accepts {_listed(gone)} (records already "
                                "written would not read)")
            continue
        problems.append(f"{where}: changes {key} ({_shown(before)} -> {_shown(after)})")
    return problems


def _discriminator(node: Schema) -> str | None:
    found = node.get("discriminator", {}).get("propertyName")
    return str(found) if found is not None else None


def _mapping_keys(node: Schema) -> list[str]:
    return sorted(node.get("discriminator", {}).get("mapping", {}))


def _summary(document: Schema, alternatives: Sequence[Schema] | None) -> str:
    if alternatives is None:
        return "none"
    names = []
    for alternative in alternatives:
        if "$ref" in alternative:
            names.append(str(alternative["$ref"]).removeprefix("#/$defs/"))
        else:
            names.append(str(alternative.get("type", "?")))
    return " | ".join(names)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _listed(values: Sequence[Any]) -> str:
    return ", ".join(str(v) for v in values) or "none"


def _shown(value: Any) -> str:
    return "absent" if value is None else repr(value)
