"""Focused tests of triage: the rules' reading (negation, correction, Spanish, hard negatives), the
assessment that weighs them with the model (precedence, evidence, routes), and the clock.

Each sentence of the text-semantics tests is checked twice: against the extractors (the rules'
own verdict, which must hold exactly) and against the whole assessment. Where the learned model
overrules the rules on one of these sentences, the assessment case is a strict xfail that names
it: a known miss, kept in sight, that fails the suite once it is fixed so the mark comes off.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.events import (
    Answer,
    CallType,
    ContactDetails,
    DeclaredFacts,
    FlagName,
    Location,
    Nationality,
    Reporter,
    RoutingTarget,
    SignalReceived,
    SignalTriaged,
    TraffickingType,
    Urgency,
    Victim,
)
from tests.builders import received
from triage.business_hours import add_business_days, is_business_hours, sla_due
from triage.extract import extract
from triage.features import extracted_features, words
from triage.model import Scores, TriageModel, default_model
from triage.rules import _reason_for_calling, assess, informational, standing, version

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 16, 14, 31, tzinfo=UTC)


def run(text: str, *, subject: str | None = None, **facts: object) -> SignalTriaged:
    return assess(received(narrative=text, subject=subject, facts=DeclaredFacts(**facts)), now=NOW)  # type: ignore[arg-type]


def raised(text: str, flag: FlagName, **facts: object) -> bool:
    return run(text, **facts).is_raised(flag)


def ruled(text: str, flag: FlagName, **facts: object) -> bool:
    """The extractors' verdict alone, before the model weighs it."""
    found = extract(received(narrative=text, facts=DeclaredFacts(**facts))).found  # type: ignore[arg-type]
    return (found.minor if flag is FlagName.MINOR else found.danger).raised


def model_miss(text: str, why: str) -> object:
    return pytest.param(text, marks=pytest.mark.xfail(strict=True, reason=f"model: {why}"))


MINOR, DANGER = FlagName.MINOR, FlagName.IMMINENT_DANGER


@pytest.mark.parametrize("text", [
    "The girl is 16yo and works the truck stop for a pimp.",
    "A sixteen-year-old is being sold online.",
    "Her cousin, a 9th grader, is being pimped out by her boyfriend.",
    "They post underage girls in ads.",
    "Tiene 15 años y la obligan a trabajar en la cantina.",
    "Hay una menor de edad trabajando con clientes.",
    model_miss("V1 15F w/ trafficker at motel.", "v54 to v59 weigh this shorthand at 0.088 to 0.096 "
               "against their 0.281 to 0.288 thresholds; the rules read the age (see below)"),
    "Las chicas de secundaria van a fiestas donde hombres les pagan.",
    "The boss has kids working the fields, not in school, no pay.",
    "on a bus to idk where. driver took everyones phones. some r kids. nobody knows where were going",
    "Nos cambiaron de camioneta en la frontera y el chofer nos quitó los teléfonos. Somos nueve y "
    "algunos son niños.",
])
def test_minor_from_the_text(text: str) -> None:
    assert ruled(text, MINOR)
    triaged = run(text)
    minor = triaged.flag(MINOR)
    assert minor is not None and minor.raised
    assert any(e.origin == "text" and e.matched_text for e in minor.evidence)
    assert triaged.urgency in (Urgency.P1_ACT_NOW, Urgency.P2_SAME_DAY)
    assert RoutingTarget.MANDATORY_REPORT in {r.target for r in triaged.routes}


@pytest.mark.xfail(strict=True, reason=(
    "model: v54 to v59 weigh the note at 0.088 to 0.096 against their 0.281 to 0.288 thresholds, under the "
    "low-confidence band (from 0.14); v50 sent it to a person only because language detection took it "
    "for Tagalog"))
def test_a_shorthand_note_just_below_the_threshold_still_reaches_a_person_the_same_day() -> None:
    triaged = run("V1 15F w/ trafficker at motel.")
    assert ruled("V1 15F w/ trafficker at motel.", MINOR)
    assert triaged.needs_human_triage is not None and triaged.urgency.rank <= Urgency.P2_SAME_DAY.rank


@pytest.mark.parametrize("text", [
    "She is not a minor, she is 22. Her boyfriend takes her money.",
    "He said she was 17 but actually she is 20, I checked her ID. The club manager takes her tips.",
    "When I was 15 I was trafficked. I am 34 now and want a therapist.",
    "I'm a high school teacher and want training on how students are recruited.",
    "My son's school project is about trafficking; he is 12 and needs statistics.",
    "No es menor de edad, tiene 23 años. Su jefe la obliga a salir con clientes.",
    "Cuando tenía 14 años mi tío me obligaba a trabajar. Ya tengo 40.",
    "There are no minors involved, the women are adults.",
    "I have two kids and my boss does not pay me overtime.",
    "I read a news story about a 14-year-old rescued from a motel.",
    "I got minor injuries at work.",
])
def test_hard_negatives_for_minor(text: str) -> None:
    assert not raised(text, MINOR)
    assert not ruled(text, MINOR)


@pytest.mark.parametrize("text", [
    "She is locked in a room at the motel right now.",
    "He is beating her in the parking lot.",
    "They are moving the girls to Houston tonight.",
    "I am hiding in the bathroom, he has a gun.",
    "He threatened to kill her if she leaves.",
    "Está encerrada en un cuarto y la van a llevar a otro estado esta noche.",
    "Me están golpeando, ayúdenme.",
    "Estoy escondida, el tratante me está buscando ahora mismo.",
    "Amenazó con matarnos si hablamos con alguien.",
    "The owner beats the workers. They are there right now.",
])
def test_imminent_danger_from_the_text(text: str) -> None:
    assert ruled(text, DANGER)
    triaged = run(text)
    assert triaged.is_raised(DANGER)
    assert triaged.urgency is Urgency.P1_ACT_NOW
    assert triaged.call_type is CallType.CRISIS
    assert RoutingTarget.LAW_ENFORCEMENT_BREAK_GLASS in {r.target for r in triaged.routes}


DANGER_NEGATIVES = [
    "Nobody is in danger now, the restaurant closed last year.",
    "Years ago my ex locked me in his apartment. I'm fine now.",
    "I watched a documentary about girls locked in houses.",
    "What should I do if someone is locked in a room?",
    "My account was locked out, please help me reset my password right now.",
    "Hace diez años me encerraron en una casa. Ya estoy a salvo.",
    "No hay peligro ahora, las trabajadoras ya salieron de ese lugar.",
    "My husband hits me and takes my paycheck; I need a shelter.",
    "Not sure if anyone is in danger right now, but the owner keeps their passports.",
    "URGENT: your mailbox will be locked within 24 hours. Click here.",
]


@pytest.mark.parametrize("text", DANGER_NEGATIVES)
def test_hard_negatives_for_danger_in_the_rules(text: str) -> None:
    assert not ruled(text, DANGER)


@pytest.mark.parametrize("text", DANGER_NEGATIVES)
def test_hard_negatives_for_danger(text: str) -> None:
    assert not raised(text, DANGER)


@pytest.mark.parametrize("text", [
    "she still has braces and cant even drive yet and hes got her dancing at the club tonight",
    "He is not old enough to drive and the crew boss makes him work nights.",
])
def test_too_young_to_drive_is_a_teen(text: str) -> None:
    assert ruled(text, MINOR)


@pytest.mark.parametrize("text", [
    "Estamos encerrados en una casa en Houston, el coyote no nos deja salir. Somos doce y tres son niños.",
    "Nos tienen trabajando en el campo sin pago y algunos de nosotros son niños.",
    "Two of them are just kids, maybe. The rest are grown men.",
])
def test_the_rules_read_that_some_of_the_group_are_children(text: str) -> None:
    # Evidence for the model, which weighs it with the rest: a rules' text term forces nothing.
    assert ruled(text, MINOR)


def test_declared_minor_wins_unless_the_text_clearly_corrects_it() -> None:
    assert raised("The owner keeps the cooks' passports.", MINOR, victims=[Victim(age=15)])
    corrected = "The form says 16 but that was a typo, she is actually 26. Her boyfriend posts her online."
    assert not raised(corrected, MINOR, victims=[Victim(age=16)])


@pytest.mark.parametrize(("text", "age"), [
    ("whats the difference between smuggling and trafficking? its for a debate in my civics class. "
     "(the 16 is my age, theres no victim)", 16),
    ("Writer here, not a real case. I put 13 in the age box because that's the character, she's made up. "
     "Would a trafficker use a burner phone?", 13),
    ("About the age box: I put 15 because that's how old I was when it started. I'm 34 now and I'd "
     "like to volunteer.", 15),
    ("the form made me put an age so I put mine. how many calls do you get a year?", 16),
])
def test_a_form_age_the_text_explains_as_nobody_at_risk_is_taken_back(text: str, age: int) -> None:
    assert not raised(text, MINOR, victims=[Victim(age=age)])


@pytest.mark.parametrize(("text", "facts"), [
    ("hi im doing a project for 8th grade social studies about human trafficking. how many people get "
     "trafficked in ohio every year and what are the warning signs?", {"victims": [Victim(age=13)]}),
    ("Hello, I'm 15 and writing a research paper for English class on labor trafficking. Could someone "
     "send me statistics on how many cases the hotline gets and which industries?",
     {"victims": [Victim(age=15)]}),
    ("For our staff training next month: scenario three has a 15 year old in room 210 and the man comes "
     "back at 10 PM. What would your hotline advise the front desk to do? Can you send a trainer?",
     {"victims": [Victim(age=15)], "danger_now": Answer.YES}),
])
def test_a_question_or_training_request_is_not_forced_by_its_form_or_cue_words(
        text: str, facts: dict[str, object]) -> None:
    # The form's age box and the rules' cues (a grade, "comes back at 10 PM") no longer force a flag
    # on a signal the model reads as asking, not reporting: the model alone decides, and says no.
    triaged = run(text, **facts)
    assert triaged.call_type in (CallType.GENERAL_INFO, CallType.TTA)
    assert not triaged.is_raised(MINOR) and not triaged.is_raised(DANGER)
    assert ruled(text, MINOR, **facts)


def _read(signal: SignalReceived) -> tuple[TriageModel, Scores]:
    model = default_model()
    return model, model.score_words(words(signal), extracted_features(signal, extract(signal).found))


QUESTION = ("Quick question: my son is 15 and got a summer job bagging groceries, 20 hours a week, paid "
            "every Friday. Is there a limit on how late he can work?")


def test_a_child_who_is_only_the_reason_for_calling_is_no_minor_at_risk() -> None:
    # A question the model reads as such, a minor at risk below even odds: the age is why they ask.
    question = received(narrative=QUESTION)
    model, scores = _read(question)
    assert _reason_for_calling(question, 0.4, (), asking=informational(scores, model))
    assert not _reason_for_calling(question, 0.6, (), asking=informational(scores, model))
    # A specialist who calls it a tip reads a situation.
    as_tip = received(narrative=QUESTION, facts=DeclaredFacts(call_type=CallType.TIP))
    assert not _reason_for_calling(as_tip, 0.4, (), asking=informational(scores, model))
    # "Unrelated" is not enough: a short tip about a child kept at an address can read so too, and a
    # scare settled within the message keeps its flag with it.
    settled = received(narrative="URGENT my 14 yr old isnt home and wont answer!! ... update: she's at her "
                                  "friend Maddie's, phone died. sorry, all good")
    model, scores = _read(settled)
    assert CallType(scores.most_likely(model.heads["call_type"])) is CallType.UNRELATED
    assert not _reason_for_calling(settled, 0.4, (), asking=informational(scores, model))
    assert assess(settled, now=NOW).is_raised(MINOR)


def test_an_age_in_a_language_triage_does_not_read_still_stands_in_a_question() -> None:
    question = received(narrative=QUESTION)
    model, scores = _read(question)
    yoruba = extract(received(narrative="Aburo mi obinrin, omo odun merindinlogun, n sise ile lojoojumo."))
    assert [c.cue.kind for c in yoruba.minor_cues] == ["age"]
    assert not _reason_for_calling(question, 0.1, yoruba.minor_cues, asking=informational(scores, model))


@pytest.mark.parametrize(("text", "age"), [
    ("Sorry the age box is wrong, I fat-fingered it - she's 41 not 14. The owner of the nail salon keeps "
     "her passport.", 14),
    ("Corrijo: en la edad escribí 14 pero quise decir 41. Es mi tía. La señora no le paga y le quitó el "
     "pasaporte.", 14),
    ("ok so the form asked age and i put mine (16) because i didnt know what it meant. its about my moms "
     "friend Deb, her boyfriend keeps her pay.", 16),
    ("Note on the age box: I put 15 because I misread it, that's how many years she's been working there. "
     "The family took her passport.", 15),
    ("Sorry I messed up the boxes above. My coworker Dana is 26, not 16, I hit the wrong key. Our boss "
     "takes her rent out of her check.", 16),
])
def test_a_form_age_the_text_says_was_typed_wrongly_is_taken_back(text: str, age: int) -> None:
    assert not ruled(text, MINOR, victims=[Victim(age=age)])
    assert not raised(text, MINOR, victims=[Victim(age=age)])


@pytest.mark.parametrize(("text", "age"), [
    ("Quick fix on the form: I put 16 but I meant 61, it's my aunt. Her employer keeps her passport.", 16),
    ("The age is wrong, sorry, she's in her forties. The farm boss holds everyone's papers.", 14),
    ("Escribí 15 porque es la edad que tenía cuando empezó, hoy tengo 30. Ya no estoy con él.", 15),
    ("La edad que puse (16) está mal, perdón, tiene 36. Trabaja en la lavandería y no le pagan.", 16),
    ("Ignore the age box, I meant 64 not 14, that's my neighbor. The housekeeper works 7 days unpaid.", 14),
])
def test_more_ways_of_saying_the_form_age_was_typed_wrongly(text: str, age: int) -> None:
    assert not ruled(text, MINOR, victims=[Victim(age=age)])


@pytest.mark.parametrize(("text", "age"), [
    ("When I was 15 a man sold me at truck stops. That was twenty years ago, I'm safe and want to "
     "volunteer.", 15),
    ("Back in 2009, when I was 16, my aunt's boyfriend made me work the parties. I'm 33 now and in "
     "nursing school. Do you have survivor groups?", 16),
])
def test_a_form_age_the_text_says_was_a_survivors_long_ago_is_taken_back(text: str, age: int) -> None:
    assert not ruled(text, MINOR, victims=[Victim(age=age)])


@pytest.mark.parametrize(("text", "age"), [
    # the same age long ago, but a minor of the text's own now
    ("When I was 15 he sold me. That was years ago. Now he has my little sister, she is 14.", 15),
    # an age told in the past tense with nothing saying it was long ago: she may be that age still
    ("She was 16 when he brought her here in the spring and he still keeps her at the motel.", 16),
])
def test_a_form_age_long_ago_keeps_a_minor_who_may_be_one_now(text: str, age: int) -> None:
    assert ruled(text, MINOR, victims=[Victim(age=age)])


@pytest.mark.parametrize("text", [
    "I clicked yes but we are ok right now, we're at my aunt's. My uncle makes us sell candy and keeps it.",
    "Puse que sí hay peligro pero no, ya no vivo con él desde hace años.",
    "I checked the danger box by accident. Nobody is hurt, I just want to know about wage theft.",
])
def test_a_form_danger_the_text_takes_back_is_no_declared_danger(text: str) -> None:
    triaged = run(text, danger_now=Answer.YES)
    danger = triaged.flag(DANGER)
    assert danger is None or "danger.declared_now" not in {e.rule_id for e in danger.evidence}


@pytest.mark.parametrize("text", [
    # a photo sent by mistake is no box ticked by mistake: the form's danger stands
    "My cousin sent me this photo by mistake, I don't know where she is and the man has her phone.",
    "Mi prima me mandó esto por error, no sé dónde está y el hombre tiene su teléfono.",
])
def test_something_sent_by_mistake_does_not_take_back_a_form_danger(text: str) -> None:
    danger = run(text, danger_now=Answer.YES).flag(DANGER)
    assert danger is not None and "danger.declared_now" in {e.rule_id for e in danger.evidence}


@pytest.mark.parametrize("text", [
    "I ticked yes for danger by mistake, nobody is hurt. I want to ask about unpaid wages.",
    "Marqué peligro por error, estamos bien, solo quiero saber de mis pagos.",
])
def test_a_danger_box_ticked_by_mistake_is_no_declared_danger(text: str) -> None:
    danger = run(text, danger_now=Answer.YES).flag(DANGER)
    assert danger is None or "danger.declared_now" not in {e.rule_id for e in danger.evidence}


@pytest.mark.parametrize("text", [
    # the form made them answer; a scare since over; the writer retracting; nobody being hurt
    "Marked yes for danger bc the form wouldn't let me skip it. My roommates are arguing about the rent.",
    "NEW EPISODE OUT NOW, please share. (Sorry, the form wouldn't submit without the danger question.)",
    "Marqué que sí hay peligro porque me asusté cuando llené esto, pero hoy los vi bien y se fueron juntos.",
    "UPDATE she's home. My daughter didn't answer after practice and I panicked and filled this out.",
    "Someone emailed saying they have a video of me and want bitcoin. Nobody is physically threatening me.",
])
def test_a_danger_box_the_text_explains_away_is_no_declared_danger(text: str) -> None:
    danger = run(text, danger_now=Answer.YES).flag(DANGER)
    assert danger is None or "danger.declared_now" not in {e.rule_id for e in danger.evidence}


@pytest.mark.parametrize(("text", "facts"), [
    # a story's plot: neither the form's answers nor the text's age and lock are anyone's
    ("for my creative writing class, its a STORY not real. my main character is 13 and she is locked in "
     "a basement in Casper, what would your hotline do if she called?", {"victims": [Victim(age=13)],
                                                                          "danger_now": Answer.YES}),
    # a student screenshotting the form: "the age and everything I put in are made up"
    ("Sorry, this isn't a real report, I'm showing my class what the form looks like. The age and "
     "everything I put in are made up.", {"victims": [Victim(age=15)], "danger_now": Answer.YES}),
])
def test_a_story_or_a_made_up_submission_forces_neither_flag(text: str, facts: dict[str, object]) -> None:
    assert not ruled(text, MINOR, **facts)
    assert not ruled(text, DANGER, **facts)


@pytest.mark.parametrize("text", [
    "i put 16 in the age box thats me, im doing a report on trafficking for school",
    # a form sent to the wrong place
    "I think I clicked the wrong link, this was supposed to go to the school's bullying form. My son is "
    "15 and kids keep taking his lunch.",
])
def test_a_form_age_the_text_says_is_not_a_victims_is_taken_back(text: str) -> None:
    triaged = run(text, victims=[Victim(age=15)], danger_now=Answer.YES)
    for flag in (MINOR, DANGER):
        found = triaged.flag(flag)
        assert found is None or not any(e.origin == "declared" for e in found.evidence)


@pytest.mark.parametrize("text", [
    "He bought her a plane ticket to Vegas, the flight is at 7 tomorrow morning, her mom can't be reached.",
    "the guy from insta got me a bus ticket for tmrw morning and said dont tell my parents",
    "Gate agent: girl with an adult male, middle school ID in her wallet, man answers for her. Boarding "
    "starts in ~35 min.",
    "just now he was on the phone saying 'she'll be ready by 11, bring cash'. its 10:15, they're in the lot.",
])
def test_a_flight_a_bus_or_a_sale_within_hours_is_a_move_for_the_rules(text: str) -> None:
    found = extract(received(narrative=text)).found.danger
    assert "danger.moved_soon" in {e.rule_id for e in found.evidence}


@pytest.mark.parametrize(("text", "rule_id"), [
    ("USPS: your package is being held at our facility, pay $1.99 to release it.", "danger.locked_in"),
    ("C, 27, survivor, left 2 yrs ago, trafficker incarcerated. Lives w/ her mom in Escondido, safe.",
     "danger.hiding"),
    ("Mi hermano ya salió. Allá había hombres armados cuidando, ya está conmigo, bien.", "danger.weapon"),
])
def test_words_that_only_look_like_danger_now_are_none(text: str, rule_id: str) -> None:
    found = extract(received(narrative=text)).found.danger
    assert rule_id not in {e.rule_id for e in found.evidence}


@pytest.mark.parametrize("text", [
    "buenas, mi hijo está en 5to grado y un señor del mercado le paga por llevar bolsitas a unas casas.",
    "The form made me put an age. She is NOT 19, she's in my son's class at Lowell Middle and a man "
    "posts her pictures.",
])
def test_a_school_year_told_another_way_is_a_minor_for_the_rules(text: str) -> None:
    assert ruled(text, MINOR, victims=[Victim(age=19)])


@pytest.mark.parametrize("text", [
    "Son Devon was supposed to start junior year Monday but left with a roofing crew boss.",
    "she has a 10 oclock curfew her mom thinks shes at my house. he is taking her to a party tonight.",
    "Two boys busing tables at the buffet, one still has a baby face, working past midnight.",
    "Foster dtr 15 has run away 3x since summer, usually 1-2 nights.",
    # Spanish ways, and Spanish's way with ages told in English
    "Yo cumplo 18 en diciembre y el señor que me trajo no nos deja ir al pueblo.",
    "Está ensayando el vals para sus quince y una señora le ofreció dinero por bailar en fiestas privadas.",
    "We are 4 persons working in the dairy. One of us is Edwin he have 16 years. He have our papers.",
])
def test_a_teen_told_by_school_year_curfew_looks_or_birthday_is_a_minor_for_the_rules(text: str) -> None:
    assert ruled(text, MINOR)


@pytest.mark.parametrize("text", [
    "I finished my junior year of college and I'm writing a paper on labor trafficking.",
    "The workers' dorm has a curfew of 10pm with a guard, and anyone who misses it is fined.",
    "Mis quince días de vacaciones se acabaron y el patrón no me pagó.",
    "I have 15 years of experience as a welder and the contractor keeps my passport.",
    "She has 16 years in the company and they never paid overtime.",
])
def test_college_years_a_dorm_curfew_and_years_of_work_are_no_minor_for_the_rules(text: str) -> None:
    assert not ruled(text, MINOR)


def test_a_plea_minutes_ago_is_danger_now_not_the_past() -> None:
    # "got out" (of the car) reads as the past; "~15 min ago" puts it within hours
    text = ("Caller is a rideshare driver. Says ~15 min ago he dropped off a grown man and a girl at a "
            "motel. When she got out she looked at caller and mouthed 'help me'. They went into room 108.")
    assert raised(text, DANGER)


def test_a_victim_asking_not_to_be_answered_is_no_auto_reply() -> None:
    text = ("I am Filipina, they keep my passport. Tonight at 7 the driver will take me to her brother's "
            "house. Please help me before 7. Please do not reply to this email.")
    assert not extract(received(narrative=text)).found.automated.raised


def test_a_form_filled_in_wrong_because_it_was_required_is_taken_back() -> None:
    text = ("Sorry, I don't think I filled this out right, the boxes were required. Nobody is in danger! "
            "We want a speaker for our youth group.")
    assert not ruled(text, MINOR, victims=[Victim(age=14)])


@pytest.mark.parametrize(("text", "hiding"), [
    ("Mi hermana me habla a escondidas por WhatsApp. Hoy está bien.", False),  # secretly
    ("Mi hermana está escondida en el baño y el patrón la está buscando.", True),
])
def test_calling_secretly_is_not_hiding_now(text: str, hiding: bool) -> None:
    found = extract(received(narrative=text)).found.danger
    assert ("danger.hiding" in {e.rule_id for e in found.evidence}) is hiding


@pytest.mark.parametrize("text", [
    "Una de las nuevas no tiene más de 15 o 16, el dueño la lleva a otra casa donde llegan hombres.",
    "Una muchacha nueva, todavía tiene cara de niña, el dueño la lleva a otra casa donde llegan hombres.",
])
def test_no_more_than_an_age_and_a_childs_face_are_a_minor_in_spanish(text: str) -> None:
    assert ruled(text, MINOR)


@pytest.mark.parametrize("text", [
    "C male, says 16, whispering. The crew boss took his phone and hit him tonight.",
    "Mi hijo se fue con un contratista, todavía estaba en la secundaria, y no lo dejan salir solo.",
    "Dice que tiene 18 pero no es cierto, todavía va a la secundaria. El dueño la pone a fichar.",
    "mi amiga de la prepa la tiene su tio limpiando oficinas de noche y le quito el pasaporte",
    "Una de las ficheras se ve muy chamaquita, como de secundaria, y el dueño le guarda los papeles.",
    # an age after a comma, a plus, or a count of kids
    "Su hijo, 15 años, se fue de la casa y duerme en una casa con unos hombres mayores.",
    "Poster placed 22 ads: 'Hiring girls 16+ for promo work, travel + housing provided, leave home now.'",
    "the man who brings us to the farm has a gun he said nobody leaves tonite. we r 9 ppl 3 are kids.",
])
def test_a_minor_told_by_a_call_note_a_spanish_school_year_or_a_count(text: str) -> None:
    assert ruled(text, MINOR)


def test_sextortion_with_an_hour_to_pay_is_danger_now() -> None:
    text = ("I'm sixteen. someone on Instagram has pictures of me and said I have one hour to send 500 "
            "or they post it to my whole school.")
    found = extract(received(narrative=text)).found.danger
    assert "danger.sextortion" in {e.rule_id for e in found.evidence}


def test_a_drills_scenario_age_is_nobodys() -> None:
    text = ("TEST SUBMISSION, county tabletop exercise. Scenario: a girl about 14 seen with an older man "
            "at a rest area. There is no real victim, please delete.")
    assert not ruled(text, MINOR, victims=[Victim(age=14)])


@pytest.mark.parametrize(("text", "minor"), [
    ("Girls go in and out of that house all night, one of them looks like a little kid.", True),
    ("The woman at the register looked like a child next to him, she was so scared.", True),
    ("She is 30 and does not look like a kid at all, but he treats her like one.", False),
])
def test_someone_who_looks_like_a_child_is_a_minor_for_the_rules(text: str, minor: bool) -> None:
    assert ruled(text, MINOR) is minor


@pytest.mark.parametrize("text", [
    "Voicemail: '...hi... yeah the number is five oh... [static] ...okay bye.'",
    "The room is 14 on the second floor and the man in it pays cash every day.",
])
def test_a_things_number_after_is_is_no_age(text: str) -> None:
    assert not ruled(text, MINOR)


@pytest.mark.parametrize(("text", "minor"), [
    ("The door only opens with his key and he said he's back when they close like 11.", False),
    ("We work till about 10 every night and he drives us back.", False),
    ("There is a girl with him, she looks like 12.", True),
])
def test_an_hour_after_close_or_till_is_no_age(text: str, minor: bool) -> None:
    assert ruled(text, MINOR) is minor


@pytest.mark.parametrize("text", [
    "TEST SUBMISSION - IT department verifying new form routing. Please ignore and delete.",
    "TEST TEST - please disregard. Our agency is testing the tip form for a staff training module, none "
    "of this is real.",
])
def test_a_test_of_the_form_takes_its_fields_back(text: str) -> None:
    facts: dict[str, object] = {"victims": [Victim(age=15)], "danger_now": Answer.YES}
    assert not ruled(text, MINOR, **facts) and not ruled(text, DANGER, **facts)
    triaged = run(text, **facts)
    assert not triaged.is_raised(MINOR) and not triaged.is_raised(DANGER)


def test_this_is_not_a_test_is_a_real_report() -> None:
    triaged = run("This is not a test. She is 15 and locked in the motel room, he comes back at 10.")
    assert triaged.is_raised(MINOR) and triaged.is_raised(DANGER)


def test_an_adult_age_a_controller_tells_a_minor_to_give_does_not_hide_her_own() -> None:
    # "tiene 16 pero ...": "pero" is not "per" (as in "16 per hour"), so her age is read.
    text = ("Una de las meseras, Yesi, me dijo que tiene 16 pero que el dueño le dijo que si alguien "
            "pregunta diga que tiene 19, por eso puse 19. Los clientes le pagan al dueño.")
    assert ruled(text, MINOR, victims=[Victim(age=19)])


def test_a_form_age_explained_away_still_leaves_the_texts_own_minor() -> None:
    text = "The 16 is my age. My friend is 14 and a man is selling her at the motel."
    assert raised(text, MINOR, victims=[Victim(age=16)])


def test_text_minor_age_beats_a_declared_adult() -> None:
    # "about 15 and men": an age, not a count of men as "about 12 Filipina women" is
    assert ruled("She looks about 15 and men pay the owner.", MINOR)
    assert raised("She looks about 15 and men pay the owner.", MINOR, victims=[Victim(age=19)])
    assert not ruled("About 12 Filipina women live above the shop.", MINOR)


def test_weak_words_do_not_beat_a_declared_adult() -> None:
    assert not raised("Children are forced to work here.", MINOR, victims=[Victim(age=30)])
    assert ruled("Children are forced to work here.", MINOR)


def test_children_forced_to_work_is_a_minor_for_the_assessment() -> None:
    assert raised("Children are forced to work here.", MINOR)


def test_the_hotlines_question_whether_she_is_safe_takes_nothing_back() -> None:
    chat = ("Visitante: la prima de mi roommate tiene 16, el man dice que le debe 8000\n"
            "Especialista: ¿Ella está segura ahora mismo?\n"
            "Visitante: no. he's coming tonight to pick her up, dijo que a las 9")
    assert "danger.taken_back" not in extract(received(narrative=chat)).found.notes
    safe = "Ella está segura ahora, con su tía."
    assert "danger.taken_back" in extract(received(narrative=safe)).found.notes


def test_a_now_that_says_the_person_is_safe_is_not_the_violences_now() -> None:
    assert not ruled("He choked me Saturday, but I'm safe now. I'm at my mom's and he's in jail.", DANGER)
    assert ruled("He choked me an hour ago and he's still in the house now.", DANGER)


def test_declared_danger_wins_unless_taken_back() -> None:
    assert raised("A man at the truck stop sells women.", DANGER, danger_now=Answer.YES)
    taken_back = "I checked yes by mistake. Nobody is in danger now; they left the farm in spring."
    assert not raised(taken_back, DANGER, danger_now=Answer.YES)
    # A declared "no" does not hide a clear account of danger, and evidence shows both origins.
    locked = run("She is locked in the basement right now.", danger_now=Answer.NO)
    assert locked.is_raised(DANGER)
    danger = locked.flag(DANGER)
    assert danger is not None and {e.origin for e in danger.evidence} == {"text"}


@pytest.mark.parametrize("text", [
    "I said no danger on the form because he was at work, but he just came back and says he will sell "
    "me tonight.",
    "puse que no hay peligro porque cuando empecé a escribir él no estaba pero ya llegó. ahorita me dijo "
    "que en la noche me va a llevar con unos señores a Laredo. estoy en el baño.",
])
def test_a_denial_the_same_sentence_says_has_changed_since_takes_nothing_back(text: str) -> None:
    assert raised(text, DANGER, danger_now=Answer.NO)


def test_a_denial_followed_by_someone_safe_at_home_still_takes_the_box_back() -> None:
    text = "I ticked yes by mistake. Nobody is in danger now, but she is back home with her mom."
    assert not raised(text, DANGER, danger_now=Answer.YES)


def test_people_locked_in_a_truck_from_outside_with_no_water_is_danger() -> None:
    text = ("my sister is in the back of a box truck on 84 east, they locked it from outside. its really "
            "hot, like 12 people and no water. i think theyre going to hartford")
    assert ruled(text, DANGER) and raised(text, DANGER)


@pytest.mark.parametrize("text", [
    "I'm driving right now and will get back to you when I can. (Sent automatically)",
    "Auto-reply: I'm driving right now. I'll text you back when I'm stopped.",
])
def test_a_drivers_auto_reply_is_set_aside_not_urgent(text: str) -> None:
    triaged = run(text)
    assert triaged.is_raised(FlagName.AUTOMATED) and not triaged.is_raised(DANGER)
    assert triaged.call_type is CallType.UNRELATED


def test_an_auto_reply_quoting_a_real_emergency_still_reaches_a_person_the_same_day() -> None:
    triaged = run("Automatic reply: Re: she is locked in the room right now, please send someone")
    assert triaged.is_raised(FlagName.AUTOMATED)
    assert RoutingTarget.SET_ASIDE not in [r.target for r in triaged.routes]
    # raised (P1), or else sent to a person at P2 as too close to call: never left to the queue
    assert triaged.urgency.rank <= Urgency.P2_SAME_DAY.rank
    assert triaged.is_raised(DANGER) or triaged.needs_human_triage is not None
    assert run("im in his car, he's driving me to vegas right now").is_raised(DANGER)


def test_an_auto_reply_quoting_a_real_emergency_still_raises_it() -> None:
    triaged = run("Automatic reply: Re: she is locked in the room right now, please send someone")
    assert triaged.is_raised(FlagName.AUTOMATED) and triaged.is_raised(DANGER)


def test_a_gift_card_a_recruiter_sends_is_no_spam_but_a_prize_is() -> None:
    tip = run("Some guy online sent my girlfriend a gift card and wants her to come work at his club in "
              "Vegas, he paid for her bus ticket.")
    assert not tip.is_raised(FlagName.AUTOMATED) and tip.call_type is not CallType.UNRELATED
    prize = run("Congratulations! You have won a $500 gift card. Click here to claim your prize.")
    assert prize.is_raised(FlagName.AUTOMATED) and prize.call_type is CallType.UNRELATED


def test_evidence_names_rule_and_span() -> None:
    text = "Please help. A 15 year old girl is locked in a room tonight."
    triaged = run(text)
    for name in (MINOR, DANGER):
        flag = triaged.flag(name)
        assert flag is not None and flag.raised
        # The extractors' spans and the model's strongest words, each with its rule id.
        kinds = {e.rule_id.split(".")[0] for e in flag.evidence}
        assert kinds == {"minor" if name is MINOR else "danger", "model"}, flag.evidence
        for evidence in flag.evidence:
            assert evidence.rule_id.startswith(("minor.", "danger.", "model."))
            assert evidence.start is not None and evidence.end is not None
            assert text[evidence.start:evidence.end] == evidence.matched_text
    assert triaged.rules_version == version(default_model())


def test_automated_mail_is_set_aside_as_unrelated() -> None:
    triaged = run("I am out of the office until Monday. This is an automated message.",
                  subject="Automatic reply: your report")
    assert triaged.call_type is CallType.UNRELATED
    assert triaged.is_raised(FlagName.AUTOMATED)
    assert [r.target for r in triaged.routes] == [RoutingTarget.SET_ASIDE]
    assert triaged.urgency is Urgency.P4_INFORMATIONAL
    # An auto-reply that quotes a real emergency is not set aside: the rules' evidence of it sends it
    # to a person the same day even when the model, reading mostly the machine's words, does not raise it.
    quoted = run("Automatic reply. > she is locked in the room right now", subject="Out of office")
    assert RoutingTarget.SET_ASIDE not in [r.target for r in quoted.routes]
    assert quoted.urgency.rank <= Urgency.P2_SAME_DAY.rank


@pytest.mark.xfail(strict=True, reason=(
    "model: v59's second look weighs one quoted line in an auto-reply at 0.055 against its 0.095 "
    "threshold (v58: 0.065 against 0.089; v57: 0.061 against 0.132; v56: 0.010 against 0.135; v54's "
    "first look, 0.300 against 0.171); it still reaches a person the same day, not set aside "
    "(test_automated_mail_is_set_aside_as_unrelated)"))
def test_an_auto_reply_quoting_an_emergency_raises_danger() -> None:
    quoted = run("Automatic reply. > she is locked in the room right now", subject="Out of office")
    assert quoted.is_raised(DANGER) and quoted.call_type is CallType.CRISIS


@pytest.mark.parametrize(("text", "expected"), [
    ("The farm boss keeps their passports and does not pay wages.", TraffickingType.LABOR),
    ("Her pimp posts her in escort ads and takes the money.", TraffickingType.SEX),
    ("En el restaurante no les pagan y el dueño tiene los pasaportes.", TraffickingType.LABOR),
    ("La obligan a prostituirse en un burdel.", TraffickingType.SEX),
])
def test_trafficking_type(text: str, expected: TraffickingType) -> None:
    assert run(text).trafficking_type is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("We would like a training for our hospital staff on trafficking indicators.", CallType.TTA),
    ("What is the legal definition of human trafficking? It is for homework.", CallType.GENERAL_INFO),
    ("I am a survivor and need a lawyer for a T visa.", CallType.REFERRAL),
    ("I got a job offer abroad and the recruiter wants my passport. Is this safe?", CallType.AT_RISK),
    ("Wrong number, caller wanted the DMV.", CallType.UNRELATED),
    ("The nail salon workers sleep in the back and the owner keeps their passports.", CallType.TIP),
    ("Quisiéramos un taller de capacitación para promotoras de salud.", CallType.TTA),
])
def test_call_type(text: str, expected: CallType) -> None:
    assert run(text).call_type is expected


def test_language_declared_detected_and_spanish() -> None:
    assert run("Tiene 15 años y trabaja en la cantina con clientes todas las noches.").language == "es"
    assert run("The owner keeps the workers' passports and pays them nothing.").language == "en"
    declared = assess(received(narrative="hola", reporter=Reporter(preferred_language="es")), now=NOW)
    assert declared.language == "es"


def test_a_declared_city_longer_than_the_assessment_carries_is_clipped_not_a_failed_assessment() -> None:
    """The form takes 500 characters for a city; the assessment's jurisdiction 200. A sentence typed
    into the city box must not turn an urgent tip into a dead letter."""
    city = "Near the truck stop off the interstate, the motel behind the gas station " * 5
    triaged = run("A 15 year old girl is locked in room 12 right now.",
                  location=Location(state="TX", city=city))
    assert triaged.jurisdiction.city == city[:200] and triaged.jurisdiction.origin == "declared"
    assert triaged.is_raised(MINOR) and triaged.is_raised(DANGER)


def test_jurisdiction_declared_then_text_then_phone_hint() -> None:
    declared = run("Workers in Houston, TX are not paid.", location=Location(state="CA", city="Fresno"))
    assert (declared.jurisdiction.state, declared.jurisdiction.origin) == ("CA", "declared")
    text = run("Workers in Houston, TX are not paid.")
    where = text.jurisdiction
    assert (where.state, where.city, where.origin) == ("TX", "Houston", "text")
    spanish = run("Trabajan sin pago en un rancho en Carolina del Norte.")
    assert spanish.jurisdiction.state == "NC"
    phone = assess(received(narrative="They keep our passports.", reporter=Reporter(
        anonymous=False, contact=ContactDetails(phone="(312) 555-0123"))), now=NOW)
    assert (phone.jurisdiction.state, phone.jurisdiction.origin) == ("IL", "phone_number")


@pytest.mark.parametrize(("moment", "expected"), [
    (datetime(2026, 3, 16, 13, 0, tzinfo=UTC), True),     # Mon 09:00 EDT
    (datetime(2026, 3, 16, 22, 59, tzinfo=UTC), True),    # Mon 18:59 EDT
    (datetime(2026, 3, 16, 23, 0, tzinfo=UTC), False),    # Mon 19:00 EDT
    (datetime(2026, 3, 14, 15, 0, tzinfo=UTC), False),    # Saturday
    (datetime(2026, 1, 19, 15, 0, tzinfo=UTC), False),    # Martin Luther King Jr. Day
    (datetime(2026, 7, 3, 15, 0, tzinfo=UTC), False),     # Independence Day observed (July 4 is a Saturday)
    (datetime(2026, 11, 26, 15, 0, tzinfo=UTC), False),   # Thanksgiving
    (datetime(2026, 11, 27, 15, 0, tzinfo=UTC), True),    # the Friday after is a working day
    (datetime(2026, 12, 1, 14, 0, tzinfo=UTC), True),     # Tue 09:00 EST (winter time)
    (datetime(2026, 12, 1, 13, 59, tzinfo=UTC), False),   # Tue 08:59 EST
])
def test_business_hours_eastern_with_federal_holidays(moment: datetime, expected: bool) -> None:
    assert is_business_hours(moment) is expected


def test_business_day_sla_skips_weekends_and_holidays() -> None:
    # Friday before MLK day: Mon 19 is a holiday, so three business days end on Thursday 22 at 19:00.
    due = add_business_days(datetime(2026, 1, 16, 20, 0, tzinfo=UTC), 3)
    assert (due.date().isoformat(), due.hour) == ("2026-01-22", 19)
    received_at = datetime(2026, 1, 16, 20, 0, tzinfo=UTC)
    assert sla_due(received_at, Urgency.P1_ACT_NOW) - received_at == (
        datetime(2026, 1, 16, 20, 15, tzinfo=UTC) - received_at)


def test_every_non_urgent_request_is_due_within_three_business_days() -> None:
    # Seed 001: non-urgent requests are answered within two to three business days, P4 included.
    received_at = datetime(2026, 1, 16, 20, 0, tzinfo=UTC)  # the Friday before MLK day
    for urgency in (Urgency.P3_BUSINESS_DAYS, Urgency.P4_INFORMATIONAL):
        assert sla_due(received_at, urgency) == add_business_days(received_at, 3), urgency


HARM_NOW = [
    ("Someone is going to get hurt tonight at that house, the boss is drunk.", True),
    ("Ella está sangrando y él no deja que nadie la lleve al hospital ahora mismo.", True),
    ("Nobody is getting hurt right now, they just don't pay the workers.", False),
    ("He used to hit her but she left him two years ago and is safe now.", False),
]


@pytest.mark.parametrize(("text", "expected"), HARM_NOW)
def test_physical_harm_now_as_a_last_net_in_the_rules(text: str, expected: bool) -> None:
    assert ruled(text, DANGER) is expected


@pytest.mark.parametrize(("text", "expected"), HARM_NOW)
def test_physical_harm_now_as_a_last_net(text: str, expected: bool) -> None:
    assert raised(text, DANGER) is expected


# ------------------------------------------------------------ what the intakes add to a signal


def test_mail_the_email_intake_marked_automated_is_set_aside_with_metadata_evidence() -> None:
    from contracts.events import Channel, EmailSource

    source = EmailSource(mailbox="INBOX", uidvalidity=7, uid=42, message_id="<x@example.org>",
                         automated="auto_reply")
    triaged = assess(received(channel=Channel.EMAIL, source=source, narrative="Thanks, noted."), now=NOW)
    automated = triaged.flag(FlagName.AUTOMATED)
    assert automated is not None and automated.raised
    first = automated.evidence[0]
    assert (first.rule_id, first.origin, first.field) == (
        "automated.email_auto_reply", "metadata", "source.automated")
    assert triaged.call_type is CallType.UNRELATED
    assert [r.target for r in triaged.routes] == [RoutingTarget.SET_ASIDE]
    # The same words without the header mark are not set aside.
    plain = EmailSource(mailbox="INBOX", uidvalidity=7, uid=43, message_id="<y@example.org>")
    assert not assess(received(channel=Channel.EMAIL, source=plain, narrative="Thanks, noted."),
                      now=NOW).is_raised(FlagName.AUTOMATED)


def test_an_automated_mark_does_not_hide_an_urgent_tip_it_quotes() -> None:
    from contracts.events import Channel, EmailSource

    source = EmailSource(mailbox="INBOX", uidvalidity=7, uid=44, automated="auto_reply")
    triaged = assess(received(channel=Channel.EMAIL, source=source,
                              narrative="> A 15 year old girl is locked in the motel room tonight."), now=NOW)
    assert triaged.is_raised(MINOR) and triaged.is_raised(DANGER)
    assert RoutingTarget.SET_ASIDE not in {r.target for r in triaged.routes}


def _call(fragment: str, narrative: str = "", **facts: object) -> SignalTriaged:
    from contracts.events import Channel, PhoneSource

    source = PhoneSource(call_id="CA0001", fragment=fragment, system="asterisk",  # type: ignore[arg-type]
                         caller_region_hint="US-TX")
    return assess(received(channel=Channel.PHONE, source=source, narrative=narrative,
                           facts=DeclaredFacts(**facts)), now=NOW)  # type: ignore[arg-type]


def test_the_callers_region_hint_places_a_call_after_declared_and_text_places() -> None:
    assert _call("call_record").jurisdiction.model_dump(include={"state", "origin"}) == {
        "state": "TX", "origin": "phone_number"}
    assert _call("specialist_report", "They work at a farm near Fresno, CA.").jurisdiction.state == "CA"


def test_a_call_record_without_words_is_set_aside_but_not_called_unrelated() -> None:
    routes = _call("call_record").routes
    assert [(r.target, r.reason) for r in routes] == [(RoutingTarget.SET_ASIDE, "no_narrative")]


def test_a_specialists_judged_urgency_raises_the_rules_urgency_and_never_lowers_it() -> None:
    raised_ = _call("specialist_report", "Caller asked how to volunteer.", urgency=Urgency.P1_ACT_NOW)
    assert raised_.urgency is Urgency.P1_ACT_NOW
    reasons = {(r.target, r.reason) for r in raised_.routes}
    assert (RoutingTarget.URGENT_ALERT, "specialist_judgement") in reasons
    kept = _call("specialist_report", "She is 15 and locked in the room right now.",
                 urgency=Urgency.P4_INFORMATIONAL)
    assert kept.urgency is Urgency.P1_ACT_NOW


# ------------------------------------------------------------ what triage cannot read goes to a person


def test_a_signal_in_a_language_triage_does_not_read_goes_to_a_person_at_once() -> None:
    triaged = run("Bonjour, je voudrais signaler une situation grave dans un restaurant de mon quartier.")
    assert triaged.needs_human_triage is not None
    assert triaged.needs_human_triage.reason.value == "unassessed_language"
    assert triaged.needs_human_triage.language == "fr"
    assert triaged.urgency in (Urgency.P1_ACT_NOW, Urgency.P2_SAME_DAY)
    targets = {r.target for r in triaged.routes}
    assert RoutingTarget.SET_ASIDE not in targets and RoutingTarget.URGENT_ALERT in targets


def test_other_language_cues_raise_the_flags_with_their_spans() -> None:
    text = "我妹妹十五岁，被关在按摩店后面，老板今晚要把她送走，救命"  # noqa: RUF001 (Chinese commas)
    triaged = run(text)
    assert triaged.is_raised(MINOR) and triaged.is_raised(DANGER)
    danger = triaged.flag(DANGER)
    assert danger is not None
    cues = [e for e in danger.evidence if e.rule_id.startswith("multilingual.")]
    assert cues and all(text[e.start:e.end] == e.matched_text for e in cues)  # type: ignore[misc]


@pytest.mark.parametrize("text", [
    # Russian and Ukrainian as typed on a phone without a Cyrillic keyboard.
    "Pomogite, moey sestre 16 let, ee zaperli v kvartire, zavtra utrom ee uvezut v drugoi gorod.",
    "Dopomozhit! Nashii divchynky 14 rokiv, vona v pidvali, vin kazhe shcho vnochi ii prodadut. "
    "Vin mae nizh.",
])
def test_russian_and_ukrainian_in_latin_letters_raise_the_flags_with_their_spans(text: str) -> None:
    triaged = run(text)
    assert triaged.is_raised(MINOR) and triaged.is_raised(DANGER)
    danger = triaged.flag(DANGER)
    assert danger is not None
    kinds = {e.rule_id for e in danger.evidence if e.rule_id.startswith("multilingual.")}
    assert len(kinds) >= 2, kinds


@pytest.mark.parametrize("text", [
    # Hindi and Urdu as most people type them: in Latin letters.
    "Meri behen sirf 15 saal ki hai, malik ne usko kamre mein band kar diya hai aur aaj raat usko bech dega.",
    "Bhai abhi godown mein chhupa hua hai, seth ke paas bandook hai, kehta hai maar dega. Bachao!",
    # Arabic in Latin letters and digits (Arabizi), Levantine, Egyptian and Moroccan.
    "ukhti 3omrha 14 sana, msakrin 3liha f bit el mo3alem, bokra sba7 ghadi ybi3ouha. 3awnouni",
    "ana mkhabya f l'cuisine daba, howa 3ando sla7 w qal ghadi y9telni",
])
def test_hindi_urdu_and_arabic_in_latin_letters_raise_danger_with_their_spans(text: str) -> None:
    triaged = run(text)
    assert triaged.is_raised(DANGER)
    danger = triaged.flag(DANGER)
    assert danger is not None
    cues = [e for e in danger.evidence if e.rule_id.startswith("multilingual.")]
    assert len({e.rule_id for e in cues}) >= 2, cues
    assert all(text[e.start:e.end] == e.matched_text for e in cues)  # type: ignore[misc]



@pytest.mark.parametrize("text", [
    # French: a move at a stated hour tomorrow, by car, with the person as the object.
    "Mon cousin travaille depuis des mois sans être payé chez un restaurateur qui garde ses papiers. "
    "Demain vers 5h le patron va le conduire à Chicago, il a très peur.",
    "Les deux filles dorment dans la cuisine du patron depuis l'été. "
    "Le chauffeur doit les conduire au Texas demain à 4h, elles ne veulent pas partir.",
    # Swahili: locked in, no food.
    "Rafiki yangu amefungiwa ndani ya chumba na mwenye nyumba, hawana chakula tangu juzi.",
])
def test_french_moves_tomorrow_and_swahili_confinement_raise_danger(text: str) -> None:
    triaged = run(text)
    danger = triaged.flag(DANGER)
    assert triaged.is_raised(DANGER) and danger is not None
    kinds = {e.rule_id for e in danger.evidence if e.rule_id.startswith("multilingual.")}
    assert len(kinds) >= 2, kinds


DRIVING_TONIGHT = "Je vais conduire à Montréal ce soir pour voir ma famille."


def test_driving_somewhere_tonight_in_french_is_not_a_move_of_a_person() -> None:
    assert not ruled(DRIVING_TONIGHT, DANGER)
    assert not extract(received(narrative=DRIVING_TONIGHT)).danger_cues


def test_driving_somewhere_tonight_in_french_is_not_danger_for_the_assessment() -> None:
    assert not run(DRIVING_TONIGHT).is_raised(DANGER)


@pytest.mark.parametrize("text", [
    "He told her that if she talks to anyone again he will burn down the house with her children in it.",
    "The owner threatened to set fire to their trailer if the workers go to the police.",
])
def test_a_threat_to_burn_their_home_is_danger(text: str) -> None:
    assert_danger_raised_by(text, "danger.threat")


def test_a_threat_forces_danger_only_in_a_signal_of_a_sentence_or_two() -> None:
    alone = extract(received(narrative="He said he will kill her if she leaves."))
    assert standing(alone, "imminent_danger").forced
    # The same kind of threat in an account of someone now safe: evidence the model weighs.
    told = extract(received(narrative=(
        "My husband hit me again Saturday and said if I ever left he would kill me. I left on Sunday with "
        "the kids and we're staying at my sister's, he doesn't know where she lives. He never made me work "
        "or do anything like that. What are my options? Can I get a protective order without a lawyer?")))
    assert "danger.threat" in {e.rule_id for e in told.found.danger.evidence}
    assert not standing(told, "imminent_danger").forced


def assert_danger_raised_by(text: str, rule_id: str) -> None:
    triaged = run(text)
    danger = triaged.flag(DANGER)
    assert triaged.is_raised(DANGER) and danger is not None
    assert any(e.rule_id == rule_id for e in danger.evidence)


def _other_language_ages(text: str) -> list[str]:
    minor = run(text).flag(MINOR)
    evidence = minor.evidence if minor else []
    return [e.matched_text or "" for e in evidence if e.rule_id == "multilingual.age"]


def test_ages_in_latin_letters_of_hindi_and_arabic_are_read_as_ages() -> None:
    ages = _other_language_ages
    assert ages("Ladki ki umar 15 saal hai, woh dhaba pe raat bhar kaam karti hai.") == ["umar 15"]
    assert ages("Bent 3omrha 13 sana tkhdem f dar wahed, ma kat9rach.") == ["3omrha 13"]
    assert ages("Mera dost 32 saal ka hai, woh factory mein kaam karta hai.") == []


def test_a_garbled_transcript_goes_to_a_person() -> None:
    triaged = run("[inaudible] ... the ... [inaudible] motel [unintelligible] ... call back [inaudible]")
    assert triaged.needs_human_triage is not None
    assert triaged.needs_human_triage.reason.value == "garbled_transcript"
    assert RoutingTarget.SET_ASIDE not in {r.target for r in triaged.routes}


def test_english_and_spanish_are_read_and_not_sent_to_a_person_for_their_language() -> None:
    for text in ("The farm boss keeps the workers' passports and pays no wages.",
                 "El patrón se queda con los pasaportes y no les paga a los trabajadores."):
        human = run(text).needs_human_triage
        assert human is None or human.reason.value != "unassessed_language"



@pytest.mark.parametrize(("text", "language"), [
    # Short French and Portuguese whose few function words ("un", "le", "la") Spanish also has.
    ("Mon cousin travaille sans salaire chez un restaurateur. Demain le patron va le conduire à Lyon.", "fr"),
    ("Minha irmã trabalha num restaurante e o dono não paga ela.", "pt"),
])
def test_short_french_and_portuguese_are_not_taken_for_spanish(text: str, language: str) -> None:
    """Taken for Spanish, such a text was assessed by the Spanish rules and not sent to a person
    who reads it."""
    triaged = run(text)
    assert triaged.needs_human_triage is not None
    assert triaged.needs_human_triage.reason.value == "unassessed_language"
    assert triaged.needs_human_triage.language == language

def test_report_conditions_are_decided_once_on_the_assessment() -> None:
    """The reporting matrix's columns travel on SignalTriaged; a text cue alone makes a foreign national."""
    text = "She was brought from Guatemala. She cooks all day at the restaurant and is never paid."
    triaged = run(text)
    conditions = triaged.conditions
    assert conditions is not None
    assert conditions.foreign_national is True  # no nationality was declared
    assert conditions.urgent is triaged.urgency.is_urgent
    assert conditions.business_hours is triaged.business_hours
    assert conditions.minor is triaged.is_raised(FlagName.MINOR)
    assert conditions.trafficking_type is triaged.trafficking_type
    # The words people use for it, with or without the person between the verb and "from".
    for told in ("They brought her from Guatemala last year.", "He was smuggled from Honduras.",
                 "they are bringing them from Mexico to work the fields"):
        assert run(told).conditions.foreign_national is True, told  # type: ignore[union-attr]


def test_report_conditions_know_a_us_citizen_only_when_every_victim_is_declared_one() -> None:
    text = "They keep the cooks' passports at the restaurant."
    citizens = [Victim(nationality=Nationality.US_CITIZEN), Victim(nationality=Nationality.US_CITIZEN)]
    mixed = [Victim(nationality=Nationality.US_CITIZEN), Victim(nationality=Nationality.FOREIGN_NATIONAL)]
    assert [run(text, victims=victims).conditions.foreign_national  # type: ignore[union-attr]
            for victims in (citizens, mixed, [Victim()], [])] == [False, True, None, None]


@pytest.mark.parametrize("text", [
    "my bf is 19 and his homies will pay me if i come chill at their place sat. im in 8th lol",
    "this dude from ig wants me to dance at his club and stay at his place. im a sophmore",
    "hes in 10th and a man keeps picking him up after school with money",
])
def test_a_teens_own_school_year_in_shorthand_is_a_minor(text: str) -> None:
    assert ruled(text, MINOR)


@pytest.mark.parametrize("text", [
    "I finished in 8th place at the state meet.",
    "She's a sophomore at Ohio State and works at a bar.",
])
def test_a_place_or_a_college_year_is_no_minor(text: str) -> None:
    assert not ruled(text, MINOR)


def test_a_form_the_reporter_says_to_ignore_takes_back_its_danger_box() -> None:
    text = ("novelist here, sorry, the form made me fill in an age and the danger box, ignore those, "
            "she's a character in my thriller.")
    assert not ruled(text, DANGER, danger_now=Answer.YES)


@pytest.mark.parametrize("text", [
    # a coded call: the specialist's yes/no questions are answered yes with the controller listening
    "Caller on speaker, a male voice in the background. She said 'I'm fine, I just had a question about "
    "jobs?' Specialist switched to yes/no: In danger? 'Yes.' Someone with you now who is hurting you? "
    "'Yes.' She said 'wrong number' and hung up.",
    "My best friend just texted me our code word, which means come get me. She went to a party at his house.",
    "[Llamada] Pidió una pizza; la especialista cambió a preguntas de sí o no. ¿Está él ahí? Sí.",
])
def test_a_caller_who_cannot_talk_freely_is_danger_whatever_the_model_says(text: str) -> None:
    assert_danger_raised_by(text, "danger.coded_call")


def test_a_yes_no_question_is_no_denial_and_a_question_about_code_words_no_coded_call() -> None:
    found = extract(received(narrative="Specialist switched to yes/no: In danger? 'Yes.'")).found
    assert "danger.taken_back" not in found.notes
    text = "I'm a trucker. Is there a code word or a protocol drivers should know about?"
    evidence = extract(received(narrative=text)).found.danger.evidence
    assert not any(e.rule_id == "danger.coded_call" for e in evidence)


@pytest.mark.parametrize(("text", "moved"), [
    # es: a man comes for the 15-year-old tonight; he passes by for her at 11
    ("Hoy su tía le dijo que en la noche viene un señor a recogerla porque se va a casar con él.", True),
    ("me dijo que pasa por mí a las 11pm, no tengo donde ir", True),
    # every morning, and people who go through the same: no one comes for anyone within hours
    ("el patrón viene cada mañana a las 5 para llevarnos al campo", False),
    ("Quiero ayudar a otras mujeres que pasan por lo mismo.", False),
])
def test_someone_coming_for_her_within_hours_in_spanish_is_a_move(text: str, moved: bool) -> None:
    found = extract(received(narrative=text)).found
    assert any(e.rule_id == "danger.moved_soon" for e in found.danger.evidence) is moved


EXERCISE_INJECT = ("*** EXERCISE EXERCISE EXERCISE *** County Tabletop, Inject #3: officers find a 14 y/o "
                   "female restrained in a basement; suspect fled. Sorry, our coordinator pointed the inject "
                   "generator at this form. Please disregard, no real incident.")


def test_an_exercise_inject_sent_to_the_form_is_no_one_at_risk() -> None:
    facts = {"victims": [Victim(age=14)], "danger_now": Answer.YES}
    found = extract(received(narrative=EXERCISE_INJECT, facts=DeclaredFacts(**facts))).found  # type: ignore[arg-type]
    assert "danger.taken_back" in found.notes and "minor.denied" in found.notes
    triaged = run(EXERCISE_INJECT, **facts)
    assert not triaged.is_raised(DANGER) and not triaged.is_raised(MINOR)


def test_an_exercise_of_caution_is_no_drill() -> None:
    text = "The manager told the girls to exercise caution; the exercise room is where he keeps them locked."
    assert "danger.not_real" not in extract(received(narrative=text)).found.notes


def test_a_spanish_pickup_at_an_hour_points_at_its_words_and_not_the_space_after() -> None:
    text = "Él pasa a recogerla al cierre, como a las 10 de la noche, y le pega."
    evidence = [e for e in extract(received(narrative=text)).found.danger.evidence
                if e.rule_id == "danger.moved_soon"]
    assert evidence and all(text[e.start:e.end] == e.matched_text for e in evidence)  # type: ignore[misc]
    assert all(not (e.matched_text or "").endswith(" ") for e in evidence)


@pytest.mark.parametrize("text", [
    "I'm still at the house. Today he told them they're going to Texas tonight and they were crying.",
    "her aunt says she is leaving for Denver in a few hours with the new boss",
])
def test_someone_else_going_somewhere_within_hours_is_a_move_for_the_rules(text: str) -> None:
    found = extract(received(narrative=text)).found.danger
    assert "danger.moved_soon" in {e.rule_id for e in found.evidence}


@pytest.mark.parametrize("text", [
    "She is going to school today and to her grandmother's after.",
    "They are going to work tomorrow morning as usual; the boss still owes them wages.",
])
def test_going_to_school_or_work_is_no_move(text: str) -> None:
    found = extract(received(narrative=text)).found.danger
    assert "danger.moved_soon" not in {e.rule_id for e in found.evidence}


@pytest.mark.parametrize("text", [
    "asking for my friend (were both in 8th). her aunts friend picks her up from the bus today",
    "my cousin and me, we're in 9th, the man at the store keeps asking us to come to his parties",
    "One of my riders, she's on the middle school run, asks to get off at the gas station where a man waits.",
])
def test_a_school_year_said_of_a_group_or_a_school_run_is_a_minor_cue(text: str) -> None:
    found = extract(received(narrative=text)).found.minor
    assert "minor.school_grade" in {e.rule_id for e in found.evidence}


def test_a_team_in_eighth_place_is_no_school_year() -> None:
    text = "We're in 8th place in the league and the coach is furious."
    found = extract(received(narrative=text)).found.minor
    assert "minor.school_grade" not in {e.rule_id for e in found.evidence}


def test_a_junior_prom_is_a_school_cue() -> None:
    text = "She told another dancer her junior prom is next month and she has to make $1,000 tonight."
    found = extract(received(narrative=text)).found.minor
    assert "minor.school_grade" in {e.rule_id for e in found.evidence}


@pytest.mark.parametrize("text", [
    "My ex is locked up until his court date, so I'm ok. I want to know about a protective order.",
    "the guy who pimped my cousin got locked up in county last month, what happens to her now",
])
def test_the_one_who_did_it_locked_up_in_jail_is_no_one_locked_in(text: str) -> None:
    assert not ruled(text, DANGER)


def test_held_hostage_by_a_paycheck_is_no_one_held() -> None:
    assert not ruled("I'm being HELD HOSTAGE by my paycheck!!! My boss won't approve overtime.", DANGER)
    assert ruled("she is being held by her boss in the back room", DANGER)


def test_a_danger_box_filled_in_a_panic_and_taken_back_is_no_danger() -> None:
    text = "I filled this out in a panic an hour ago, sorry. My daughter is home and fine."
    assert not ruled(text, DANGER, danger_now=Answer.YES)
