"""A fake case store for the review benchmarks: cases and signals spread like the hotline's work, by COPY."""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from contracts.events import Urgency
from services.review.db import Database

NOW = datetime.now(UTC)
# Roughly by population, so that a state filter meets both big and small states.
STATES = dict(zip(
    ["CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI", "NJ", "VA", "WA", "AZ", "TN", "MA", "IN",
     "MD", "MO", "WI", "CO", "MN", "SC", "AL", "LA", "KY", "OR", "OK", "CT", "UT", "IA", "NV", "AR", "MS",
     "KS", "NM", "NE", "ID", "WV", "HI", "NH", "ME", "MT", "RI", "DE", "SD", "ND", "AK", "VT", "WY"],
    [39, 30, 22, 20, 13, 12.5, 11.8, 11, 10.8, 10, 9.3, 8.7, 7.8, 7.4, 7, 7, 6.9, 6.2, 6.2, 5.9, 5.8, 5.7,
     5.3, 5.1, 4.6, 4.5, 4.2, 4, 3.6, 3.4, 3.2, 3.2, 3, 2.9, 2.9, 2.1, 2, 1.9, 1.8, 1.4, 1.4, 1.4, 1.1, 1.1,
     1, 0.9, 0.8, 0.7, 0.6, 0.6], strict=True))
URGENCIES = {Urgency.P1_ACT_NOW: (3, timedelta(hours=1)), Urgency.P2_SAME_DAY: (10, timedelta(hours=24)),
             Urgency.P3_BUSINESS_DAYS: (60, timedelta(days=3)),
             Urgency.P4_INFORMATIONAL: (27, timedelta(days=30))}
CALL_TYPES = {"tip": 45, "crisis": 8, "referral": 10, "general_info": 15, "tta": 8, "at_risk": 9,
              "unrelated": 5}
TRAFFICKING = {"sex": 45, "labor": 30, "both": 5, "unknown": 15, "none": 5}
CHANNELS = {"webform": 45, "phone": 35, "email": 20}
CITIES = ("Springfield", "Riverside", "Fairview", "Franklin", "Greenville", "Madison", None)
NARRATIVES = (
    "The nail salon on Oak Street has four women working 12 hours a day; the owner keeps their passports.",
    "A 16 year old is posted online and driven to hotels by an older man every weekend.",
    "Workers at the farm on County Road 12 sleep in a locked barn and are not paid.",
    "We would like a training for our clinic staff on the indicators of labor trafficking.",
    "My cousin was promised a job cleaning houses and now owes the recruiter more every month.",
)

CASE_COLUMNS = ("id, reference_number, status, urgency, urgency_rank, call_type, trafficking_type, state, "
                "city, minor, imminent_danger, triaged, opened_at, sla_due_at, ack_due_at, acknowledged_at, "
                "acknowledged_by, escalation_level, escalated_at, claimed_by, claim_expires_at, break_glass, "
                "closed_reason, merged_into, updated_at, version")
SIGNAL_COLUMNS = ("signal_id, case_id, reference_number, channel, received_at, subject, narrative, reporter, "
                  "facts, source, attachments, triage, urgency, call_type, rules_version, alerted_at")


def _picker(rng: random.Random, weights: Mapping[Any, float], n: int) -> Iterator[Any]:
    return iter(rng.choices(list(weights), weights=list(weights.values()), k=n))


def fake_cases(n: int, seed: int = 7) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """(case row, signal row), in the order of ``CASE_COLUMNS`` and ``SIGNAL_COLUMNS``."""
    rng = random.Random(seed)  # noqa: S311 - seeded fake data, not a secret
    urgencies = _picker(rng, {urgency: weight for urgency, (weight, _) in URGENCIES.items()}, n)
    states, call_types = _picker(rng, STATES, n), _picker(rng, CALL_TYPES, n)
    kinds, channels = _picker(rng, TRAFFICKING, n), _picker(rng, CHANNELS, n)
    for i in range(n):
        urgency, state, call_type, channel = next(urgencies), next(states), next(call_types), next(channels)
        _, sla = URGENCIES[urgency]
        urgent, minor = urgency.is_urgent, rng.random() < 0.20
        danger = rng.random() < (0.7 if urgency is Urgency.P1_ACT_NOW else 0.01)
        opened = NOW - timedelta(seconds=rng.uniform(60, 365 * 86400))
        r = rng.random()
        status = "closed" if r < 0.10 else "awaiting_approval" if r < 0.11 else "open"
        r = rng.random()  # 30 % hold a live claim, 5 % one that lapsed (unassigned again)
        claimed = f"analyst{rng.randrange(40):02d}" if r < 0.35 else None
        claim_expires = (NOW + timedelta(minutes=rng.uniform(1, 30)) if r < 0.30
                         else NOW - timedelta(hours=rng.uniform(1, 48)) if claimed else None)
        state = state if rng.random() > 0.03 else None
        acked = opened + timedelta(minutes=rng.uniform(1, 10)) if urgent else None
        case_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        reference = f"HT-B{i // 100_000:03d}-{i % 100_000:05d}"
        flags = [{"name": "minor", "raised": minor}, {"name": "imminent_danger", "raised": danger}]
        triage = {"urgency": urgency.value, "call_type": call_type, "routes": [], "flags": flags}
        yield (
            (case_id, reference, status, urgency.value, urgency.rank, call_type, next(kinds), state,
             rng.choice(CITIES) if state else None, minor, danger, True, opened, opened + sla,
             opened + timedelta(minutes=5) if urgent else None, acked, claimed if acked else None,
             int(urgent and rng.random() < 0.1), None, claimed, claim_expires, urgent and minor,
             "resolved" if status == "closed" else None, None, opened, 3),
            (uuid.UUID(int=rng.getrandbits(128), version=4), case_id, reference, channel, opened,
             "Concern about a workplace" if channel == "email" else None, rng.choice(NARRATIVES),
             json.dumps({"role": "community_member", "anonymous": rng.random() < 0.4}),
             json.dumps({"danger_now": "yes" if danger else "no"}), json.dumps({"kind": channel}), "[]",
             json.dumps(triage), urgency, call_type, "bench",
             opened + timedelta(seconds=2) if urgent else None),
        )


def load(db: Database, n: int) -> tuple[float, float]:
    """COPY ``n`` cases and their signals in, then VACUUM ANALYZE (autovacuum's steady state):
    the seconds each took."""
    started = time.perf_counter()
    raw = db.engine.raw_connection()
    try:
        connection = raw.driver_connection
        if connection is None:
            raise RuntimeError("no psycopg connection under the pool")
        rows = list(fake_cases(n))
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY cases ({CASE_COLUMNS}) FROM STDIN") as copy:
                for case, _ in rows:
                    copy.write_row(case)
            with cursor.copy(f"COPY signals ({SIGNAL_COLUMNS}) FROM STDIN") as copy:
                for _, sig in rows:
                    copy.write_row(sig)
        connection.commit()
    finally:
        raw.close()
    copied = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE cases"))
        connection.execute(text("VACUUM ANALYZE signals"))
    return copied - started, time.perf_counter() - copied


def describe(db: Database) -> tuple[int, str, str, str]:
    """Open cases, the size of cases and signals, the server version, the indexes on cases."""
    with db.engine.connect() as c:
        open_cases = c.execute(text("SELECT count(*) FROM cases "
                                    "WHERE status IN ('open', 'awaiting_approval')"))
        size = c.execute(text("SELECT pg_size_pretty(pg_total_relation_size('cases') "
                              "+ pg_total_relation_size('signals'))"))
        version = c.execute(text("SHOW server_version"))
        indexes = c.execute(text("SELECT string_agg(indexname, ', ' ORDER BY indexname) FROM pg_indexes "
                                 "WHERE tablename = 'cases'"))
        return open_cases.scalar_one(), size.scalar_one(), version.scalar_one(), indexes.scalar_one()
