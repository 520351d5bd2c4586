"""A school year in a language the rules do not read ("8वीं कक्षा", "上高一", "в 10 класі") stands after
the model, as a year of birth does; in English and Spanish the rules' own grades are the model's input."""

from __future__ import annotations

import pytest

from contracts.events import FlagName
from tests.builders import T0, received
from tests.triage_support import minor_deaf_model
from triage.extract import extract
from triage.features import extracted_features
from triage.rules import assess
from triage.school_years import school_years
from triage.text import Scan

pytestmark = pytest.mark.unit


def read(text: str) -> list[str]:
    return [h.text for h in school_years(Scan.of(received(narrative=text)))]



@pytest.mark.parametrize(("text", "span"), [
    ("मेरे भाई का बेटा, जो इस साल 8वीं कक्षा में होना चाहिए था, एक मोटल में काम करता है।", "8वीं कक्षा"),
    ("请帮帮我。我刚上高一，跟我妈一起住在老板的店楼上。", "上高一"),  # noqa: RUF001 (Chinese comma)
    ("我表妹今年读初二，晚上在店里帮忙。", "读初二"),  # noqa: RUF001 (Chinese comma)
    ("她是五年级的学生，每天在餐馆洗碗。", "五年级"),  # noqa: RUF001 (Chinese comma)
    ("رأيتها تقرأ في كتاب الصف السادس وخبأته بسرعة.", "الصف السادس"),
    ("Я зараз мала б бути в 10 класі, але не ходжу до школи.", "в 10 класі"),  # noqa: RUF001 (Ukrainian)
    ("Ang anak ng kapitbahay, dapat nasa Grade 8 pa lang, ay nasa bangka.", "Grade 8"),
    ("Ma fille Aya est en quatrième, nous l'avons envoyée chez un oncle.", "en quatrième"),
    ("Sou técnico do time de futsal sub-15 aqui do bairro.", "sub-15"),
    ("Моя сестра в девятом классе. Ей купили билет на завтра.", "в девятом классе"),
    ("D'après son âge elle devrait être en seconde, mais elle ne va pas à l'école.", "être en seconde"),
    ("Une élève de 8e année, arrivée du Cameroun l'an dernier, s'endort en classe.", "8e année"),
    ("Minha sobrinha ainda está no oitavo ano e trabalha de babá.", "oitavo ano"),
    ("वह आठवीं कक्षा में है और दुकान पर काम करती है।", "आठवीं कक्षा"),
    ("دخترم کلاس هشتم است و شب‌ها در رستوران کار می‌کند.", "کلاس هشتم"),  # noqa: RUF001 (Farsi)
    ("Adik saya masih kelas 8 tapi disuruh kerja di restoran.", "kelas 8"),
    ("Ma nièce était en classe de troisième quand on l'a emmenée ici.", "en classe de troisième"),
    ("Mon fils est en 4ème et il travaille la nuit au restaurant.", "en 4ème"),
    ("Normalement je suis en seconde mais je ne vais pas à l'école.", "suis en seconde"),
    ("Дівчина, яка цієї весни закінчила 9 клас, прибирає будинки без грошей.", "9 клас"),
    ("Она ученица 8-го класса, а работает в кафе по ночам.", "8-го класса"),  # noqa: RUF001
    ("ሓፍተይ ኣብ ዓዲ ክፍሊ ሻምናይ ትመሃር ነይራ፣ ሕጂ ኣብዚ ትሰርሕ ኣላ።", "ክፍሊ ሻምናይ"),  # Tigrinya: grade eight
    ("እህቴ ስምንተኛ ክፍል ነበረች፣ አሁን እዚህ ትሰራለች።", "ስምንተኛ ክፍል"),  # Amharic: eighth grade
    # Dari: my nephew is still in class eleven and works nights in a restaurant
    ("برادرزاده‌ام هنوز صنف یازده است و شب‌ها در رستوران کار می‌کند.", "صنف یازده"),  # noqa: RUF001 (Dari)
    # Somali: the neighbours' boy, who is in the ninth class, works on the farm
    ("Wiil deriskayaga ah oo dhigata fasalka 9aad ayaa beerta ka shaqeeya.", "dhigata fasalka 9aad"),
    ("আমার ভাগ্নি ক্লাস এইটে পড়ে, এখন দোকানে কাজ করে।", "ক্লাস এইটে পড়ে"),  # Bengali: studies in class eight
    ("ভাইপো অষ্টম শ্রেণীতে পড\u09bcত।", "অষ্টম শ্রেণীতে পড\u09bcত"),  # was in the eighth class
    ("ভাইপো অষ্টম শ্রেণীতে প\u09dcত।", "অষ্টম শ্রেণীতে প\u09dcত"),  # the same, its letter as one character
    ("ကျွန်မ တူမလေးက ရှစ်တန်း ကျောင်းသူပါ။", "ရှစ်တန်း"),  # Burmese: my niece is an eighth-standard pupil
    ("Cháu tôi đang học lớp 9 mà phải đi làm ở tiệm nail.", "đang học lớp 9"),  # Vietnamese: is in year 9
    ("ጓል ሓፍተይ 8ይ ክፍሊ ትመሃር ነይራ።", "8ይ ክፍሊ"),  # Tigrinya: my niece was in the eighth class
    ("Gabar deriskeena ah oo dhigata fasalka toddobaad ayaa hoteel lagu geeyaa.",  # Somali: the seventh class
     "dhigata fasalka toddobaad"),
    ("زما ورور لسم ټولګي کې دی.", "لسم ټولګي"),  # Pashto: my brother is in the tenth class
    # Albanian: my niece still goes to high school, in its first year
    ("Mbesa ime ende shkon në shkollë të mesme, në vitin e parë.", "shkon në shkollë të mesme"),
    # Dari: my son, who is fifteen years old, works at the car wash
    ("پسرم که پانزده ساله است در کارواش کار می کند.", "پانزده ساله"),
    # Russian: by her age she should go into the seventh class
    ("По возрасту она должна ходить в седьмой класс, но её не водят в школу.", "в седьмой класс"),
    # French: she should be at high school, but the aunt has her braid hair all day
    ("Elle devrait être au lycée mais la tante la fait travailler au salon.", "devrait être au lycée"),
    # Vietnamese: I had just finished year 9 in Vietnam when I came over
    ("em mới học xong lớp 9 bên VN là qua đây", "mới học xong lớp 9"),
    ("ਪਿੰਡ ਵਿੱਚ ਉਹ ਅੱਠਵੀਂ ਜਮਾਤ ਵਿੱਚ ਪੜ੍ਹਦਾ ਸੀ", "ਅੱਠਵੀਂ ਜਮਾਤ"),  # Punjabi: in the village he was in the eighth class
    # Vietnamese: my cousin is only seventeen; Farsi in digits: one of them said she is sixteen
    ("em họ của tôi, nó mới mười bảy tuổi, làm ở tiệm nail", "mười bảy tuổi"),
    ("یکی‌شون گفت ۱۶ سالشه", "۱۶ سالشه"),
    # Hindi: he was to sit the tenth-class board exams this year
    ("उसे इसी साल दसवीं की बोर्ड परीक्षा देनी थी।", "दसवीं की बोर्ड परीक्षा देनी"),
])
def test_a_school_year_in_another_language(text: str, span: str) -> None:
    assert read(text) == [span]


@pytest.mark.parametrize("text", [
    "价格提高一点就好了。",  # "raise the price a little": 高一 inside another word
    "他是大一学生，二十岁。",  # noqa: RUF001 (a college year, twenty years old)
    "这家公司成立十五年级别很高。",  # fifteen years, then "level": not a grade
    "O time sub-20 joga amanhã.",  # an under-20 team: adults
    "Il faut passer en seconde vitesse avant le virage.",  # a car's second gear
    "হ্যালো, আমি ক্লাস টেনে পড়ি। স্কুলের প্রজেক্টের জন্য তথ্য দরকার।",  # a student's own project question
    "कक्षा 2 के बच्चों के लिए किताबें चाहिए।",  # grade two: a small child, the rest decides
    "Вона закінчила 9 класів і працює на фермі.",  # noqa: RUF001 (nine years of schooling: an adult's)
    "Il est arrivé en 3e position au marathon.",  # a race, not a school year
    "Waxaan dhigtaa fasalka 10aad, waxaan u baahanahay macluumaad mashruuc.",  # a student's own: "I study"
    "ကျွန်တော် ဆယ်တန်းအောင်ပြီး မြို့ကို ပြောင်းလာတာပါ။",  # passed the tenth-standard exam: an adult's
    "Tôi dạy lớp 10 ở trường cấp ba.",  # Vietnamese: I teach year 10
    "امروز صنف نانوایان جلسه دارد.",  # Farsi: the bakers' guild meets today
    "Elle est en 3e année de licence à Lyon.",  # a university year
    "Kam mbaruar shkollën e mesme në Tiranë.",  # Albanian: I finished high school in Tirana
    "بعضی از دخترها چهارده ساله بودند.",  # Farsi: some of the girls were fourteen (of the past)
    "Tôi chỉ học hết lớp 9 rồi đi làm.",  # Vietnamese: I only went to school to year 9 (an adult's schooling)
    "मैंने दसवीं की परीक्षा पास की थी।",  # Hindi: I passed the tenth-class exams
    "Hồi mười lăm tuổi tôi đã phải đi làm.",  # Vietnamese: back when I was fifteen I had to work
    "۲۵ سالمه و تو رستوران کار می‌کنم",  # Farsi: I am twenty-five and work in a restaurant
    "Il a enseigné au lycée pendant vingt ans.",  # French: he taught at a high school for twenty years
])
def test_what_is_no_school_year_of_a_teen(text: str) -> None:
    assert read(text) == []


def test_read_only_where_the_rules_cannot_read() -> None:
    """In English or Spanish the same words are the rules' to read, and they feed the model."""
    english = extract(received(narrative="She should be in Grade 8 but works the fishing boat all night."))
    assert english.school_years == ()
    ukrainian = extract(received(narrative="Я зараз мала б бути в 10 класі, але працюю на кухні без грошей."))  # noqa: RUF001
    assert [e.matched_text for e in ukrainian.school_years] == ["в 10 класі"]


@pytest.mark.parametrize("text", [
    "नमस्ते। मेरे चचेरे भाई का बेटा, जो इस साल 8वीं कक्षा में होना चाहिए था, एक मोटल में काम कर रहा है। "
    "वो सुबह से रात तक कमरे साफ करता है, स्कूल नहीं जाता, पैसे नहीं मिलते।",
    "Привіт. Я зараз мала б бути в 10 класі, але не ходжу до школи. Тітка каже, що я мушу працювати "  # noqa: RUF001
    "у її знайомого в ресторані на кухні без грошей.",  # noqa: RUF001 (Ukrainian letters)
])
def test_a_school_year_raises_the_minor_flag_whatever_the_model_says(text: str) -> None:
    triaged = assess(received(narrative=text), now=T0, model=minor_deaf_model())
    minor = next(f for f in triaged.flags if f.name is FlagName.MINOR)
    assert minor.raised
    assert "multilingual.school_year" in [e.rule_id for e in minor.evidence]


def test_the_model_does_not_read_these_school_years() -> None:
    """Its inputs are the same with or without the rule, so the fitted model needs no refit for it."""
    signal = received(narrative="请帮帮我。我刚上高一，跟我妈一起住在老板的店楼上。")  # noqa: RUF001
    extraction = extract(signal)
    assert extraction.school_years
    assert not any("school_year" in name for name in extracted_features(signal, extraction.found))
