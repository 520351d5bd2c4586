"""Vocabularies shared by several events: channels, call types, trafficking types, urgency."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Channel(StrEnum):
    """How a signal reached the hotline."""

    WEBFORM = "webform"
    EMAIL = "email"
    PHONE = "phone"
    SMS = "sms"  # text messages (SMS and MMS) to the hotline's number


class CallType(StrEnum):
    """The hotline's seven call types (seed 002)."""

    CRISIS = "crisis"
    TIP = "tip"
    TTA = "tta"  # training and technical assistance
    REFERRAL = "referral"
    GENERAL_INFO = "general_info"
    AT_RISK = "at_risk"
    UNRELATED = "unrelated"


class TraffickingType(StrEnum):
    """Type of exploitation, as assessed by triage."""

    SEX = "sex"
    LABOR = "labor"
    BOTH = "both"
    UNKNOWN = "unknown"
    NONE = "none"


class DeclaredTraffickingType(StrEnum):
    """Type of exploitation, as the reporter or call specialist declared it."""

    SEX = "sex"
    LABOR = "labor"
    BOTH = "both"
    UNSURE = "unsure"
    NOT_STATED = "not_stated"


class Urgency(StrEnum):
    """Priority. P1 and P2 are worked 24/7; P3 within 1-3 business days; P4 is informational."""

    P1_ACT_NOW = "p1_act_now"
    P2_SAME_DAY = "p2_same_day"
    P3_BUSINESS_DAYS = "p3_business_days"
    P4_INFORMATIONAL = "p4_informational"

    @property
    def rank(self) -> int:
        """1 (act now) to 4 (informational): the lower, the more urgent. The one ordering of urgencies."""
        return _URGENCY_RANKS[self]

    @classmethod
    def of_rank(cls, rank: int) -> Urgency:
        return _RANKED_URGENCIES[rank]

    @property
    def is_urgent(self) -> bool:
        return self.rank <= Urgency.P2_SAME_DAY.rank


_URGENCY_RANKS: Final = {Urgency.P1_ACT_NOW: 1, Urgency.P2_SAME_DAY: 2, Urgency.P3_BUSINESS_DAYS: 3,
                         Urgency.P4_INFORMATIONAL: 4}
_RANKED_URGENCIES: Final = {rank: urgency for urgency, rank in _URGENCY_RANKS.items()}


class ReporterRole(StrEnum):
    VICTIM = "victim"
    FAMILY_FRIEND = "family_friend"
    COMMUNITY_MEMBER = "community_member"
    PROFESSIONAL = "professional"
    LAW_ENFORCEMENT = "law_enforcement"
    OTHER = "other"
    UNKNOWN = "unknown"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    UNKNOWN = "unknown"


class Nationality(StrEnum):
    """The reporting matrix distinguishes US citizens from foreign nationals (seed 004)."""

    US_CITIZEN = "us_citizen"
    FOREIGN_NATIONAL = "foreign_national"
    UNKNOWN = "unknown"


class Answer(StrEnum):
    """A declared yes/no that a reporter may also leave open."""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"
    NOT_ASKED = "not_asked"
