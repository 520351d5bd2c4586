"""A case and its signals as plain rows: what a recompute reads and writes, ORM object or not.

One by one, the case store works on ORM objects; a batch holds plain rows (no identity map, no
change tracking) and writes them with a few bulk statements. The protocols here are what both
share: the recompute (``case_view``) and the obligation it keeps (``obligations``) take either.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Protocol

from contracts.events import SignalReceived, SignalTriaged, Urgency

# Until triage has spoken, a case waits at P3 with a placeholder deadline (triage follows in
# milliseconds; this only matters if triage is down, and then ops raises the alarm).
UNTRIAGED_SLA = timedelta(days=3)


class CaseFacts(Protocol):
    """What an obligation needs of its case."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def break_glass(self) -> bool: ...


class CaseView(Protocol):
    """What a recompute reads and sets on a case."""

    id: uuid.UUID
    urgency: str
    urgency_rank: int
    triaged: bool
    call_type: str
    trafficking_type: str
    state: str | None
    city: str | None
    minor: bool
    imminent_danger: bool
    break_glass: bool
    sla_due_at: datetime
    ack_due_at: datetime | None
    acknowledged_at: datetime | None
    updated_at: datetime
    version: int


class SignalFacts(Protocol):
    """What a recompute and an obligation read of a case's signals."""

    @property
    def signal_id(self) -> uuid.UUID: ...

    @property
    def received_at(self) -> datetime: ...

    @property
    def triage(self) -> dict[str, Any] | None: ...

    @property
    def urgency(self) -> str | None: ...

    @property
    def alerted_at(self) -> datetime | None: ...


# What a recompute may change on a case: the columns a batch writes back to a stored case.
RECOMPUTED = ("urgency", "urgency_rank", "triaged", "call_type", "trafficking_type", "state", "city",
              "minor", "imminent_danger", "break_glass", "sla_due_at", "ack_due_at", "updated_at", "version")


@dataclass(slots=True)
class CaseRow:
    """A case as a batch holds it: the columns it reads, and those a recompute sets."""

    id: uuid.UUID
    reference_number: str
    merged_into: uuid.UUID | None
    urgency: str
    urgency_rank: int
    triaged: bool
    call_type: str
    trafficking_type: str
    state: str | None
    city: str | None
    minor: bool
    imminent_danger: bool
    break_glass: bool
    sla_due_at: datetime
    ack_due_at: datetime | None
    acknowledged_at: datetime | None
    updated_at: datetime
    version: int

    def recomputed(self) -> dict[str, Any]:
        return {column: getattr(self, column) for column in RECOMPUTED}


# The columns a batch reads of a stored case, in this order: ``CaseRow``'s fields.
CASE_COLUMNS = tuple(f.name for f in fields(CaseRow))


def new_case_values(case_id: uuid.UUID, reference_number: str, received_at: datetime,
                    now: datetime) -> dict[str, Any]:
    """Every column of a new case as it waits for its triage (one by one and in batches alike)."""
    return {"id": case_id, "reference_number": reference_number, "status": "open",
            "urgency": Urgency.P3_BUSINESS_DAYS.value, "urgency_rank": Urgency.P3_BUSINESS_DAYS.rank,
            "call_type": "unknown", "trafficking_type": "unknown", "state": None, "city": None,
            "minor": False, "imminent_danger": False, "triaged": False, "opened_at": received_at,
            "sla_due_at": received_at + UNTRIAGED_SLA, "ack_due_at": None, "acknowledged_at": None,
            "acknowledged_by": None, "escalation_level": 0, "escalated_at": None, "claimed_by": None,
            "claim_expires_at": None, "break_glass": False, "closed_reason": None, "merged_into": None,
            "report_exhausted": False, "deadline_reported_for": None, "updated_at": now, "version": 1}


# What ``signals.received`` writes on a signal, in this order; the last five are JSON.
RECEIVED_COLUMNS = ("subject", "narrative", "reporter", "facts", "source", "attachments", "related")
# What a newer triage writes on a signal; ``triage`` is JSON.
TRIAGE_COLUMNS = ("triage", "urgency", "call_type", "rules_version")
JSON_COLUMNS = frozenset({"reporter", "facts", "source", "attachments", "related", "triage"})


def received_values(signal: SignalReceived) -> tuple[Any, ...]:
    """``RECEIVED_COLUMNS`` of a received signal, its JSON encoded once (pydantic's own encoder);
    an absent ``related`` is JSON null, as the ORM stores it."""
    attachments = "[" + ",".join(a.model_dump_json() for a in signal.attachments) + "]"
    return (signal.subject, signal.narrative, signal.reporter.model_dump_json(),
            signal.facts.model_dump_json(), signal.source.model_dump_json(), attachments,
            signal.related.model_dump_json() if signal.related is not None else "null")


@dataclass(slots=True)
class SignalRow:
    """A signal as a batch holds it: what a recompute reads, and what the batch will write."""

    signal_id: uuid.UUID
    case_id: uuid.UUID
    received_at: datetime
    triage: dict[str, Any] | None
    urgency: str | None
    alerted_at: datetime | None
    reference_number: str = ""
    channel: str = ""
    call_type: str | None = None
    rules_version: str | None = None
    received: tuple[Any, ...] | None = None  # ``RECEIVED_COLUMNS`` to write
    triage_json: str | None = None  # ``triage`` as written

    def take_triage(self, triaged: SignalTriaged) -> None:
        """This triage's view of the signal, encoded once; the dict is what the recompute reads."""
        self.triage_json = triaged.model_dump_json()
        self.triage = json.loads(self.triage_json)
        self.urgency = triaged.urgency.value
        self.call_type = triaged.call_type.value
        self.rules_version = triaged.rules_version

    def triage_values(self) -> tuple[Any, ...]:
        return self.triage_json, self.urgency, self.call_type, self.rules_version
