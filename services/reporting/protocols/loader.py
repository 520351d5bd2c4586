"""Reading a directory of region files, reporting every problem with its file, line and what is wrong.

A file with a YAML or schema error is left out of the set (its other problems cannot be judged);
cross-file problems (unknown contacts, unreachable chains, stale contacts) are found by ``checks``
over the files that loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from services.reporting.protocols import checks
from services.reporting.protocols.errors import ProtocolsInvalid
from services.reporting.protocols.model import ProtocolFile
from services.reporting.protocols.problems import Problem, Severity, dotted
from services.reporting.protocols.regions import LoadedProtocol, ProtocolSet
from services.reporting.protocols.yaml_lines import YamlDocument, YamlSyntaxError, parse

DEFAULT_MAX_AGE: Final = timedelta(days=180)
_SHOW_INPUT: Final = frozenset({
    "literal_error", "enum", "string_pattern_mismatch", "string_type", "bool_type", "int_type", "date_type",
    "date_from_datetime_parsing", "date_parsing", "union_tag_invalid", "string_too_long", "string_too_short"})


@dataclass(frozen=True)
class LoadResult:
    protocols: ProtocolSet
    problems: tuple[Problem, ...]
    files: int

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)


def protocol_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir()
                  if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith("."))


def load_directory(directory: Path, *, today: date | None = None,
                   max_age: timedelta = DEFAULT_MAX_AGE) -> LoadResult:
    """Every region file in ``directory``, and every problem found in them (errors and warnings)."""
    problems: list[Problem] = []
    loaded: list[LoadedProtocol] = []
    seen: dict[str, Path] = {}
    files = protocol_files(directory)
    for path in files:
        protocol, found = read_file(path)
        problems += found
        if protocol is None:
            continue
        if protocol.key in seen:
            problems.append(Problem(str(path), protocol.line("region"), Severity.ERROR,
                                    f"region {protocol.key} is already defined in {seen[protocol.key].name}"))
            continue
        seen[protocol.key] = path
        loaded.append(protocol)
    protocols = ProtocolSet(loaded)
    problems += checks.run(protocols, today=today or date.today(), max_age=max_age)
    return LoadResult(protocols, tuple(sorted(set(problems))), len(files))


def load_protocols(directory: Path, *, today: date | None = None,
                   max_age: timedelta = DEFAULT_MAX_AGE) -> ProtocolSet:
    """The region files of ``directory``; raises ``ProtocolsInvalid`` when any has an error."""
    result = load_directory(directory, today=today, max_age=max_age)
    if result.errors:
        raise ProtocolsInvalid(result.errors)
    return result.protocols


def read_file(path: Path) -> tuple[LoadedProtocol | None, list[Problem]]:
    """One file on its own: YAML syntax, duplicate keys, the schema, and its name against its region."""
    file = str(path)
    try:
        document = parse(path.read_text(encoding="utf-8"))
    except YamlSyntaxError as error:
        return None, [Problem(file, error.line, Severity.ERROR, error.problem)]
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(file, 1, Severity.ERROR, f"cannot read the file: {error}")]
    problems = [Problem(file, line, Severity.ERROR, f"{dotted(key)}: duplicate key (the last one would win)")
                for key, line in document.duplicate_keys]
    if not isinstance(document.data, dict):
        problems.append(Problem(file, 1, Severity.ERROR, "a protocol file is a mapping of region, contacts, "
                                                         "matrix and mandatory_reports"))
        return None, problems
    try:
        protocol = ProtocolFile.model_validate(document.data)
    except ValidationError as error:
        return None, problems + schema_problems(file, document, error)
    loaded = LoadedProtocol(path, protocol, document)
    if path.stem != loaded.key:
        problems.append(Problem(file, loaded.line("region"), Severity.ERROR,
                                f"region: the file name {path.name!r} does not match the region: "
                                f"name it {loaded.key}{path.suffix}"))
    # Kept despite a naming or duplicate-key error, so other files' references to it are still judged.
    return loaded, problems


def schema_problems(file: str, document: YamlDocument, error: ValidationError) -> list[Problem]:
    """pydantic's errors, each at the line of the key it is about (or of the mapping that lacks it)."""
    problems = []
    for item in error.errors(include_url=False):
        location = item["loc"]
        line, found = document.line_of(location)
        kind = item["type"]
        if kind == "missing" and location:
            message = f"missing required key {location[-1]!r}"
        elif kind == "extra_forbidden" and location:
            message = f"unknown key {location[-1]!r}"
        else:
            message = str(item["msg"]).removeprefix("Value error, ") + _input(kind, item.get("input"))
        where = dotted(found)
        problems.append(Problem(file, line, Severity.ERROR, f"{where}: {message}" if where else message))
    return problems


def _input(kind: str, value: Any) -> str:
    if kind not in _SHOW_INPUT or isinstance(value, dict | list):
        return ""
    shown = repr(value)
    return f" (got {shown[:60]}{'...' if len(shown) > 60 else ''})"
