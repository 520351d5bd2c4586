"""Asterisk call-detail records (``cdr_csv``'s ``Master.csv``). Pure: a line in, a ``CallRecord`` out.

The format, as ``cdr_csv`` writes it: no header row; strings in double quotes with inner quotes
doubled; dates as ``"YYYY-MM-DD HH:MM:SS"`` in the PBX's local time without an offset (or empty,
unquoted, when unset); integers bare. The columns, in order:

    accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata,
    start, answer, end, duration, billsec, disposition, amaflags,
    [uniqueid]              with loguniqueid=yes
    [userfield]             with loguserfield=yes
    [peeraccount, linkedid, sequence]   with newcdrcolumns=yes

Which optional columns a PBX writes is configuration (``CdrLayout``); a row with another column
count is refused rather than guessed at.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

BASE_COLUMNS: Final = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
                       "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags")
DISPOSITIONS: Final = frozenset({"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"})
_DATE_FORMAT: Final = "%Y-%m-%d %H:%M:%S"


class BadRow(ValueError):
    """A row we cannot read; ``reason`` is a code, never the row's content."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CdrLayout:
    uniqueid: bool = True
    userfield: bool = False
    new_columns: bool = False

    def columns(self) -> tuple[str, ...]:
        extra = (("uniqueid",) if self.uniqueid else ()) + (("userfield",) if self.userfield else ())
        if self.new_columns:
            extra += ("peeraccount", "linkedid", "sequence")
        return BASE_COLUMNS + extra


@dataclass(frozen=True)
class CallRecord:
    src: str
    dst: str
    clid: str
    channel: str
    dcontext: str
    start: datetime
    answer: datetime | None
    end: datetime | None
    duration: int
    billsec: int
    disposition: str
    uniqueid: str | None
    linkedid: str | None
    sequence: int | None
    accountcode: str

    @property
    def call_key(self) -> str:
        """One key for every fragment of a call: the linked id when the PBX writes it, else the
        unique id, else what the record itself says (start, channel, source)."""
        return self.linkedid or self.uniqueid or f"{self.start.isoformat()}|{self.channel}|{self.src}"


def _date(value: str, zone: ZoneInfo, column: str, *, required: bool) -> datetime | None:
    if not value:
        if required:
            raise BadRow(f"missing_{column}")
        return None
    try:
        return datetime.strptime(value, _DATE_FORMAT).replace(tzinfo=zone)
    except ValueError:
        raise BadRow(f"bad_{column}") from None


def _int(value: str, column: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise BadRow(f"bad_{column}") from None
    if number < 0:
        raise BadRow(f"bad_{column}")
    return number


def split_line(line: str) -> list[str]:
    """One CSV line as fields; an unbalanced quote (a truncated line) is a ``BadRow``."""
    try:
        rows = list(csv.reader([line], strict=True))
    except csv.Error:
        raise BadRow("malformed_csv") from None
    if len(rows) != 1:
        raise BadRow("malformed_csv")
    return rows[0]


def parse_line(line: str, layout: CdrLayout, zone: ZoneInfo) -> CallRecord:
    if not line.strip():
        raise BadRow("empty_line")
    fields = split_line(line.rstrip("\r\n"))
    columns = layout.columns()
    if len(fields) != len(columns):
        raise BadRow(f"column_count_{len(fields)}_expected_{len(columns)}")
    row = dict(zip(columns, fields, strict=True))
    disposition = row["disposition"].strip().upper()
    if disposition not in DISPOSITIONS:
        raise BadRow("bad_disposition")
    start = _date(row["start"], zone, "start", required=True)
    if start is None:  # required=True never gives None; said again for the type
        raise BadRow("bad_start")
    return CallRecord(
        src=row["src"], dst=row["dst"], clid=row["clid"], channel=row["channel"], dcontext=row["dcontext"],
        start=start,
        answer=_date(row["answer"], zone, "answer", required=False),
        end=_date(row["end"], zone, "end", required=False),
        duration=_int(row["duration"], "duration"),
        billsec=_int(row["billsec"], "billsec"),
        disposition=disposition,
        uniqueid=row.get("uniqueid") or None,
        linkedid=row.get("linkedid") or None,
        sequence=_int(row["sequence"], "sequence") if row.get("sequence") else None,
        accountcode=row["accountcode"],
    )
