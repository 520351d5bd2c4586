"""Review's apply path: signals applied into PostgreSQL per second, one by one and in batches.

    python -m bench.review_apply [--signals 3000] [--runs 3] [--batch 100] [--cases 20000] [--profile]

A private PostgreSQL (fsync off, as the tests run it), migrated, with ``--cases`` cases and signals
already in it (``bench.review_cases``: the work of a busy hotline). Each run applies ``--signals``
fresh web tips and then their triage, as review's consumers do, through ``CaseStore``:

- one by one: ``apply_received`` / ``apply_triaged``, one transaction per record (review before batches);
- batched: ``apply_batch`` with ``--batch`` records per transaction (what the consumer loop hands it).

Signals/s counts both events of a signal as one signal (received + triaged). The figure is the
median of ``--runs``; both ways run in the same session, alternately, on the same database.
``--profile`` also prints a cProfile of one batched run: the top 15 functions by cumulative time
and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bench.children import say
from bench.review_cases import load
from contracts import Topic
from contracts.events import (
    CallType,
    Channel,
    DeclaredFacts,
    Flag,
    FlagName,
    Route,
    RoutingTarget,
    SignalReceived,
    SignalTriaged,
    TraffickingType,
    Urgency,
    WebformSource,
)
from contracts.ids import signal_id_for
from contracts.reference_numbers import reference_for
from services.review.cases import CaseStore, Streamed
from services.review.db import Database, migrate

SECRET = b"bench-reference-secret"
T0 = datetime.now(UTC)


def tips(n: int) -> list[tuple[tuple[str, SignalReceived], tuple[str, SignalTriaged]]]:
    """``n`` fresh web tips with their triage, each with its event id."""
    out = []
    for i in range(n):
        submission = str(uuid.uuid4())
        signal_id = signal_id_for("webform", f"webform:{submission}")
        reference = reference_for(str(signal_id), SECRET)
        at = T0 + timedelta(milliseconds=i)
        received = SignalReceived(
            signal_id=signal_id, reference_number=reference, channel=Channel.WEBFORM, received_at=at,
            source=WebformSource(submission_id=submission), dedup_key=f"webform:{submission}",
            narrative="The nail salon on Oak Street keeps four women's passports; they work 12 hours.",
            facts=DeclaredFacts())
        same_day = i % 5 == 0
        triaged = SignalTriaged(
            signal_id=signal_id, reference_number=reference, channel=Channel.WEBFORM, received_at=at,
            triaged_at=at + timedelta(seconds=1), rules_version="bench",
            flags=[Flag(name=FlagName.MINOR, raised=False),
                   Flag(name=FlagName.IMMINENT_DANGER, raised=False)],
            urgency=Urgency.P2_SAME_DAY if same_day else Urgency.P3_BUSINESS_DAYS, call_type=CallType.TIP,
            trafficking_type=TraffickingType.LABOR, business_hours=True, sla_due_at=at + timedelta(days=3),
            routes=[Route(target=RoutingTarget.SUPERVISOR_QUEUE, reason="substantive")])
        out.append(((str(uuid.uuid4()), received), (str(uuid.uuid4()), triaged)))
    return out


def one_by_one(store: CaseStore, n: int) -> float:
    work = tips(n)
    started = time.perf_counter()
    for (rid, received), _ in work:
        store.apply_received(rid, received)
    for _, (tid, triaged) in work:
        store.apply_triaged(tid, triaged)
    return n / (time.perf_counter() - started)


def batched(store: CaseStore, n: int, size: int) -> float:
    return apply_batches(store, tips(n), size)


def apply_batches(store: CaseStore, work: list[tuple[tuple[str, SignalReceived], tuple[str, SignalTriaged]]],
                  size: int) -> float:
    """The tips' signals in batches of ``size``, then their triage: signals/s."""
    received: list[tuple[str, Streamed]] = [pair[0] for pair in work]
    triaged: list[tuple[str, Streamed]] = [pair[1] for pair in work]
    started = time.perf_counter()
    for topic, stream in ((Topic.SIGNALS_RECEIVED, received), (Topic.SIGNALS_TRIAGED, triaged)):
        for at in range(0, len(stream), size):
            store.apply_batch(topic.value, stream[at:at + size])
    return len(work) / (time.perf_counter() - started)


def profiled(run: Callable[[], float], top: int = 15) -> str:
    profile = cProfile.Profile()
    profile.enable()
    run()
    profile.disable()
    out = io.StringIO()
    for order in ("cumulative", "tottime"):
        out.write(f"by {order}:\n")
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.review_apply", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--signals", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)  # review's HOTLINE_REVIEW_APPLY_BATCH
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    from deploy.localpostgres import Postgres

    postgres = Postgres()
    try:
        postgres.start()
        migrate(postgres.url)
        db = Database(postgres.url)
        try:
            if args.cases:
                say(f"loading {args.cases:,} cases and signals")
                load(db, args.cases)
            store = CaseStore(db, urgent_ack=timedelta(minutes=5), now=lambda: datetime.now(UTC))
            one_by_one(store, 200)  # warm the pool, the caches and the statement cache
            batched(store, 200, args.batch)
            single: list[float] = []
            batch: list[float] = []
            for run in range(args.runs):
                say(f"run {run + 1} of {args.runs}: {args.signals:,} signals each way")
                single.append(one_by_one(store, args.signals))
                batch.append(batched(store, args.signals, args.batch))
                say(f"  one by one {single[-1]:.0f} signals/s, batched {batch[-1]:.0f} signals/s")
            print(f"review apply into PostgreSQL (private, fsync off), {args.signals:,} signals "
                  f"(received + triaged) per run, {args.runs} runs, {args.cases:,} cases already stored")
            print(f"  one by one       median {statistics.median(single):8.0f} signals/s  "
                  f"({', '.join(f'{r:.0f}' for r in single)})")
            print(f"  batches of {args.batch:<5} median {statistics.median(batch):8.0f} signals/s  "
                  f"({', '.join(f'{r:.0f}' for r in batch)})")
            print(f"  ratio {statistics.median(batch) / statistics.median(single):.2f}")
            if args.profile:
                print(f"\nbatches of {args.batch}, cProfile:")
                work = tips(args.signals)  # built outside the profile: only the apply is in it
                print(profiled(lambda: apply_batches(store, work, args.batch)))
        finally:
            db.dispose()
    finally:
        postgres.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
