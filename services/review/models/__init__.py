"""The case store's tables (SQLAlchemy 2). PostgreSQL in production and tests, SQLite locally.

The schema is owned by the Alembic migrations in ``migrations/``; these models must match them
(a test compares the two). Every model shares the one ``Base`` (``models.base``), so importing this
package puts every table in ``Base.metadata``, which the migrations' environment compares with.
Narrative text and reporter identity live here and nowhere else downstream: ``signals.narrative``
and ``signals.reporter`` are shown only on a case page, and the reporter's contact details only
through an audited reveal or the contact task's audited page.

By area: ``cases`` (cases and what they gather), ``decisions`` (decisions and the outbox),
``staff`` (accounts, sign-in, the audit trail), ``retention`` (holds, purges, erasure, export).
"""

from __future__ import annotations

from services.review.models.base import Base
from services.review.models.cases import (
    AppliedEvent,
    Attachment,
    Case,
    CaseKey,
    CaseLink,
    CaseObligation,
    ContactAttempt,
    ReportOutcomeRow,
    Signal,
    TextReply,
)
from services.review.models.decisions import Decision, OutboxRecord
from services.review.models.retention import CasePurge, ErasureRequest, ExportRequest, LegalHold
from services.review.models.staff import (
    ApiToken,
    AuditEntry,
    PendingSignIn,
    RecoveryCode,
    StaffIdentity,
    StaffMfa,
    User,
    UserSession,
)

__all__ = [
    "ApiToken",
    "AppliedEvent",
    "Attachment",
    "AuditEntry",
    "Base",
    "Case",
    "CaseKey",
    "CaseLink",
    "CaseObligation",
    "CasePurge",
    "ContactAttempt",
    "Decision",
    "ErasureRequest",
    "ExportRequest",
    "LegalHold",
    "OutboxRecord",
    "PendingSignIn",
    "RecoveryCode",
    "ReportOutcomeRow",
    "Signal",
    "StaffIdentity",
    "StaffMfa",
    "TextReply",
    "User",
    "UserSession",
]
