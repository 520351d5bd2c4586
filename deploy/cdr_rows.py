"""Call-detail rows written the way Asterisk's ``cdr_csv`` writes them: what the drill and the
system benchmark append to the PBX's file, and the tests' fixtures (fake numbers and names only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _date(value: datetime | None) -> str:
    return _quoted(value.strftime("%Y-%m-%d %H:%M:%S")) if value else ""


@dataclass(frozen=True)
class Row:
    src: str
    clid: str
    start: datetime
    answered_after: int | None
    duration: int
    disposition: str
    uniqueid: str
    lastdata: str = "SIP/agent,30"

    def line(self, *, uniqueid: bool = True, userfield: str | None = None, new_columns: bool = False) -> str:
        """The row as ``cdr_csv`` writes it: with ``loguniqueid`` (the default here), with
        ``loguserfield`` when ``userfield`` is given, with ``newcdrcolumns`` when asked."""
        answer = (
            self.start + timedelta(seconds=self.answered_after) if self.answered_after is not None else None
        )
        end = self.start + timedelta(seconds=self.duration)
        billsec = self.duration - self.answered_after if self.answered_after is not None else 0
        strings = [
            "",
            self.src,
            "18883737888",
            "from-pstn",
            self.clid,
            "SIP/trunk-00001",
            "SIP/agent-00002",
            "Dial",
            self.lastdata,
        ]
        return (
            ",".join(
                [
                    *map(_quoted, strings),
                    _date(self.start),
                    _date(answer),
                    _date(end),
                    str(self.duration),
                    str(billsec),
                    _quoted(self.disposition),
                    _quoted("DOCUMENTATION"),
                    *([_quoted(self.uniqueid)] if uniqueid else []),
                    *([_quoted(userfield)] if userfield is not None else []),
                    *([_quoted(""), _quoted(self.uniqueid), "1"] if new_columns else []),
                ]
            )
            + "\n"
        )
