"""Call type and trafficking type: weighted cue words in English and Spanish, with the hotline's order.

Call types follow the hotline's categories (seeds 001, 002): crisis (immediate danger), tip (a
reported situation), tta (training and technical assistance), referral (services wanted),
general_info (questions about the issue), at_risk (related abuse or exploitation that puts
someone at risk: labor exploitation, domestic violence, runaway youth, a dubious job offer),
unrelated (beyond scope, wrong numbers, automated mail and spam).
"""

from __future__ import annotations

import re
from typing import Final

from contracts.events import CallType, DeclaredTraffickingType, SignalReceived, TraffickingType
from triage.lexicon import Lexicon
from triage.situation import SITUATION
from triage.text import Scan

_I = re.IGNORECASE


_SEX: Final = Lexicon((
    (3, "sex|sexual|sexually|sexo|prostitu*|escort|escorts|pimp*|brothel|brothels|johns|commercial sex|"
        "sex acts|sex act|padrote|proxeneta|burdel|relaciones sexuales|relaciones con hombres|acostarse|"
        "explotación sexual|csec|dmst|stripper|stripping|strip club|see men|for money|men pay|"
        "men come and go|men visit|pay to be with|hombres pagan|hombres entran|le pagan a la|citas pagadas|"
        "photos to men|fotos|dates|salir con clientes|upstairs|llevan al cuarto|sells her to|"
        "vende a otros hombres|bring men|brings men|bringing men|traen hombres|male visitors|"
        "drink with customers|tomar con los clientes|different men|men every|varios hombres|muchos hombres|"
        "send pictures|sending pictures|send photos|mandar fotos|sells her|sold her|sells them|la vende|"
        "las venden|vende por internet|sex work|trabajo sexual|onlyfans|rents her out|rent her out|"
        "renta a sus amigos|la renta|la prestan"),
    (2, "massage|spa|masajes|cantina|club|dancer|dancers|dance|dancing|bailar|baila|bailan|client|clients|"
        "clientes|customers|ads|ad|classifieds|anuncio|anuncios|posted|the life|quota|groom*|modeling|"
        "modelo|older men|older man|older guy|hombre mayor|hombres mayores|boyfriend|novio|motel|"
        "hotel room|parties|fiestas|truck stop|cab doors|pictures|photos|online|gifts|regalos|"
        "instagram|snapchat|social media|redes sociales"),
))
_LABOR: Final = Lexicon((
    (3, "farm*|field|fields|ranch|crop|crops|harvest|campo|rancho|cosecha|fresas|tomate|granja|lechería|"
        "lecheria|dairy|nursery|vivero|construction|construcción|construccion|roofing|factory|fábrica|"
        "fabrica|plant|meatpacking|meat packing|restaurant|restaurante|kitchen|cocina|cocineros|cook|cooks|"
        "diner|car wash|lavado de carros|nail salon|salón de uñas|cleaning|limpia|limpian|limpiar|limpieza|"
        "clean his|clean her|clean their|domestic|doméstica|domestica|doméstico|nanny|niñera|housekeeper|"
        "maid|landscaping|jardinería|jardineria|carnival|fishing boat|boat|crew|h-2a|h2a|h-2b|forced labor|"
        "trabajo forzado|beg|begging|pedir dinero|pidiendo dinero|selling candy|selling magazines|"
        "sell candy|selling flowers|sell drugs|selling drugs|transport drugs|vender drogas|vende flores|"
        "vender flores|wage|wages|sueldo|salario|unpaid|not paid|no pay|without pay|no le pagan|"
        "no les pagan|no me pagan|no nos pagan|sin pago|overtime|horas extras|contratista|capataz|foreman|"
        "crew leader|subcontractor|recruitment fee|recruitment fees|butcher|carnicería|carniceria|"
        "plantation|supply chain|supply chains|labor trafficking|trata laboral|vendiendo dulces|"
        "vendiendo flores|vender dulces|vende dulces|selling candy|sells candy|peddling|nail|nails|pizca|"
        "cleans|cleans rooms|laundry|lavandería|bodega|warehouse|finca|berries|picking"),
    (2, "boss|employer|employers|jefe|patrón|patron|patrona|empleador|empleadores|contractor|crew boss"),
    (1, "work|works|worked|working|worker|workers|job|jobs|trabaj*|emplead*|"
        "pay|paid|pagan|paga|pago|hours|horas|debt|deuda|passport|passports|pasaporte|pasaportes|visa|"
        "visas|day off"),
))
_BOTH_CUE: Final = re.compile(r"\b(?:also|tambi[eé]n|as well)\b", _I)

_CALL_TYPE_NOTE: Final = re.compile(
    r"^\s*(?:(?P<crisis>crisis)|(?P<tip>tip|denuncia(?: an[oó]nima)?)|(?P<tta>tta(?: req)?|capacitaci[oó]n)|"
    r"(?P<referral>ref(?:erral)?|referencia)|(?P<general_info>gi|info(?:rmaci[oó]n)? general)|"
    r"(?P<at_risk>at[- ]risk)|(?P<unrelated>unrelated))\s*:", _I)
_TTA: Final = re.compile(
    r"\b(?:trainings?|train (?:our|my|the|staff)|presentations?|speakers?|workshops?|curriculum|webinar|"
    r"materials?|brochures?|posters?|flyers?|technical assistance|protocol|screening tool|translator for a|"
    r"outreach|capacitaci[oó]n|capacitar|talleres|taller|charla|materiales|folletos|carteles|protocolo|"
    r"traductor)\b", _I)
_REFERRAL: Final = re.compile(
    r"\b(?:refer(?:ral|rals|red)?|looking for (?:a |an )?(?:therapist|lawyer|attorney|shelter|housing|"
    r"services|support|counsel\w*)|need(?:s)? (?:a |an )?(?:lawyer|attorney|legal|shelter|housing|therapist|"
    r"counsel\w*|case management|case mgmt|services)|legal (?:help|aid|services)|immigration legal|T visa|"
    r"visa T|vacatur|transitional housing|case (?:management|mgmt)|support groups?|therapist|"
    r"referencias?|abogad\w+|ayuda legal|grupo de apoyo|vivienda transitoria|manejo de caso|"
    r"programa de ayuda legal|terapia|busco (?:un|una)|pide (?:vivienda|refugio))\b", _I)
_AT_RISK: Final = re.compile(
    r"\b(?:is (?:this|that|it) (?:considered )?(?:trafficking|legal|safe)|am i being trafficked|"
    r"is (?:it|this|that) (?:normal|legal|allowed|ok|okay)|es normal|es legal|"
    r"es (?:esto )?trata|esto es trata|es seguro|job offer|offered (?:me|her|him) a (?:job|place)|"
    r"recruiter|recruitment fee|agency (?:wants|asks)|domestic violence|husband (?:hits|beats)|"
    r"hits me|violencia dom[eé]stica|me pega y|mi esposo me|ran away|runaway|run away|homeless|"
    r"sin hogar|se escap[oó] de su casa|escap[eó] de (?:mi|su) casa|foster care|harass\w*|acoso|"
    r"me toca|taking advantage|me ofreci[oó]|le ofreci[oó] trabajo|ofreci[oó] trabajo|me ofrecieron|"
    r"pressur\w+|i can (?:quit|leave)|puedo renunciar|don[\u2019']?t know if (?:this|it) is)\b", _I)
_GENERAL_INFO: Final = re.compile(
    r"\b(?:what is|what are|what's the|is there|are there|how (?:can|do) (?:i|we)|statistics|stats|"
    r"research|definition|volunteer|donate|documentary|news|school project|homework|class|"
    r"confidential|qu[eé] es|cu[aá]l es|estad[ií]sticas|voluntari[oa]|donar|tarea|proyecto escolar|"
    r"noticia|documental|confidencial|my story|mi historia|c[oó]mo puedo|materials for parents)\b", _I)
_UNRELATED: Final = re.compile(
    r"\b(?:wrong number|n[uú]mero equivocado|hung up|colg[oó]|prank|broma|landlord|casero|"
    r"missing pet|mascota|DMV|consulado|warranty|warranties|password|rent|renta|heat in my|calefacci[oó]n|"
    r"extended car|broken link|website is down|p[aá]gina web)\b", _I)
_FOLLOW_UP: Final = re.compile(
    r"\b(?:follow[- ]up (?:to|on) my (?:report|tip)|seguimiento a mi (?:reporte|denuncia)|"
    r"re: your report|my report from)\b", _I)
_TRAFFICKING_WORDS: Final = re.compile(
    r"\b(?:traffick\w*|trata|forced|obligad\w*|pimp\w*|exploit\w*|explot\w*|prostitu\w*)\b", _I)

_DECLARED_TYPE: Final = {
    DeclaredTraffickingType.SEX: TraffickingType.SEX,
    DeclaredTraffickingType.LABOR: TraffickingType.LABOR,
    DeclaredTraffickingType.BOTH: TraffickingType.BOTH,
}
_NO_SITUATION: Final = frozenset({CallType.TTA, CallType.GENERAL_INFO, CallType.UNRELATED})


def call_type(signal: SignalReceived, scan: Scan, *, danger: bool, minor: bool, automated: bool,
              topic_only: bool) -> CallType:
    """The declared call type wins (a call specialist's choice), then the hotline's order of cues."""
    if signal.facts.call_type is not None:
        return signal.facts.call_type
    if automated:
        return CallType.UNRELATED
    if danger:
        return CallType.CRISIS
    note = _CALL_TYPE_NOTE.match(signal.narrative)
    if note is not None and note.lastgroup is not None:
        return CallType(note.lastgroup)
    situation = scan.any_live(SITUATION) or (minor and not topic_only) or scan.any(_FOLLOW_UP) is not None
    if topic_only or not situation:
        if scan.any(_TTA) and not scan.any(_REFERRAL):
            return CallType.TTA
        if scan.any(_AT_RISK):
            return CallType.AT_RISK
        if scan.any(_REFERRAL):
            return CallType.REFERRAL
        if scan.any(_UNRELATED) and not scan.any(_TRAFFICKING_WORDS):
            return CallType.UNRELATED
        if scan.any(_GENERAL_INFO) or topic_only:
            return CallType.GENERAL_INFO
        words = scan.tokens()
        if not scan.any(_TRAFFICKING_WORDS) and _SEX.score(words) + _LABOR.score(words) == 0:
            return CallType.UNRELATED
    if scan.any(_AT_RISK):
        return CallType.AT_RISK
    if scan.any(_REFERRAL) and not situation:
        return CallType.REFERRAL
    return CallType.TIP


def trafficking_type(signal: SignalReceived, scan: Scan, kind: CallType) -> TraffickingType:
    """Declared type if stated; none when the signal describes no situation; else the text's cues."""
    declared_type = _DECLARED_TYPE.get(signal.facts.trafficking_type)
    if declared_type is not None:
        return declared_type
    if kind in _NO_SITUATION:
        return TraffickingType.NONE
    words = scan.tokens()
    sex, labor = _SEX.score(words), _LABOR.score(words)
    if sex >= 3 and labor >= 6 and scan.any(_BOTH_CUE):
        return TraffickingType.BOTH
    if sex >= 3 and sex >= labor - 1:
        return TraffickingType.SEX
    if labor >= 3:
        return TraffickingType.LABOR
    if sex >= 2 and labor < 2:
        return TraffickingType.SEX
    if kind is CallType.AT_RISK and not scan.any(_TRAFFICKING_WORDS):
        return TraffickingType.NONE
    return TraffickingType.UNKNOWN
