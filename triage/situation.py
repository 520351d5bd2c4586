"""Does a signal describe a concrete situation, or only the topic (a training, a school project, the news)?

A teacher asking for training "on minors at risk" or a parent whose child's school project is
about trafficking mentions minors without any minor being a potential victim. Signals whose
words are all about the topic and none about a situation keep their declared facts but raise no
flag from the text.
"""

from __future__ import annotations

import re
from typing import Final

from triage.text import Scan

_I = re.IGNORECASE

TOPIC: Final = re.compile(
    r"\b(?:trainings?|train (?:our|my|the|staff|officers)|presentations?|present to|(?:a|guest|"
    r"keynote) speaker|"
    r"speakers? (?:available|for|at|to)|"
    r"workshops?|curriculum|webinar|materials?|brochures?|posters?|flyers?|technical assistance|"
    r"school project|class project|project for (?:school|class)|homework|research(?:ing)?|thesis|"
    r"school report|(?:doing|writing) a (?:report|paper|essay)|essay|reporte escolar|informe|"
    r"trabajo (?:escolar|para la escuela)|"
    r"dissertation|statistics|stats|data on|documentar(?:y|ies)|film|movie|news (?:story|article|report)|"
    r"(?:need|want|looking for|requesting|request|send (?:me|us)|some|any|"
    r"more) (?:more )?(?:information|info) "
    r"(?:about|on)|"
    r"(?:on|in) the news|read (?:a|an|about)|how (?:can|do) (?:i|we) (?:help|donate|volunteer|get involved|"
    r"teach|recognize|identify)|how to volunteer|volunteer (?:opportunities|with (?:an?|anti|your|"
    r"the hotline|local))|"
    r"donat(?:e|ion)|definition|resources (?:about|on)|protocol|minimum age|legal age|is it legal|"
    r"edad m[ií]nima|journalist|periodista|interview|entrevista|guidance|consultation|thesis|"
    r"screening tool|speakers? bureau|"
    r"(?:for|in) (?:a|my|her|his|the) (?:\w+ )?class|for a class|outreach program|awareness|"
    r"capacitaci[oó]n|capacitar|talleres|taller|charla|presentaci[oó]n|materiales|folletos|carteles|"
    r"proyecto (?:escolar|de la escuela|para la escuela)|tarea|investigaci[oó]n|estad[ií]sticas|"
    r"documental|pel[ií]cula|noticias?|ser voluntari[oa]|como voluntari[oa]|donar|protocolo|recursos sobre|"
    r"(?:necesito|quiero|quisiera|busco|pido|m[aá]s) informaci[oó]n sobre|para (?:una|la|mi) clase|"
    r"para (?:una|la) tarea)\b", _I)

# Words that place a concrete situation in front of the hotline: someone is being exploited.
SITUATION: Final = re.compile(
    r"\b(?:being (?:sold|forced|pimped|trafficked|held|beaten|exploited|used|groomed|moved|kept)|"
    r"forc(?:es|ing) (?:her|him|them|me|us)|makes? (?:her|him|them|me|us)\b|"
    r"(?:won[\u2019']?t|will not|do not|don[\u2019']?t|doesn[\u2019']?t) let (?:her|him|them|me|us)|"
    r"(?:took|takes|keeps?|kept|holds?|has) (?:my|her|his|their|our|the(?: workers[\u2019']?)?) "
    r"(?:\w+ )?(?:passports?|papers|documents|ids?|wages|pay|money|earnings|tips)\b|"
    r"not (?:been )?paid|no pay|without pay|unpaid|"
    r"pimp\w*|escort|posted (?:on|online)|ads?\b|online ads|men (?:come|go|visit|pay)|"
    r"pay to be with|for money|sex for|clients|customers|johns|quota|brothel|massage (?:parlor|"
    r"business|place)|"
    r"la obligan|lo obligan|las obligan|los obligan|me obliga|obliga\w*|no (?:le|les|me|nos) pagan?|"
    r"sin pago|padrote|proxeneta|encerrad\w*|se (?:la|lo|las|los) llevan|(?:la|lo|las|los) venden|"
    r"pasaportes?|documentos|deuda|debt|owes?|debe|debemos|hombres (?:entran|van|pagan|le pagan)|"
    r"clientes|citas pagadas|cuota|burdel|cantina|anuncios?|beats?|beaten|threat\w*|amenaz\w*|"
    r"golpea\w*|pega(?:n)?|takes (?:everything|all (?:of )?(?:my|her|his|their) (?:money|earnings|pay|tips))|"
    r"collects? the money|watches (?:me|her|him|them) all the time|sells? (?:her|him|them)|"
    r"(?:la|lo|las|los) vende(?:n)?|les quita(?:n)? el dinero|le quita(?:n)? el dinero|"
    r"(?:gives?|giving|buys?|buying|offers?|offering) (?:her|him|them) (?:money|gifts|rides|drugs|alcohol|"
    r"expensive|clothes|a phone)|(?:le|les) (?:da|dan|compra|compran|ofrece|ofrecen) (?:dinero|regalos|ropa|"
    r"alcohol|drogas))\b|"
    r"\blocked(?! out)\b", _I)


# A call specialist's note that opens with the call type: training requests and general information
# describe no situation even when they name one ("cases involving minors").
_TOPIC_NOTE: Final = re.compile(r"^\s*(?:tta(?: req)?|gi|general info|info(?:rmaci[oó]n)? general|"
                                r"capacitaci[oó]n)\s*:", _I)


def topic_only(scan: Scan) -> bool:
    """The signal talks about the topic and describes no concrete situation."""
    if any(_TOPIC_NOTE.match(segment.text) for segment in scan.segments):
        return True
    return scan.any(TOPIC) is not None and not scan.any_live(SITUATION)
