"""Danger in languages the rules do not read: someone badly ill with no care, the one in control
back within hours, and the words of Nepali, Punjabi and Indonesian as people type them.

Each case is a signal a supervisor with no interpreter must still see at once (P1), with the
words that raised it as evidence; the negatives keep ordinary messages in those languages at P2.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.events import FlagName, SignalTriaged, Urgency
from tests.builders import received
from triage.extract import extract
from triage.multilingual import cues, danger_cues, minor_cues
from triage.rules import assess, standing

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 16, 14, 30, tzinfo=UTC)
DANGER = FlagName.IMMINENT_DANGER


def run(text: str) -> SignalTriaged:
    return assess(received(narrative=text), now=NOW)


def cue_kinds(triaged: SignalTriaged) -> set[str]:
    danger = triaged.flag(DANGER)
    assert danger is not None
    return {e.rule_id for e in danger.evidence if e.rule_id.startswith("multilingual.")}


@pytest.mark.parametrize(("text", "kind"), [
    # French: he comes back in twenty minutes; she wants to leave now.
    ("Le monsieur qui me loge me fait travailler sans arrêt. Il est sorti, il revient dans vingt minutes "
     "et je veux partir tout de suite.", "multilingual.returns_soon"),
    # Portuguese: the boss comes back at ten tonight; they are locked in.
    ("Estamos trancadas na casa da patroa, ela volta às dez da noite e tirou nossos celulares.",
     "multilingual.returns_soon"),
    # Indonesian: a fisherman vomiting blood on a boat, the captain will not call a doctor.
    ("Adik saya di kapal ikan, sudah dua hari muntah darah, kapten tidak mau bawa ke dokter. Kapal berangkat "
     "besok pagi.", "multilingual.medical"),
    # Vietnamese: a worker fainted and has a high fever; the owner keeps them in.
    ("Chị tôi bị ngất xỉu ở tiệm, sốt cao, chủ tiệm không cho đi bệnh viện, khóa cửa lại.",
     "multilingual.medical"),
    # Nepali in Latin letters: locked in from outside, no food, the employer comes this evening.
    ("Malik le dhoka bahira bata lagaideko chha, tin din dekhi khana dindaina. Aaja beluka malik aauchha.",
     "multilingual.confined"),
    # Punjabi in Latin letters: tonight he is taking her to another state.
    ("Meri bhen nu malik ne kamre vich band kar ke rakheya, aj raat oh ohnu dooje state le ke jaa reha.",
     "multilingual.moved_or_sold"),
])
def test_danger_in_unread_languages_is_raised_with_its_cues(text: str, kind: str) -> None:
    triaged = run(text)
    assert triaged.is_raised(DANGER)
    kinds = cue_kinds(triaged)
    assert kind in kinds and len(kinds) >= 2, kinds


@pytest.mark.parametrize("text", [
    # The boss comes back tomorrow and the writer wants to know their rights: nothing happens within hours.
    "Mon patron revient demain de vacances, je voudrais connaître mes droits sur les heures supplémentaires.",
    # Indonesian: a question about a visa, and "today".
    "Selamat siang, saya mau tanya tentang visa kerja untuk perawat. Apakah bisa daftar hari ini?",
    # Nepali: a training request for a community group this evening.
    "Namaste, hamro samaj ko lagi aaja beluka ek talim garna sakinchha? Dhanyabad.",
])
def test_ordinary_messages_in_those_languages_are_not_danger(text: str) -> None:
    assert not run(text).is_raised(DANGER)


@pytest.mark.parametrize("text", [
    "He bought her a one-way ticket to Las Vegas and her flight leaves tomorrow at 6 in the morning.",
    "Encontré en su correo un vuelo solo de ida que sale mañana temprano, pagado por el novio.",
])
def test_a_one_way_ticket_for_today_or_tomorrow_is_a_move_soon(text: str) -> None:
    triaged = run(text)
    danger = triaged.flag(DANGER)
    assert danger is not None and any(e.rule_id == "danger.moved_soon" for e in danger.evidence)


@pytest.mark.parametrize("text", [
    "I bought a one-way ticket home last year after I got out, and I am doing well now.",
    "Compré un boleto de ida y vuelta para mañana para visitar a mi mamá.",
])
def test_a_ticket_that_moves_nobody_soon_is_not_a_move(text: str) -> None:
    danger = run(text).flag(DANGER)
    assert danger is None or not any(e.rule_id == "danger.moved_soon" for e in danger.evidence)


@pytest.mark.parametrize(("text", "language"), [
    # Arabic typed in Latin letters, Levantine and Gulf: digits for the letters Latin lacks.
    ("ana b2shtghel 3and 3ayle, ma bi5alouni etla3 men el bait w akhadou el passport taba3i", "ar"),
    ("akhoy y3ml fi mat3am, sa7ib el mat3am ma yedfa3lo men shahrain w y2oulo ra7 ysafro", "ar"),
    # Somali, Gujarati, Hmong and Chinese in pinyin: none is a candidate of the detector, which may
    # name a neighbour ("" below: any language but English and Spanish) or, with few everyday
    # English and Spanish words in the text, none ("und").
    ("Walaashay waxay ka shaqeysaa maqaayad, ninka leh ayaa qaatay baasaboorkeeda, lacag ma siiyo.", ""),
    ("Maro bhai motel ma kaam kare chhe, malik pagar nathi aapto ane passport rakhi lidho chhe.", "und"),
    ("Kuv tus tij laug ua hauj lwm hauv ib lub khw, tus tswv tsis them nyiaj thiab khaws nws daim ntawv.",
     ""),
    ("Wo de pengyou zai canguan gongzuo, laoban bu gei gongzi, hai na le ta de huzhao, bu rang ta zou.",
     "und"),
])
def test_latin_letter_texts_in_neither_english_nor_spanish_go_to_a_person(text: str, language: str) -> None:
    triaged = run(text)
    human = triaged.needs_human_triage
    assert human is not None and human.reason.value == "unassessed_language"
    assert human.language == language if language else human.language not in ("en", "es")
    assert triaged.urgency.rank <= Urgency.P2_SAME_DAY.rank


@pytest.mark.parametrize("text", [
    # The terse English of call notes, hang-ups and junk, and texting English with digits.
    "Hang-up. Line open about 5 sec, no voice, background TV, no callback number.",
    "C is OTR truck driver, saw a woman knocking cab to cab at the truck stop off I-20, plate partial.",
    "Lost dog, heeler mix, last seen near the co-op on Main. Reward if found, call anytime.",
    "my gf is at the 7eleven on 5th, he left at 3am, pls call her back 2nite thx",
    "Llamante reporta a su vecina, la tienen trabajando sin pago en una tienda de ropa, no sale nunca.",
])
def test_terse_english_and_spanish_stay_read_by_the_rules(text: str) -> None:
    human = run(text).needs_human_triage
    assert human is None or human.reason.value != "unassessed_language"


def test_a_somali_text_raises_danger_and_minor_with_its_cues() -> None:
    triaged = run("Walaashay da'deedu waa 16. Waxaa lagu xiray guri, ninka wuu garaacay, "
                  "caawa ayuu iibinayaa.")
    assert triaged.is_raised(DANGER) and triaged.is_raised(FlagName.MINOR)
    assert len(cue_kinds(triaged)) >= 2


@pytest.mark.parametrize(("text", "rule"), [
    ("A young woman came in with an older man who answered for her; she mouthed 'help' when he turned "
     "around. They left five minutes ago.", "danger.silent_plea"),
    ("At the register she made the hand signal for help while he stood right behind her.",
     "danger.silent_plea"),
    ("The boss took his phone; he has to be back by dark or the boss will come looking for him.",
     "danger.pursued"),
])
def test_a_silent_plea_or_a_search_for_someone_is_danger(text: str, rule: str) -> None:
    danger = run(text).flag(DANGER)
    assert danger is not None and danger.raised and rule in {e.rule_id for e in danger.evidence}


def test_a_course_about_the_signal_for_help_is_not_danger() -> None:
    danger = run("Our course last year taught us to recognise the signal for help from a video.").flag(DANGER)
    assert danger is None or "danger.silent_plea" not in {e.rule_id for e in danger.evidence}


@pytest.mark.parametrize("text", [
    # Arabic script: beaten, locked in the barn, no food.
    "ابن عمي يعمل في مزرعة، صاحب المزرعة ضربه وأغلق عليه الباب ولا يوجد طعام منذ أمس.",
    # Chinese: the boss beat a worker who tried to leave; whoever runs tonight gets the same.
    "我朋友在餐馆打工，老板打了想走的人，说今天晚上谁跑就是一样的下场。",  # noqa: RUF001 (Chinese commas)
    # Ukrainian in Cyrillic: he comes back in 30 minutes, took her passport.
    "Він поїхав, сказав повернеться за 30 хвилин, "
    "і забрав мій паспорт. Мені страшно, допоможіть.",  # noqa: RUF001 (Ukrainian letters)
    # Portuguese: he does not let her out, men come tonight.
    "Minha irmã está na casa dele, ele não deixa ela sair e hoje de noite vem uns homens.",
    # Korean: a first-year high-school girl gets into a stranger's car tonight to another city.
    "제 딸 친구가 고1인데 오늘 밤에 모르는 남자 차 타고 다른 도시로 간다고 했대요.",
    # Levantine Arabic in Latin letters: she is 16, tomorrow morning she goes with him to another state.
    "o5ti 3omra 16 sene, w bokra el sob7 rayha ma3o 3a wilaye tanye. ana 5ayfe ktir",
    # Portuguese as typed on a phone: my stepfather takes me to some men, tonight there is another.
    "moço eu tenho 14 anos e meu padrasto me leva pra uns homens. hj a noite ele disse q vai ter outro",
    # Romanian typed without diacritics: help, tonight the boss moves us to another state.
    "ajutati-ma, seful a zis ca diseara ne muta pe toate in alt stat. suntem 4 fete la un salon in Ohio.",
])
def test_more_danger_words_of_unread_languages(text: str) -> None:
    triaged = run(text)
    assert triaged.is_raised(DANGER) and len(cue_kinds(triaged)) >= 2


@pytest.mark.parametrize("text", [
    "Wo de biao mei gang shang chu zhong, ta ma ma ba ta song dao yi ge shu shu jia zuo fan.",
    "제 조카가 중학교에 다니는데 식당에서 밤늦게까지 일을 시켜요.",
    "Mero bhanji 8 kaksha ma padhdai thii, aunty le ghar ma kaam garaauchha, school pathaudaina.",
    "Binti yake yuko darasa la saba, ameletwa na jamaa kufanya kazi za nyumbani bila malipo.",
    "Minha filha tem treze e está na casa de um homem que não deixa ela sair.",
    # Portuguese: a daughter in her second year of high school, held at a house with her friends.
    "Minha filha, que está no segundo ano do ensino médio, foi numa festa e o dono não deixa ela sair.",
    # Korean: a young girl in a school uniform was pushed into a car just now.
    "방금 노래방 앞에서 교복 입은 여자애가 울면서 어떤 남자한테 억지로 차에 태워지는 거 봤어요.",
    # Korean: two girls at the nail shop next door look about sixteen, they sleep there every night.
    "옆 가게 네일샵에 여자애 둘이 있는데 열여섯 정도 보여요. 매일 밤 거기서 자요.",
])
def test_a_child_by_school_year_or_age_in_words_in_unread_languages(text: str) -> None:
    minor = run(text).flag(FlagName.MINOR)
    assert minor is not None and minor.raised
    assert any(e.rule_id.startswith("multilingual.") for e in minor.evidence)


def test_a_controller_waiting_in_the_lobby_in_shorthand_is_danger() -> None:
    danger = run("ER nurse: pt ~19, hand crushed at the warehouse, boss waiting in lobby, pt can't go "
                 "back.").flag(DANGER)
    assert danger is not None and "danger.pursued" in {e.rule_id for e in danger.evidence}


@pytest.mark.parametrize("text", [
    # Tagalog: slapped, tomorrow morning he takes her to the airport.
    "Sinampal niya ako kanina at bukas ng umaga ihahatid niya ako sa airport, kinuha niya ang passport ko.",
    # Swahili: today he said he will send her back tomorrow morning and beat her if she refuses.
    "Mwajiri amechukua pasipoti yake. Leo amesema atamrudisha kesho asubuhi na kumpiga akikataa.",
    # French: tonight the boss sends her to a 'friend'.
    "Ma cousine dort au salon. Ce soir la patronne a dit qu'elle l'envoie chez un ami pour la nuit.",
    # Nepali: tonight the owner said he will send him to another state.
    "Mero bhai restaurant ma kaam garchha, maalik le passport rakhyo ra talab didaina, aaja raati maalik le "
    "usko arko state ma pathaunchhu bhanyo.",
])
def test_moves_tonight_or_tomorrow_in_more_unread_languages(text: str) -> None:
    triaged = run(text)
    assert triaged.is_raised(DANGER) and "multilingual.moved_or_sold" in cue_kinds(triaged)


@pytest.mark.parametrize(("text", "rule"), [
    ("I'm 16, a guy from a game pays me for videos and says if I stop he'll send everything to my school. "
     "He wants a new one tonight by 11.", "danger.sextortion"),
    ("My coworker coughed up blood on the night shift and the supervisor told him to keep working.",
     "danger.violence_now"),
])
def test_sextortion_and_blood_now_are_found_as_danger(text: str, rule: str) -> None:
    danger = extract(received(narrative=text)).found.danger
    assert danger.raised and rule in {e.rule_id for e in danger.evidence}


def test_sextortion_with_a_deadline_raises_danger_whatever_the_model_says() -> None:
    text = "He says if I stop he'll post my videos to my school, and he wants a new one tonight."
    assert run(text).is_raised(DANGER)


def test_sharing_photos_with_family_is_not_sextortion() -> None:
    danger = run("I'll send the photos to her family after the wedding next month.").flag(DANGER)
    assert danger is None or "danger.sextortion" not in {e.rule_id for e in danger.evidence}


@pytest.mark.parametrize(("text", "kind"), [
    # Chinese: the boss just beat me and locked the door; I cannot get out.
    ("我在工厂的宿舍里，老板刚才打了我，把门锁了，我出不去。",  # noqa: RUF001 (Chinese commas)
     "multilingual.confined"),
    # Hindi in Latin letters: six of us shut in a house; tonight they send us somewhere else.
    ("Hum chhe log ek ghar mein band hain, aaj raat malik hume kahin aur bhejenge.",
     "multilingual.moved_or_sold"),
    # Arabic in Latin letters: tonight the man will move me to another city.
    ("saa3douni, ana ma3 tlat banat fi shi2a, el rajol akhad jawaz safarna w 2al el leila rah yna2elni "
     "3ala wilaya tanya",
     "multilingual.moved_or_sold"),
    # Russian with the letter ё: her boyfriend took her away and is selling her, today.
    ("Подруга написала сегодня: он увёз меня в другой город и продаёт меня.", "multilingual.moved_or_sold"),
    # Swahili: tonight the boss will take me to his friend.
    ("Bosi amechukua pasipoti yangu. Leo usiku atanipeleka kwa rafiki yake.", "multilingual.moved_or_sold"),
    # Polish: he locks her in; tonight they drive her to the club.
    ("On ją zamyka w mieszkaniu, a dziś w nocy zawiozą ją do klubu.", "multilingual.confined"),
    # Chinese in pinyin: locked in the room, the boss said he will kill me tonight.
    ("Laoban ba women suo zai fangjian li, jin wan shuo yao sha le wo.", "multilingual.confined"),
])
def test_more_ways_of_telling_danger_now_in_unread_languages(text: str, kind: str) -> None:
    triaged = run(text)
    assert triaged.is_raised(DANGER)
    kinds = cue_kinds(triaged)
    assert kind in kinds and len(kinds) >= 2, kinds


@pytest.mark.parametrize(("text", "kinds"), [
    # Tagalog: the agency holds my passport, but they do not hurt me.
    ("Hawak po ng agency ang passport ko pero hindi po ako sinasaktan.", {"documents"}),
    # Russian: he does not beat me, he only keeps my passport.
    ("Он меня не бьёт, только держит паспорт у себя.", {"documents"}),  # noqa: RUF001 (Russian letters)
    # French: he never hits us.
    ("Il ne nous frappe jamais, mais il garde nos passeports.", {"documents"}),
])
def test_harm_said_not_to_happen_is_no_cue_of_harm(text: str, kinds: set[str]) -> None:
    from triage.multilingual import cues

    assert {c.kind for c in cues(text)} == kinds


def test_chinese_in_pinyin_going_to_a_place_is_no_knife() -> None:
    from triage.multilingual import cues

    assert not [c for c in cues("Wo xianzai qu dao Jackson zuo chushi.") if c.kind == "weapon"]
    assert [c for c in cues("Anh ta cầm dao đứng ở cửa.") if c.kind == "weapon"]


@pytest.mark.parametrize("text", [
    "Je garde les enfants d'une famille à Silver Spring depuis deux ans, ils ont mon passeport.",
    "Mwen travay nan yon kay, m okipe timoun yo, yo pa peye m.",
    "Eu cuido das crianças da patroa e ela ficou com meu passaporte.",
    "我在老板家里打扫、做饭、看孩子，老板拿了我的护照。",  # noqa: RUF001 (Chinese commas)
    "我表姐今年三十一岁，在按摩店上班。",  # noqa: RUF001 (Chinese commas)
    # Portuguese: an adult's schooling finished ("ensino médio completo") is no school year now.
    "Tenho 24 anos, ensino médio completo, e a agência ficou com meu passaporte.",
])
def test_children_in_a_workers_care_and_adults_ages_are_no_minor_cue(text: str) -> None:
    from triage.multilingual import cues, minor_cues

    assert minor_cues(cues(text)) == []


@pytest.mark.parametrize("text", [
    "Ma nièce a quatorze ans, c'est une enfant, il la vend.",
    "我妹妹十五岁，老板不让她出门。",  # noqa: RUF001 (Chinese commas)
])
def test_a_child_at_risk_is_still_a_minor_cue(text: str) -> None:
    from triage.multilingual import cues, minor_cues

    assert minor_cues(cues(text))


@pytest.mark.parametrize(("text", "age"), [
    ("Meri behen solah saal ki hai, malik use bahar nahi jaane deta.", 16),  # Hindi in Latin letters
    ("Nam-e man Farid ast, hafda sala hastum, kaka-yem paisa nemeta.", 17),  # Dari in Latin letters
])
def test_teen_ages_in_words_of_hindi_and_dari_are_ages(text: str, age: int) -> None:
    from triage.multilingual import cues

    assert age in [c.age for c in cues(text) if c.kind == "age"]


@pytest.mark.parametrize(("text", "kinds"), [
    # Portuguese: nobody hit him; for now he is fine.
    ("O cara pegou o passaporte dele, mas ninguém bateu nele.", {"documents"}),
    # Portuguese: afraid of being arrested is not being locked in.
    ("Ele tem medo de falar com a polícia e que ele seja preso.", {"police"}),
    # Tagalog: the employer does not hurt her, three words between the negation and the verb.
    ("Hawak ng amo ang passport niya. Hindi naman daw siya sinasaktan.", {"documents"}),
])
def test_negated_harm_and_an_arrest_are_no_cues_of_danger(text: str, kinds: set[str]) -> None:
    from triage.multilingual import cues

    assert {c.kind for c in cues(text)} == kinds


@pytest.mark.parametrize("text", [
    "Tháng trước em trốn ra được, giờ em ở nhờ nhà thờ, an toàn rồi. Em cần người giúp.",
    "O patrão ficou com o passaporte e bateu nele mês passado, mas agora ele tá bem, está seguro.",
])
def test_a_text_that_says_the_person_is_safe_now_raises_no_danger_cue(text: str) -> None:
    from triage.multilingual import cues, danger_cues

    assert "safe" in {c.kind for c in cues(text)}
    assert danger_cues(cues(text)) == []


def test_safe_said_not_to_be_is_no_safe_cue() -> None:
    from triage.multilingual import cues, danger_cues

    found = cues("Não estou segura, ele trancou a porta e disse que vai me matar hoje à noite.")
    assert "safe" not in {c.kind for c in found}
    assert danger_cues(found)


def test_russian_ages_in_the_dative_and_arabic_sending_in_latin_letters_are_cues() -> None:
    from triage.multilingual import cues

    assert 17 in [c.age for c in cues("Моей дочери 17, она уехала в Нью-Йорк.") if c.kind == "age"]
    kinds = {c.kind for c in cues("el madame 2alet bokra el sob7 ra7 tba3atni 3a bet o5ta b Texas")}
    assert {"now", "moved_or_sold"} <= kinds
    assert "moved_or_sold" not in {c.kind for c in cues("bass bt2ella ba3atna 3a ahlik")}


@pytest.mark.parametrize(("text", "kind"), [
    # Egyptian Arabic in Latin letters: early tomorrow morning he takes us to another restaurant.
    ("el m3allem akhad el basbor. el naharda 2alna en bokra el sob7 badri hay5odna mat3am tany f Philly",
     "multilingual.moved_or_sold"),
    # Hmong: tonight they will take her to another state; please help.
    ("Kuv tus muam muaj 16 xyoo. Hmo no lawv yuav coj nws mus rau lwm lub xeev. Thov pab kuv.",
     "multilingual.moved_or_sold"),
    # Quebec French: a man is watching her right now at the truck stop.
    ("Y'a une jeune fille au relais routier, un gars dans une minivan la surveille en ce moment.",
     "multilingual.confined"),
])
def test_danger_now_in_egyptian_arabic_hmong_and_quebec_french(text: str, kind: str) -> None:
    triaged = run(text)
    assert triaged.is_raised(DANGER)
    assert kind in cue_kinds(triaged)


def test_romanian_typed_without_diacritics_beaten_today_and_moved_tonight_is_danger() -> None:
    from triage.multilingual import cues, danger_cues

    text = "sora mea lucreaza la un restaurant, azi au batut-o si vor sa o mute in alt oras la noapte"
    assert {c.kind for c in danger_cues(cues(text))} >= {"now", "moved_or_sold"}
    # one kind alone (a beating, last year) is no danger now
    assert danger_cues(cues("fratele meu e bine, l-au batut anul trecut la ferma")) == []


@pytest.mark.parametrize("text", [
    "marhaba, sa2altak 3an el shoghol, el m3allem ma dafa3li",  # Arabic in Latin letters: "about"
    "ya 3ammi ma 7ada 3anni ya3ref shi",  # "from me"
])
def test_arabic_letters_written_as_digits_are_no_age(text: str) -> None:
    from triage.multilingual import cues, minor_cues

    assert minor_cues(cues(text)) == []


def test_a_teen_age_glued_to_its_word_is_still_an_age() -> None:
    from triage.multilingual import cues, minor_cues

    assert minor_cues(cues("ma cousine a 15ans et le patron la garde enfermée"))


@pytest.mark.parametrize("text", [
    # Egyptian Arabic in Latin letters: passport taken, not let out, taken abroad tomorrow morning
    "el madam a5adet el basbor w mesh bysebuni a5rog. bokra el sob7 msafreen w 3ayzeen ya5duni ma3ahom",
    # Romanian: "tomorrow morning the boss moves them all to another state"
    "Fratele meu lucrează pe un șantier. Șeful a zis că mâine dimineață îi mută pe toți în alt stat.",
])
def test_a_move_tomorrow_morning_in_egyptian_arabizi_and_romanian_is_danger(text: str) -> None:
    from triage.multilingual import cues, danger_cues

    assert {c.kind for c in danger_cues(cues(text))} >= {"now", "moved_or_sold"}


# ------------------------------------------------------------ what is no cue, and what still forces


@pytest.mark.parametrize("text", [
    # Haitian Creole: a wrong number, "my daughter wanted to write"
    "Eskize m, se pitit fi m ki te vle ekri. M pa konnen kijan nimewo sa a rive nan telefòn mwen.",
    # Tagalog: a caregiver of 52; "anak" is the employer's son
    "Ang tita ko, 52, caregiver sa bahay ng isang matanda, yung anak niya ang kumuha ng passport niya.",
])
def test_a_bare_word_for_a_child_forces_no_minor_flag(text: str) -> None:
    extraction = extract(received(narrative=text))
    assert {c.cue.kind for c in extraction.minor_cues} == {"child"}  # still evidence for the model
    assert not standing(extraction, "minor").forced
    triaged = run(text)
    assert triaged.needs_human_triage is not None and triaged.urgency.rank <= Urgency.P2_SAME_DAY.rank


@pytest.mark.parametrize("text", [
    "Pomogite, moey sestre 16 let, ee zaperli v kvartire.",
    "Minha filha tem treze e está na casa de um homem que não deixa ela sair.",
    # Portuguese: a daughter in her second year of high school, held at a house with her friends.
    "Minha filha, que está no segundo ano do ensino médio, foi numa festa e o dono não deixa ela sair.",
])
def test_an_age_or_a_school_year_still_forces_the_minor_flag(text: str) -> None:
    assert standing(extract(received(narrative=text)), "minor").forced


@pytest.mark.parametrize(("text", "age"), [
    ("dulu saya pembantu, 2 tahun gak digaji. saya butuh pengacara", None),  # id: two years unpaid
    ("je travaille comme nounou depuis 3 ans sans salaire", None),  # fr: for three years
    ("2 taon na po ako dito, hawak nila ang passport ko", None),  # tl: two years here
    ("adik saya umur 15 tahun kerja di restoran", 15),  # id: an age
])
def test_years_under_six_are_how_long_not_how_old(text: str, age: int | None) -> None:
    assert [c.age for c in cues(text) if c.kind == "age"] == [age]


@pytest.mark.parametrize(("text", "kind"), [
    ("请问这个算不算人口贩卖？老板不给工资。", "moved_or_sold"),  # noqa: RUF001 (zh: "is this human trafficking?")
    ("أختي تشتغل عند عيلة وما بيعطوها معاش", "moved_or_sold"),  # ar: "they don't give her pay"
    ("mama nu stie ce sa faca, fratele meu nu primeste bani", "weapon"),  # ro: "what to do"
])
def test_words_that_only_look_like_cues_are_none(text: str, kind: str) -> None:
    assert kind not in {c.kind for c in cues(text)}


@pytest.mark.parametrize(("text", "kind"), [
    ("老板说明天把她卖了", "moved_or_sold"),  # zh: sell her tomorrow
    ("قال إنه سيبيعها الليلة", "moved_or_sold"),  # ar: he will sell her tonight
    ("o amenințat cu o faca", "weapon"),  # pt "faca" (knife) after a preposition
])
def test_the_same_cues_still_count_where_they_mean_it(text: str, kind: str) -> None:
    assert kind in {c.kind for c in cues(text)}


def test_danger_now_in_turkish_is_raised_with_its_cues() -> None:
    text = ("Yardım edin, kız kardeşim 14 yaşında, adam onu bir eve kilitledi, "  # noqa: RUF001 (Turkish dotless i)
            "bu gece başka adamlar gelecek.")
    triaged = run(text)
    assert triaged.is_raised(DANGER) and triaged.is_raised(FlagName.MINOR)
    assert {"multilingual.confined", "multilingual.returns_soon", "multilingual.now"} <= cue_kinds(triaged)


@pytest.mark.parametrize(("text", "confined"), [
    ("Je ne suis pas enfermée, mais je n'ai pas mes papiers.", False),  # fr: "I am not locked in"
    ("Hindi naman ako nakakulong, pero hawak nila ang passport ko.", False),  # tl
    ("Ils m'ont enfermée dans la chambre.", True),
    ("Они не выпускают нас из дома.", True),  # ru: the cue is itself a negative verb
])
def test_a_negated_confinement_is_no_cue(text: str, confined: bool) -> None:
    assert ("confined" in {c.kind for c in cues(text)}) is confined


def test_a_somali_age_in_years_is_an_age() -> None:
    assert 17 in [c.age for c in cues("Walaashay waxay jirtaa 17 sano, lacag ma siiyaan.") if c.kind == "age"]


@pytest.mark.parametrize(("text", "age"), [
    ("a oi cuu e voi, e 16t lam o tiem nail, chu giu giay to", 16),  # vi without its marks: "e 16t"
    ("kuzenim 17 yasinda, patron pasaportunu almis", 17),  # tr without its letters
    ("mero bahini (15 barsa) nail salon ma kaam garchhe", 15),  # ne in Latin letters
])
def test_ages_as_people_type_them_without_their_letters(text: str, age: int) -> None:
    assert age in [c.age for c in cues(text) if c.kind == "age"]


@pytest.mark.parametrize(("text", "kind"), [
    ("她说老板没有打她，但是经常骂人。", "kill_or_hurt"),  # noqa: RUF001 (zh: "the boss did not hit her")
    ("到现在一分钱都没拿到", "now"),  # zh: "until now"
])
def test_chinese_harm_denied_and_until_now_are_no_cues(text: str, kind: str) -> None:
    assert kind not in {c.kind for c in cues(text)}


def test_korean_not_in_danger_right_now_is_safe() -> None:
    text = "친구가 여권을 뺏겼고 협박받았어요. 지금 당장 위험하진 않은데 어떻게 해야 하나요?"
    assert "safe" in {c.kind for c in cues(text)}
    assert not extract(received(narrative=text)).danger_cues


@pytest.mark.parametrize(("text", "age"), [
    ("بنت أخو زوجي عمرها أربعطعش سنة وأبوها يبي يزوجها", 14),  # ar, dialect: fourteen
    ("أختي عمرها ستة عشر عاما وتشتغل عند عيلة", 16),  # ar, in full: sixteen
])
def test_arabic_teen_ages_in_words(text: str, age: int) -> None:
    assert age in [c.age for c in cues(text) if c.kind == "age"]


def test_a_tagalog_plane_tomorrow_at_six_is_danger() -> None:
    text = ("Kinuha ng amo ang passport niya. Bukas ng alas-6 ng umaga isasakay siya sa eroplano papuntang "
            "Texas. Ayaw niya pero hindi siya pinapalabas ng bahay.")
    kinds = {c.cue.kind for c in extract(received(narrative=text)).danger_cues}
    assert {"now", "moved_or_sold", "confined"} <= kinds


@pytest.mark.parametrize(("text", "age"), [
    ("제 친구가 17살인데 가출한 지 일주일 됐어요.", 17),  # ko: a particle right after the age
    ("Моя дочь Соня, ей семнадцать, ушла из дома к мужчине.", 17),  # ru: in words
    ("Моїй доньці шістнадцять років.", 16),  # uk: in words
    ("Jedna cura izgleda kao dijete, petnaest, šesnaest godina najviše.", 16),  # bs: in words
    ("Ta dziewczyna ma może piętnaście lat.", 15),  # pl: in words
    ("البنات باين أعمارهم ١٥ أو ١٦", 15),  # noqa: RUF001 (ar: "their ages", in Arabic-Indic digits)
    ("Ей на вид лет 14-15, не больше.", 14),  # ru: "about 14-15", the word for years first
    ("เจ้าของร้านพาเด็กผู้ชายอายุประมาณ 16 มาจากเมืองไทย", 16),  # th: "aged about 16", no space before
])
def test_more_ages_as_people_write_them(text: str, age: int) -> None:
    assert age in [c.age for c in cues(text) if c.kind == "age"]


@pytest.mark.parametrize("text", [
    "Prije petnaest godina sam radio u toj fabrici.",  # bs: fifteen years ago
    "Petnaest godina radim u restoranu.",  # bs: I have worked fifteen years
    "Это было пятнадцать лет назад.",  # ru: fifteen years ago
    "Это было лет 15 назад.",  # ru: about fifteen years ago
])
def test_teen_years_that_are_how_long_or_how_long_ago_are_no_age(text: str) -> None:
    assert not [c for c in cues(text) if c.kind == "age"]


@pytest.mark.parametrize("text", [
    # ko: the man locked the door from outside, just now
    "방금 카톡으로 '여기 이상해 아저씨가 문 밖에서 잠갔어' 라고 왔어요.",
    # uk: the landlady locked me in the flat, no food for two days
    "Хазяйка замкнула мене в квартирі на вихідні, їжі немає вже два дні.",
    # pl: help, the man is driving me out of town, we are at a petrol station now
    "Pomocy jestem w samochodzie, facet wiezie mnie gdzieś poza miasto. Stoimy teraz na stacji.",
    # ht: he will come for her tomorrow after school
    "li di l ap vin chache l demen apre lekòl pou l al travay nan yon club",
    # pa in Latin letters: tomorrow morning he will send us to Canada
    "oh banda kehnda kal sawere sanu canada bhej dena",
])
def test_more_danger_now_in_unread_languages(text: str) -> None:
    assert extract(received(narrative=text)).danger_cues


@pytest.mark.parametrize(("text", "kind"), [
    ("友達(高2)が今夜会いに行くって言ってます。", "school"),  # ja: a friend in her second year of high school
    ("娘は中3です。", "school"),  # ja: third year of middle school
])
def test_japanese_school_years_are_minor_cues(text: str, kind: str) -> None:
    assert kind in {c.kind for c in minor_cues(cues(text))}


def test_japanese_forced_to_serve_customers_tonight_is_danger() -> None:
    # ja: passport taken by the owner, made to entertain customers tonight, writing from the toilet
    triaged = run("日本人の友達がクラブで働かされてて、今トイレから連絡きた。オーナーにパスポート取られてて、"
                  "今夜お客の相手させられるって。")
    assert triaged.is_raised(DANGER)
    assert {"multilingual.now", "multilingual.moved_or_sold"} <= cue_kinds(triaged)


def test_a_japanese_meeting_tonight_alone_is_no_danger_cue() -> None:
    # ja: "I'm meeting a friend tonight for dinner": a time alone is no danger
    assert not danger_cues(cues("今夜友達と晩ご飯を食べに行きます。"))


@pytest.mark.parametrize("text", [
    "Хозяйка забрала паспорт и сказала, что убьёт её, если она уйдёт.",  # ru: passport taken, a threat
    "Забрали паспорт, её заперли в комнате.",  # ru: passport taken, locked in a room
])
def test_papers_taken_are_not_one_of_the_two_kinds_that_force_danger(text: str) -> None:
    assert "documents" in {c.kind for c in cues(text)}
    assert not danger_cues(cues(text))


def test_papers_taken_still_show_beside_two_kinds_that_force_danger() -> None:
    # ru: passport taken, locked in, taken away tonight
    found = danger_cues(cues("Хозяйка забрала паспорт. Её заперли, сегодня ночью её увезут."))
    assert {"documents", "confined", "now", "moved_or_sold"} <= {c.kind for c in found}


@pytest.mark.parametrize("text", [
    "Meine Nichte (sie ist in der 9. Klasse) hat online einen Typen kennengelernt.",  # de
    "mere padosi ke ghar ek ladki rehti hai, 10vi class ki lagti hai.",  # hi in Latin letters
    "Moja siostra jest w 7 klasie i ten facet do niej pisze.",  # pl
    "Моя сестра в 9 классе, он пишет ей каждый день.",  # ru
])
def test_more_school_years_are_minor_cues(text: str) -> None:
    assert "school" in {c.kind for c in minor_cues(cues(text))}


def test_a_class_writing_in_for_a_project_is_no_school_year() -> None:
    # de: "we are a 10th-grade class at a German school in Ohio, doing a report on trafficking"
    text = ("Wir sind eine 10. Klasse einer deutschen Schule in Ohio und machen ein Referat über "
            "Menschenhandel.")
    assert "school" not in {c.kind for c in cues(text)}


def test_a_turkish_flight_tomorrow_morning_is_danger() -> None:
    # tr: a 17-year-old flies out first thing tomorrow on a ticket a stranger bought
    text = "kuzenim 17 yaşında, bileti adam alıyormuş. yarın sabah ilk uçakla gidiyor."  # noqa: RUF001 (tr)
    found = danger_cues(cues(text))
    assert {"now", "moved_or_sold"} <= {c.kind for c in found}


def test_bengali_is_told_from_hindi_and_its_confinement_and_threat_tonight_are_danger() -> None:
    # bn: she is locked in the house, not fed for two days; tonight her brother-in-law will beat her.
    # Bengali writes its full stop with the Devanagari danda, which had made it Hindi.
    text = ("আমার বোনকে ওর শ্বশুরবাড়ির লোকজন একটা বাসায় আটকে রেখেছে। দুইদিন খেতে দেয়নি, ঘরে তালা দিয়ে "
            "রেখেছে, আর আজ রাতে ওর দেবর এসে ওকে মারবে বলেছে।")
    triaged = run(text)
    assert triaged.needs_human_triage is not None and triaged.needs_human_triage.language == "bn"
    assert triaged.is_raised(DANGER) and triaged.urgency is Urgency.P1_ACT_NOW
    assert {"multilingual.confined", "multilingual.kill_or_hurt", "multilingual.now"} <= cue_kinds(triaged)


def test_a_bengali_age_in_bengali_digits_is_a_minor_cue() -> None:
    # bn: "my niece is 15 years old" (১৫ in Bengali digits); not a duration of two years
    assert [c.age for c in minor_cues(cues("আমার ভাগ্নির বয়স ১৫ বছর, ও একটা দোকানে কাজ করে।"))] == [15]
    assert not danger_cues(cues("আমি এখানে দুই বছর ধরে কাজ করি, মালিক ভালো মানুষ।"))


def test_gujarati_the_man_back_at_eight_and_it_is_half_past_seven_is_danger() -> None:
    # gu: a motel owner: a girl of about 15 in room 9; the man comes back every evening at eight, and
    # it is half past seven now
    text = ("રૂમ નંબર 9 માં એક છોકરી છે, ઉંમર લગભગ 15 વર્ષ લાગે છે. એ માણસ રોજ સાંજે આઠ વાગે પાછો આવે "
            "છે, અત્યારે સાડા સાત થયા છે.")
    triaged = run(text)
    assert triaged.needs_human_triage is not None and triaged.needs_human_triage.language == "gu"
    assert triaged.is_raised(DANGER) and triaged.is_raised(FlagName.MINOR)
    assert {"multilingual.returns_soon", "multilingual.now"} <= cue_kinds(triaged)


def test_a_punjabi_age_in_gurmukhi_is_a_minor_cue() -> None:
    # pa: "my cousin is 16 years old" (੧੬ in Gurmukhi digits)
    assert [c.age for c in minor_cues(cues("ਮੇਰੀ ਕਜ਼ਨ ੧੬ ਸਾਲ ਦੀ ਹੈ, ਉਹ ਇੱਕ ਦੁਕਾਨ ਤੇ ਕੰਮ ਕਰਦੀ ਹੈ।"))] == [16]


def test_armenian_is_read_as_armenian_and_a_husbands_threat_within_the_hour_is_danger() -> None:
    # hy: my husband beats me; he just called drunk, said "I'll come and kill you"; he'll be here in
    # half an hour. Armenian had been no language at all, and the signal was set aside.
    text = ("Խնդրում եմ, օգնեք։ Ամուսինս ինձ ծեծում է։ Հիմա զանգեց, խմած է, ասաց՝ կգամ, կսպանեմ քեզ։ "  # noqa: RUF001 (hy)
            "Կես ժամից կգա։")  # noqa: RUF001 (hy)
    triaged = run(text)
    assert triaged.needs_human_triage is not None and triaged.needs_human_triage.language == "hy"
    assert triaged.is_raised(DANGER) and triaged.urgency is Urgency.P1_ACT_NOW
    assert {"multilingual.kill_or_hurt", "multilingual.now"} <= cue_kinds(triaged)


@pytest.mark.parametrize(("text", "language"), [
    ("שלום, אני צריכה עזרה, בעלי לקח את הדרכון שלי", "he"),
    ("Γεια σας, η αδερφή μου δουλεύει χωρίς πληρωμή", "el"),
    ("ជំរាបសួរ ខ្ញុំត្រូវការជំនួយ", "km"),
    # Tibetan, whose script is named nowhere: undetermined, still a person's to read
    ("བཀྲ་ཤིས་བདེ་ལེགས། ང་ལ་རོགས་རམ་དགོས། ང་ཚོ་ཁང་པའི་ནང་ལ་བཀག་ཡོད།", "und"),
])
def test_a_script_of_a_language_triage_does_not_read_goes_to_a_person_in_its_name(
        text: str, language: str) -> None:
    triaged = run(text)
    assert triaged.needs_human_triage is not None
    assert (triaged.needs_human_triage.reason.value, triaged.needs_human_triage.language) == (
        "unassessed_language", language)
    assert triaged.urgency.rank <= Urgency.P2_SAME_DAY.rank


def test_a_vietnamese_boss_driving_her_to_another_state_tonight_is_danger() -> None:
    # vi: the boss keeps her passport; tonight at ten he drives her over to Oklahoma
    text = ("Ông chủ giữ passport của chị. Tối nay ông chủ bảo chị dọn đồ, 10 giờ ông chở chị qua Oklahoma "
            "làm ở tiệm của bạn ông ấy.")
    assert {"now", "moved_or_sold"} <= {c.kind for c in danger_cues(cues(text))}


def test_emoji_are_no_script_of_an_unread_language() -> None:
    from triage.language import written_in

    text = "my boss took my passport and he is coming back tonight please help 😭😭😭😭😭😭😭😭😭😭😭😭😭😭"
    assert written_in(text) == "en"


@pytest.mark.parametrize(("text", "age"), [
    ("मेरो भान्जी सत्र वर्षकी छ। उसलाई पसलमा काम गराउँछन्।", 17),  # Nepali: my niece is seventeen
    ("मेरी बहन सोलह साल की है।", 16),  # Hindi: my sister is sixteen
    ("Kuna msichana, umri kama miaka kumi na nne hivi, hapelekwi shule.", 14),  # Swahili: about fourteen
    ("برادرم ۱۴ ساله است و در کارواش کار می‌کند.", 14),  # Dari: my brother is 14 years old
    ("Мне 16, я из Казахстана.", 16),  # Russian: I am 16
])
def test_teen_ages_in_devanagari_swahili_persian_and_russian_in_the_first_person(text: str, age: int) -> None:
    assert age in [c.age for c in minor_cues(cues(text))]


@pytest.mark.parametrize(("text", "age"), [
    ("भाइ १६ वर्षको मात्र हो। साहुले उसको पासपोर्ट राखेको छ।", 16),  # Nepali: my brother is only 16
    ("मेरी 15 वर्षीय भतीजी एक ढाबे पर काम करती है।", 15),  # Hindi: my 15-year-old niece
])
def test_a_devanagari_age_with_its_case_ending(text: str, age: int) -> None:
    assert age in [c.age for c in minor_cues(cues(text))]
    assert run(text).is_raised(FlagName.MINOR)


def test_a_russian_me_with_a_small_number_is_no_age() -> None:
    assert minor_cues(cues("Дай мне 5 минут, я перезвоню.")) == []  # give me 5 minutes


def test_a_mongolian_woman_hiding_from_a_man_who_will_beat_her_is_danger() -> None:
    # mn: the owner took my passport; now I am hiding in the bathroom; he is outside the door; I am
    # afraid he will beat me; help
    text = ("Эзэн нь миний паспортыг авсан. Одоо би угаалгын өрөөнд нуугдаж байна. Тэр хаалганы гадаа "
            "байна. Намайг зодно гэж айж байна. Туслаач")
    assert {"now", "hiding", "kill_or_hurt"} <= {c.kind for c in danger_cues(cues(text))}
    triaged = run(text)
    assert triaged.is_raised(FlagName.IMMINENT_DANGER)
    assert triaged.needs_human_triage is not None and triaged.needs_human_triage.language == "mn"


def test_romanian_no_food_since_yesterday_and_not_let_go_are_cues() -> None:
    kinds = {c.kind for c in cues("Nu am mâncat de ieri și șeful nu ne lasă să plecăm.")}
    assert {"no_food", "confined"} <= kinds


@pytest.mark.parametrize(("text", "language"), [
    ("Сайн байна уу. Би Монголоос ирсэн, өдөр бүр массажны газарт ажилладаг.", "mn"),  # noqa: RUF001 (Cyrillic and Arabic letters)
    ("Сәлеметсіз бе, мен Қазақстаннан келдім, маған көмек керек.", "kk"),  # noqa: RUF001 (Cyrillic and Arabic letters)
    ("سلام. من از افغانستان هستم و در یک کارواش کار می‌کنم.", "fa"),
    ("السلام علیکم، میرا نام احمد ہے اور میں ایک ریسٹورنٹ میں کام کرتا ہوں۔", "ur"),  # noqa: RUF001 (Cyrillic and Arabic letters)
    ("سلام، زه په یوه رستورانت کې کار کوم او مالک مې پاسپورټ اخیستی دی.", "ps"),
    ("مرحبا، أنا أعمل في مطعم وصاحب العمل أخذ جواز سفري.", "ar"),
    ("Здравствуйте, я работаю в салоне, хозяйка забрала мой паспорт.", "ru"),
])
def test_cyrillic_and_arabic_script_languages_are_told_by_their_own_letters(text: str, language: str) -> None:
    from triage.language import written_in

    assert written_in(text) == language


@pytest.mark.parametrize("text", [
    "help me pls my boss took my passport",
    "boss took passport help",
    "white van exit 12 shell NOW",
    "im 12 hes here",
])
def test_a_few_english_words_are_english_whatever_the_detector_guesses(text: str) -> None:
    from triage.language import written_in

    assert written_in(text) == "en"


def test_a_bulgarian_mother_s_daughter_put_in_a_car_tonight_is_danger() -> None:
    # bg: a man took our passports, says we'll dance in a men's club in another town, tonight they put
    # us in a car, I can't talk
    text = ("Дъщеря ми е в Оушън Сити. Писа ми: \"Мамо, един мъж ни взе паспортите, казва че ще "  # noqa: RUF001
            "танцуваме в клуб за мъже в друг град, тази нощ ни качват в кола, не мога да говоря\". "
            "Моля ви, помогнете ѝ!")
    assert {"now", "moved_or_sold"} <= {c.kind for c in danger_cues(cues(text))}
    triaged = run(text)
    assert triaged.is_raised(FlagName.IMMINENT_DANGER)
    assert triaged.needs_human_triage is not None and triaged.needs_human_triage.language == "bg"


def test_another_town_a_week_ago_in_bulgarian_is_no_move() -> None:
    # bg: a week ago a man offered her better work in another town and took her passport; please help
    text = "Преди седмица един мъж ѝ предложил работа в друг град и взел паспорта ѝ. Моля ви, помогнете."
    assert "moved_or_sold" not in {c.kind for c in cues(text)}


def test_an_urdu_threat_to_kill_tonight_is_danger() -> None:
    # ur: the boss holds my passport; tonight he threatened that if I leave or tell the police he will kill me
    text = ("سیٹھ کے پاس میرا پاسپورٹ ہے۔ آج رات اس نے مجھے دھمکی دی کہ اگر میں "  # noqa: RUF001
            "یہاں سے گیا یا پولیس کو بتایا تو جان سے مار دے گا۔")  # noqa: RUF001 (Arabic full stop)
    assert {"now", "kill_or_hurt"} <= {c.kind for c in danger_cues(cues(text))}


def test_a_yoruba_worker_whose_employer_s_friends_come_tonight_is_danger() -> None:
    # yo: they took my passport; he said three of his friends are coming tonight; please help me leave
    text = ("Wọ́n gba ìwé ìrìnnà mi. Ó ti sọ pé àwọn ọ̀rẹ́ rẹ̀ mẹ́ta ń bọ̀ lálẹ́ yìí. Mi ò fẹ́. "
            "Ẹ jọ̀wọ́ ẹ ràn mí lọ́wọ́ kí n kúrò níbí.")
    assert {"now", "returns_soon", "help"} <= {c.kind for c in danger_cues(cues(text))}
    triaged = run(text)
    assert triaged.needs_human_triage is not None and triaged.needs_human_triage.language == "yo"


@pytest.mark.parametrize(("text", "language"), [
    ("Здравейте, дъщеря ми работи в хотел и не ѝ плащат.", "bg"),
    # Russian writes its hard sign only before the iotated vowels
    ("Здравствуйте. Сегодня вечером нас везут на другой объект в Нью-Джерси.", "ru"),
    ("Здраво, газда ми је узео пасош и не плаћа нам већ три месеца.", "sr"),  # noqa: RUF001 (Cyrillic letters)
    ("Добар ден, газдата ми го зеде пасошот, не ни плаќа веќе три месеци.", "mk"),  # noqa: RUF001 (Cyrillic letters)
    ("Dzień dobry, piszę z Krakowa, moja przyjaciółka jest w Chicago i nie może wyjść.", "pl"),
])
def test_more_languages_are_told_by_their_own_letters(text: str, language: str) -> None:
    from triage.language import written_in

    assert written_in(text) == language


def test_a_vietnamese_boy_whose_boat_heads_out_tomorrow_at_dawn_is_danger() -> None:
    # vi: he is only 16; tomorrow at 5 in the morning the boat heads out to sea for two weeks and he does
    # not want to go
    text = "Nó mới 16 tuổi thôi. Nó nói sáng mai 5 giờ ghe ra khơi đi hai tuần mà nó không muốn đi."
    assert {"now", "moved_or_sold"} <= {c.kind for c in danger_cues(cues(text))}


def test_a_burmese_age_in_burmese_digits_is_an_age() -> None:
    # my: my friend's daughter is only 16 years old
    text = "ကျွန်တော့်သူငယ်ချင်းရဲ့ သမီး အသက် ၁၆ နှစ်ပဲ ရှိပါသေးတယ်။"
    assert 16 in [c.age for c in minor_cues(cues(text))]


# ------------------------------------------------------------ Hungarian and Uzbek


@pytest.mark.parametrize(("text", "kinds"), [
    # Hungarian: help, the boss locked us in the warehouse and said they sell us tonight.
    ("Segítség, a főnök bezárt minket a raktárba és azt mondta, ma éjjel eladnak minket.",
     {"help", "confined", "now", "moved_or_sold"}),
    # Hungarian typed without accents: my sister is bleeding, they beat her, she is hiding in the bathroom.
    ("a hugom verzik, megvertek, most bujkal a furdoszobaban, kerem segitsenek",
     {"medical", "kill_or_hurt", "hiding"}),
    # Uzbek: help, the boss locked us in the storehouse, threatened us with a knife; he is at the door now.
    ("Yordam bering! Xo'jayin bizni omborga qamab qo'ydi, pichoq bilan qo'rqitdi. "
     "Hozir eshik oldida turibdi.",
     {"help", "confined", "weapon", "now"}),
    # Uzbek: they beat my brother, his head is bleeding, I am writing in secret.
    ("akamni urishdi, boshidan qon ketyapti, men yashirincha yozyapman",
     {"kill_or_hurt", "medical", "hiding"}),
])
def test_danger_now_in_hungarian_and_uzbek_is_raised(text: str, kinds: set[str]) -> None:
    assert kinds <= {c.kind for c in danger_cues(cues(text))}
    assert run(text).is_raised(DANGER)


@pytest.mark.parametrize("text", [
    # Hungarian: my sister is 25, cleans in a hotel, wants to know her rights.
    "Jó napot, a nővérem 25 éves, takarít egy szállodában, és szeretné tudni, milyen jogai vannak.",
    # Hungarian: last year they locked us in, but now we are safe.
    "Tavaly bezártak minket és megvertek, de most már biztonságban vagyunk.",
    # Uzbek: I drive in Chicago, I have a question about my pay.
    "Assalomu alaykum, men Chikagoda haydovchi bo'lib ishlayman, ish haqi haqida savolim bor.",
    # Uzbek: last year they beat us, there is no danger now.
    "O'tgan yili bizni urishdi, hozir xavf yoʻq, faqat maslahat kerak.",  # noqa: RUF001 (Uzbek's turned comma)
])
def test_ordinary_or_safe_messages_in_hungarian_and_uzbek_are_no_danger_cue(text: str) -> None:
    assert danger_cues(cues(text)) == []


@pytest.mark.parametrize(("text", "age"), [
    ("A húgom csak 16 éves, és egy idegen férfival ment el.", 16),
    ("Qizim 15 yoshda, u bilan bir erkak gaplashyapti.", 15),
])
def test_a_teen_age_in_hungarian_and_uzbek_is_a_minor_cue(text: str, age: int) -> None:
    assert [c.age for c in minor_cues(cues(text)) if c.kind == "age"] == [age]


# ------------------------------------------------------------ Albanian, Lao and Khmer; Ukrainian's "about 14"


@pytest.mark.parametrize(("text", "kinds"), [
    # Albanian: help, he beat me today and says he will kill me tonight.
    ("Ndihmë, sot më rrahu përsëri dhe tha që sonte do më vrasë", {"help", "kill_or_hurt", "now"}),
    # Albanian: they locked us in the house and will sell us.
    ("na mbyllin në shtëpi dhe thonë që na shesin", {"confined", "moved_or_sold"}),
    # Lao: help, they do not let me out, the police.
    ("ຊ່ວຍແດ່ ເຂົາບໍ່ໃຫ້ພວກເຮົາອອກ ໂທຫາຕຳຫຼວດໃຫ້ແດ່", {"help", "confined", "police"}),
    # Khmer: help me, they locked the door, tonight.
    ("ជួយខ្ញុំផង គេចាក់សោទ្វារ យប់នេះ", {"help", "confined", "now"}),
])
def test_danger_words_of_albanian_lao_and_khmer_are_cues(text: str, kinds: set[str]) -> None:
    assert kinds <= {c.kind for c in danger_cues(cues(text))}


@pytest.mark.parametrize(("text", "age"), [
    ("Сусідська дівчинка, їй років 13, працює щодня в кафе.", 13),  # Ukrainian: about 13
    ("Motra ime është 15 vjeçe dhe punon në një bar.", 15),  # Albanian
    ("ນ້ອງສາວຂ້ອຍອາຍຸ 14 ປີ", 14),  # Lao
    ("ប្អូនស្រីខ្ញុំ ១៥ ឆ្នាំ", 15),  # Khmer, in Khmer digits
])
def test_a_teen_age_in_ukrainian_albanian_lao_and_khmer_is_a_minor_cue(text: str, age: int) -> None:
    assert [c.age for c in minor_cues(cues(text)) if c.kind == "age"] == [age]


def test_an_albanian_or_lao_message_with_no_danger_is_no_danger_cue() -> None:
    assert danger_cues(cues("Përshëndetje, jam mirë, dua vetëm informacion për punën në hotel.")) == []
    assert danger_cues(cues("ສະບາຍດີ ຂ້ອຍຢາກຮູ້ກ່ຽວກັບວຽກຢູ່ອາເມລິກາ")) == []


# ------------------------------------------------------------ Burmese; Albanian's "back tonight"


@pytest.mark.parametrize(("text", "kinds"), [
    # Burmese: help; the boss locked me in the room; tonight he comes back and will beat me.
    ("ကူညီပါ။ သူဌေးက ကျွန်မကို အခန်းထဲမှာ သော့ခတ်ထားတယ်။ ဒီည ပြန်လာပြီး ရိုက်မယ်တဲ့။",
     {"help", "confined", "now", "kill_or_hurt"}),
    # Burmese: three days with nothing to eat; they do not let us leave.
    ("ကျွန်တော်တို့ ၃ ရက် စားစရာ မရှိဘူး။ ထွက်ခွင့် မပေးဘူး။", {"no_food", "confined"}),
    # Albanian: help; he comes back tonight and takes me with him.
    ("Ndihmë. Ai kthehet sonte dhe më merr me vete.", {"help", "returns_soon", "now"}),
])
def test_danger_words_of_burmese_and_albanian_are_cues(text: str, kinds: set[str]) -> None:
    assert kinds <= {c.kind for c in danger_cues(cues(text))}


@pytest.mark.parametrize(("text", "kinds"), [
    # Tigrinya: he took my papers; tonight he will take me to another city.
    ("ወረቐተይ ወሲዱ። ሎሚ ለይቲ ናብ ካልእ ከተማ ክወስደኒ እዩ።", {"now", "moved_or_sold"}),
    # Amharic: tonight they are going to take me; he says he will kill me.
    ("ዛሬ ማታ ሊወስዱኝ ነው። ሊገድለኝ እንደሚችል ተናግሯል።", {"now", "moved_or_sold", "kill_or_hurt"}),
])
def test_danger_words_of_tigrinya_and_amharic_are_cues(text: str, kinds: set[str]) -> None:
    assert kinds <= {c.kind for c in danger_cues(cues(text))}


def test_danger_now_in_burmese_is_raised() -> None:
    assert run("ကူညီပါ။ သူဌေးက ကျွန်မကို အခန်းထဲမှာ သော့ခတ်ထားတယ်။ ဒီည ပြန်လာပြီး ရိုက်မယ်တဲ့။").is_raised(DANGER)


@pytest.mark.parametrize("text", [
    # Burmese: tomorrow I will take photos at the wedding (ဓာတ်ပုံရိုက်, "take a photo"); busy now.
    "မနက်ဖြန် မင်္ဂလာဆောင်မှာ ဓာတ်ပုံရိုက်မယ်။ အခု အလုပ်များနေတယ်။",
    # Burmese: my husband beats me; now I am safe.
    "ယောက်ျားက ကျွန်မကို ရိုက်တယ်။ အခု ကျွန်မ လုံခြုံပါတယ်။",
    # Burmese: no danger right now, but he cannot leave; help.
    "သူ့ပတ်စ်ပို့ကို သိမ်းထားတယ်။ အခု ချက်ချင်း အန္တရာယ် မရှိပေမယ့် ထွက်မသွားနိုင်ဘူး။ ကူညီပေးပါ။",
])
def test_burmese_with_a_photo_taken_or_safe_now_is_no_danger_cue(text: str) -> None:
    assert danger_cues(cues(text)) == []


# ------------------------------------------------------------ Somali's "they locked", Samoan ages


def test_a_somali_room_locked_with_no_food_is_danger() -> None:
    # Somali: please help me; they locked him and other boys in a room; they have no food.
    text = "Fadlan i caawiya. Qol ayay ku xireen isaga iyo wiilal kale, cunto ma haystaan."
    assert {"help", "confined", "no_food"} <= {c.kind for c in danger_cues(cues(text))}


@pytest.mark.parametrize(("text", "age"), [
    ("O lo'u afafine e sefulu ono ona tausaga.", 16),  # Samoan: my daughter is sixteen years old
    ("O lo'u tama e 15 tausaga.", 15),
])
def test_a_teen_age_in_samoan_is_a_minor_cue(text: str, age: int) -> None:
    assert [c.age for c in minor_cues(cues(text)) if c.kind == "age"] == [age]


def test_ten_years_in_samoan_words_is_no_age() -> None:
    assert minor_cues(cues("Ua sefulu tausaga talu ona ou sau i Hawaii.")) == []


# ------------------------------------------------------------ Pashto ages, Bengali "age only"


@pytest.mark.parametrize(("text", "age"), [
    # Pashto: my nephew is 15 and works on a farm
    ("زما وراره ۱۵ کلن دی او په فارم کې کار کوي.", 15),  # noqa: RUF001 (Extended Arabic-Indic digits)
    ("زه 17 کلنه یم.", 17),  # Pashto: I am 17 (a girl)
    ("আমার ভাগ্নি, বয়স মাত্র ১৪, সারাদিন দোকানে কাজ করে।", 14),  # Bengali: my niece, age only 14
    ("ছেলেটার বয়স প্রায় ১৬ হবে।", 16),  # Bengali: the boy is about 16
    ("ছেলেটার ব\u09dfস ১৫।", 15),  # the same word typed with the precomposed letter
])
def test_a_teen_age_in_pashto_or_bengali_is_a_minor_cue(text: str, age: int) -> None:
    assert [c.age for c in minor_cues(cues(text)) if c.kind == "age"] == [age]


def test_an_adults_age_in_pashto_or_bengali_is_no_minor_cue() -> None:
    assert minor_cues(cues("زه ۲۵ کلن یم او په رستورانت کې کار کوم.")) == []  # I am 25
    assert minor_cues(cues("ওর বয়স মাত্র ২২, কিন্তু মালিক পাসপোর্ট রেখে দিয়েছে।")) == []  # only 22


# ------------------------------------------------------------ Polish "takes us to"


def test_a_polish_crew_taken_away_tomorrow_morning_is_danger() -> None:
    # The boss took our passports; tomorrow at 6 a truck takes us to another site; please help tonight.
    text = ("Szef zabrał nam paszporty. Jutro rano o 6 ciężarówka zabiera nas na inną budowę. "
            "Proszę o pomoc dzisiaj w nocy.")
    assert {"moved_or_sold", "now"} <= {c.kind for c in danger_cues(cues(text))}


def test_polish_taking_papers_or_a_child_to_school_is_no_move() -> None:
    # The boss takes our passports; today dad takes her to school, then to the doctor's. Help?
    assert danger_cues(cues("Szef zabiera nam paszporty. Dzisiaj tata zabiera ją do szkoły, potem zabierze "
                            "ją do lekarza. Pomoc?")) == []


# ------------------------------------------------------------ bleeding in Lao, Khmer and Burmese


@pytest.mark.parametrize("text", [
    "ອ້າຍຂ້ອຍເລືອດອອກຫຼາຍ ນາຍບໍ່ໃຫ້ໄປໂຮງໝໍ ຊ່ວຍແດ່ ດຽວນີ້",  # Lao: my brother is bleeding a lot; help now
    "ប្អូនខ្ញុំហូរឈាមច្រើន ជួយខ្ញុំ ឥឡូវនេះ",  # Khmer: my sibling is bleeding a lot; help me now
    "ညီလေး သွေးထွက်နေတယ်။ ကူညီပါ။",  # Burmese: my little brother is bleeding; help
])
def test_someone_bleeding_is_a_medical_cue(text: str) -> None:
    assert "medical" in {c.kind for c in danger_cues(cues(text))}


# ------------------------------------------------------------ Nepali, Urdu and Bosnian danger now


@pytest.mark.parametrize(("text", "kinds"), [
    # Nepali: the door is shut from outside, no food for two days, tomorrow morning to another state
    ("ढोका बाहिरबाट बन्द छ। दुई दिनदेखि खाना छैन। भोलि बिहान अर्को राज्य लैजान्छ।",
     {"confined", "no_food", "now"}),
    # Urdu: they lock the door at night; please help
    ("رات کو دروازہ بند کر دیتے ہیں۔ براہ مہربانی مدد کریں۔", {"confined", "help"}),  # noqa: RUF001 (Urdu stops)
    # Bosnian: tonight the boss hit him; he locked us in
    ("Večeras ga je gazda udario. Zaključao nas je u baraci.", {"kill_or_hurt", "now", "confined"}),
])
def test_danger_now_in_nepali_urdu_and_bosnian(text: str, kinds: set[str]) -> None:
    assert kinds <= {c.kind for c in danger_cues(cues(text))}


@pytest.mark.parametrize(("text", "kinds"), [
    # Polish: a co-worker's fever is very high, today he cannot get up; the boss says no doctor
    ("Kolega jest chory, gorączka bardzo wysoka, dzisiaj nie może wstać. Szef mówi, że nie ma lekarza.",
     {"medical", "now"}),
    # Polish: since yesterday dad has chest pain; he is alone now
    ("Od wczoraj tata ma silny ból w klatce piersiowej. Jest teraz sam w baraku.", {"medical", "now"}),
    # Pashto: her husband has locked the door; tonight he will give her to a man for money
    ("میړه یې دروازه تړلې ده. نن شپه به یې یو سړي ته ورکړي.", {"confined", "now"}),
])
def test_a_fever_told_the_other_way_round_and_a_pashto_lock_tonight(text: str, kinds: set[str]) -> None:
    assert kinds <= {c.kind for c in danger_cues(cues(text))}


def test_a_bosnian_conclusion_is_no_lock() -> None:
    # Bosnian: the conclusion of the meeting tonight: we need more volunteers.
    assert danger_cues(cues("Zaključak sastanka večeras: trebamo više volontera.")) == []


# ------------------------------------------------------------ Persian (Farsi and Dari)


def test_danger_now_in_persian_is_raised() -> None:
    # The owner beat me tonight and said he will kill me; I am hiding now; help.
    text = "امشب صاحب کار مرا کتک زد و گفت مرا می کشد. الان قایم شده ام. کمک کنید"
    assert {"kill_or_hurt", "now", "hiding"} <= {c.kind for c in danger_cues(cues(text))}
    assert run(text).is_raised(DANGER)


def test_persian_that_says_no_one_beats_anyone_is_no_danger_cue() -> None:
    # My husband took my passport. He does not beat me. I am home now.
    assert danger_cues(cues("شوهرم پاسپورتم را گرفته. کتکم نمی‌زند. الان خانه هستم")) == []


# ------------------------------------------------------------ Tigrinya, Urdu, Bengali, Turkish, Japanese


@pytest.mark.parametrize(("text", "kinds"), [
    # Tigrinya: they have locked us in a room; tonight they will sell us
    ("ኣብ ክፍሊ ዓጺዮምና ኣለዉ። ሎሚ ለይቲ ክሸጡና እዮም።", {"confined", "now", "moved_or_sold"}),
    # Urdu: the owner beat me, I am hiding in the store room
    ("مالک نے مجھے مارا، میں اسٹور روم میں چھپا ہوا ہوں", {"kill_or_hurt", "hiding"}),
    # Urdu: my cousin is shut in a room at the farm, tonight they move him
    ("میرا کزن فارم پر ایک کمرے میں بند ہے، آج رات اسے لے جائیں گے", {"confined", "now"}),
    # Bengali: we are locked in the house; one of us has a very high fever
    ("আমরা ঘরে তালাবদ্ধ। একজনের খুব জ্বর, ডাক্তার নাই।", {"confined", "medical"}),
    # Bengali: I am hiding in the kitchen, he beats us
    ("আমি রান্নাঘরে লুকিয়ে আছি, সে আমাদের মারধর করে", {"hiding", "kill_or_hurt"}),
    # Turkish: two girls fly out with the man tomorrow evening
    ("iki kız yarın akşam adamla Vegas'a uçacaklar", {"now", "moved_or_sold"}),  # noqa: RUF001
    # Turkish: my brother is bleeding, now he fainted, the boss will not take him to hospital
    ("abim kanıyor, şimdi bayıldı, patron hastaneye götürmüyor", {"medical", "now"}),  # noqa: RUF001
    # Japanese: help, he is in the next room
    ("助けて。彼が隣の部屋にいる", {"help", "returns_soon"}),
    # Japanese: my friend has a high fever and is not conscious
    ("友達が高熱で意識がない。助けてください", {"medical", "help"}),
])
def test_danger_now_in_tigrinya_urdu_bengali_turkish_and_japanese(text: str, kinds: set[str]) -> None:
    assert kinds <= {c.kind for c in cues(text)}
    assert danger_cues(cues(text))


@pytest.mark.parametrize("text", [
    # Urdu: our house is far, I wanted to ask about the children's school ("ہمارا", our, holds "مارا")
    "ہمارا گھر بہت دور ہے، بچوں کے اسکول کا پوچھنا تھا",
    # Turkish: we fly to Istanbul tomorrow evening, we need information for the holiday
    "yarın akşam İstanbul'a uçuyoruz, tatil için bilgi lazım",  # noqa: RUF001
])
def test_ordinary_words_around_those_cues_are_no_danger(text: str) -> None:
    assert danger_cues(cues(text)) == []


@pytest.mark.parametrize(("text", "age"), [
    ("၁၄ နှစ်အရွယ် ကောင်မလေး", 14),  # Burmese: a girl of fourteen years
    ("ညီမလေးက ၁၆နှစ်သမီး", 16),  # Burmese: little sister, a girl of sixteen
    ("ዕድመኣ 15 እዩ", 15),  # Tigrinya: her age is 15
    ("ዕድሜዋ 14 ነው", 14),  # Amharic: her age is 14
])
def test_burmese_tigrinya_and_amharic_ages_are_minor_cues(text: str, age: int) -> None:
    assert [c.age for c in minor_cues(cues(text))] == [age]


def test_a_punjabi_lock_and_a_beating_to_come_are_danger() -> None:
    # Punjabi: the owner locked the room, he says he will beat me tomorrow
    text = "ਮਾਲਕ ਨੇ ਕਮਰੇ ਨੂੰ ਤਾਲਾ ਲਾ ਦਿੱਤਾ, ਕਹਿੰਦਾ ਕੱਲ੍ਹ ਮਾਰੇਗਾ"
    assert {"confined", "kill_or_hurt"} <= {c.kind for c in danger_cues(cues(text))}


def test_a_chinese_teenager_is_a_minor_cue() -> None:
    # Chinese: there is a worker in his teens at the shop who does not go to school
    assert [c.kind for c in minor_cues(cues("店里有个十几岁的员工，不上学"))] == ["school"]  # noqa: RUF001


@pytest.mark.parametrize(("text", "age"), [
    ("Ọmọbìnrin náà, ọmọ ọdún mẹ́tàdínlógún, ń ṣiṣẹ́ ilé", 17),  # Yoruba with its marks: seventeen years
    ("omo odun merinla ni, won ko je ko lo si ile-iwe", 14),  # Yoruba typed plain: fourteen years
    ("دو لڑکیاں جو سولہ سترہ سال کی لگتی ہیں", 16),  # Urdu: two girls who look sixteen, seventeen
])
def test_yoruba_and_urdu_teen_ages_in_words_are_ages(text: str, age: int) -> None:
    assert [c.age for c in minor_cues(cues(text))] == [age]


@pytest.mark.parametrize("text", [
    "میں پندرہ سال سے یہاں کام کرتا ہوں",  # Urdu: I have worked here for fifteen years
    "بارہ سال پہلے میں یہاں آیا",  # Urdu: I came here twelve years ago
])
def test_urdu_years_of_work_or_ago_are_no_age(text: str) -> None:
    assert minor_cues(cues(text)) == []


def test_an_indonesian_junior_high_pupil_is_a_minor_cue() -> None:
    # Indonesian: two girls, they look like junior high, one in a school uniform
    text = "dua cewek, kayaknya masih SMP, satu pakai seragam sekolah"
    assert {c.kind for c in minor_cues(cues(text))} == {"school"}


@pytest.mark.parametrize(("text", "kinds"), [
    # Bengali: locked in from outside, no water, one of us struggles to breathe
    ("বাইরে থেকে তালা দিয়ে গেছে, পানি নেই, একজনের শ্বাস নিতে কষ্ট হচ্ছে",
     {"confined", "no_food", "medical"}),
    # Igbo: help me, they locked me in, tonight he will carry me off to another state
    ("Biko nyere m aka. Ha kpọchiri m n'ime ụlọ. O kwuru na ọ ga-ebuga m steeti ọzọ n'abalị a.",
     {"help", "confined", "moved_or_sold", "now"}),
])
def test_bengali_and_igbo_danger_now(text: str, kinds: set[str]) -> None:
    assert kinds <= {c.kind for c in danger_cues(cues(text))}


@pytest.mark.parametrize(("text", "kinds"), [
    # Japanese: I am calling from the toilet now; the owner comes back at 10
    ("今トイレから電話しています。オーナーは10時に戻ってきます。", {"hiding", "returns_soon"}),
    # Oromo: this evening he beat me; I have hidden; tonight he will kill me
    ("Har'a galgala na rukute. Dhokadheera. Halkan kana na ajjeesa jedhe.",
     {"kill_or_hurt", "hiding", "now"}),
])
def test_japanese_and_oromo_danger_now(text: str, kinds: set[str]) -> None:
    assert kinds <= {c.kind for c in danger_cues(cues(text))}


@pytest.mark.parametrize(("text", "kinds"), [
    # Tamil: they beat me, they have locked me in a room; help
    ("அவர்கள் என்னை அடித்தார்கள், ஒரு அறையில் பூட்டி வைத்திருக்கிறார்கள். உதவி செய்யுங்கள்",
     {"kill_or_hurt", "confined", "help"}),
    # Tigrinya: tonight he will take her to another city
    ("ሎሚ ምሸት ናብ ካልእ ከተማ ክወስዳ እዩ", {"now", "moved_or_sold"}),
])
def test_tamil_and_tigrinya_danger_now(text: str, kinds: set[str]) -> None:
    assert kinds <= {c.kind for c in danger_cues(cues(text))}


def test_a_burmese_age_in_brackets_is_an_age_and_a_duration_is_not() -> None:
    assert [c.age for c in minor_cues(cues("ကျွန်မ သမီး (၁၅ နှစ်) ကို"))] == [15]  # my daughter (15 years)
    assert minor_cues(cues("ဒီမှာ ၁၅ နှစ် အလုပ်လုပ်ခဲ့တယ်")) == []  # worked here 15 years


@pytest.mark.parametrize(("text", "kinds"), [
    # Nepali: they locked the door from outside; the food ran out, I have not eaten for two days
    ("जाँदा ढोका बाहिरबाट ताल्चा लगाएर गए। घरमा खाना सकियो, म दुई दिनदेखि खाएको छैन।", {"confined", "no_food"}),
    # Nepali: my friend has a high fever, almost unconscious; the boss won't let him go to hospital, saying
    # the police will catch him
    ("साथीलाई धेरै ज्वरो छ, बेहोस जस्तो छ। पुलिसले समात्छ भनेर साहुजीले अस्पताल जान दिँदैन।",
     {"medical", "police"}),
])
def test_nepali_danger_now(text: str, kinds: set[str]) -> None:
    assert kinds <= {c.kind for c in danger_cues(cues(text))}


def test_burmese_locked_in_from_outside_with_nothing_to_eat() -> None:
    # they locked it from outside and went; there is nothing to eat any more, only water
    text = "အပြင်ကနေ သော့ခတ်သွားတယ်\nစားစရာ ဘာမှမရှိတော့ဘူး ရေပဲရှိတယ်"
    assert {"confined", "no_food"} <= {c.kind for c in danger_cues(cues(text))}


def test_a_burmese_age_that_is_still_so_is_an_age() -> None:
    # one of them is only seventeen still
    assert [c.age for c in minor_cues(cues("တစ်ယောက်က ၁၇ နှစ်ပဲ ရှိသေးတယ်"))] == [17]
    assert minor_cues(cues("ဒီမှာ ၁၇ နှစ် ရှိပြီ")) == []  # (has been here) seventeen years already
