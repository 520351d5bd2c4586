"""Composition root of review: the case store, its consumers, the outbox relay, the SLA clock, the app."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import httpx

from contracts import Service, Topic
from contracts.events import (
    ErasureRequested,
    ReplyOutcome,
    ReportOutcome,
    SignalReceived,
    SignalTriaged,
    UrgentAlert,
)
from services.review import erasure_metrics, obligations, queries
from services.review.auth import Auth
from services.review.cases import CaseStore
from services.review.check_failures import CheckFailures
from services.review.config import ReviewSettings
from services.review.db import Database, migrate
from services.review.decisions import Decisions
from services.review.erasure import ErasureRequestWriter, Erasures
from services.review.export import Exports
from services.review.handler import CaseWriter
from services.review.live import LiveHub, LivePublisher, PostgresLive
from services.review.metrics import DeadlineGauges, ObligationGauges
from services.review.models import Case, OutboxRecord
from services.review.oidc_provider import OidcClient, Provider
from services.review.purge import Purge
from services.review.retention_job import PurgeMetrics, retention_purge
from services.review.sso_accounts import SsoAccounts
from services.review.sso_web import SingleSignOn
from services.review.web import build_app
from services.runtime import (
    ConsumerLoop,
    ConsumerPolicy,
    ConsumerSpec,
    HttpServer,
    KafkaPublisher,
    ServiceContext,
    load_settings,
    run_service,
)
from services.runtime.blobs import BlobReader
from services.runtime.lifecycle import supervise
from services.runtime.local_time import LocalClock
from services.runtime.outbox import OutboxRelay
from services.runtime.sql import advisory_lock

log = logging.getLogger(__name__)


def now() -> datetime:
    return datetime.now(UTC)


SLA_CLOCK_LOCK = "review.sla-clock"


async def sla_clock(decisions: Decisions, live: LivePublisher, settings: ReviewSettings,
                    gauges: DeadlineGauges, stop: asyncio.Event,
                    owed: ObligationGauges | None = None, failures: CheckFailures | None = None) -> None:
    """Escalate urgent cases nobody acknowledged in time (alerting the next supervisor on shift);
    report every other deadline that passes to ops, and count the cases past theirs for Prometheus;
    likewise minors' mandatory reports past due or failed.

    Every replica runs this clock, one at a time: a tick escalates and reports only while it holds
    the clock's advisory lock, so two replicas never escalate the same case at the same moment
    (twice the audit entries, two supervisors paged). Each tick decides from the database alone,
    so whichever replica ticks next carries on; every replica counts the late cases it serves."""
    repeat = timedelta(minutes=settings.escalation_repeat_minutes)
    failures = failures or CheckFailures()  # a PostgreSQL outage is one line, not one per tick

    def tick() -> tuple[list[tuple[Case, str | None]], list[Case], dict[str, tuple[int, float]],
                        tuple[int, float, int]]:
        escalated: list[tuple[Case, str | None]] = []
        missed: list[Case] = []
        with advisory_lock(decisions.db.engine, SLA_CLOCK_LOCK, wait=False) as held:
            if held:
                escalated = decisions.escalate_overdue(repeat_after=repeat)
                missed = decisions.report_missed_deadlines()
                for told in decisions.report_late_obligations():
                    log.warning("mandatory report late or failed", extra={"case_id": str(told.case_id)})
        with decisions.db.read() as session:
            at = now()
            return escalated, missed, queries.past_deadline(session, at), obligations.counts(session, at)

    while not stop.is_set():
        escalated: list[tuple[Case, str | None]] = []
        missed: list[Case] = []
        try:
            escalated, missed, late, owing = await asyncio.to_thread(tick)
            gauges.observe(late)
            if owed is not None:
                owed.observe(*owing)
        except Exception as error:  # noqa: BLE001 - the clock must keep running; the next tick retries
            failures.failed(type(error).__name__)
        else:
            failures.succeeded()
        for case, target in escalated:
            log.warning("urgent case escalated", extra={"reference_number": case.reference_number,
                                                        "count": case.escalation_level})
            live.publish({"type": "escalation", "case_id": str(case.id),
                          "reference_number": case.reference_number, "urgency": case.urgency,
                          "level": case.escalation_level, "to": target})
        for case in missed:
            log.warning("case past its deadline", extra={"reference_number": case.reference_number})
        try:
            await asyncio.wait_for(stop.wait(), settings.sla_check_s)
        except TimeoutError:
            continue


def single_sign_on(settings: ReviewSettings, db: Database, http: httpx.AsyncClient) -> SingleSignOn | None:
    """Single sign-on as the settings configure it (validated there), or None when it is off."""
    if not settings.sso_enabled or settings.review_oidc_issuer is None:
        return None
    client = OidcClient(issuer=settings.review_oidc_issuer, client_id=settings.review_oidc_client_id or "",
                        client_secret=settings.oidc_client_secret(),
                        redirect_url=settings.review_oidc_redirect_url or "",
                        groups_claim=settings.review_oidc_groups_claim)
    return SingleSignOn(provider=Provider(client, http),
                        accounts=SsoAccounts(db, role_map=settings.oidc_role_map(), now=now),
                        name=settings.review_oidc_provider_name,
                        password_login=settings.review_password_login)


async def serve(context: ServiceContext, settings: ReviewSettings) -> None:
    await asyncio.to_thread(migrate, settings.review_database_url)
    db = Database(settings.review_database_url)
    live = LiveHub()
    # Pages on any replica hear what every replica applies (PostgreSQL); SQLite is one process.
    shared = PostgresLive(settings.review_database_url, live) if db.is_postgres else None
    publish_live: LivePublisher = shared or live
    mandatory_within = timedelta(hours=settings.mandatory_report_hours)
    store = CaseStore(db, urgent_ack=timedelta(minutes=settings.urgent_ack_minutes), now=now,
                      mandatory_within=mandatory_within)
    writer = CaseWriter(store, publish_live)
    publisher = KafkaPublisher(settings, source=Service.REVIEW.source, metrics=context.metrics)
    await publisher.start()
    context.ops.attach(publisher)
    relay = OutboxRelay(db, publisher, model=OutboxRecord, now=now)
    decisions = Decisions(db, now=now, claim_ttl=timedelta(minutes=settings.claim_minutes),
                          on_commit=relay.wake, mandatory_within=mandatory_within)
    erasures = Erasures(db, now=now, on_commit=relay.wake)
    erasure_writer = ErasureRequestWriter(erasures)
    auth = Auth(db, session_ttl=timedelta(hours=settings.session_hours), cookie_secure=settings.cookie_secure,
                now=now, mfa_required=settings.requires_mfa, mfa_issuer=settings.mfa_issuer)
    # The heavy streams apply a poll's records in one transaction, set-based (the loop falls back to
    # one by one for a batch it cannot apply whole); the rare outcomes apply one at a time. The
    # batch stays modest: an urgent alert (its own consumer) waits at most for the one already writing.
    batched = ConsumerPolicy(max_batch=settings.review_apply_batch)
    consumers = [
        ConsumerLoop(ConsumerSpec(name=f"review.{name}", topic=topic, group=f"review.{name}", handler=handler,
                                  event_type=event_type, batch_handler=batch, policy=policy),
                     settings=settings, dlq_publisher=publisher, metrics=context.metrics,
                     health=context.health, ops=context.ops)
        for name, topic, handler, event_type, batch, policy in (
            ("signals", Topic.SIGNALS_RECEIVED, writer.received, SignalReceived, writer.received_batch,
             batched),
            ("cases", Topic.SIGNALS_TRIAGED, writer.triaged, SignalTriaged, writer.triaged_batch, batched),
            ("alerts", Topic.ALERTS_URGENT, writer.alert, UrgentAlert, writer.alert_batch, ConsumerPolicy()),
            ("outcomes", Topic.REPORTS_OUTCOMES, writer.outcome, ReportOutcome, None, ConsumerPolicy()),
            ("replies", Topic.REPLIES_OUTCOMES, writer.reply_outcome, ReplyOutcome, None, ConsumerPolicy()),
            ("erasures", Topic.ERASURES_REQUESTED, erasure_writer.received, ErasureRequested, None,
             ConsumerPolicy()),
        )
    ]
    blobs = BlobReader(settings.attachment_dirs(), settings.blob_keyring())
    # The OpenID provider's client; redirects are never followed (a provider answers, it does not move).
    http = httpx.AsyncClient(follow_redirects=False)
    app = build_app(auth=auth, decisions=decisions, live=live, blobs=blobs,
                    now=now, clock=LocalClock(settings.timezone), sso=single_sign_on(settings, db, http),
                    erasures=erasures, exports=Exports(db, now=now, key=settings.export_key()))
    server = HttpServer(app, settings.http_host, settings.http_port, name=Service.REVIEW,
                        trusted_proxies=settings.trusted_proxies)
    try:
        await server.start()
        context.health.set("http", ready=True, detail=server.url)
        gauges = DeadlineGauges(context.metrics.registry)
        purge_metrics = PurgeMetrics(context.metrics.registry)
        purge = Purge(db, settings.retention_schedule(), settings.attachment_dirs(), now=now,
                      batch=settings.purge_batch, on_purged=purge_metrics.purged)
        work = {
            **{loop.spec.name: loop.run(context.stop) for loop in consumers},
            "review.outbox": relay.run(context.stop),
            "review.erasures-gauge": erasure_metrics.watch(
                erasures, erasure_metrics.ErasureGauges(context.metrics.registry), now, context.stop,
                every_s=max(settings.sla_check_s, 30.0)),
            "review.sla": sla_clock(decisions, publish_live, settings, gauges, context.stop,
                                    ObligationGauges(context.metrics.registry)),
            "review.retention": retention_purge(purge, settings.purge_interval_hours * 3600,
                                                purge_metrics, context.stop),
        }
        if shared is not None:
            work["review.live"] = shared.run(context.stop)
        await supervise(context.stop, work)
    finally:
        context.stop.set()
        live.close()  # open pages' streams end now, so the server need not wait for them
        await server.stop()
        await context.ops.close()
        await publisher.stop()
        await http.aclose()
        db.dispose()


def main() -> int:
    settings = load_settings(ReviewSettings)
    return run_service(Service.REVIEW, settings, lambda context: serve(context, settings))
