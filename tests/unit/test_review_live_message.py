"""What an open queue page is told of each change, and when it calls for attention."""

from __future__ import annotations

import uuid

import pytest

from contracts.events import Urgency
from services.review.cases import CaseChange
from services.review.handler import live_message


@pytest.mark.parametrize(("urgency", "created", "alert", "announce"), [
    (Urgency.P1_ACT_NOW, True, False, True),
    (Urgency.P2_SAME_DAY, True, False, True),
    (Urgency.P3_BUSINESS_DAYS, True, False, False),
    (Urgency.P4_INFORMATIONAL, True, False, False),
    (Urgency.P1_ACT_NOW, False, False, False),  # a later signal on a case already announced
    (Urgency.P3_BUSINESS_DAYS, False, True, True),  # an urgent alert or an exhausted chain: always
])
def test_the_service_decides_which_changes_call_for_attention(
    urgency: Urgency, created: bool, alert: bool, announce: bool
) -> None:
    change = CaseChange(uuid.uuid4(), "HT-7K3M-Q9XW4", urgency.value, created, urgent_alert=alert)
    message = live_message(change)
    assert message["announce"] is announce
    # Ids, urgency and the reference number only: nothing a tipster wrote goes to the page's stream.
    assert set(message) == {"type", "case_id", "reference_number", "urgency", "created", "urgent", "announce"}
