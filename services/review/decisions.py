"""What staff do to a case, as the rest of review uses it: ``Decisions`` and what goes with it.

One transaction each, with its audit entry and its events in the outbox (``decision_store``). The
operations, by group: ``case_state`` (claim, release, more information, close), ``referrals``
(law-enforcement reports under the two-person rule, service referrals), ``corrections`` (flag
overrides, links, merges), ``reporter_access`` (revealing who reported, replying to a texter) and
``escalation`` (the SLA clock).
"""

from __future__ import annotations

from services.review.case_state import CLOSE_REASONS, CaseState
from services.review.corrections import OVERRIDABLE, Corrections
from services.review.decision_store import SOURCE, SYSTEM, Actor, DecisionError, Forbidden, NotFound
from services.review.escalation import Escalation
from services.review.referrals import LE_NEEDS, SERVICE_NEEDS, Referrals
from services.review.reporter_access import ReporterAccess

__all__ = ["CLOSE_REASONS", "LE_NEEDS", "OVERRIDABLE", "SERVICE_NEEDS", "SOURCE", "SYSTEM", "Actor",
           "DecisionError", "Decisions", "Forbidden", "NotFound"]


class Decisions(CaseState, Referrals, Corrections, ReporterAccess, Escalation):
    """Every staff decision on a case, and the SLA clock's; built once in ``main`` and passed down."""
