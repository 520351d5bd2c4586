"""Asterisk call-detail records (``cdr_csv``'s ``Master.csv``). Pure: a line in, a ``CallRecord`` out.

The format, as ``cdr_csv`` writes it: no header row; strings in double quotes with inner quotes
doubled; dates as ``"YYYY-MM-DD HH:MM:SS"`` in the PBX's local time without an offset (or empty,
unquoted, when unset); integers bare. The columns, in order:

    accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata,
    start, answer, end, duration, billsec, disposition, amaflags,
    [uniqueid]              with loguniqueid=yes
    [userfield]             with loguserfield=yes
    [peeraccount, linkedid, sequence]   with newcdrcolumns=yes

Which optional columns a PBX writes is its configuration, and every combination has its own
column count (16 to 21) except that 17 and 20 leave open whether the one column before the new
ones is the unique id or the user field. ``LayoutDetector`` reads the layout from the rows: the
count, and for 17 and 20 the content (Asterisk's unique ids are ``[system-]epoch.sequence`` and
never empty; user fields are free text, usually empty). A configured ``CdrLayout`` overrides it,
and a row whose count fits neither is refused rather than guessed at.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

BASE_COLUMNS: Final = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
                       "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags")
DISPOSITIONS: Final = frozenset({"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"})
_DATE_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
_PLAIN_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
# ``ast_channel_uniqueid``: ``<epoch>.<sequence>``, prefixed ``<systemname>-`` when one is set.
_UNIQUEID: Final = re.compile(r"(?:[^\s]{1,80}-)?\d{9,11}\.\d{1,10}")


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

    def describe(self) -> str:
        """``18 columns (uniqueid, userfield)``: what an operator compares with cdr.conf."""
        optional = self.columns()[len(BASE_COLUMNS):]
        return f"{len(self.columns())} columns ({', '.join(optional) or 'no optional columns'})"


_LAYOUTS: Final = tuple(CdrLayout(uniqueid, userfield, new) for uniqueid in (False, True)
                        for userfield in (False, True) for new in (False, True))
_BY_COUNT: Final[dict[int, tuple[CdrLayout, ...]]] = {
    count: tuple(layout for layout in _LAYOUTS if len(layout.columns()) == count)
    for count in sorted({len(layout.columns()) for layout in _LAYOUTS})}
# The column that is the unique id or the user field when a count leaves the choice open.
_AMBIGUOUS_AT: Final = len(BASE_COLUMNS)
MIN_COLUMNS, MAX_COLUMNS = min(_BY_COUNT), max(_BY_COUNT)


class LayoutDetector:
    """Each row's layout from its column count; where a count leaves the choice open (17, 20),
    the content of the first rows with that count decides it once, so one file is read one way."""

    def __init__(self) -> None:
        self._decided: dict[int, CdrLayout] = {n: c[0] for n, c in _BY_COUNT.items() if len(c) == 1}

    def learn(self, rows: Iterable[Sequence[str]]) -> None:
        """Decide the open counts these rows have: a unique id when most of them look like one."""
        seen: dict[int, list[str]] = {}
        for fields in rows:
            if len(fields) in _BY_COUNT and len(fields) not in self._decided:
                seen.setdefault(len(fields), []).append(fields[_AMBIGUOUS_AT])
        for count, values in seen.items():
            looks_like_ids = sum(bool(_UNIQUEID.fullmatch(v)) for v in values) * 2 > len(values)
            self._decided[count] = next(c for c in _BY_COUNT[count] if c.uniqueid == looks_like_ids)

    def layout_for(self, fields: Sequence[str]) -> CdrLayout:
        if len(fields) not in _BY_COUNT:
            raise BadRow(f"column_count_{len(fields)}_expected_{MIN_COLUMNS}_to_{MAX_COLUMNS}")
        if len(fields) not in self._decided:
            self.learn([fields])
        return self._decided[len(fields)]


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
        if _PLAIN_DATE.fullmatch(value):
            # The form cdr_csv writes, read by position: strptime was a tenth of a row's import.
            # Anything else (one-digit fields, say) is still strptime's to accept or refuse.
            return datetime(int(value[0:4]), int(value[5:7]), int(value[8:10]), int(value[11:13]),
                            int(value[14:16]), int(value[17:19]), tzinfo=zone)
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


def read_fields(line: str) -> list[str]:
    """A line of the file as its fields; an empty or broken line is a ``BadRow``."""
    if not line.strip():
        raise BadRow("empty_line")
    return split_line(line.rstrip("\r\n"))


def parse_line(line: str, layout: CdrLayout, zone: ZoneInfo) -> CallRecord:
    return parse_fields(read_fields(line), layout, zone)


def parse_fields(fields: Sequence[str], layout: CdrLayout, zone: ZoneInfo) -> CallRecord:
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
