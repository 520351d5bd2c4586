"""The ``imminent_danger`` flag: someone is in physical danger now or within hours. English and Spanish.

Precedence (also in README, "Triage"):

1. A declared "danger now: yes" raises the flag unless the text clearly takes it back ("I checked
   yes by mistake, nobody is in danger now", "no hay peligro ahora").
2. A strong text rule raises the flag on its own, even against a declared "no": locked in, being
   beaten, a weapon, a threat to kill or hurt, being moved tonight, hiding, being hunted, "ahora
   mismo ... encerrada". The text is the reporter's own account and the form's yes/no is coarse.
3. A plea ("help me", "auxilio") counts only together with "right now" / "tonight" / "esta noche"
   in the same sentence, and never against a declared "no".
4. Matches are dropped when negated in their clause ("nobody is in danger now"), in a sentence
   about the past ("years ago he locked me in"), retold from the news or a film, hypothetical
   ("what should I do if someone is locked in"), or when the signal is about the topic only.
"""

from __future__ import annotations

import re
from typing import Final

from contracts.events import Answer, Evidence, Flag, FlagName, SignalReceived
from triage.evidence import declared, from_hit
from triage.situation import SITUATION
from triage.text import NOT_REAL, Hit, Scan, Segment, historical, negated, recent, reported

_I = re.IGNORECASE
_P: Final = r"(?:her|him|them|me|us|the (?:girls|women|workers|crew|kids|children|men))"

STRONG: Final = tuple((rule, re.compile(pattern, _I)) for rule, pattern in (
    ("danger.locked_in",
     r"\b(?:locked|lock(?:s|ing)?|chained|tied up|trapped)\s+(?:\w+\s+){0,2}?(?:in|inside|up|into)\b"
     r"(?!\s+(?:a\s+)?(?:contract|deal|price|rate|jail|prison))|"
     r"\block(?:s|ed|ing)?\s+(?:the\s+|our\s+|my\s+|her\s+|their\s+)?(?:front\s+|back\s+)?(?:doors?|gates?)\b|"
     r"\block(?:s|ed|ing)?\s+(?:\w+\s+){0,3}?from\s+(?:the\s+)?outside\b|"  # "they locked it from outside"
     r"\b(?:took|taken|takes|has)\s+(?:all\s+)?(?:our|my|her|their)\s+phones?\b(?=[^.!?\n]{0,80}\b(?:locked|lock|"
     r"encerr|door))|\b(?:doors?|gates?)\s+(?:is|are)\s+(?:\w+\s+)?locked\b|"
     r"\btrapped\b|\bcan[\u2019']?t get out\b|\bcannot get out\b|\bheld (?:captive|hostage|"
     r"against (?:her|his|my|"
     r"their|our) will)\b|"
     # not a parcel: "your package is being held at customs"
     # (the look-ahead first: the look-behinds are tried only where "being" starts)
     r"\b(?=being )(?<!package is )(?<!parcel is )(?<!order is )(?<!shipment is )being (?:held|kept)\b|"
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
     rf"\b(?:hit|beat|punched|kicked|slapped)\s+{_P}\s+again\b|"
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
     r"\b(?:llev\w+|mover\w*|mueven|trasladar\w*|vender\w*|sacar\w*)\s+(?:\w+\s+){0,8}?(?:esta noche|hoy|"
     r"mañana|ahora mismo|en unas horas|esta madrugada)\b|"
     r"\b(?:esta noche|hoy)\b[^.!?\n]{0,40}\b(?:llev\w+|mover\w*|mueven|trasladar\w*|vender\w*)\b|"
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
    ("danger.in_danger",
     r"\b(?:in|at)\s+(?:immediate\s+|imminent\s+|grave\s+|serious\s+|real\s+)?danger\b|"
     r"\bimm(?:ediate|\.)?\s+danger\b|\blife (?:is )?(?:in danger|at risk)\b|"
     r"\b(?:fears?|afraid|scared) for (?:her|his|my|their|our) (?:life|lives)\b|"
     r"\ben peligro\b|\bcorren? peligro\b|\bpeligro (?:inmediato|de muerte)\b|"
     r"\bteme(?:mos)? por (?:su|mi|nuestra) vida\b"),
))

# Ongoing violence ("he beats them", "me pega") is danger now when the text places the person
# there now ("they are there right now", "esta noche"), in the same or the next sentence.
_HABITUAL_VIOLENCE: Final = re.compile(
    rf"\b(?:beats?|hits?|rapes?|chokes?|punches|struck|punched|slapped|kicked|choked|beat|grabb(?:ing|ed)|"
    rf"grop(?:ing|ed)|touching|drugs?|drugging|drugged)\s+(?:{_P}|her\s+\w+)\b|"
    rf"\b(?:la|lo|las|los|me|nos)\s+(?:drogan|est[aá]n drogando|drog[oó])\b|"
    rf"\bbeat\s+{_P}\s+(?:every|when|if|whenever)\b|"
    rf"\b(?:me|la|lo|nos|las|los|les)\s+(?:golpea(?:n)?|pega(?:n)?|viola(?:n)?|lastima(?:n)?|maltrata(?:n)?)\b|"
    rf"\bgolpea(?:n)?\b", _I)
# Someone on the way: "driving there now", "on his way here", "viene para acá".
_PURSUIT: Final = re.compile(
    r"\b(?:driving|coming|heading|on (?:his|their|her) way)\s+(?:over\s+|back\s+)?"
    r"(?:here|there|to (?:get|find) (?:her|me|us|them))\b|"
    r"\btrack(?:s|ing)\s+(?:her|his|my|their)\s+(?:phone|location)\b|"
    # a victim who got away, and the one in control knows where: "he knows I came here"
    r"\b(?:he|they|she|the boss|the crew leader)\s+knows?\s+(?:where\s+(?:i|we)\s+(?:am|are|went|go)|"
    r"(?:that\s+)?(?:i|we)\s+(?:came|went|am|[\u2019']m|are)\s+(?:here|there))\b|"
    r"\b(?:viene|vienen)\s+(?:para\s+ac[aá]|hacia\s+ac[aá]|en camino)\b", _I)
# Going back to the abuser today, afraid: "going home after school today, terrified".
_RETURNING: Final = re.compile(
    r"\b(?:going|goes|go|has to go|have to go|sent|returning|return)\s+(?:back\s+)?(?:home|there)\b"
    r"[^.!?\n]{0,40}\b(?:today|tonight|after school)\b|"
    r"\b(?:regresar|volver|ir)\s+a\s+(?:su |mi )?(?:casa|la casa)\b[^.!?\n]{0,30}\b(?:hoy|esta noche)\b", _I)
_AFRAID: Final = re.compile(r"\b(?:terrified|scared|afraid|fear\w*|miedo|asustad[oa])\b", _I)
# A last, looser net: a physical-harm word and "right now" / "tonight" in the same sentence.
_HARM: Final = re.compile(
    r"\b(?:kill\w*|hurt\w*|beat\w*|hit(?:s|ting)?|gun|knife|weapon|locked(?! out)|trapped|held|"
    r"bleed\w*|drugg\w*|rap(?:e|ed|ing)|"
    r"kidnap\w*|abduct\w*|grab\w*|chok\w*|strangl\w*|attack\w*|assault\w*|screaming|tied|captive|"
    r"matar\w*|golpe\w*|pega\w*|arma|pistola|cuchillo|encerrad\w*|atrapad\w*|sangr\w*|drog\w*|"
    r"secuestr\w*|violar\w*|viol[oó]|gritando|amarrad\w*)\b", _I)
_UNCERTAIN: Final = re.compile(
    r"\b(?:not sure|unsure|don[\u2019']?t know|do not know|no s[eé]|no estoy segur[oa])\s+(?:if|"
    r"whether|si)\b", _I)
_SAFE_BEFORE: Final = re.compile(r"\b(?:safe|a salvo|segur[oa]s?|fine|ok|okay|bien)\s*$", _I)

_PLEA: Final = re.compile(
    r"\b(?:help (?:me|us)|please help|send (?:help|someone|the police|police)|call (?:911|the police)|"
    r"need (?:the )?police|sos|auxilio|socorro|ay[uú]denme|ayuda por favor|ayuda urgente|pide ayuda ya|"
    r"please hurry|hurry|come quickly|vengan? r[aá]pido|ap[uú]rense|de prisa)\b|"
    r"\bhelp\s*!+", _I)
_NOW: Final = re.compile(
    r"\b(?:right now|as we speak|at this moment|this minute|tonight|ahora mismo|en este momento|"
    r"esta noche|ahorita|hurry|r[aá]pido|ap[uú]rense|de prisa|still going on|happening (?:right )?now|"
    r"est[aá] pasando)\b", _I)
# Ongoing violence counts when the person is there now: "right now", "tonight", or "still", "now".
_STILL_THERE: Final = re.compile(r"\b(?:now|still|todav[ií]a|sigue|siguen|ahora)\b", _I)
# The text takes a declared "yes" back.
_DENIED: Final = re.compile(
    r"\b(?:no one|nobody|no-one|none of (?:them|us)|not|no|isn[\u2019']t|aren[\u2019']t|nadie|"
    r"ninguno|ninguna)\b"
    r"[^.!?\n]{0,30}\b(?:in (?:immediate |any |imminent )?danger|imm(?:ediate)? danger|en peligro|peligro)\b|"
    r"\b(?:no hay|sin) peligro\b|\bno corren? peligro\b|"
    # a box ticked by accident or by mistake ("I checked yes on danger by mistake"), not a text
    # sent by mistake ("she sent it to me by mistake")
    r"\b(?:ticked|checked|clicked|marked|selected|picked|hit|pressed|put)\b[^.!?\n]{0,40}?"
    r"\bby (?:accident|mistake)\b|\bmistakenly\s+(?:ticked|checked|clicked|marked|selected|picked)\b|"
    r"\b(?:marqu[eé]|puse|di|seleccion[eé]|hice clic)\b[^.!?\n]{0,40}?\bpor error\b|"
    r"\baccidentally\s+(?:ticked|checked|clicked|marked|selected|picked|hit|pressed)\b|"
    r"\b(?:marqu[eé]|puse|di)\b[^.!?\n]{0,40}?\bsin querer\b|"
    # "I clicked yes but we are ok right now", "puse que sí hay peligro pero no"
    r"\b(?:i|we)\s+(?:ticked|checked|clicked|marked|selected|picked|put)\s+yes\b[^.!?\n]{0,30}\bbut\s+"
    r"(?:we|i|she|he|they)(?:[\u2019']re|[\u2019']m|[\u2019']s|\s+are|\s+am|\s+is)\s+"
    r"(?:ok|okay|fine|alright|all right)\b|"
    r"\b(?:puse|marqu[eé]|di)\s+(?:que\s+)?s[ií]\b[^.!?\n]{0,30}\bpero\s+no\b|"
    r"\b(?:is|are|am|[\u2019']m|est[aá]n?|estoy)\s+(?:now\s+)?(?:safe|a salvo|segur[oa]s?)\b|"
    # "not an emergency lol", "I ticked emergency because it's kind of an emergency for us"
    r"\b(?:not|isn[\u2019']t|no|nothing)\s+(?:(?:really|actually|exactly|like)\s+)?(?:an?\s+)?"
    r"(?:emergency|urgent|emergencia|urgente)\b|"
    r"\b(?:i|we)\s+(?:ticked|checked|clicked|marked|selected|picked|put)\s+(?:yes|emergency|urgent|danger|"
    r"the (?:danger|emergency|urgent) (?:box|button|option))\s+(?:because|cause|cuz|bc|since|just)\b|"
    r"\bno es (?:una )?emergencia\b|\bnada urgente\b|"
    # "the form made me fill in an age and the danger box, ignore those"
    r"\b(?:form|site|website)\s+(?:made|forced|asked|required)\s+(?:me|us)\s+(?:to\s+)?(?:fill|tick|check|"
    r"click|pick|answer)\b[^.!?\n]{0,40}\b(?:danger|emergency|urgent)\b|"
    r"\bignore (?:those|that|them|the (?:age|danger|emergency) (?:box|field|answer|question)s?)\b|"
    # a form sent to the wrong place: "I clicked the wrong link ... this was supposed to go to the
    # bullying report form"
    r"\b(?:clicked|used|filled(?:\s+(?:in|out))?|picked|opened)\s+the\s+wrong\s+"
    r"(?:link|form|page|site|website)\b|"
    r"\b(?:this|it)\s+was\s+(?:supposed|meant)\s+to\s+go\s+to\b"
    + "|" + NOT_REAL, _I)
_NOT_REAL: Final = re.compile(NOT_REAL, _I)
# After a denial, in its sentence: "but" and what changed since.
_CHANGED_SINCE: Final = re.compile(
    r"\b(?:but|pero|mas)\b[^.!?\n]{0,60}?(?:"
    r"\b(?:he|they|the (?:boss|man|guy|owner|trafficker)|[eé]l|ellos|el (?:patr[oó]n|jefe|señor|hombre))\s+"
    r"(?:\w+\s+){0,2}?(?:got back|came back|is back|arrived|showed up|is here|returned)|"
    r"\b(?:he|they)[\u2019'](?:s|re) (?:back|here)|"
    r"\bya (?:lleg[oó]|llegaron|volvi[oó]|volvieron|regres[oó]|est[aá] aqu[ií])|"
    r"\bacaba(?:n)? de (?:llegar|volver|regresar))\b", _I)
_PAST_VERB_BEFORE: Final = re.compile(r"\b(?:was|were|had been|estaba|estaban|estuvo|"
                                      r"estuve|hab[ií]a|hab[ií]an|hubo)\s+(?:\w+\s+)?$", _I)


def danger_flag(signal: SignalReceived, scan: Scan, *, topic_only: bool,
                notes: set[str] | None = None) -> Flag:
    """The rules' verdict; ``notes`` collects what they set aside and why (the model weighs it)."""
    notes = set() if notes is None else notes
    text: list[Evidence] = []
    if not topic_only:
        for rule, pattern in STRONG:
            for hit in scan.find(rule, pattern):
                if _counts(hit, notes):
                    text.append(from_hit(rule, hit))
    declared_yes = signal.facts.danger_now is Answer.YES
    declared_no = signal.facts.danger_now is Answer.NO
    if not topic_only:
        for hit in scan.find("danger.violence_ongoing", _HABITUAL_VIOLENCE):
            if _counts(hit, notes) and _now_near(hit):
                text.append(from_hit(hit.rule_id, hit))
        if not text:
            for hit in scan.find("danger.harm_now", _HARM):
                if _NOW.search(hit.segment.sentence_text(hit.start)) and _counts(hit, notes):
                    text.append(from_hit(hit.rule_id, hit))
        for hit in scan.find("danger.returning_afraid", _RETURNING):
            if _live(hit) and _AFRAID.search(hit.segment.sentence_text(hit.start)):
                text.append(from_hit(hit.rule_id, hit))
        for hit in scan.find("danger.pursued_now", _PURSUIT):
            if _live(hit) and recent(hit.segment, hit.start):
                text.append(from_hit(hit.rule_id, hit))
    if not topic_only and not text and not declared_no and not _taken_back(scan):
        situation = scan.any_live(SITUATION)
        for hit in scan.find("danger.plea_now", _PLEA):
            if situation and _live(hit) and _NOW.search(hit.segment.sentence_text(hit.start)):
                text.append(from_hit(hit.rule_id, hit))
        for hit in scan.find("danger.situation_now", _NOW):
            safe = _SAFE_BEFORE.search(hit.segment.text[max(0, hit.start - 12):hit.start])
            if _live(hit) and not safe and _situation_at(hit):
                text.append(from_hit(hit.rule_id, hit))
    if _taken_back(scan):
        notes.add("danger.taken_back")
    # A test of the form, a drill's scenario or a story's plot ("its a STORY not real ... my main
    # character ... is locked in a basement"): nothing in it is anyone in danger.
    if text and scan.any_live(_NOT_REAL):
        notes.add("danger.not_real")
        text = []
    evidence: list[Evidence] = []
    if declared_yes and (text or not _taken_back(scan)):
        evidence.append(declared("danger.declared_now", "facts.danger_now"))
    evidence.extend(text)
    return Flag.trusted(name=FlagName.IMMINENT_DANGER, raised=bool(evidence), evidence=evidence[:50])


def _live(hit: Hit) -> bool:
    return _dropped_because(hit) is None


def _counts(hit: Hit, notes: set[str]) -> bool:
    why = _dropped_because(hit)
    if why is not None:
        notes.add(f"danger.dropped_{why}")
    return why is None


def _dropped_because(hit: Hit) -> str | None:
    """Why a match does not count (negated, retold, about the past, uncertain), or None when it does."""
    segment, start = hit.segment, hit.start
    if negated(segment, start, words=6):
        return "negated"
    if reported(segment, start):
        return "reported"
    if historical(segment, start):
        return "historical"
    clause_start, _ = segment.clause(start)
    if _UNCERTAIN.search(segment.text[clause_start:start]):
        return "uncertain"
    past = _PAST_VERB_BEFORE.search(segment.text[max(0, start - 20):start]) is not None
    return "past" if past and not (recent(segment, start) or _now_near(hit)) else None


def _situation_at(hit: Hit) -> bool:
    """Exploitation in the clause of ``hit``, or in the sentence before a short sentence that places it
    now ("... makes her sleep with guests. She is working there tonight.")."""
    segment = hit.segment
    start, end = segment.clause(hit.start)
    if SITUATION.search(segment.text[start:end]):
        return True
    sentence_start, sentence_end = segment.sentence(hit.start)
    if sentence_start == 0 or sentence_end - sentence_start > 80:
        return False
    # The two sentences before, within a short distance.
    previous_start, _ = segment.sentence(sentence_start - 1)
    if previous_start > 0 and sentence_start - previous_start < 120:
        previous_start, _ = segment.sentence(previous_start - 1)
    before = segment.text[max(previous_start, sentence_start - 250):sentence_start]
    return SITUATION.search(before) is not None


def _now_near(hit: Hit) -> bool:
    """"Right now", "tonight", "ahora mismo" in the sentence of ``hit`` or the next one."""
    segment = hit.segment
    start, end = segment.sentence(hit.start)
    _, next_end = segment.sentence(end) if end < len(segment.text) else (end, end)
    window = segment.text[start:next_end]
    return _NOW.search(window) is not None or _STILL_THERE.search(window) is not None


def _taken_back(scan: Scan) -> bool:
    for segment in scan.segments:
        for match in segment.finditer(_DENIED):
            if not reported(segment, match.start()) and not _overtaken(segment, match.end()):
                return True
    return False


def _overtaken(segment: Segment, pos: int) -> bool:
    """The rest of the sentence says things changed since ("I put no danger because he wasn't here,
    but he just got back"; "puse que no hay peligro ... pero ya llegó"): the denial no longer holds."""
    _, end = segment.sentence(pos)
    return _CHANGED_SINCE.search(segment.text, pos, end) is not None
