"""The whole pipeline under load: every service as its own process on a local broker, PostgreSQL as
the case store, load through the web API, signed Twilio callbacks and texts, a growing CDR file and
IMAP at once.

    python -m bench.system            # the full run: 60 s phases (about 8 minutes)
    python -m bench.system --short    # 20 s steady, 10 s burst, a short ramp (under 3 minutes)

Phases, each printed as it ends:
  1. raw aiokafka on the same broker (produce, consume): the baseline every stage is compared to;
  2. steady 100 web tips/s (one in five urgent) with a supervisor's queue page open: an urgent
     tip's time from the intake's 202 to the live push on that page, and from the 202 to the case
     store (target p99 <= 100 ms for the push);
  3. a burst of 1,000 tips/s: every acknowledged tip in the case store exactly once, the 202 to
     the case store (target p99 <= 1 s), and how long after the burst the consumer lag is back to 0
     (target <= 30 s);
  4. a ramp of rates: the highest rate every stage keeps up with, and which stage falls behind first;
  5. each stage's best rate as a ratio to raw aiokafka, and every process's memory idle and under load.

Progress goes to stderr; the figures to stdout, and as JSON with ``--json FILE``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.children import say
from bench.kafka_baseline import measure as raw_kafka
from bench.percentiles import pcts
from bench.system.stack import System, system
from bench.system.traffic import SideChannels, Tally, WebLoad
from bench.system.watch import CaseStore, LiveStream, held, rss, total_lag
from contracts import Topic

MS = 1000.0


@dataclass(frozen=True)
class Plan:
    steady_s: float
    burst_s: float
    burst_rate: float
    ramp: tuple[float, ...]
    ramp_s: float
    raw_messages: int
    drain_s: float  # the longest wait for the consumers to catch up after the burst


FULL = Plan(
    steady_s=60,
    burst_s=60,
    burst_rate=1000,
    ramp=(200, 400, 800, 1600),
    ramp_s=20,
    raw_messages=50_000,
    drain_s=300,
)
SHORT = Plan(
    steady_s=20, burst_s=10, burst_rate=1000, ramp=(200, 400, 800), ramp_s=6, raw_messages=20_000, drain_s=90
)


def _spread(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a (fewer than two samples)"
    p50, _, p99 = pcts(values)
    return f"p50 {p50 * MS:8.1f}  p99 {p99 * MS:8.1f}  max {max(values) * MS:8.1f} ms  (n={len(values)})"


async def _until_stored(store: CaseStore, tally: Tally, ceiling_s: float) -> float:
    """Seconds until every acknowledged web tip is in the case store (or the ceiling)."""
    began = time.monotonic()
    wanted = {ack.reference for ack in tally.web}
    while time.monotonic() - began < ceiling_s:
        stored = await asyncio.to_thread(store.signals)
        if wanted <= {ref for ref, rows in stored.items() if any(r.received_at for r in rows)}:
            break
        await asyncio.sleep(1)
    return time.monotonic() - began


async def _until_no_lag(s: System, ceiling_s: float) -> tuple[float, dict[str, int]]:
    began = time.monotonic()
    lags: dict[str, int] = {}
    while time.monotonic() - began < ceiling_s:
        lags = await total_lag(s)
        if not any(lags.values()):
            break
        await asyncio.sleep(0.5)
    return time.monotonic() - began, lags


class Run:
    def __init__(self, s: System, plan: Plan) -> None:
        self.s, self.plan = s, plan
        self.store = CaseStore(s.review_url)
        self.figures: dict[str, Any] = {}
        self.lines: list[str] = []

    def out(self, line: str) -> None:
        self.lines.append(line)
        print(line, flush=True)

    async def run(self) -> None:
        s, plan = self.s, self.plan
        say(f"raw aiokafka: {plan.raw_messages:,} messages")
        raw = await raw_kafka(s.bootstrap, plan.raw_messages, latency_samples=200)
        self.figures["raw"] = raw
        self.out(
            f"1. raw aiokafka on this broker: produce {raw['produce_msgs_per_s']:,.0f} msg/s, "
            f"consume {raw['consume_msgs_per_s']:,.0f} msg/s"
        )
        live = LiveStream(s)
        listener = asyncio.create_task(live.run())
        await asyncio.wait_for(live.opened.wait(), 30)
        warm = Tally()
        web = WebLoad(s, warm)
        say("warm-up: 20 tips, waiting until every consumer group has settled and applied them")
        await web.run(10, 2)
        await _until_stored(self.store, warm, 300)
        self.figures["rss_idle_mb"] = rss(s)
        stop = asyncio.Event()
        side_tally = Tally()
        side = asyncio.create_task(SideChannels(s, side_tally).run(stop))
        try:
            await self._steady(web, live)
            await self._burst(web)
            await self._ramp(web)
        finally:
            stop.set()
            await side
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
            await web.close()
        await self._side_channels(side_tally)
        self._ratios()
        self.store.close()

    async def _steady(self, web: WebLoad, live: LiveStream) -> None:
        plan = self.plan
        tally = Tally()
        web.tally = tally  # one pool of connections, one tally per phase
        say(f"steady: 100 tips/s for {plan.steady_s:.0f} s, one in five urgent")
        await web.run(100, plan.steady_s)
        await _until_stored(self.store, tally, 120)
        await asyncio.sleep(2)  # the last urgent pushes
        stored = await asyncio.to_thread(self.store.signals)
        to_store = [
            rows[0].received_at - a.acked_at
            for a in tally.web
            if (rows := stored.get(a.reference)) and rows[0].received_at
        ]
        urgent = [a for a in tally.web if a.urgent]
        pushed = [live.urgent[a.reference] - a.acked_at for a in urgent if a.reference in live.urgent]
        p99 = pcts(pushed)[2] if len(pushed) > 1 else float("nan")
        self.figures["steady"] = {
            "acked": len(tally.web),
            "urgent": len(urgent),
            "pushed": len(pushed),
            "to_store_s": to_store,
            "to_push_s": pushed,
        }
        self.out(
            f"2. steady 100 tips/s for {plan.steady_s:.0f} s: {len(tally.web)} acknowledged "
            f"(refused: {dict(tally.refused) or 'none'}), {len(urgent)} urgent"
        )
        self.out(f"   202 -> case store            {_spread(to_store)}")
        self.out(f"   urgent 202 -> live push      {_spread(pushed)}")
        self.out(
            f"   urgent pushes seen {len(pushed)}/{len(urgent)}; target p99 <= 100 ms: "
            f"{'met' if p99 <= 0.1 else 'NOT met'}"
        )

    async def _burst(self, web: WebLoad) -> None:
        plan, s = self.plan, self.s
        tally = Tally()
        web.tally = tally
        say(f"burst: {plan.burst_rate:.0f} tips/s for {plan.burst_s:.0f} s")
        peak: dict[str, float] = {}
        sampling = asyncio.Event()

        async def sample() -> None:
            while not sampling.is_set():
                for name, mb in rss(s).items():
                    peak[name] = max(peak.get(name, 0.0), mb)
                await asyncio.sleep(1)

        sampler = asyncio.create_task(sample())
        began = time.monotonic()
        await web.run(plan.burst_rate, plan.burst_s)
        sent_s = time.monotonic() - began
        drained_s, lags = await _until_no_lag(s, plan.drain_s)
        sampling.set()
        await sampler
        await _until_stored(self.store, tally, 60)
        stored = await asyncio.to_thread(self.store.signals)
        lost = [a.reference for a in tally.web if a.reference not in stored]
        twice = [a.reference for a in tally.web if len(stored.get(a.reference, ())) > 1]
        to_store = [
            rows[0].received_at - a.acked_at
            for a in tally.web
            if (rows := stored.get(a.reference)) and rows[0].received_at
        ]
        p99 = pcts(to_store)[2] if len(to_store) > 1 else float("nan")
        self.figures["rss_load_mb"] = peak
        self.figures["burst"] = {
            "acked": len(tally.web),
            "sent_s": sent_s,
            "not_stored": len(lost),
            "duplicated": len(twice),
            "lag_to_zero_s": drained_s,
            "lag_left": lags,
            "late_starts": tally.late_starts,
            "to_store_s": to_store,
        }
        self.out(
            f"3. burst {plan.burst_rate:.0f} tips/s for {plan.burst_s:.0f} s: {len(tally.web)} acknowledged "
            f"in {sent_s:.1f} s ({len(tally.web) / sent_s:,.0f}/s; {tally.late_starts} sent late, every "
            f"connection busy; refused: {dict(tally.refused) or 'none'})"
        )
        if any(lags.values()):  # still in Kafka, not yet applied: late, not (yet) known lost
            self.out(
                f"   not yet in the case store {len(lost)} (the consumers still lag, so late and lost "
                f"cannot be told apart), stored twice {len(twice)}"
            )
        else:
            self.out(
                f"   lost {len(lost)} (acknowledged, lag 0, not in the case store), stored twice {len(twice)}"
            )
        self.out(
            f"   202 -> case store            {_spread(to_store)}; target p99 <= 1 s: "
            f"{'met' if p99 <= 1.0 else 'NOT met'}"
        )
        left = {g: n for g, n in lags.items() if n}
        self.out(
            f"   lag back to 0 {drained_s:.1f} s after the burst (target <= 30 s: "
            f"{'met' if not left and drained_s <= 30 else 'NOT met'})"
            + (f"; still lagging {left}" if left else "")
        )

    async def _ramp(self, web: WebLoad) -> None:
        s = self.s
        steps: list[dict[str, float]] = []
        backlog: dict[str, int] = {}
        for rate in self.plan.ramp:
            # Each step starts from an empty pipeline: a stage still working off an earlier backlog
            # would be measured on that backlog, not on the rate offered.
            _, lags = await _until_no_lag(s, self.plan.drain_s)
            backlog = {group: n for group, n in lags.items() if n}
            if backlog:
                break
            tally = Tally()
            web.tally = tally
            say(f"ramp: {rate:.0f} tips/s for {self.plan.ramp_s:.0f} s")
            before = await held(s, Topic.SIGNALS_RECEIVED, Topic.SIGNALS_TRIAGED)
            since = time.time()
            await web.run(rate, self.plan.ramp_s)
            until = time.time()
            after = await held(s, Topic.SIGNALS_RECEIVED, Topic.SIGNALS_TRIAGED)
            span = until - since
            applied = await asyncio.to_thread(self.store.count, "signals.triaged", since, until)
            steps.append(
                {
                    "offered": rate,
                    "intake": len(tally.web) / span,
                    "triage": (after[Topic.SIGNALS_TRIAGED] - before[Topic.SIGNALS_TRIAGED]) / span,
                    "review": applied / span,
                }
            )
        self.figures["ramp"] = steps
        self.out("4. ramp: each stage's rate while the web intake is offered a rate (/s)")
        if backlog:
            self.out(
                f"   stopped: the consumers had not caught up {self.plan.drain_s:.0f} s after the last "
                f"load (still lagging {backlog}); the slowest of them limits the pipeline"
            )
        self.out(f"   {'offered':>8} {'intake':>8} {'triage':>8} {'review':>8}")
        best, limit = 0.0, "none within the ramp"
        for step in steps:
            self.out(
                f"   {step['offered']:8.0f} {step['intake']:8.0f} {step['triage']:8.0f} {step['review']:8.0f}"
            )
            behind = [
                stage for stage in ("intake", "triage", "review") if step[stage] < 0.9 * step["offered"]
            ]
            if behind and limit == "none within the ramp":
                limit = f"{behind[0]} at {step['offered']:.0f}/s"
            elif not behind and limit == "none within the ramp":
                best = step["offered"]
        self.figures["sustained"] = {"rate": best, "limit": limit}
        self.out(f"   highest rate every stage kept within 10 %: {best:.0f}/s; first behind: {limit}")

    async def _side_channels(self, tally: Tally) -> None:
        stored = await asyncio.to_thread(self.store.signals)
        by_channel: dict[str, int] = {}
        for rows in stored.values():
            for row in rows:
                by_channel[row.channel] = by_channel.get(row.channel, 0) + 1
        self.figures["side"] = {"acked": dict(tally.others), "stored": by_channel}
        self.out(
            "   other channels alongside (acknowledged / in the case store): "
            + ", ".join(f"{c} {n}/{by_channel.get(c, 0)}" for c, n in sorted(tally.others.items()))
        )

    def _ratios(self) -> None:
        raw = self.figures["raw"]
        produce, consume = raw["produce_msgs_per_s"], raw["consume_msgs_per_s"]
        passthrough = 1 / (1 / produce + 1 / consume)  # consume then produce, one record at a time
        steps = self.figures.get("ramp", [])
        best = {
            stage: max((step[stage] for step in steps), default=0.0)
            for stage in ("intake", "triage", "review")
        }
        self.out("5. each stage's best rate in the ramp against raw aiokafka on the same broker")
        self.out(
            f"   web intake (202s)      {best['intake']:8,.0f}/s  "
            f"{best['intake'] / produce:5.2f} of raw produce"
        )
        self.out(
            f"   triage (triaged out)   {best['triage']:8,.0f}/s  {best['triage'] / passthrough:5.2f} of raw "
            f"consume + produce ({passthrough:,.0f}/s)"
        )
        self.out(
            f"   review (applied)       {best['review']:8,.0f}/s  "
            f"{best['review'] / consume:5.2f} of raw consume"
        )
        idle, load = self.figures["rss_idle_mb"], self.figures.get("rss_load_mb", {})
        self.out(
            "   memory (RSS MB, idle / peak under the burst): "
            + ", ".join(f"{n} {idle[n]:.0f}/{load.get(n, 0):.0f}" for n in idle)
        )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.system",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--short", action="store_true", help="short phases: under 3 minutes")
    parser.add_argument("--triage-workers", type=int, default=1, help="triage processes on one group")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    plan = SHORT if args.short else FULL
    # A SIGTERM (a timeout, a CI runner) unwinds like Ctrl-C, so that every child, the broker,
    # PostgreSQL and Dovecot are stopped rather than left running.
    signal.signal(signal.SIGTERM, _interrupt)
    with (
        tempfile.TemporaryDirectory(prefix="bench-system-") as work,
        system(Path(work), triage_workers=args.triage_workers) as s,
    ):
        run = Run(s, plan)
        try:
            asyncio.run(run.run())
        finally:
            if s.exited():
                say(f"processes that exited during the run: {', '.join(s.exited())}")
    if args.json:
        args.json.write_text(json.dumps(run.figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
