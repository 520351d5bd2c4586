"""``hotline-protocols``: tools for the people who keep the reporting and referral protocols.

    hotline-protocols validate [DIR] [--max-age 180d] [--strict]   one line per problem: file:line: ...
    hotline-protocols coverage [DIR] [--out DIR]                   empty and thin cells per region (+ PNGs)
    hotline-protocols resolve [DIR] --need NEED [--state TX --city Houston] [conditions] [--victim ...]
    hotline-protocols hsds export [DIR] --out FILE.json            the contact directory as HSDS 3.0
    hotline-protocols hsds import FILE.json --out DIR [--region US-TX] [--force]
    hotline-protocols schema [--write]                             the JSON Schema of a region file

DIR defaults to ``deploy/protocols``. Works on files only: no broker, database or network.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from contracts.events import (
    AgeRange,
    Gender,
    Jurisdiction,
    Nationality,
    ReportConditions,
    ReportNeed,
    TraffickingType,
    Victim,
)
from services.reporting.protocols.coverage import coverage, render_text
from services.reporting.protocols.durations import format_duration, parse_duration
from services.reporting.protocols.hsds import export_hsds, import_hsds, protocol_yaml
from services.reporting.protocols.loader import DEFAULT_MAX_AGE, LoadResult, load_directory
from services.reporting.protocols.model import Region
from services.reporting.protocols.schema import SCHEMA_PATH, schema_text
from services.reporting.resolution import resolve
from services.runtime.exit_codes import EXIT_FAILED

DEFAULT_DIR = Path("deploy/protocols")
EXIT_PROBLEMS = EXIT_FAILED


def _duration(text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _load(args: argparse.Namespace) -> LoadResult:
    if not args.dir.is_dir():
        raise SystemExit(f"{args.dir}: not a directory")
    return load_directory(args.dir, today=args.today, max_age=args.max_age)


def _summary(result: LoadResult) -> str:
    return f"{result.files} file(s): {len(result.errors)} error(s), {len(result.warnings)} warning(s)"


def _validate(args: argparse.Namespace) -> int:
    result = _load(args)
    for problem in result.problems:
        print(problem)
    print(_summary(result), file=sys.stderr)
    if result.files == 0:
        print(f"{args.dir}: no protocol files (*.yaml)", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_PROBLEMS if result.errors or (args.strict and result.warnings) else 0


def _coverage(args: argparse.Namespace) -> int:
    result = _load(args)
    for problem in result.errors:
        print(problem, file=sys.stderr)
    regions = coverage(result.protocols)
    print(render_text(regions))
    if args.out is not None:
        from services.reporting.protocols.heatmap import render_heatmap  # matplotlib: only when asked

        args.out.mkdir(parents=True, exist_ok=True)
        for region in regions:
            path = args.out / f"coverage-{region.key}.png"
            path.write_bytes(render_heatmap(region))
            print(f"wrote {path}", file=sys.stderr)
    return EXIT_PROBLEMS if result.errors else 0


def _victim(text: str) -> Victim:
    """``age=15,gender=female,nationality=foreign_national`` (``age=12-17`` for a range)."""
    fields = dict(part.split("=", 1) for part in text.split(",") if "=" in part)
    try:
        age = fields.get("age")
        low, _, high = (age or "").partition("-")
        return Victim(age=int(age) if age and not high else None,
                      age_range=AgeRange(low=int(low), high=int(high)) if high else None,
                      gender=Gender(fields.get("gender", "unknown")),
                      nationality=Nationality(fields.get("nationality", "unknown")))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None


def _resolve(args: argparse.Namespace) -> int:
    result = _load(args)
    if result.errors:
        for problem in result.errors:
            print(problem, file=sys.stderr)
        return EXIT_PROBLEMS
    conditions = ReportConditions(urgent=args.urgent, business_hours=not args.after_hours, minor=args.minor,
                                  foreign_national=args.foreign_national, trafficking_type=args.type)
    resolution = resolve(result.protocols, need=args.need, conditions=conditions,
                         jurisdiction=Jurisdiction(country=args.country, state=args.state, city=args.city),
                         victims=args.victim)
    if args.json:
        print(resolution.model_dump_json(indent=2))
        return 0
    print(f"{resolution.need.value} in {' > '.join(resolution.regions) or 'no region'}")
    for lookup in resolution.lookups:
        who = ", ".join(f"victim {i + 1}" for i in lookup.victims) or "the signal"
        if lookup.source is None:
            print(f"- {who}: no chain reaches anybody: a supervisor must act")
            continue
        source = lookup.source
        print(f"- {who}: {source.file}:{source.line} ({source.need.value}[{source.cell}])")
        for number, step in enumerate(lookup.chain, 1):
            channels = ", ".join(c.type for c in step.contact.channels)
            print(f"    {number}. {step.contact.name}, {step.contact.organisation} [{channels}]; "
                  f"wait {format_duration(step.wait)}")
        for skipped in lookup.skipped:
            print(f"    skipped {skipped.contact_id}: {skipped.reason}")
    for obligation in resolution.obligations:
        within = format_duration(obligation.within)
        print(f"- mandatory: {obligation.id} to {obligation.contact_id} within {within} "
              f"({obligation.source.file}:{obligation.source.line})")
    return 0


def _hsds_export(args: argparse.Namespace) -> int:
    result = _load(args)
    for problem in result.errors:
        print(problem, file=sys.stderr)
    document = export_hsds(result.protocols)
    args.out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {document['total_items']} service(s) to {args.out}", file=sys.stderr)
    return EXIT_PROBLEMS if result.errors else 0


def _region(text: str) -> Region:
    country, _, rest = text.partition("-")
    state, _, city = rest.partition("-")
    return Region(country=country, state=state or None, city=city or None)


def _hsds_import(args: argparse.Namespace) -> int:
    try:
        document = json.loads(args.file.read_text(encoding="utf-8"))
        imported = import_hsds(document, default_region=_region(args.region))
    except (OSError, ValueError) as error:  # unreadable, not JSON, or HsdsInvalid
        raise SystemExit(f"{args.file}: {error}") from None
    targets = {args.out / f"{f.region.key}.yaml": f for f in imported.files}
    clashes = [str(p) for p in targets if p.exists()]
    if clashes and not args.force:
        raise SystemExit(f"would overwrite {', '.join(clashes)} (use --force)")
    args.out.mkdir(parents=True, exist_ok=True)
    header = f"# Imported from {args.file.name} by hotline-protocols hsds import: add a matrix to use it.\n"
    for path, protocol in targets.items():
        path.write_text(header + protocol_yaml(protocol), encoding="utf-8")
        print(f"wrote {path} ({len(protocol.contacts)} contact(s))", file=sys.stderr)
    for line in imported.skipped:
        print(f"skipped {line}", file=sys.stderr)
    return 0


def _schema(args: argparse.Namespace) -> int:
    if args.write:
        SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
        print(f"wrote {SCHEMA_PATH}", file=sys.stderr)
    else:
        sys.stdout.write(schema_text())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotline-protocols", description=(__doc__ or "").split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def with_dir(name: str, help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text)
        command.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
        command.add_argument("--max-age", type=_duration, default=DEFAULT_MAX_AGE,
                             help="contacts verified longer ago are stale (warning); default 180d")
        command.add_argument("--today", type=date.fromisoformat, default=None, help=argparse.SUPPRESS)
        return command

    validate = with_dir("validate", "check every region file; exit 1 on errors")
    validate.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    validate.set_defaults(handler=_validate)

    cover = with_dir("coverage", "empty and thin matrix cells per region")
    cover.add_argument("--out", type=Path, default=None, help="write one heatmap PNG per region here")
    cover.set_defaults(handler=_coverage)

    look = with_dir("resolve", "which chains and mandatory reports a report would get")
    look.add_argument("--need", type=ReportNeed, required=True, choices=list(ReportNeed))
    look.add_argument("--country", default="US")
    look.add_argument("--state", default=None)
    look.add_argument("--city", default=None)
    look.add_argument("--urgent", action="store_true")
    look.add_argument("--after-hours", action="store_true")
    look.add_argument("--minor", action="store_true", help="triage found a minor")
    look.add_argument("--foreign-national", action=argparse.BooleanOptionalAction, default=None)
    look.add_argument("--type", type=TraffickingType, default=TraffickingType.UNKNOWN,
                      choices=list(TraffickingType))
    look.add_argument("--victim", type=_victim, action="append", default=[],
                      help="age=15,gender=female,nationality=foreign_national (repeatable)")
    look.add_argument("--json", action="store_true")
    look.set_defaults(handler=_resolve)

    hsds = sub.add_parser("hsds", help="the contact directory as Open Referral HSDS 3.0 JSON")
    hsds_sub = hsds.add_subparsers(dest="hsds_command", required=True)
    export = hsds_sub.add_parser("export", help="region files to one HSDS JSON file")
    export.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    export.add_argument("--out", type=Path, required=True)
    export.set_defaults(handler=_hsds_export, max_age=DEFAULT_MAX_AGE, today=None)
    imp = hsds_sub.add_parser("import", help="an HSDS JSON file to region files (contacts, empty matrix)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--out", type=Path, required=True)
    imp.add_argument("--region", default="US", help="for services that do not say theirs, e.g. US-TX")
    imp.add_argument("--force", action="store_true", help="overwrite existing region files")
    imp.set_defaults(handler=_hsds_import)

    schema = sub.add_parser("schema", help="print the JSON Schema of a region file")
    schema.add_argument("--write", action="store_true", help=f"write it to {SCHEMA_PATH.name} instead")
    schema.set_defaults(handler=_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code

