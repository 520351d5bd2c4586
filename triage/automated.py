"""Automated mail and bulk spam: auto-replies, bounces, newsletters, prize scams. Set aside as unrelated.

Only a signal that raised no urgent flag is set aside: an auto-reply that quotes a real tip
("Automatic reply: Re: she is locked in ...") still reaches a supervisor.
"""

from __future__ import annotations

import re
from typing import Final

from contracts.events import EmailSource, Evidence, Flag, FlagName, SignalReceived
from triage.evidence import from_hit
from triage.text import Scan

_I = re.IGNORECASE

RULES: Final = tuple((rule, re.compile(pattern, _I)) for rule, pattern in (
    ("automated.auto_reply",
     r"\b(?:automatic reply|auto-?reply|autoreply|out of (?:the )?office|on leave and will respond|"
     r"this is an automated message|automated (?:message|response)|mailbox is not monitored|"
     r"respuesta autom[aá]tica|fuera de la oficina|"
     r"mensaje autom[aá]tico|no responda|sent automatically|(?:this is an? )?automatic (?:text|message)|"
     r"driving with do not disturb|(?:i[\u2019']?m|i am) driving(?: right now)?[.,]? "
     r"(?:and )?(?:i[\u2019']?ll|i will|will) (?:text|call|get back|reply|respond|see your message))\b"),
    ("automated.bounce",
     r"\b(?:delivery status notification|undeliverable|mail delivery (?:failed|subsystem)|"
     r"delivery to the following recipient failed|returned mail|mailer-daemon)\b"),
    ("automated.bulk",
     r"\b(?:unsubscribe|view (?:it )?in (?:your )?browser|newsletter|darse de baja|bolet[ií]n)\b"),
    ("automated.spam",
     r"\b(?:you have (?:been selected|won)|you(?:[\u2019']ve| have) won|claim your (?:prize|reward)|"
     # a gift card as a prize, not one a groomer or recruiter sends ("he sent her a gift card")
     r"(?:free|won|win|claim|redeem)\s+(?:an?\s+|your\s+)?(?:\$\d+\s+)?gift card|"
     r"click (?:here|the link)|verify your account|mailbox storage|lottery|"
     r"package could not be delivered|confirm your (?:address|account|details)|tracking number|"
     r"ha (?:sido seleccionad[oa]|ganado)|reclamar su premio|datos bancarios)\b"),
))


def automated_flag(signal: SignalReceived, scan: Scan) -> Flag:
    evidence: list[Evidence] = []
    # The email intake reads the headers (Auto-Submitted, X-Autoreply, Precedence, multipart/report)
    # that the text alone cannot show.
    if isinstance(signal.source, EmailSource) and signal.source.automated is not None:
        evidence.append(Evidence.trusted(rule_id=f"automated.email_{signal.source.automated}",
                                         origin="metadata", field="source.automated"))
    for rule, pattern in RULES:
        for hit in scan.find(rule, pattern):
            evidence.append(from_hit(rule, hit))
            break
    return Flag.trusted(name=FlagName.AUTOMATED, raised=bool(evidence), evidence=evidence[:50])
