"""The age extractor's reading of adult decades and of numbers that are nobody's age.

Adult ages given by decade or approximation ("in her 30s", "late twenties", "treintañera", "la
trentaine", "uns 30 anos") are read as adult ages with their spans; numbers that name a room or
a road, or count or measure something, are not ages for the extractor. What marks an age ("16yo",
"F17", "she's 15", "15 saal") always stays one.
"""

from __future__ import annotations

import pytest

from tests.builders import received
from triage import not_ages
from triage.ages import AgeMention, find_ages
from triage.extract import extract
from triage.text import Scan

pytestmark = pytest.mark.unit


def mentions(text: str) -> list[AgeMention]:
    return list(find_ages(Scan.of(received(narrative=text))))


def read(text: str) -> list[tuple[int, str]]:
    """(age, the words it was read from) for each age mention in ``text``."""
    return [(m.age, text[m.hit.start:m.hit.end]) for m in mentions(text)]


@pytest.mark.parametrize(("text", "span", "age"), [
    ("The woman who runs the house is in her 30s and keeps their papers.", "in her 30s", 30),
    ("He says the cook is in his late forties.", "in his late forties", 47),
    ("The two women are in their early twenties, he told me.", "in their early twenties", 20),
    ("The women looked late 20s, all from the same town.", "late 20s", 27),
    ("Her manager, mid-forties, holds her passport.", "mid-forties", 44),
    ("The workers are 20s or 30s, none of them speak English.", "20s or 30s", 20),
    ("The workers are twenties to thirties and sleep in the van.", "twenties to thirties", 20),
    ("Victim F, 30s, at the motel with her boyfriend.", "F, 30s", 30),
    ("Caller reports 40s male at the door asking for her.", "40s male", 40),
    ("A thirty-something man drives them to the salon.", "thirty-something", 30),
    ("A 40-something woman answers the phone at the spa.", "40-something", 40),
    ("The boss is thirtyish with a tattoo.", "thirtyish", 30),
    ("Aged 30s, both of them, working at the restaurant.", "Aged 30s", 30),
    ("La señora está en sus treinta y no sale nunca.", "en sus treinta", 30),
    ("Es una treintañera de Honduras y trabaja sin pago.", "treintañera", 30),
    ("El encargado es un cuarentón que grita mucho.", "cuarentón", 40),
    ("Mi prima tiene veintitantos y no le dan su pasaporte.", "veintitantos", 20),
    ("La mujer tendrá treinta y pico años, no habla español.", "treinta y pico", 30),
    ("Una mujer rondando los 40 la cuida todo el día.", "rondando los 40", 40),
    ("Une femme d'une trentaine d'années travaille sans salaire.", "une trentaine d'années", 30),
    ("Le patron est dans la quarantaine, il garde les passeports.", "dans la quarantaine", 40),
    ("C'est une trentenaire qui ne sort jamais.", "trentenaire", 30),
    ("Ela tem uns 30 anos e não pode sair da casa.", "uns 30 anos", 30),
    ("O patrão está na casa dos 40 e fica com os documentos.", "na casa dos 40", 40),
    ("Ela tem trinta e poucos anos e trabalha sem salário.", "trinta e poucos", 30),
])
def test_adult_decades_are_read_as_adult_ages_with_their_spans(text: str, span: str, age: int) -> None:
    assert read(text) == [(age, span)]


@pytest.mark.parametrize("text", [
    "Back in the late 80s this street was all factories.",
    "They play music from the 70s or 80s all night.",
    "Temperatures in the mid-20s all week, the workers are outside.",
    "Il y a une trentaine de personnes dans l'entrepôt.",
    "Los trabajadores ganan treinta y pico dólares al día.",
    "Un grupo de treinta y tantos hombres llegó anoche.",
    "Music from the 80s played at the club where she works.",
])
def test_decades_of_the_calendar_and_counts_are_not_ages(text: str) -> None:
    assert read(text) == []


def test_a_decade_said_of_the_past_is_the_past_as_other_ages_are() -> None:
    (mention,) = mentions("When she was in her 20s she was trafficked; she is fine now.")
    assert mention.past


def test_a_negated_decade_is_not_an_adult_age_and_the_minor_stands() -> None:
    text = "She is not in her 30s like they say, she is 16 and works the bar."
    found = extract(received(narrative=text)).found
    assert found.minor.raised
    assert "minor.adult_now" not in found.notes


def test_an_adult_decade_is_an_adult_for_the_minor_rules() -> None:
    found = extract(received(narrative="The woman in her 30s cleans the house and is never paid.")).found
    assert "minor.adult_now" in found.notes
    assert not found.minor.raised
    assert found.ages == (30,)


@pytest.mark.parametrize(("text", "expected"), [
    ("She's 16, room 12 at the Starlite.", [16]),
    ("Her room number is 12 and she is 17.", [17]),
    ("He's 15-20 minutes away from the truck stop.", []),
    ("They are 15 to 20 min away now.", []),
    ("It's 16 Main St, the blue house.", []),
    ("The exit number is 16, behind the gas station.", []),
])
def test_numbers_that_name_or_measure_are_not_ages(text: str, expected: list[int]) -> None:
    assert [m.age for m in mentions(text)] == expected



@pytest.mark.parametrize(("text", "marked"), [
    # Fahrenheit's "F" and a flat's letter are not "female": winter tips carry both.
    ("Temp outside 9F and they have no coats.", ["9"]),
    ("Forecast 4F tonight, the trailer has no heat.", ["4"]),
    ("Three women in the back seat, 5F out, no coats.", ["5"]),
    ("It was -5 degrees at the bus stop, a low of 2F tonight.", ["5", "2"]),
    ("The maid is kept in unit 9F on the ninth floor.", ["9"]),
    # A flat's letter spaced from its number in case notes: the room, not a 12-year-old girl.
    ("C saw 2 women go into Room 12 F, older male paid at the desk.", ["2", "12"]),
    ("A girl, 15F, at the motel with an older man.", []),
])
def test_temperatures_and_flat_letters_are_not_ages(text: str, marked: list[str]) -> None:
    assert _marked(text) == marked

def _marked(text: str) -> list[str]:
    return [text[start:end] for start, end in not_ages.spans(text)]


@pytest.mark.parametrize(("text", "marked"), [
    ("She is kept in room 16 at the motel.", ["16"]),
    ("Apt 4B, suite 12, unit #7.", ["4", "12", "7"]),
    ("They drive her up US 17, then I-15, Route 16 and Highway 14.", ["17", "15", "16", "14"]),
    ("The van is 15-20 minutes away.", ["15", "20"]),
    ("She works a shift of 14 hours, 16 hrs on weekends.", ["14", "16"]),
    ("The room is $16 a night; she makes 16 dollars, 16/hr.", ["16", "16", "16"]),
    ("There were 17 cars and 15 workers at the farm.", ["17", "15"]),
    ("He comes at 16:00 or at 4:15, sometimes 4pm.", ["16", "00", "4", "15", "4"]),
    ("Since March 16, 2025, and again on 11/16/2026.", ["16", "2025", "11", "16", "2026"]),
    ("Llega a las 10, en 15 minutos, cobra 16 dólares por hora.", ["10", "15", "16"]),
])
def test_the_numbers_marked_as_not_ages(text: str, marked: list[str]) -> None:
    assert _marked(text) == marked


@pytest.mark.parametrize(("text", "marked"), [
    ("The girl is 16yo and works the truck stop.", []),
    ("V1 F17 at the motel with her pimp, room 12.", ["12"]),
    ("She's 15 and the boss keeps her phone, 20 minutes from here.", ["20"]),
    ("There's a 14 y/o at the house on Route 9.", ["9"]),
    ("Ladki ki umar 15 saal hai.", []),
    ("Tiene quince años y trabaja 14 horas en la cantina.", ["14"]),
    ("She is in 9th grade and he sells her for $40.", ["40"]),
    ("Two girls, 15 and 16, in room 12.", ["12"]),
    ("The girls are 15-16, both from Honduras, 17 cars in the lot.", ["17"]),
    ("Some of us 16 year olds work there at night.", []),
])
def test_what_marks_an_age_is_never_marked_as_not_an_age(text: str, marked: list[str]) -> None:
    assert _marked(text) == marked


def test_a_number_followed_by_what_marks_an_age_stays_an_age_whatever_comes_before() -> None:
    text = "She is 16 years old and works 16 hours."
    last = text.rindex("16")
    assert not_ages.spans(text) == [(last, last + 2)]


def test_one_number_is_asked_about_in_any_case_as_in_lower_case() -> None:
    text = "The Girl Is In ROOM 16, She Is 15."
    room, age = text.index("16"), text.index("15")
    for lowered in (None, text.lower()):
        assert not_ages.holds(text, room, room + 2, lowered)
        assert not not_ages.holds(text, age, age + 2, lowered)


@pytest.mark.parametrize(("text", "age"), [
    ("She told my wife she's fifteen and a half and sleeps in the back room.", 15),
    ("Caller reports F 16 at the truck stop with an older man.", 16),
    ("PV M17 brought in by his 'cousin', who answers every question.", 17),
    ("A girl ~14-15 was walking with him between the rooms.", 14),
    ("Two girls (est 15-17) go up to the rooms with different men.", 15),
    ("The girl at the register could not have been more than 16 or 17.", 16),
    ("The kid couldn't have been older than 14, he said.", 14),
    ("A girl, fourteen or so, alone in the room with a backpack.", 14),
    ("My granddaughter (13) chats every night with a man who sends her gifts.", 13),
    ("His stepdaughter, 15, is made to work at the stand until midnight.", 15),
    ("My daughter is a junior (16) and her boyfriend posts her pictures.", 16),
    ("She turns 16 next month and he already drives her to parties.", 15),
    ("She turns 18 in May, so for now she is 17 and he sells her.", 17),
    # "I'll be 18 in June": not 18 yet (and not the adult "be 18" reads alone)
    ("How old are you?\nVisitor: ill be 18 in june. he keeps my passport.", 17),
    ("She'll be 16 next month and the manager already has her working nights.", 15),
    ("The girl at the counter said she's 'fifteen' when my wife asked.", 15),
    ("Two girls came in with a man (the bartender thinks 16-17, one has braces).", 16),
])
def test_ages_written_as_shorthand_approximations_and_relations_are_read(text: str, age: int) -> None:
    assert age in [m.age for m in mentions(text)]
    assert extract(received(narrative=text)).found.minor.raised


@pytest.mark.parametrize("text", [
    "It took two and a half hours to drive there and back.",
    "He keeps an M16 in the truck and shows it to the workers.",
    "We waited ~15 min outside the salon for the van.",
    "She worked 12 or so shifts without any pay.",
    "He thinks 15 people live in the house behind the shop.",
])
def test_measures_rifles_and_counts_are_not_ages(text: str) -> None:
    assert not any(m.age < 18 for m in mentions(text))


@pytest.mark.parametrize(("text", "age"), [
    ("C (F, 23) is calling from the motel bathroom, he has her ID.", 23),
    ("M18, been driving for a guy who keeps my ID.", 18),
])
def test_adult_shorthand_with_the_letter_first_is_an_adult_age(text: str, age: int) -> None:
    assert [m.age for m in mentions(text)] == [age]
    found = extract(received(narrative=text)).found
    assert not found.minor.raised and "minor.adult_now" in found.notes


@pytest.mark.parametrize(("text", "rule"), [
    ("The girl next door had her quinceañera in March and now lives with a man in his 20s.",
     "minor.teen_milestone"),
    ("Her photos from her sweet sixteen are on the page he posts her on.", "minor.teen_milestone"),
    ("Daughter just got her learner's permit and is in a car with a 26 y/o man tonight.",
     "minor.teen_milestone"),
    ("Two girls in middle school PE shirts said their 'big sister' sets up dates.", "minor.school_grade"),
    ("C M, says he's a junior in HS; an older man has him meet friends for money.", "minor.school_grade"),
    ("Caller is mom of a sophomore whose boyfriend asks her for nudes to sell.", "minor.school_grade"),
    ("um she's in the seven grade and this guy picks her up from the mall tonight", "minor.school_grade"),
])
def test_school_years_and_teen_milestones_are_a_minor(text: str, rule: str) -> None:
    minor = extract(received(narrative=text)).found.minor
    assert minor.raised and rule in {e.rule_id for e in minor.evidence}


@pytest.mark.parametrize("text", [
    "At my quinceañera 20 years ago my uncle gave a speech about family.",
    "We are a DJ company, do you ever need music for quinceañera events?",
    "My son is a freshman at Ohio State and works at a bar on weekends.",
])
def test_milestones_long_ago_or_of_nobody_are_not_a_minor(text: str) -> None:
    assert not extract(received(narrative=text)).found.minor.raised


@pytest.mark.parametrize("text", [
    "Around 2 last night at the truck stop I saw a woman knocking cab to cab.",
    "He fell off the roof this morning around 10 and hit his head.",
    "I wish to inform about one Indian restaurant where the cooks work every day.",
    "They still have about 12 Filipina women living in the owner's house.",
    "He's in a van with like 8 other kids and calls me maybe once every two weeks.",
    "What are 3 signs someone is being trafficked? It's for my poster.",
    "A man recruited about 10 Haitian men from Miami to work at a plant.",
])
def test_hours_counts_and_articles_are_not_ages(text: str) -> None:
    assert not any(m.age < 18 for m in mentions(text))


@pytest.mark.parametrize(("text", "age"), [
    ("The girls look about 15 tonight at the motel.", 15),
    ("A boy about 10 was selling candy outside the store today.", 10),
    ("She's 15 and other girls work there too.", 15),
    ("Mi hija tiene once años y la obligan a vender dulces.", 11),
])
def test_ages_beside_an_hour_or_a_count_stay_ages(text: str, age: int) -> None:
    assert age in [m.age for m in mentions(text)]


# Spanish number words are found wherever they are (the number-word windows once lacked
# "dieciséis" to "diecinueve"), and tens with units are one number, not a range down to the unit.
_SPANISH_WORDS = {10: "diez", 11: "once", 13: "trece", 15: "quince", 16: "dieciséis", 17: "diecisiete",
                  18: "dieciocho", 19: "diecinueve", 22: "veintidós", 42: "cuarenta y dos",
                  65: "sesenta y cinco", 70: "setenta", 91: "noventa y uno"}


@pytest.mark.parametrize("age", sorted(_SPANISH_WORDS))
@pytest.mark.parametrize("sentence", ["mi hija tiene {w} años y no la dejan salir", "tengo {w} años",
                                      "la niña de {w} años está con él", "con {w} años la trajeron",
                                      "él tiene {w}, de Totonicapán", "cumplió {w} en marzo"])
def test_spanish_ages_in_words_are_read_whole(sentence: str, age: int) -> None:
    ages = [m.age for m in mentions(sentence.format(w=_SPANISH_WORDS[age]))]
    assert ages == [age]


@pytest.mark.parametrize("text", ["Un señor, sesenta y cinco años, vende en la esquina.",
                                  "La encargada tiene cuarenta y dos y no la deja salir."])
def test_the_unit_of_a_spanish_tens_is_not_an_age_of_its_own(text: str) -> None:
    assert all(m.age >= 40 for m in mentions(text))


@pytest.mark.parametrize(("text", "age"), [
    ("C says Maria (16) is at the motel with him.", 16),
    ("Maria, 16, is at the motel with him.", 16),
    ("Her friend Dani (20) is at a house on 12th St.", 20),
    ("Caller, 52, worked at a nail salon for 6 years.", 52),
    ("Femme, 27, au foyer depuis trois jours.", 27),
    ("una chava de 16 anda con ellos", 16),
    ("la patoja de 14 años limpia la casa", 14),
    ("el cipote de 13 vende en el mercado", 13),
    ("su nieta de 14 vive con el señor", 14),
    ("mi hermanita de 12 no regresa", 12),
    ("cumple 16 el mes que viene", 15),
    ("va a cumplir 18 en mayo", 17),
    ("Resident (17 M, Honduras) disclosed eight months of forced work.", 17),
    ("V is 16 F; at the motel with him.", 16),
    ("My brother's friend, they're both 12, picks berries for his uncle.", 12),
    ("The girls on our cheer team (they're 11 to 14) are filmed.", 11),
])
def test_names_with_ages_regional_words_and_birthdays_are_read(text: str, age: int) -> None:
    assert age in [m.age for m in mentions(text)]


@pytest.mark.parametrize("text", ["Apt 12 M St is the address.", "We're 3 people here.",
                                  "They're 2 blocks away.", "He paid 17 M for the house.",
                                  "Room (16) is empty now.", "Take Exit 16, then left at the light.",
                                  "On March 16, 2026 she called again.", "Team (16) won the game.",
                                  "Bus 16, then the blue line.", "Section (12) of the handbook."])
def test_places_things_and_dates_before_a_number_are_not_names(text: str) -> None:
    assert mentions(text) == []


def test_a_novel_is_a_story_for_the_minor_rules() -> None:
    text = ("Soy escritora y estoy trabajando en una novela sobre una piba de 16 que es captada por una "
            "red en la frontera. ¿Me pueden dar datos?")
    assert [m.age for m in mentions(text)] == [16]  # an age in the story...
    assert not extract(received(narrative=text)).found.minor.raised  # ...of nobody who calls


def test_every_number_word_the_patterns_read_opens_a_window() -> None:
    import re

    from triage.number_words import PATTERN, WORD_SET

    candidates = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "dos", "tres",
        "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce", "trece", "catorce",
        "quince", "dieciséis", "dieciseis", "diecisiete", "dieciocho", "diecinueve", "veinte", "treinta",
        "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa",
    ]
    read = [w for w in candidates if re.fullmatch(PATTERN, w)]
    assert len(read) == len(candidates)
    assert set(read) <= WORD_SET


@pytest.mark.parametrize("text", [
    "A mi hermana, va en tercero de secundaria, la tienen encerrada en un cuarto.",
    "Su hijo está en primero de prepa y trabaja de noche para el patrón.",
])
def test_a_spanish_school_year_by_its_ordinal_is_a_minor(text: str) -> None:
    assert extract(received(narrative=text)).found.minor.raised


@pytest.mark.parametrize(("text", "minor"), [
    ("a female who appears to be between 15 and 17 years of age, no ID was asked for", True),
    ("Two girls between 13 and 16 are at the house with him.", True),
    ("The van comes between 10 and 11 tonight.", False),
    ("Between 12 and 15 workers live in the trailer.", False),
    ("They are between 18 and 22, all from Honduras.", False),
])
def test_a_teen_range_with_between_is_an_age_and_a_time_or_a_count_is_not(text: str, minor: bool) -> None:
    ages = [a.age for a in find_ages(Scan.of(received(narrative=text)))]
    assert (min(ages, default=99) < 18) is minor, ages


@pytest.mark.parametrize(("text", "age"), [
    ("texting for my friend bc her uncle checks her phone. shes 14. he makes her go w men for money", 14),
    ("un vato me paga x llevar mochilas y ahora dice q le debo. tengo 14 nmms q hago", 14),
])
def test_a_teens_own_shorthand_for_an_age_is_read(text: str, age: int) -> None:
    assert age in [a.age for a in find_ages(Scan.of(received(narrative=text)))]


@pytest.mark.parametrize("text", ["tengo 3 hijos y no me pagan", "tengo 20 dolares nada mas",
                                  "tengo 2 semanas aqui", "tengo 15 minutos"])
def test_tengo_with_a_count_or_a_measure_is_no_age(text: str) -> None:
    assert list(find_ages(Scan.of(received(narrative=text)))) == []


def test_not_even_fifteen_in_spanish_is_an_age() -> None:
    text = "Una se ve bien chamaquita, yo digo que ni 15 años tiene."
    assert 15 in [a.age for a in find_ages(Scan.of(received(narrative=text)))]


@pytest.mark.parametrize(("text", "ages"), [
    ("She had to show an insurance card and the date of birth on it makes her 17.", [17]),
    ("The ID he gave would make him fifteen, not nineteen like he told the manager.", [15]),
    # the papers' adult age against her looks is no age of hers; money and moods are no age at all
    ("Pt gave a DOB that makes her 19; RN thinks she is younger.", []),
    ("The job makes them 15 dollars an hour and that makes me 2 times more worried.", []),
])
def test_a_date_of_birth_that_makes_her_a_teen_is_an_age(text: str, ages: list[int]) -> None:
    assert [a.age for a in find_ages(Scan.of(received(narrative=text)))] == ages


@pytest.mark.parametrize(("text", "age"), [
    # the diminutive of Puerto Rico, the Dominican Republic and Mexico: "15 añitos"
    ("la nena tiene 15 añitos y sale todas las noches con un hombre de unos 40", 15),
    ("mi sobrina, tiene apenas catorce añitos, se fue con un señor", 14),
])
def test_years_in_the_diminutive_are_an_age(text: str, age: int) -> None:
    assert age in [a.age for a in find_ages(Scan.of(received(narrative=text)))]


@pytest.mark.parametrize(("text", "age"), [
    ("her husband is taking their 2 kids (6 and 9) to Mexico tonight", 6),
    ("Her brothers, 15 and 17, work at the hog farm.", 15),
    ("sus hijos (8 y 11) duermen en la bodega", 8),
])
def test_a_plural_and_two_ages_are_their_ages(text: str, age: int) -> None:
    assert age in [value for value, _ in read(text)]


@pytest.mark.parametrize("text", [
    "she has kids (2) at home",  # one bare number after a plural is a count
    "The children (3) share one room.",
])
def test_a_plural_and_one_number_is_a_count_not_an_age(text: str) -> None:
    assert read(text) == []


def test_a_chat_s_answer_to_how_old_is_an_age_however_far_from_its_question() -> None:
    text = ("[outbound] Thank you for telling us. Can you tell me how old you are? Is your boyfriend with "
            "you right now?\n[inbound] 16. hes in the shower rn")
    assert [value for value, _ in read(text)] == [16]
    assert read("Specialist: How old is she?\nCaller: 15 i think") == [(15, "How old is she?\nCaller: 15")]


@pytest.mark.parametrize("text", [
    "How old is the building? [reply] 12.",  # a thing's age
    "how old are you? [inbound] I'm at the bus stop [inbound] 3 of us",  # a count, not alone
])
def test_an_answer_that_is_no_person_s_age_is_not_an_age(text: str) -> None:
    assert read(text) == []


@pytest.mark.parametrize(("text", "age"), [
    ("Especialista: ¿Cuántos años tienes?\nVisitante: 15\nEspecialista: ¿Quieres ir?", 15),
    ("¿Qué edad tiene su hija?\nMamá: 14 creo", 14),
    ("cuantos años tiene la muchacha?\n[reply] 16.", 16),
])
def test_a_chat_s_answer_to_a_spanish_how_old_is_an_age(text: str, age: int) -> None:
    assert [value for value, _ in read(text)] == [age]


@pytest.mark.parametrize("text", [
    "¿Cuántos años tiene su empresa?\nCliente: 12\n",  # a company's years
    "¿Cuántos años tiene la casa?\n[reply] 12.",
])
def test_a_spanish_answer_about_a_thing_s_years_is_not_an_age(text: str) -> None:
    assert read(text) == []


def test_a_middle_school_grade_named_alone_in_spanish_is_a_minor() -> None:
    text = "hola, mi hija está en octavo y una señora le ofreció trabajo"
    minor = extract(received(narrative=text)).found.minor
    assert minor.raised and "minor.school_grade" in {e.rule_id for e in minor.evidence}
    floor = "vivo en el edificio, mi tía está en octavo piso"
    assert not extract(received(narrative=floor)).found.minor.raised
    back = "mi sobrina tiene que regresar a la secundaria el lunes pero el señor no la deja"
    assert extract(received(narrative=back)).found.minor.raised


@pytest.mark.parametrize(("text", "age"), [
    ("el hombre tiene a otras dos muchachas en la casa, una es de 17", 17),
    ("de las muchachas, la más chica es de 14 y no va a la escuela", 14),
    # a grandmother's machine translation of "cumple 14 años en Navidad": 13 now
    ("My grandson Kevin complete 14 years in Christmas. He works on roofs with the man.", 13),
])
def test_spanish_ways_of_giving_an_age_without_the_word_years(text: str, age: int) -> None:
    assert [value for value, _ in read(text)] == [age]


@pytest.mark.parametrize("text", [
    "la cuota es de 15 dólares y una es de 20 a 30 minutos",
    "la otra es de Oaxaca",
    "the contract will complete 12 years in March",
])
def test_a_price_a_place_or_a_contract_s_years_is_no_age(text: str) -> None:
    assert [value for value, _ in read(text) if value < 18] == []


@pytest.mark.parametrize("text", [
    "One of the women looks really young, maybe not even 18, and never leaves the room.",
    "la muchacha que trae ni siquiera tiene 18",
])
def test_not_even_eighteen_is_a_minor(text: str) -> None:
    minor = extract(received(narrative=text)).found.minor
    assert minor.raised and "minor.text_term" in {e.rule_id for e in minor.evidence}
