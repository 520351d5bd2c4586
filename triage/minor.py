"""The ``minor`` flag: a potential victim may be under 18. Declared ages and the text, English and Spanish.

Precedence (also in README, "Triage"):

1. A declared age under 18 (or an age range reaching below 18) raises the flag, unless the text
   clearly corrects it: "she is not a minor", "no es menor de edad", or a correction cue followed
   by an adult age ("that was a typo, she is actually 26", "en realidad tiene 21").
2. The text raises the flag on its own with an age under 18 ("16yo", "tiene quince años", "16F"),
   a school grade ("9th grader", "de secundaria") or a term ("underage", "menor de edad"). A
   declared adult age does not overrule these: the text may be about another victim, and a
   missed minor costs more than a supervisor's second look.
3. Weak words ("kids", "children", "niños", "young girls") count only in a sentence that also
   speaks of exploitation, not as someone's own children ("my kids", "sus hijos"), and not when
   the victim's declared age is adult.
4. Mentions are dropped when negated in their clause ("there are no minors"), said of the past
   ("when I was 15", "a los 15 años", a sentence about "years ago"), corrected ("said 17, actually
   20"), retold from the news or a film, or when the whole signal is about the topic only (a
   teacher asking for training, "my son's school project").
"""

from __future__ import annotations

import re
from typing import Final

from contracts.events import Evidence, Flag, FlagName, SignalReceived
from triage.ages import AgeMention, find_ages
from triage.birth_years import minor_years_of_birth
from triage.evidence import declared, from_hit
from triage.milestones import TEEN_MILESTONE, YEARS_AGO, later_milestones, milestone_live
from triage.text import MISDIRECTED, NOT_REAL, Hit, Scan, historical, negated, reported, words_before

_I = re.IGNORECASE
ADULT_AGE: Final = 18

_GRADE: Final = re.compile(
    r"\b(?:(?:[1-9]|1[0-2])(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"eleventh|twelfth)[- ]grader?s?\b|\bin (?:the )?(?:(?:[1-9]|1[0-2])(?:st|nd|rd|th)|sixth|seventh|eighth|"
    r"ninth|tenth|eleventh) grade\b|\b(?:middle|junior high|high)[- ]school(?:er)?s?\s+(?:girls?|boys?|"
    r"students?|kids?|children|freshm[ae]n|sophomores?)\b|\b(?:high|middle)[- ]schoolers?\b|"
    r"\b(?:goes to|attends|still in|in) (?:middle|high|junior high|elementary) school\b|"
    r"\b(?:girls?|boys?|kids?) in (?:my|her|his|our) (?:grade|class)\b|\bin my grade\b|"
    r"\b(?:chic[oa]s?|niñ[oa]s?|estudiantes?|muchach[oa]s?|alumn[oa]s?)\s+de\s+(?:secundaria|"
    r"preparatoria|prepa|primaria)\b|\b(?:parecen?|se ven|lucen) (?:de )?(?:secundaria|prepa|primaria)\b|"
    r"\b(?:va|van|est[aá]|est[aá]n|estaba|estaban|sigue|segu[ií]a|iba|iban|regresar|volver)\s+(?:en|a)\s+"
    r"(?:la\s+)?(?:secundaria|preparatoria|prepa|primaria)\b|"
    # "mi hija está en octavo": a grade of middle school named alone
    r"\b(?:va|est[aá]|anda|cursa|estaba|iba)\s+en\s+(?:sexto|s[eé]ptimo|octavo|noveno)\b(?!\s+(?:piso|lugar))|"
    r"\b(?:amig[oa]s?|compañer[oa]s?)\s+de\s+(?:la\s+)?(?:secundaria|preparatoria|prepa|primaria)\b|"
    r"\bcomo\s+de\s+(?:secundaria|preparatoria|prepa|primaria)\b|\bcolegialas?\b|\b(?:primer|segundo|tercer|cuarto|quinto|sexto|"
    r"s[eé]ptimo|octavo|noveno)\s+(?:grado|a[ñn]o de secundaria)\b|\bschool uniform\b|"
    r"\b(?:[1-9])\s*(?:ro|do|er|to|vo|mo|no|o|°|º)\.?\s+grado\b|"  # "5to grado", "3er grado"
    # a school by its name: "she's in my son's class at Lowell Middle"
    r"\b(?:at|from|to|attends)\s+(?-i:[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+"
    r"(?-i:Middle|Elementary|Junior High)\b|"
    r"\b(?:primero|segundo|tercero|primer|tercer)\s+(?:a[ñn]o\s+)?de\s+(?:secundaria|prepa|preparatoria|"
    r"bachillerato|b[aá]sico)\b|"
    r"\b(?:freshm[ae]n|sophomores?|juniors?|seniors?)\s+(?:at|in|from)\s+(?:\w+\s+){0,3}?(?:high|"
    r"middle|hs)\b|\bin (?:the )?(?:six|seven|eight|nine|ten) grade\b|"  # "seven grade": speech to text
    r"\b(?:middle|junior high|high)[- ]school\s+(?:pe\s+|gym\s+)?(?:shirts?|uniforms?|ids?|backpacks?|"
    r"bus|run|route)\b|\bjunior prom\b|"
    # the year of high school: "supposed to start junior year Monday", "finishing her sophomore year"
    r"\b(?:freshman|freshmen|sophomore|junior|senior)\s+year\b(?!\s+(?:of|at|in)\s+(?:\w+\s+){0,3}?"
    r"(?:college|university|uni|state|cc|law|med|grad)\b)|"
    # a parent's child who is a freshman or sophomore is at school, not at college, unless it is said
    # a teen's own words: "im in 8th lol", "shes in 9th", "im a sophmore" (school, not college)
    r"\b(?:i[\u2019']?m|i am|she[\u2019']?s|shes|he[\u2019']?s|hes|she is|he is|we[\u2019']?re|were|we are|"
    r"they[\u2019']?re|theyre|they are)\s+(?:only\s+|just\s+|both\s+|all\s+)?in\s+"
    r"(?:the\s+)?(?:[6-9]|1[0-2])th\b(?!\s*(?:street|st\b|ave|avenue|floor|place|precinct|district|ward|row|"
    r"century|period|hour|inning|round|percentile|position|spot|line))|"
    r"\b(?:i[\u2019']?m|i am|she[\u2019']?s|shes|he[\u2019']?s|hes|she is|he is)\s+(?:only\s+)?an?\s+"
    r"(?:freshman|soph?o?more|sophmore)\b(?!\s+(?:at|in)\s+(?:\w+\s+){0,3}?(?:college|university|uni|state|cc)\b)|"
    r"\b(?:(?:mom|mother|dad|father|parents?)\s+of\s+an?|(?:daughter|son|kid|child)(?:\s+is)?\s+an?)\s+"
    r"(?:freshman|sophomore)\b(?!\s+(?:at|in)\s+(?:\w+\s+){0,3}?(?:college|university|uni|state|cc)\b)", _I)
# Some of the people in the account are children: "some r kids", "two of them are just kids", "algunos son
# niños". A group told this way stands whatever the model makes of it (``children_among``).
CHILDREN_AMONG: Final = (
    r"\b(?:some|two|three|a few|several|most|half|many|\d{1,2})(?:\s+of\s+(?:them|us|the\s+\w+))?\s+"
    r"(?:are|r|were|look|seem)\s+(?:like\s+)?(?:just\s+|only\s+|still\s+|little\s+)?(?:kids|children)\b|"
    r"\b(?:algun[oa]s|dos|tres|vari[oa]s|la mitad)(?:\s+de\s+(?:ell[oa]s|nosotr[oa]s))?\s+"
    r"(?:son|eran|parecen)\s+(?:solo\s+|sólo\s+|apenas\s+)?(?:niñ[oa]s|nin[oa]s|chamac[oa]s)\b")
_CHILDREN_AMONG: Final = re.compile(CHILDREN_AMONG, _I)
_STRONG_TERM: Final = re.compile(
    r"\bunder[- ]?aged?\b|\bunder\s+(?:the\s+age\s+of\s+)?(?:18|eighteen)\b|"
    # "maybe not even 18", "ni siquiera tiene 18": not yet an adult
    r"\b(?:not\s+even|not\s+yet|isn[\u2019']?t\s+even|isn[\u2019']?t\s+yet|not\s+quite)\s+(?:18|eighteen)\b|"
    r"\b(?:ni\s+siquiera\s+tiene|no\s+tiene\s+ni|todav[ií]a\s+no\s+tiene|a[uú]n\s+no\s+tiene)\s+"
    r"(?:los\s+)?(?:18|dieciocho)\b|"
    r"\bminors?\b(?!\s+(?:injur|issue|problem|detail|change|cut|league|offen|role|adjust|repair|key|"
    r"surgery|accident|infraction|concern|error|edit|damage|scratch|bruise))|"
    r"\bjuveniles?\b|\b(?:CSEC|DMST|CSAM)\b|\bchild\s+(?:sex|prostitut\w*|porn\w*|sexual|bride|marriage)\b|"
    r"\bteen(?:age|aged|ager|agers|s)?\b|\bpre-?teens?\b|\btweens?\b|\badolescen(?:ts?|tes?)\b|"
    r"\bmenor(?:es)?\s+de\s+edad\b|\bno\s+es\s+mayor\s+de\s+edad\b|"
    r"\b(?:una|un|la|los|las|unas|unos|es|son|hay|dos|tres|varios|varias|otra|otro|otros|otras)\s+"
    r"menor(?:es)?\b(?!\s+(?:de\s+(?!edad)|que|cantidad|parte|precio|problema|importancia))|"
    r"\bjovencit[oa]s?\b|\bniñ[oa]\b|\bnin[oa]\b|\bchamac[oa]s?\b|\bchamaquit[oa]s?\b|\bmuchachit[oa]s?\b|\bchiquill[oa]s?\b|"
    r"\blittle (?:girls?|boys?)\b|\bjailbait\b|"
    # looks like a child: "one of 'em looks like a little kid", "she looked like a child"
    r"\b(?:looks?|looked|seems?|seemed)\s+like\s+(?:just\s+|still\s+)?an?\s+(?:little\s+)?(?:kid|child)\b|"
    r"\bbaby[- ]?fac(?:e|ed)\b|"  # "still has a baby face" (8 of the 10 labelled cases saying so are minors)
    r"\b(?:cara|carita)\s+de\s+niñ[oa]\b|\b(?:parece|se\s+ve\s+como)\s+(?:una?\s+)?niñ[oa]\b|"
    + CHILDREN_AMONG, _I)
_WEAK_TERM: Final = re.compile(
    r"\b(?:child|children|kids?|youths?|young (?:girls?|boys?|kids?|children|ones)|niñ[oa]s|nin[oa]s|"
    r"menores)\b", _I)
_OWN_CHILDREN: Final = re.compile(
    r"(?:\b(?:her|his|their|my|our|your|su|sus|mis|tus|nuestr[oa]s|has|have|with|tiene|tengo|tienen)\s+"
    r"(?:\w+\s+)?)$", _I)
_EXPLOITATION: Final = re.compile(
    r"\b(?:forc\w*|obliga\w*|made to|makes? (?:her|him|them)|sold|sell(?:s|ing)?|pimp\w*|prostitu\w*|"
    r"traffick\w*|exploit\w*|explot\w*|beg(?:s|ging)?|pedir dinero|working|work (?:at|in|for|on)|"
    r"trabaj\w*|vend\w*|padrote|escort|clients?|clientes|customers|johns?|sex|sexo|sexual|"
    r"no pay|not paid|unpaid|sin pago|no les pagan|locked|encerrad\w*|abus\w*|ads?|anuncios?|"
    r"men (?:pay|come|visit)|hombres)\b", _I)

_AT_WORK_AFTER: Final = re.compile(
    r"\s+(?:working|selling|begging|being|doing|who (?:work|sell|beg)|trabajando|vendiendo|pidiendo)\b", _I)
# The text says the victim is an adult, or the minor is denied: it may overrule a declared age.
_DENIED: Final = re.compile(
    r"\b(?:not|isn[\u2019']t|no es|no son|nadie es|ninguna es|ninguno es)\s+(?:a\s+|an?\s+|una?\s+)?"
    r"(?:minor|minors|underage|under age|menor(?:es)?(?: de edad)?|child|niñ[oa])\b|"
    r"\bno minors\b|\bno (?:hay )?menores\b|\bno (?:children|kids)\b|"
    r"\b(?:all|both|todas?|todos|ambas?|ambos)\s+(?:of them\s+|of the \w+\s+)?(?:are\s+|son\s+)?"
    r"(?:adults?|over (?:18|eighteen|21)|mayores de edad|adult (?:women|men|workers))\b|"
    r"\b(?:is|are|she'?s|he'?s|es|son)\s+(?:an?\s+)?(?:adults?|mayor(?:es)? de edad)\b|"
    r"\b(?:is|are)\s+over\s+(?:18|eighteen|21)\b|\bson mayores de edad\b|\bes mayor de edad\b|"
    + NOT_REAL, _I)
# "trafficked as a teen", "when she was a minor", "de niña": what someone was, not is.
_AS_A_CHILD: Final = re.compile(
    r"(?:\bas\s+an?|\bwhen\s+(?:i|she|he|they|we)\s+(?:was|were)\s+(?:an?\s+|still\s+an?\s+)?|"
    r"\bsince\s+(?:i|she|he)\s+was\s+an?|\bde|\bcuando\s+(?:era|[eé]ramos))\s*$", _I)
# "my 14-year-old daughter helped me fill this form": the child is the reporter's helper.
_HELPER: Final = re.compile(
    r"\s*(?:\w+\s+){0,2}?(?:helped|is helping|helps|translated|is translating|translates|wrote|typed|"
    r"me ayud[oó]|me ayuda|tradujo|escribi[oó])\b", _I)
# The text explains the age typed in the form as nobody's who is at risk: the reporter's own, a
# character's, a pet's, or someone's long ago ("the 16 is my age, there's no victim", "I put 13
# because that's the character", "I put 15 because that's how old I was when it started"). The
# form's age then stands only with a minor of the text's own.
_FORM_AGE_EXPLAINED: Final = re.compile(
    r"\b(?:the|that|this)\s+(?:\d{1,2}|age(?:\s+(?:box|field|thing|question))?|number)\s+"
    r"(?:(?:i|we)\s+(?:put|typed|entered|wrote|gave)\s+)?(?:in\s+the\s+(?:age\s+)?(?:box|field|form)\s+)?"
    r"(?:is|was)\s+(?:just\s+)?(?:my|mine|our|the character'?s|her character'?s|the dog'?s|the cat'?s)\b|"
    r"\b(?:i|we)\s+(?:put|typed|entered|wrote|filled in|gave)\s+(?:in\s+)?(?:my|our)\s+(?:own\s+)?age\b|"
    r"\b(?:i|we)\s+(?:put|typed|entered|wrote)\s+(?:\d{1,2}|an?\s+age|that\s+age)\s+"
    r"(?:in\s+the\s+(?:age\s+)?(?:box|field)\s+)?(?:because|since|as|cause|cuz|bc)\s+"
    r"(?:that'?s|that\s+is|it'?s|it\s+is|she'?s|he'?s)\s+(?:my\s+age|mine|the\s+character|"
    r"how\s+old\s+(?:i|she|he)\s+was|(?:her|his)\s+age\s+(?:then|back then|at the time))|"
    r"\b(?:the\s+)?(?:form|website|site|box)\s+(?:made|asked|forced|required|wanted)\s+(?:me|us)\s+"
    r"(?:to\s+)?(?:put|fill|enter|give|type|pick)\s+(?:in\s+)?(?:an?\s+|my\s+|some\s+)?age\b|"
    r"\b(?:made|asked|forced|required)\s+me\s+(?:to\s+)?(?:fill|put|enter)\s+(?:it|one|something)\s+in\b|"
    r"\bpuse\s+mi\s+(?:propia\s+)?edad\b|\bla\s+edad\s+(?:que\s+puse\s+)?es\s+la\s+m[ií]a\b|"
    r"\bj'ai\s+mis\s+mon\s+[aâ]ge\b|"
    # the box filled wrongly: "the age box is wrong", "I messed up the boxes above", "I put mine",
    # "I hit the wrong key", "I fat-fingered it", "that's how many years she's worked there"
    r"\b(?:the\s+)?(?:age\s+)?(?:box|boxes|field|fields)\s+(?:above\s+)?(?:is|are|was|were)\s+wrong\b|"
    r"\b(?:messed|mixed|screwed)\s+up\s+the\s+(?:age\s+)?(?:box|boxes|field|fields|form)\b|"
    r"\b(?:i|we)\s+(?:put|typed|entered|wrote)\s+mine\b|\bfat[- ]?finger(?:ed)?\b|"
    r"\bdon[\u2019']?t\s+think\s+(?:i|we)\s+filled\s+(?:this|it|the\s+form)\s+(?:out|in)\s+(?:right|correctly)\b|"
    r"\b(?:the\s+)?(?:boxes|fields|questions)\s+(?:were|are)\s+(?:all\s+)?(?:required|mandatory)\b|"
    r"\b(?:hit|pressed|typed|clicked)\s+the\s+wrong\s+(?:key|number|button|box)\b|"
    r"\b(?:i|we)\s+(?:put|typed|entered|wrote)\s+\d{1,2}\s+(?:in\s+the\s+(?:age\s+)?(?:box|field)\s+)?"
    r"(?:because|since|cause|cuz|bc)\s+(?:i|we)\s+(?:misread|misunderstood|didn[\u2019']?t\s+(?:know|understand|read))\b|"
    r"\b(?:that'?s|that\s+is|it'?s|it\s+is)\s+how\s+(?:many\s+years|long)\s+(?:she|he|they|i)\b|"
    r"\ben\s+la\s+edad\s+(?:escrib[ií]|puse)\s+\d{1,2}\s+pero\b|\bquise\s+decir\s+\d{1,2}\b|"
    # "I put 15 but I meant 51", "the age is wrong", "es la edad que tenía cuando me pasó"
    r"\b(?:i|we)\s+(?:put|typed|entered|wrote)\s+\d{1,2}\s+but\s+(?:i\s+|we\s+)?meant\s+\d{1,2}\b|"
    r"\bthe\s+age\s+(?:i\s+put\s+|in\s+the\s+form\s+)?(?:is|was)\s+wrong\b|"
    r"\b(?:es|era)\s+la\s+edad\s+que\s+ten[ií]a\b|"
    # "la edad que puse (15) está mal", "ignore the age box, I meant 71 not 17"
    r"\bla\s+edad\s+que\s+puse\s*(?:\(\s*\d{1,2}\s*\)\s*)?(?:est[aá]|es)\s+(?:mal|incorrecta|equivocada)\b|"
    r"\bignore\s+the\s+age\s+(?:box|field)\b|\bi\s+meant\s+\d{1,2}\s*,?\s*not\s+\d{1,2}\b|"
    r"\b(?:that'?s|that\s+is|it'?s|it\s+is)\s+(?:the\s+age|how\s+old)\s+(?:i|she|he)\s+was\s+when\b|"
    # "i put 15 in the age box thats me not a victim"
    r"\b(?:i|we)\s+(?:put|typed|entered|wrote)\s+\d{1,2}\s+in\s+the\s+(?:age\s+)?(?:box|field)\s*[,.;:-]?\s*"
    r"(?:that'?s|that\s+is|it'?s|it\s+is|thats|its)\s+(?:me|mine|my\s+(?:own\s+)?age)\b|"
    + MISDIRECTED, _I)
_NOT_REAL: Final = re.compile(NOT_REAL, _I)
# An age told in the past tense: "was 17", "were 15", "tenía 16", "era de 14".
_WAS: Final = re.compile(r"(?:was|were|ten[ií]a|era)\b", _I)
_NOT_THE_OTHER: Final = re.compile(r"\s*(?:years?\s+old\s*|a[ñn]os\s*)?,?\s*(?:not|no|y no)\s+\d{1,2}\b", _I)
_CORRECTION: Final = re.compile(
    r"\b(?:actually|in fact|correction|i mean|sorry|typo|by mistake|mistake|turns out|checked (?:her|his) id|"
    r"(?:her|his) id (?:says|shows)|not \d{1,2}|en realidad|realmente|mejor dicho|perd[oó]n|corrijo|"
    r"correcci[oó]n|me equivoqu[eé]|por error|vi su identificaci[oó]n|no \d{1,2})\b", _I)


def minor_flag(signal: SignalReceived, scan: Scan, *, topic_only: bool,
               ages: list[AgeMention] | None = None, notes: set[str] | None = None) -> Flag:
    """The rules' verdict; ``notes`` collects what they set aside and why (the model weighs it)."""
    notes = set() if notes is None else notes
    ages = list(find_ages(scan)) if ages is None else ages
    adult_now = [a for a in ages if a.age >= ADULT_AGE and not a.past and _live(a.hit)]
    corrected = _corrected_minor_ages(ages, adult_now)
    # The text explains the form's age away ("I put 15 in the age box, that's me", a form meant for
    # another office): the box is no one's age, whatever else the text says.
    explained = bool(signal.facts.victims) and scan.any(_FORM_AGE_EXPLAINED) is not None
    denied = scan.any_live(_DENIED) or bool(corrected) or any(_corrects_to(a) for a in adult_now) or explained
    if denied:
        notes.add("minor.denied")
    if adult_now:
        notes.add("minor.adult_now")

    text: list[Evidence] = []
    if not topic_only:
        for mention in ages:
            if mention.age < ADULT_AGE:
                if _counts(mention, adult_now, corrected):
                    text.append(from_hit("minor.text_age", mention.hit))
                else:
                    notes.add("minor.age_set_aside")
        for hit in scan.find("minor.school_grade", _GRADE):
            if _live(hit):
                text.append(from_hit(hit.rule_id, hit))
        for hit in scan.find("minor.teen_milestone", TEEN_MILESTONE):
            if milestone_live(hit) and not denied:
                text.append(from_hit(hit.rule_id, hit))
        if not denied:
            for hit in scan.find("minor.text_term", _STRONG_TERM):
                if _live(hit):
                    text.append(from_hit(hit.rule_id, hit))

    declared_minor: list[Evidence] = []
    declared_adult = False
    for i, victim in enumerate(signal.facts.victims):
        if victim.age is not None:
            if victim.age < ADULT_AGE:
                declared_minor.append(declared("minor.declared_age", f"facts.victims[{i}].age"))
            else:
                declared_adult = True
        elif victim.age_range is not None:
            if victim.age_range.low < ADULT_AGE:
                declared_minor.append(declared("minor.declared_age_range", f"facts.victims[{i}].age_range"))
            else:
                declared_adult = True

    if not topic_only and not denied and not declared_adult and not text:
        for hit in scan.find("minor.text_term_in_context", _WEAK_TERM):
            if _live(hit) and _weak_term_counts(hit):
                text.append(from_hit(hit.rule_id, hit))

    # A declared minor stands unless the text explains the box away, or clearly corrects it and offers
    # no minor of its own.
    if declared_minor and (explained or (denied and not text)):
        declared_minor = []
    # A test of the form or a drill's scenario ("TEST SUBMISSION ... scenario: juvenile approx. 15 ...
    # there is NO real victim"): nothing in it is anyone's age.
    if text and scan.any_live(_NOT_REAL):
        notes.add("minor.not_real")
        text = []
        declared_minor = []
    if declared_minor and not text and _declared_long_ago(signal, ages, adult_now, scan):
        notes.add("minor.declared_long_ago")
        declared_minor = []
    evidence = (declared_minor + text)[:50]
    return Flag.trusted(name=FlagName.MINOR, raised=bool(evidence), evidence=evidence)


def years_of_birth(signal: SignalReceived, scan: Scan, *, topic_only: bool) -> tuple[Evidence, ...]:
    """Years of birth that make someone a minor ("born in 2011", "DOB 3/2010", "nació en 2010"), live as
    a milestone is (a birth is past, the age it gives is now), unless the text says no one is a minor.

    Kept out of ``minor_flag``'s findings, so out of the model's inputs: ``triage.rules.standing``
    weighs them after the model, as it weighs a form's age. The year the signal arrived, less the
    year of birth, is the most she can be; at 17 or under no month makes her an adult."""
    if topic_only:
        return ()
    # The denial is looked for only when there is a year (``minor_flag`` weighs it for every signal).
    live = [hit for hit in minor_years_of_birth(scan, signal.received_at.year) if milestone_live(hit)]
    if not live or scan.any_live(_DENIED):
        return ()
    return tuple(from_hit(hit.rule_id, hit) for hit in live)


def milestones(minor: Flag, scan: Scan, *, topic_only: bool) -> tuple[Evidence, ...]:
    """A teen's milestones: ``minor_flag``'s own, live and not denied ("she just got her learner's
    permit", "can't even drive yet", "her 10 o'clock curfew"), and someone turning 18 later ("not 18
    til March", "doesn't turn 18 until August", "I just have my permit") or the grade a child should be in now
    ("supposed to be in 9 grade", "he in 10 grade"), which the model does not read.

    Each makes someone under 18 now, and ``triage.rules.standing`` lets them stand after the model,
    as a year of birth does. Of the corpus's signals with one that the model does not read as a
    question, 141 of 142 were about a minor, and the model had missed 5 of those; of the 23 with a
    grade told so, all 23 were, and the model had missed 3 (all in round sixty-seven)."""
    found = [e for e in minor.evidence if e.rule_id == "minor.teen_milestone"]
    if not topic_only:
        live = later_milestones(scan)
        if live and not scan.any_live(_DENIED):
            found += [from_hit(hit.rule_id, hit) for hit in live]
    return tuple(found)


def children_among(minor: Flag) -> tuple[Evidence, ...]:
    """The rules' own finding that some of the people in the account are children ("somos nueve y
    algunos son niños", "some r kids"), live and not denied (``minor_flag`` has weighed both).

    The model reads it among its inputs, as one strong term of many; ``triage.rules.standing`` also
    lets it stand after the model, as a year of birth does: a group with children in it is not a word
    to be outweighed by the rest of a short, frightened account."""
    return tuple(e for e in minor.evidence if e.rule_id == "minor.text_term" and e.matched_text is not None
                 and _CHILDREN_AMONG.fullmatch(e.matched_text) is not None)


def _declared_long_ago(signal: SignalReceived, ages: list[AgeMention], adult_now: list[AgeMention],
                       scan: Scan) -> bool:
    """Every age under 18 in the form is one the text says someone had long ago: a survivor's box
    filled with her age then ("When I was 16 ... that was 25 years ago", "I was 17 ... I'm 25 now")."""
    declared = {v.age for v in signal.facts.victims if v.age is not None and v.age < ADULT_AGE}
    if not declared or any(v.age is None and v.age_range is not None for v in signal.facts.victims):
        return False
    then = {m.age for m in ages
            if m.past or _WAS.match(m.hit.segment.text, m.hit.start, m.hit.end) is not None}
    return declared <= then and (bool(adult_now) or scan.any(YEARS_AGO) is not None)


def _live(hit: Hit) -> bool:
    """Not negated in its clause, not retold from the news or a hypothetical, not about the past."""
    return not (negated(hit.segment, hit.start) or reported(hit.segment, hit.start)
                or historical(hit.segment, hit.start)
                or (hit.rule_id.startswith("minor.text_term")
                    and _AS_A_CHILD.search(words_before(hit.segment, hit.start, 30)) is not None))


def _counts(mention: AgeMention, adult_now: list[AgeMention], corrected: set[int]) -> bool:
    if mention.past or id(mention) in corrected or not _live(mention.hit):
        return False
    segment = mention.hit.segment
    _, clause_end = segment.clause(mention.hit.end)
    if _HELPER.match(segment.text, mention.hit.end, clause_end):
        return False
    # "in the life since she was 15" with a current adult age elsewhere is an adult now.
    return not (mention.since and adult_now)


def _corrected_minor_ages(ages: list[AgeMention], adult_now: list[AgeMention]) -> set[int]:
    """Minor ages followed by an adult age with a correction cue between ("16 ... actually 26")."""
    corrected: set[int] = set()
    for minor in ages:
        if minor.age >= ADULT_AGE:
            continue
        for adult in adult_now:
            if adult.hit.segment is not minor.hit.segment or adult.hit.start <= minor.hit.start:
                continue
            between = minor.hit.segment.text[minor.hit.end:adult.hit.end]
            if len(between) <= 160 and _CORRECTION.search(between):
                corrected.add(id(minor))
    return corrected


def _corrects_to(adult: AgeMention) -> bool:
    """An adult age given as a correction: "that was a typo, she is actually 26"."""
    segment = adult.hit.segment
    start, _ = segment.sentence(adult.hit.start)
    if _CORRECTION.search(segment.text[max(start, adult.hit.start - 60):adult.hit.end]) is not None:
        return True
    return _NOT_THE_OTHER.match(segment.text, adult.hit.end) is not None  # "she's 41 not 14"


def _weak_term_counts(hit: Hit) -> bool:
    own = _OWN_CHILDREN.search(words_before(hit.segment, hit.start, 30))
    if own and not _AT_WORK_AFTER.match(hit.segment.text, hit.end):
        return False
    return _EXPLOITATION.search(hit.segment.sentence_text(hit.start)) is not None
