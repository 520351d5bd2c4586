"""``ErasureRequested`` and ``ErasureOrdered``: a reporter's request to be forgotten, and what review ordered.

The web intake checks the reporter's receipt before it asks anything of review, so a request
names a reference number the hotline issued; it carries no contact details and no words of the
reporter. Review shows it to a supervisor; once confirmed (or once two people agreed to erase a
case's content on instruction), review orders the erasure, and reporting removes the same data
from its ledger and from every report not yet sent. Both carry ids and codes only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from contracts._base import Event
from contracts.events.signal_received import ReferenceNumber


class ErasureScope(StrEnum):
    # The reporter's name, email, phone, other contact and safe-contact instructions.
    CONTACT = "contact"
    # Everything the reporter said or sent: narrative, subject, contact, declared facts, attachments.
    CONTENT = "content"


class ErasureRequested(Event):
    """A reporter who holds a reference number and its receipt asks for their contact details to
    be erased. Key: the reference number, so one report's requests stay in order."""

    EVENT_TYPE = "org.hotline.erasure.requested"
    VERSION = 1

    request_id: UUID
    reference_number: ReferenceNumber
    scope: Literal["contact"] = "contact"
    requested_at: AwareDatetime
    channel: Literal["webform"] = "webform"

    def event_id(self) -> str:
        return str(self.request_id)

    def partition_key(self) -> str:
        return self.reference_number


class ErasureOrdered(Event):
    """Review's order to erase part of a case, after a supervisor confirmed a reporter's request
    (``basis`` reporter_request) or a second supervisor approved staff's request (staff_instruction).
    Key: the case id."""

    EVENT_TYPE = "org.hotline.erasure.ordered"
    VERSION = 1

    erasure_id: UUID
    case_id: UUID
    reference_number: ReferenceNumber
    # The signals whose data goes: a reporter's own submissions, or every signal of the case.
    signal_ids: Annotated[list[UUID], Field(min_length=1, max_length=500)]
    scope: ErasureScope
    basis: Literal["reporter_request", "staff_instruction"]
    ordered_at: AwareDatetime
    approved_by_role: Literal["supervisor", "admin"]

    def event_id(self) -> str:
        return str(self.erasure_id)

    def partition_key(self) -> str:
        return str(self.case_id)
