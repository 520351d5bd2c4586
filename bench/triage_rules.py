"""Pure triage assessment throughput on one core: ``assess`` over the labelled cases, no I/O.

    python -m bench.triage_rules [--seconds 5]

Prints signals per second for three mixes: as labelled (some declare their language), every
language undeclared (lingua decides the ambiguous ones), and every language declared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from contracts.events import SignalReceived
from triage.offline import signal_from_line
from triage.rules import RULES_VERSION, assess, warm_up

CASES = Path(__file__).resolve().parents[1] / "triage" / "corpus" / "train" / "b00-team-rules.jsonl"
NOW = datetime(2026, 3, 16, 14, 30, tzinfo=UTC)


def corpus(language: bool | None) -> list[SignalReceived]:
    """``language``: False keeps each case as labelled; None clears it; True declares it for every case."""
    rows: list[dict[str, Any]] = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()]
    signals = []
    for row in rows:
        if language is None:
            row = {**row, "language": None}
        elif language is True:
            row = {**row, "language": "es" if row["id"].startswith("es") else "en"}
        signals.append(signal_from_line(row, now=NOW))
    return signals


def rate(signals: list[SignalReceived], seconds: float) -> tuple[float, float]:
    """Best and median signals per CPU-second of this process over rounds of the whole corpus.

    CPU time rather than wall time: these machines are shared, and a neighbour's test run steals
    the core between rounds without making the rules any slower.
    """
    rates = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.process_time()
        for signal in signals:
            assess(signal, now=NOW)
        rates.append(len(signals) / (time.process_time() - started))
    return max(rates), statistics.median(rates)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.triage_rules", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="per mix")
    args = parser.parse_args(argv)
    warm_up()
    mixes = (("as labelled", False), ("language undeclared", None), ("language declared", True))
    print(f"pure assessment, rules {RULES_VERSION}, {len(corpus(False))} labelled cases, one core")
    for name, language in mixes:
        signals = corpus(language)
        for signal in signals:  # warm every pattern gate and cache
            assess(signal, now=NOW)
        best, median = rate(signals, args.seconds)
        print(f"  {name:<20} best {best:>8,.0f} signals/s  median {median:>8,.0f}  "
              f"({1e6 / median:.0f} us per signal)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
