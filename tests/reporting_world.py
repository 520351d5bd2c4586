"""A reporting ledger with one report resolved to a chain of contacts: the world of the delivery tests.

The ledger is a migrated SQLite file and its clock is the test's. The ``make_world`` fixture
(tests/conftest.py) builds one; the unit tests drive its HTTP face, the integration tests its courier
against real relays on loopback.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from contracts.events import Reporter
from services.reporting.chains import full_chain
from services.reporting.db import Database, migrate
from services.reporting.ledger import Ledger
from services.reporting.models import CallLog, Lookup, OutboxRecord, Step
from services.reporting.protocols.loader import load_protocols
from services.reporting.protocols.regions import ProtocolSet
from services.reporting.resolution import resolve_request
from services.reporting.store import Store
from services.reporting.tokens import AckTokens
from tests.builders import received
from tests.reporting_support import Clock, report_request

NARRATIVE = "The cooks sleep above the restaurant and the owner keeps their passports."
LEASE = timedelta(seconds=30)
ACK_SECRET = b"unit-test-ack-secret"


def email_to(address: str) -> str:
    return f'{{type: email, address: "{address}"}}'


def webhook_to(url: str) -> str:
    return f'{{type: webhook, url: "{url}"}}'


PHONE = "{type: phone, number: '+1 713 555 0101'}"


def write_chain(directory: Path, *links: tuple[str, str, str]) -> Path:
    """US.yaml whose tip-reporting chain is ``links`` in order: (contact id, channel, wait).
    Every contact is always available."""
    today = datetime.now(UTC).date().isoformat()
    contacts = "".join(
        f"  - {{id: {contact}, name: Contact {contact}, organisation: Example Police Department,"
        f" kind: law_enforcement, channels: [{channel}], availability: always, last_verified: {today}}}\n"
        for contact, channel, _ in links)
    chain = "".join(f"        - {{contact: {contact}, wait: {wait}}}\n" for contact, _, wait in links)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "US.yaml").write_text(
        f"version: 1\nregion: {{country: US}}\ncontacts:\n{contacts}"
        f"matrix:\n  tip_reporting:\n    - chain:\n{chain}")
    return directory


@dataclass
class World:
    db: Database
    store: Store
    ledger: Ledger
    clock: Clock
    protocols: ProtocolSet
    report_id: uuid.UUID

    def steps(self) -> list[Step]:
        with self.db.read() as session:
            return list(session.scalars(select(Step).order_by(Step.step_index)))

    def lookup(self) -> Lookup:
        with self.db.read() as session:
            return session.scalars(select(Lookup)).one()

    def calls(self) -> list[tuple[int, str, str, str | None]]:
        with self.db.read() as session:
            return [(c.step_id, c.outcome, c.specialist, c.note)
                    for c in session.scalars(select(CallLog).order_by(CallLog.id))]

    def outcomes(self) -> list[tuple[int | None, str, str | None]]:
        with self.db.read() as session:
            rows = list(session.scalars(select(OutboxRecord).order_by(OutboxRecord.id)))
        events = [json.loads(r.value) for r in rows if r.topic == "reports.outcomes"]
        return [(e["step"], e["kind"], e.get("reason")) for e in events]


WorldFactory = Callable[..., World]


def worlds(tmp_path: Path) -> Iterator[WorldFactory]:
    """The ``make_world`` fixture: a factory of worlds in ``tmp_path``, their databases closed after."""
    made: list[Database] = []

    def make(*links: tuple[str, str, str], max_attempts: int = 5, reporter: Reporter | None = None) -> World:
        url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
        migrate(url)
        db = Database(url)
        made.append(db)
        clock = Clock()
        store = Store(db, now=clock, facts_grace=timedelta(seconds=10))
        ledger = Ledger(db, now=clock, tokens=AckTokens(ACK_SECRET), lease=LEASE,
                        max_attempts=max_attempts)
        protocols = load_protocols(write_chain(tmp_path / "protocols", *links))
        signal = received(narrative=NARRATIVE,
                          reporter=reporter or Reporter(anonymous=False, consent_to_share=False))
        store.record_signal(signal)
        request = report_request(signal.signal_id, signal.reference_number)
        store.record_request(request)
        [pending] = store.ready_to_resolve()
        resolution = resolve_request(protocols, pending.request, pending.victims)
        store.store_resolution(request.report_id, resolution,
                               [full_chain(protocols, lookup) for lookup in resolution.lookups])
        return World(db=db, store=store, ledger=ledger, clock=clock, protocols=protocols,
                     report_id=request.report_id)

    yield make
    for db in made:
        db.dispose()
