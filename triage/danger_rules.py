"""The text rules that raise ``imminent_danger`` on their own (``triage.danger``'s precedence 2): locked in,
being beaten, a weapon, a threat to kill or hurt or to post a teen's pictures, a move within hours,
hiding, being hunted, a covert plea, "in danger". English and Spanish; ``triage.danger`` drops the
negated, retold, past and hypothetical matches.
"""

from __future__ import annotations

import re
from typing import Final

_I = re.IGNORECASE
# Whom a rule is about: "beats her", "moving the girls".
PERSON: Final = r"(?:her|him|them|me|us|the (?:girls|women|workers|crew|kids|children|men))"

# Spanish: someone comes for her ("viene un señor a recogerla", "pasa por mí"), and an hour ("a las 9pm").
_COMES_FOR_HER: Final = (
    r"\b(?:viene|vienen|va a venir|van a venir|pasa|pasan|llega|llegan)\b[^.!?\n]{0,50}?"
    r"(?:\ba\s+(?:recoger|buscar|llevar)(?:la|lo|me|nos|las|los|te)\b|"
    r"\bpor\s+(?:m[ií]|ella|ellas|nosotras|nosotros)(?![^\W\d_]))")
_AT_HOUR: Final = r"a las \d{1,2}(?:[:.]\d\d)?(?:\s*(?:am|pm))?"

# A figure of speech: "held hostage by my paycheck", "being held captive by student loans".
_BY_A_THING: Final = (r"\s+(?:(?:hostage|captive)\s+)?by\s+(?:my|our|the|a|this|these|his|her)?\s*"
                      r"(?:paycheck|pay|job|bills?|debts?|rent|mortgage|(?:student\s+)?loans?|schedule|hours|credit|phone|contract|"
                      r"lease)\b")

STRONG: Final = tuple((rule, re.compile(pattern, _I)) for rule, pattern in (
    ("danger.locked_in",
     r"\b(?:locked|lock(?:s|ing)?|chained|tied up|trapped)\s+(?:\w+\s+){0,2}?(?:in|inside|up|into)\b"
     r"(?!\s+(?:a\s+)?(?:contract|deal|price|rate|jail|prison))"
     # the one who did it jailed: "he's locked up until his court date", "locked up in county"
     r"(?!\s+(?:in\s+)?(?:county|the county|jail|prison|juvie|detention)\b)"
     r"(?!\s+(?:until|till|til|pending)\s+(?:his|her|their|the)\s+(?:court|trial|hearing|sentencing|"
     r"arraignment|bond|bail)\b)|"
     r"\block(?:s|ed|ing)?\s+(?:the\s+|our\s+|my\s+|her\s+|their\s+)?(?:front\s+|back\s+)?(?:doors?|gates?)\b|"
     r"\block(?:s|ed|ing)?\s+(?:\w+\s+){0,3}?from\s+(?:the\s+)?outside\b|"  # "they locked it from outside"
     r"\b(?:took|taken|takes|has)\s+(?:all\s+)?(?:our|my|her|their)\s+phones?\b(?=[^.!?\n]{0,80}\b(?:locked|lock|"
     r"encerr|door))|\b(?:doors?|gates?)\s+(?:is|are)\s+(?:\w+\s+)?locked\b|"
     r"\btrapped\b|\bcan[\u2019']?t get out\b|\bcannot get out\b|\bheld (?:captive|hostage|"
     r"against (?:her|his|my|"
     r"their|our) will)\b"
     r"(?!" + _BY_A_THING + r")|"
     # not a parcel: "your package is being held at customs"
     # (the look-ahead first: the look-behinds are tried only where "being" starts)
     r"\b(?=being )(?<!package is )(?<!parcel is )(?<!order is )(?<!shipment is )being (?:held|kept)\b"
     r"(?!" + _BY_A_THING + r")|"
     r"\b(?:won[\u2019']?t|will not|wont|do not|don[\u2019']?t|doesn[\u2019']?t|does not|are not|"
     r"aren[\u2019']?t)\s+"
     r"(?:let|letting|allow(?:ing)?)\s+(?:her|him|them|me|us)(?:\s+(?:to\s+)?(?:leave|go|out|escape|answer|call)\b|"
     r"(?=\s*[.,;!?\n]|\s*$))|"
     r"\b(?:i|we)\s+(?:can[\u2019']?t|cannot|am not allowed to|are not allowed to)\s+(?:get out|"
     r"leave|escape)\b|"
     r"\bencerrad[oa]s?\b|\b(?:me|la|lo|nos|las|los|les)\s+encierra(?:n)?\b|\bencierra(?:n)?\b|"
     r"\bcerrad[oa]s? con llave\b|\bcon llave\b|\batrapad[oa]s?\b|"
     r"\bno (?:me|la|lo|nos|las|los) dejan? (?:salir|ir(?:se|me|nos)?)\b"
     r"(?!\s+a\s+(?:la\s+)?(?:escuela|tienda|iglesia|clase|trabajar|la casa de))|"
     r"\b(?:in|inside)\s+(?:the\s+back\s+of\s+)?(?:a|the|his|their)\s+(?:van|truck|trailer|trunk)\b"
     r"(?=[^.!?\n]{0,80}\b(?:don[\u2019']?t|doesn[\u2019']?t|no)\s+know\s+where)|"
     r"\b(?:is|are|[\u2019']s|[\u2019']re)\s+holding\s+(?:my|her|his|our|their|the)\b|"
     r"\b(?:won[\u2019']?t|will not|don[\u2019']?t)\s+(?:give|let)\s+(?:them|us|her|him|me)\s+(?:food|eat)\b|"
     r"\bno (?:nos|les|le|me) dan? de comer\b|\bcasa de seguridad\b|\bstash house\b|\bransom\b|"
     r"\bpiden? (?:un )?rescate\b|"
     r"\b(?:la|lo|las|los|me|nos)\s+(?:metieron|meti[oó]|encerraron|encerr[oó])\s+(?:a|en)\s+(?:un|una|el|la)\s+"
     r"(?:cuarto|casa|carro|camioneta|bodega|ba[nñ]o)\b|"
     r"\bno (?:puedo|podemos) (?:salir|irme|irnos|escapar)\b|\bnadie puede (?:irse|salir)\b|"
     r"\bretenid[oa]s?\b|\bamarrad[oa]s?\b|\bencadenad[oa]s?\b|\batad[oa]s? de\b|"
     r"\b(?:no|never) (?:la|lo|las|los|me|nos) (?:va|van) a (?:devolver|soltar|dejar ir)\b|"
     r"\b(?:won[\u2019']?t|will not|not going to|never) (?:give|bring|let) (?:her|him|them) (?:back|"
     r"go home)\b|"
     r"\b(?:texted|sent|messaged)\s+(?:me\s+)?(?:an?\s+)?(?:sos|help)\b|"
     r"\bmand[oó] (?:un )?(?:sos|mensaje de auxilio)\b|"
     r"\b(?:is|are|[\u2019']s|[\u2019']re)\s+at (?:the|my|our|her) door\b|"
     r"\b(?:kicking|breaking) (?:it|the door|my door|down the door|in the door)(?: in| down)?\b|"
     r"\b(?:tumbando|rompiendo) la puerta\b|\bsecuestrad[oa]s?\b|\bkidnapp\w+\b|\babduct\w+\b"),
    ("danger.violence_now",
     rf"\b(?:is|are|am|being|keeps?|[\u2019']s|[\u2019']re|[\u2019']m)\s+(?:being\s+)?(?:beaten|raped|attacked|assaulted|"
     rf"choked|strangled|stabbed|shot|tortured|slapped|punched|kicked|whipped|burned|hit|beating|hitting|"
     rf"hurting|raping|choking|attacking|slapping|punching|kicking)\b|"
     rf"\b(?:just|again)\s+(?:hit|beat|punched|kicked|slapped|attacked)\b|"
     rf"\b(?:hit|beat|punched|kicked|slapped)\s+{PERSON}\s+again\b|"
     rf"\b(?:dragg(?:ed|ing)|forc(?:ed|ing)|push(?:ed|ing)|pull(?:ed|ing)|shov(?:ed|ing)|threw|throwing|"
     rf"led|leading|taken)\s+(?:\w+\s+){{0,3}}?(?:in|into|out of)\s+(?:a|the|his|their)\s+"
     rf"(?:car|van|truck|suv|"
     rf"vehicle|trunk|trailer|camper|rv)\b|"
     rf"\b(?:subiendo|metiendo|jalando|llev[aá]ndose)\s+a\s+(?:\w+\s+){{1,4}}?(?:a|en)\s+(?:una?|la|el)\s+"
     rf"(?:camioneta|carro|coche|van|troca|auto)\b|\b(?:camioneta|carro|coche|van|troca)\b[^.!?\n]{{0,60}}"
     rf"\b(?:subiendo|metiendo|jalando)\s+a\b|\b(?:la|lo|las|los)\s+(?:subieron|metieron|subi[oó]|meti[oó])\s+(?:a|en)\s+(?:un|una|la|el)\s+"
     rf"(?:carro|camioneta|van|coche|auto)\b|"
     rf"\b(?:est[aá]n?|sigue|siguen)\s+(?:golpeando|pegando|violando|lastimando)\w*\b|"
     rf"\bojo morado\b|\bblack eye\b|\bbleeding\b|\bunconscious\b|\boverdos\w+\b|"
     rf"\b(?:cough\w*|vomit\w*|throw\w* up|spitting)\s+(?:up\s+)?blood\b|\bnot breathing\b|"
     rf"\b(?:tosiendo|vomitando) sangre\b|"
     rf"\bsangrando\b|\binconsciente\b"),
    ("danger.threat",
     r"\bmake (?:her|him|me|them|you|us) disappear\b|"
     r"\bput (?:her|him|me|them|you|us) in (?:the|a) (?:river|ground|grave|hospital|lake|trunk)\b|"
     r"\b(?:bury|drown|burn) (?:her|him|me|them|you|us)\b|"
     r"\b(?:la|lo|me|te|nos|los|las) (?:va|van) a desaparecer\b|"
     r"\b(?:will|[\u2019']ll|going to|gonna|threat(?:en(?:ed|s)?)? to)\s+(?:\w+\s+)?"
     r"(?:burn|torch|set fire to)\s+(?:down\s+)?"
     r"(?:the|her|his|my|our|their|your)\s+(?:house|home|place|apartment|trailer|car)\b|"
     r"\bthreat(?:en(?:ed|s|ing)?)?\s+(?:\w+\s+){0,4}?(?:to|with)\s+(?:\w+\s+){0,6}?(?:kill|hurt|beat|shoot|stab|harm|"
     r"a\s+(?:gun|knife|beating)|beating|come (?:get|after|for|and get)|take (?:her|him|me|them) back|"
     r"find (?:her|him|me))\b|"
     r"\b(?:will|[\u2019']ll|going to|gonna)\s+come\s+(?:get|after|for|and get)\s+(?:her|him|me|us|them)\b|"
     r"\b(?:will|[\u2019']ll|going to|gonna|would|threatens to)\s+(?:\w+\s+)?(?:kill|hurt|beat|shoot|stab)\s+"
     r"(?:her|him|them|me|us|you|anyone|everyone|our|their|my)\b|"
     r"\bamenaz\w*\s+(?:\w+\s+){0,3}?(?:con\s+)?(?:matar\w*|golpear\w*|lastimar\w*|una pistola|un arma|"
     r"golpiza|pegar\w*)\b|\b(?:va|van|vas)\s+a\s+(?:matar|golpear|lastimar|pegar)\w*\b|"
     r"\bmiedo (?:de|a) que (?:la|lo|me|nos|los|las) (?:mate|maten|golpee|golpeen|lastime)\b"),
    # Sextortion with a deadline: "if I stop he'll send everything to my school", "a new video tonight".
    ("danger.sextortion",
     r"(?:\bif\b|\bunless\b|\bor else\b|\bthreat\w*|\bblackmail\w*|"
     r"\bsays? (?:he|she|they)[\u2019']?ll\b|"
     r"\bsaid (?:he|she|they)[\u2019']?d\b)[^.!?\n]{0,50}?"
     r"\b(?:send|post|share|leak|show)\w*\s+(?:everything|all of (?:it|them)|the (?:pics|pictures|photos|"
     r"videos?|nudes)|my (?:pics|pictures|photos|videos?|nudes)|them|it)\s+to\s+(?:my|her|his|their)\s+"
     r"(?:whole\s+|entire\s+)?"
     r"(?:school|parents|family|mom|dad|friends|boss|church)\b|"
     r"\b(?:mandar|enviar|publicar|subir)\w*\s+(?:mis|sus|las)\s+(?:fotos|videos)\s+a\s+(?:mi|su)s?\s+"
     r"(?:escuela|pap[aá]s|familia|mam[aá])\b|"
     # a deadline, then the threat: "I have one hour to send 500 or they post it to my whole school"
     r"\b(?:hours?|hrs?|minutes?|mins?|tonight|by \d{1,2}(?::\d\d)?(?:\s*[ap]m)?)\b[^.!?\n]{0,40}?"
     r"\bor (?:they|he|she)(?:[\u2019']ll| will)?\s+(?:post|send|share|leak|show)\w*\b"),
    ("danger.weapon",
     r"\b(?:has|have|had|with|w/|holding|pointing|pulled|carr(?:y|ies))\s+(?:a\s+|an\s+|his\s+|the\s+)?"
     r"(?:gun|knife|firearm|pistol|rifle|weapon|machete)\b|\b(?:gun|knife|firearm)\s+to\b|"
     r"\b(?:tiene|ten[ií]a|con)\s+(?:un|una)\s+(?:arma|pistola|cuchillo|machete)\b|\barmados?\b|"
     r"\barmed\b(?!\s+(?:forces|services|robbery))"),
    ("danger.moved_soon",
     r"\b(?:mov(?:e|ed|es|ing)|tak(?:e|en|es|ing)|transport(?:ed|ing)?|ship(?:ped|ping)?|sell(?:ing)?|"
     # not the reporter's own driving: "I'm driving right now, I'll text you back"
     r"send(?:ing)?|(?<!\bi[\u2019']m )(?<!\bim )(?<!\bi am )driv(?:e|ing)|leav(?:e|es|ing)|depart\w*|"
     r"put(?:ting)?)\s+(?:\w+\s+){0,8}?(?:tonight|today|"
     r"(?:tomorrow|tmrw|tmr|2morrow)(?: morning| night)?|in the morning|right now|"
     r"this (?:evening|afternoon|weekend)|in (?:an|a few|\d+|two|three) hours?)\b|"
     r"\b(?:tonight|today)\b[^.!?\n]{0,40}\b(?:being moved|be moved|moving|taking|transport\w*|"
     r"selling|sent)\b|"
     # someone else is going somewhere within hours: "he told them they're going to Texas tonight" (not
     # to school, work or bed; 18 of the 20 labelled cases that say so are emergencies)
     r"\b(?:they|she|he|we|them|her|him)(?:[\u2019']re|[\u2019']s| are| is| were| was)?\s+(?:going|headed|"
     r"heading|leaving|moving)\s+(?:to|for)\s+(?!(?:school|work|bed|church|class|sleep|the store|see|be|get|"
     r"do|have|come)\b)(?:\w+\s+){0,3}?(?:tonight|today|tomorrow(?: morning| night)?|tmrw|"
     r"in (?:an|a few|\d+) hours?)\b|"
     r"\b(?:llev\w+|mover\w*|mueven|trasladar\w*|vender\w*|sacar\w*)\s+(?:\w+\s+){0,8}?(?:esta noche|hoy|"
     r"mañana|ahora mismo|en unas horas|esta madrugada)\b|"
     r"\b(?:esta noche|hoy)\b[^.!?\n]{0,40}\b(?:llev\w+|mover\w*|mueven|trasladar\w*|vender\w*)\b|"
     # someone coming for her at a time within hours: "en la noche viene un señor a recogerla", "a las 9
     # pasa por mí" (all 25 labelled cases that say so in Spanish were emergencies)
     r"\b(?:esta noche|en la noche|esta tarde|en la tarde|hoy|ahorita|al rato|en un rato|ma[ñn]ana|"
     + _AT_HOUR + r")\b[^.!?\n]{0,40}?" + _COMES_FOR_HER + "|"
     + _COMES_FOR_HER + r"[^.!?\n]{0,40}?\b(?:esta noche|en la noche|hoy|ahorita|ma[ñn]ana|"
     + _AT_HOUR + r")\b|"
     # a one-way ticket for today or tomorrow: "one-way flight ... tomorrow at 6", "sale mañana ... solo ida"
     r"\bone[- ]way\b[^.!?\n]{0,60}\b(?:tonight|today|tomorrow)\b|"
     r"\b(?:tonight|today|tomorrow)\b[^.!?\n]{0,60}\bone[- ]way\b|"
     r"\b(?:s[oó]lo|solo) (?:de )?ida\b[^.!?\n]{0,60}\b(?:esta noche|hoy|ma[ñn]ana)\b|"
     r"\b(?:esta noche|hoy|ma[ñn]ana)\b[^.!?\n]{0,60}\b(?:s[oó]lo|solo) (?:de )?ida\b|"
     # a flight or a bus within hours: "bought her a plane ticket, the flight is at 7 tomorrow
     # morning", "boarding starts in ~35 min" (21 of the 23 labelled cases that say so are danger)
     r"\b(?:flight|plane tickets?|bus tickets?|boarding)\b[^.!?\n]{0,50}?\b(?:tonight|today|tomorrow|tmrw|"
     r"tmr|in (?:~\s*)?\d+\s*(?:min|mins|minutes|hours?|hrs?))\b|"
     r"\b(?:boarding|board|boards|takes off|departs)\s+(?:starts?\s+)?in\s+(?:~\s*|about\s+|like\s+)?\d+\s*"
     r"(?:min|mins|minutes)\b|"
     # a sale set for a time: "she'll be ready by 11, bring cash"
     r"\b(?:she|he|they|the (?:new )?(?:girls?|ones?))(?:[\u2019']ll| will| is gonna| are gonna| gonna)\s+"
     r"be\s+ready\s+(?:by|at|around)\s+\d"),
    ("danger.hiding",
     r"\b(?:i[\u2019']?m|i am|im|she[\u2019']?s|she is|he[\u2019']?s|he is|we[\u2019']?re|we are|"
     r"they[\u2019']?re|they are|is|are|"
     r"currently|now|v)\s+(?:\w+\s+)?hiding\b|\bhiding (?:in|from|at|inside)\b|\bhid (?:in|inside)\b|"
     # not Escondido (the city), nor "a escondidas" (secretly: "me llama a escondidas")
     r"\b(?=escondid)(?<!\ba )(?!(?-i:Escondido)\b)escondid[oa]s?\b|"
     r"\bescondiendo\b|\bnos escondemos\b|\bme escond[ií]\b"),
    ("danger.pursued",
     r"\b(?:is|are|[\u2019']s|[\u2019']re)\s+(?:\w+\s+){0,3}?(?:looking|searching|coming|chasing|waiting)\s+"
     r"(?:for|after|outside)?\s*(?:her|him|me|us|them)\b|\bchasing (?:her|him|me|us|them)\b|"
     r"\b(?:is|are|[\u2019']s|[\u2019']re)\s+waiting\s+(?:right\s+)?"
     r"(?:outside|out front|in the car|downstairs|"
     r"for (?:her|him|me|us|them))\b|"
     r"\b(?:est[aá]|est[aá]n)\s+esperando\s+(?:afuera|en el carro|abajo)\b|"
     r"\b(?:searching|looking|combing|driving around)\s+(?:the|around|"
     r"all over)\s+(?:the\s+)?(?:block|area|street|"
     r"neighbou?rhood|town|building|motel|woods)\b|"
     r"\b(?:banging|pounding|kicking) (?:on|in) (?:the|my|our|her|his) door\b|\bscreaming for help\b|"
     r"\bgritando (?:auxilio|por ayuda|ayuda)\b|\bwill come (?:for|after) (?:her|him|me|us|them)\b|"
     r"\b(?:me|la|lo|nos|los|las)\s+(?:est[aá]n?|anda(?:n)?)\s+buscando\b|"
     r"\bviene(?:n)? (?:por|a buscar)\b|\bque venga esta noche\b|\bcome tonight\b|"
     r"\b(?:will|[\u2019']ll|gonna|going to)\s+(?:come|go|be)\s+looking\s+for\b|\bcome looking\b|"
     r"\b(?:va|van) a (?:venir a )?buscar(?:la|lo|me|nos|los|las)\b|"
     # a call note's shorthand: "boss waiting in lobby", "bf parked outside"
     r"\b(?:boss|pimp|trafficker|bf|boyfriend|husband|uncle|driver|recruiter|man|guy)\s+(?:is\s+|still\s+)?"
     r"(?:waiting|sitting|parked)\s+(?:right\s+)?(?:in|outside|at|downstairs|out front)\s+(?:the\s+)?"
     r"(?:lobby|lot|parking lot|car|waiting room|hallway|front|door|outside)\b"),
    # A covert plea with the one in control beside them: "she mouthed 'help'", "passed me a note".
    ("danger.silent_plea",
     r"\b(?:mouthed|whispered|signed|signal(?:l)?ed|gestured|wrote|slipped (?:me |us |her )?a note|"
     r"passed (?:me |us |her )?a note)\b[^.!?\n]{0,25}?\b(?:help|ayuda|ay[uú]dame|"
     r"call (?:the )?(?:police|cops)|911|save me|get me out)\b|"
     r"\b(?:the )?(?:hand )?signal for help\b|\bhelp hand signal\b|"
     r"\b(?:me )?dijo (?:en voz baja|bajito|con los labios) (?:que )?(?:ayuda|la ayud\w+)\b"),
    # A caller who cannot talk freely: the specialist "switched to yes/no questions" (the one in
    # control is beside her), or the agreed code word for "come get me" has just been sent. All 10
    # labelled cases that say so were emergencies; a question about code words is none.
    ("danger.coded_call",
     r"\b(?:switched|switching|went|moved|changed|turned|shifted)\s+(?:over\s+)?to\s+(?:asking\s+)?(?:only\s+)?"
     r"yes[/-]?\s*(?:or\s+)?no\b|"
     r"\b(?:cambi[oó]|pas[oó]|cambiamos|pasamos)\s+a\s+preguntas\s+de\s+s[ií]\s*(?:/|o|-)\s*no\b|"
     r"\b(?:texted|sent|messaged|typed|said|used)\s+(?:me\s+|us\s+|her\s+mom\s+)?(?:the\s+|our\s+|her\s+|their\s+)?"
     r"(?:family\s+|agreed(?:[- ]on)?\s+|safe(?:ty)?\s+|secret\s+)?code\s*-?word\b|"
     r"\b(?:mand[oó]|envi[oó]|escribi[oó]|dijo)\s+(?:la|nuestra|su)\s+palabra\s+(?:clave|secreta)\b"),
    ("danger.in_danger",
     r"\b(?:in|at)\s+(?:immediate\s+|imminent\s+|grave\s+|serious\s+|real\s+)?danger\b|"
     r"\bimm(?:ediate|\.)?\s+danger\b|\blife (?:is )?(?:in danger|at risk)\b|"
     r"\b(?:fears?|afraid|scared) for (?:her|his|my|their|our) (?:life|lives)\b|"
     r"\ben peligro\b|\bcorren? peligro\b|\bpeligro (?:inmediato|de muerte)\b|"
     r"\bteme(?:mos)? por (?:su|mi|nuestra) vida\b"),
))
