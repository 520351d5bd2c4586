"""The call-detail fixtures: calls of every disposition and many answered ones (``deploy.cdr_rows``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from deploy.cdr_rows import Row

__all__ = ["FIXTURE", "START", "Row", "many", "many_rows"]

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
