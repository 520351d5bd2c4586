"""The drill's end: wait for the system to settle, then hold it to what it promised, and count.

Settled means: every acknowledged signal is in the case store, the web intake's spool and the
mailbox are empty, the call-detail importer is at the end of its file, every consumer group has
committed everything (lag 0), both outboxes are published, every break-glass step is sent, and
every urgent case nobody claimed is past its acknowledgement deadline (so its escalation is due).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from imapclient import IMAPClient
from sqlalchemy import create_engine, text

from contracts.events import ReportRequested
from deploy.localimap import PASSWORD, USER
from intake_phone.importer import PositionStore
from tests.drill.fleet import PATIENCE_S, Fleet
from tests.drill.load import Accepted, Ledger
from tests.drill.observe import Brokers, CaseStoreWatch, StoredSignal
from tests.drill.pacing import until

ESCALATION_GRACE = timedelta(seconds=10)  # the SLA clock ticks every second; a slow tick is not a miss


def _message_id(signal: StoredSignal) -> str | None:
    value = signal.source.get("message_id")
    return str(value).strip("<>") if value else None


def stored_for(item: Accepted, signals: list[StoredSignal]) -> list[StoredSignal]:
    """The signals in the case store that are this acknowledged item, with its record's content (a
    signal its triage opened holds none until the record is applied: not yet stored)."""
    if item.channel == "web":
        return [s for s in signals if s.reference == item.reference and s.source]
    if item.channel == "sms":
        return [s for s in signals if s.source.get("message_sid") == item.key]
    if item.channel == "callback":
        return [s for s in signals if s.source.get("call_id") == item.key
                and s.source.get("fragment") == "call_record"]
    if item.channel == "cdr":
        return [s for s in signals if s.signal_id == item.signal_id and s.source]
    return [s for s in signals if _message_id(s) == item.key]


def missing(ledger: Ledger, watch: CaseStoreWatch) -> list[Accepted]:
    signals = watch.signals()
    return [item for item in ledger.accepted if not stored_for(item, signals)]


def _inbox(system: Fleet) -> int:
    client = IMAPClient("127.0.0.1", port=system.dovecot.port, ssl=False, timeout=30)
    try:
        client.login(USER, PASSWORD)
        return int(client.folder_status("INBOX", [b"MESSAGES"])[b"MESSAGES"])
    finally:
        client.logout()


def _cdr_behind(system: Fleet) -> int:
    lines = system.cdr_file.read_text().count("\n")
    files = list((system.cdr_state / "cdr-positions").glob("*.json"))
    position = PositionStore(files[0]).load() if files else None
    return lines - (position.line if position else 0)


class Ledgers:
    """Review's case store and reporting's delivery ledger, read directly."""

    def __init__(self, system: Fleet) -> None:
        self.review = create_engine(system.review_url)
        self.reporting = create_engine(system.reporting_url)

    def rows(self, engine: str, sql: str) -> list[Any]:
        with (self.review if engine == "review" else self.reporting).connect() as connection:
            return list(connection.execute(text(sql)).all())

    def count(self, engine: str, sql: str) -> int:
        return int(self.rows(engine, sql)[0][0])

    def dispose(self) -> None:
        self.review.dispose()
        self.reporting.dispose()


def break_glass_due(watch: CaseStoreWatch, ledgers: Ledgers) -> set[str]:
    """Report ids of the break-glass reports triage requested (imminent danger raised)."""
    due = set()
    rows = ledgers.rows("review", "SELECT signal_id, triage FROM signals WHERE triage IS NOT NULL")
    for signal_id, triage in rows:
        parsed = json.loads(triage) if isinstance(triage, str) else triage
        if any(f["name"] == "imminent_danger" and f["raised"] for f in parsed["flags"]):
            due.add(str(ReportRequested.break_glass_id(signal_id)))
    return due


async def settle(system: Fleet, ledger: Ledger, watch: CaseStoreWatch, brokers: Brokers, ledgers: Ledgers,
                 timeout: float = PATIENCE_S) -> None:
    def lost_so_far() -> str:
        gone = missing(ledger, watch)
        web = [a for a in gone if a.channel == "web"]
        return (f"{len(gone)} not in the case store, e.g. {[(a.channel, a.key) for a in gone[:3]]}"
                + (f"; {watch.describe(web[0].reference or '')}" if web else ""))
    await until(lambda: not missing(ledger, watch), timeout=timeout, interval=1,
                what="every acknowledged signal in the case store", seen=lost_so_far)
    await until(lambda: system.spooled() == 0 and _inbox(system) == 0 and _cdr_behind(system) == 0,
                timeout=timeout, interval=1, what="the spool, mailbox and call-detail file drained",
                seen=lambda: (f"{system.spooled()} spooled, {_inbox(system)} in the mailbox, call-detail "
                              f"importer {_cdr_behind(system)} lines behind"))

    async def no_lag() -> bool:
        return all(v == 0 for v in (await brokers.lag()).values())
    await until(no_lag, timeout=timeout, interval=1, what="every consumer group at lag 0",
                seen=brokers.lag_or_error)

    unpublished = "SELECT count(*) FROM outbox WHERE published_at IS NULL"

    def sent() -> set[str]:
        return {str(r) for r, in ledgers.rows(
            "reporting", "SELECT DISTINCT report_id FROM steps WHERE step_index = 0 AND sent_at IS NOT NULL")}

    def delivered() -> bool:
        drained = ledgers.count("review", unpublished) == ledgers.count("reporting", unpublished) == 0
        return break_glass_due(watch, ledgers) <= sent() and drained
    await until(delivered, timeout=timeout, interval=1, what="break-glass steps sent, outboxes published",
                seen=lambda: (f"{len(break_glass_due(watch, ledgers) - sent())} break-glass steps unsent; "
                              f"unpublished outbox rows: review {ledgers.count('review', unpublished)}, "
                              f"reporting {ledgers.count('reporting', unpublished)}"))

    def latest_deadline() -> datetime | None:
        [(latest,)] = ledgers.rows("review",
                                   "SELECT max(ack_due_at) FROM cases WHERE acknowledged_at IS NULL")
        return latest  # type: ignore[no-any-return]

    def escalations_due() -> bool:
        latest = latest_deadline()
        return latest is None or datetime.now(UTC) > latest + ESCALATION_GRACE
    await until(escalations_due, timeout=timeout, interval=1, what="the last acknowledgement deadline",
                seen=lambda: f"latest open deadline {latest_deadline()}")
    await until(no_lag, timeout=timeout, interval=1, what="every consumer group at lag 0",
                seen=brokers.lag_or_error)


@dataclass
class Verdict:
    figures: dict[str, Any]
    problems: list[str]


async def verify(system: Fleet, ledger: Ledger, watch: CaseStoreWatch, brokers: Brokers,
                 ledgers: Ledgers) -> Verdict:
    watch.refresh()
    signals = watch.signals()
    problems: list[str] = []
    lost = [item for item in ledger.accepted if not stored_for(item, signals)]
    duplicated = [item for item in ledger.accepted if len(stored_for(item, signals)) > 1]
    twice_answered = [key for key, refs in ledger.answers.items() if len(refs) > 1]
    answered = {a.reference for a in ledger.of("web")}
    unasked = [s for s in signals if s.channel == "webform" and s.reference not in answered]
    if lost:
        problems.append(f"{len(lost)} acknowledged signals are not in the case store: {lost[:3]}")
    if duplicated or twice_answered:
        problems.append(f"{len(duplicated)} signals stored twice, {len(twice_answered)} tips answered twice")
    if unasked:
        problems.append(f"{len(unasked)} web signals in the store that no 202 answered")
    # Every open case holds a signal: one opened by a writer whose insert lost a race and was kept
    # all the same would sit in the queue empty.
    empty = ledgers.count("review", "SELECT count(*) FROM cases c WHERE c.merged_into IS NULL AND NOT EXISTS "
                                    "(SELECT 1 FROM signals s WHERE s.case_id = c.id)")
    if empty:
        problems.append(f"{empty} cases in review hold no signal")

    urgent = [s for s in signals if s.urgency in ("p1_act_now", "p2_same_day")]
    without_alert = [s for s in urgent if not s.alerted]
    if without_alert:
        problems.append(f"{len(without_alert)} urgent signals without their alert in review")
    not_urgent = [a for a in ledger.of("web") if a.urgent
                  and not any(s.urgency == "p1_act_now" for s in stored_for(a, signals))]
    if not_urgent:
        problems.append(f"{len(not_urgent)} tips written to be urgent were not triaged P1")

    # Break-glass: each step the ledger sent arrived; a second arrival only where a send was
    # interrupted (the lease ran out mid-send), and then it is the same delivery.
    due = break_glass_due(watch, ledgers)
    steps = {f"report-{r}-{lk}-{st}": (int(attempts), sent_at) for r, lk, st, attempts, sent_at in
             ledgers.rows(
        "reporting", "SELECT report_id, lookup_index, step_index, attempts, sent_at FROM steps")}
    reports = {str(r) for r, in ledgers.rows("reporting", "SELECT report_id FROM reports")}
    arrivals = Counter(d.key.partition("@")[0] for d in system.receivers.recorder.snapshot())
    if not due <= reports:
        problems.append(f"{len(due - reports)} break-glass reports never reached reporting")
    unsent = [k for k, (_, sent_at) in steps.items() if sent_at is not None and k not in arrivals]
    if unsent:
        problems.append(f"{len(unsent)} break-glass steps sent by the ledger never arrived")
    copies = {k: n for k, n in arrivals.items() if n > 1}
    single_send_copies = [k for k in copies if steps.get(k, (0, None))[0] <= 1]
    if single_send_copies:
        problems.append(f"{len(single_send_copies)} steps arrived twice from a single send")
    strangers = [k for k in arrivals if k not in steps]
    if strangers:
        problems.append(f"{len(strangers)} deliveries the ledger does not know")

    # Escalations: an urgent case nobody acknowledged in time escalates, once (the repeat is set
    # beyond the drill); one acknowledged in time never does.
    cases = ledgers.rows("review", "SELECT id, ack_due_at, acknowledged_at, escalation_level FROM cases "
                                   "WHERE ack_due_at IS NOT NULL")
    per_case = Counter(str(case_id) for case_id, in ledgers.rows(
        "review", "SELECT case_id FROM audit_log WHERE action = 'escalate'"))
    now = datetime.now(UTC)
    owed = [c for c in cases if c[2] is None and c[1] + ESCALATION_GRACE < now]
    claimed_in_time = [c for c in cases if c[2] is not None and c[2] <= c[1]]
    not_escalated = [c for c in owed if per_case[str(c[0])] == 0]
    twice = [c for c in cases if per_case[str(c[0])] > 1]
    wrongly = [c for c in claimed_in_time if per_case[str(c[0])] > 0]
    if not_escalated or twice or wrongly:
        problems.append(f"escalations: {len(not_escalated)} unclaimed cases not escalated, {len(twice)} "
                        f"escalated twice, {len(wrongly)} escalated although claimed in time")

    lags = await brokers.lag()
    dlq = await brokers.dead_letters()
    if any(lags.values()):
        problems.append(f"consumer lag left: {lags}")
    if any(dlq.values()):
        problems.append(f"dead letters: {dlq}")
    if system.spooled() or _inbox(system) or _cdr_behind(system):
        problems.append("a spool, the mailbox or the call-detail file was not drained")

    figures = {
        "acknowledged": dict(Counter(a.channel for a in ledger.accepted)),
        "sender_retries": ledger.retries,
        "lost": len(lost), "duplicated": len(duplicated) + len(twice_answered) + len(unasked),
        "empty_cases": empty,
        "urgent_signals": len(urgent), "urgent_without_alert": len(without_alert),
        "break_glass_reports": len(due), "break_glass_copies_after_interrupted_sends":
            sum(n - 1 for n in copies.values()),
        "urgent_cases": len(cases), "claimed_in_time": len(claimed_in_time),
        "escalations": sum(per_case.values()), "escalations_owed": len(owed),
        "dead_letters": sum(dlq.values()), "lag": sum(lags.values()),
    }
    return Verdict(figures, problems)
