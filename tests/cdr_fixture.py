"""CDR rows written the way Asterisk's ``cdr_csv`` writes them (fake numbers and names only)."""

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


START = datetime(2026, 3, 16, 14, 0, 0)

FIXTURE = [
    Row("+12145550123", '"María José" <+12145550123>', START, 8, 712, "ANSWERED", "1773669600.101"),
    Row(
        "5055550199",
        '"Smith, John" <5055550199>',
        START + timedelta(minutes=5),
        None,
        30,
        "NO ANSWER",
        "1773669900.102",
    ),
    Row("anonymous", "", START + timedelta(minutes=9), None, 2, "BUSY", "1773670140.103"),
    Row(
        "+525512345678",
        '"Zoë ""Z"" Ng" <+525512345678>',
        START + timedelta(minutes=12),
        None,
        1,
        "FAILED",
        "1773670320.104",
        lastdata='SIP/agent,30,"tT"',
    ),
    Row(
        "2125550100",
        '"Nguyễn Văn An" <2125550100>',
        START + timedelta(minutes=20),
        3,
        95,
        "ANSWERED",
        "1773670800.105",
    ),
]


def many_rows(n: int) -> list[Row]:
    """``n`` distinct answered calls."""
    return [
        Row(
            f"+1214555{i % 10000:04d}",
            f'"Caller {i}" <+1214555{i % 10000:04d}>',
            START + timedelta(seconds=i),
            5,
            60 + i % 600,
            "ANSWERED",
            f"1773669600.{i}",
        )
        for i in range(n)
    ]


def many(n: int) -> list[str]:
    """``n`` distinct answered rows, for imports and benchmarks."""
    return [row.line() for row in many_rows(n)]
