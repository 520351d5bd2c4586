"""Cue words for a child or for danger now in languages the rules do not read, from general knowledge of each.

The rules read English and Spanish. A hotline also hears French, Haitian Creole, Portuguese,
Vietnamese, Chinese, Korean, Tagalog, Russian, Ukrainian, Arabic, Hindi, Thai, Polish, Romanian,
Indonesian, Swahili, Amharic, German, Italian, Japanese, Nepali, Punjabi, Somali, Turkish,
Hungarian, Uzbek, Albanian, Lao, Khmer and Persian (Farsi and Dari);
Russian and Ukrainian also in the Latin letters people type them in on phones without a Cyrillic
keyboard ("pomogite", "segodnya nochyu"). These lists are no translation: they
catch the words a supervisor with no interpreter would still want flagged (an age under 18, a
school year, a weapon, a threat to kill, locked in, someone badly ill, the one in control back
within hours, the police, "tonight", "help") so that such a signal is raised to a person at once
and read with an interpreter. A bare word for a child is evidence the model weighs: on its own it
was far more often the employer's children or the reporter's own than a child at risk. Every hit
is evidence with its span.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from triage.multilingual_danger import DANGER

_I = re.IGNORECASE

# An age: digits (Western, Arabic-Indic, Devanagari, Bengali, Gurmukhi, Gujarati, Thai, Lao, Burmese or
# Khmer) next to the word for "years (old)" in each language.
_DIGITS: Final = (r"[0-9\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\u09e6-\u09ef\u0a66-\u0a6f\u0ae6-\u0aef"
                  r"\u0e50-\u0e59\u0ed0-\u0ed9\u1040-\u1049\u17e0-\u17e9]{1,2}")
_AGE_AFTER: Final = (
    r"ans|an|lane|ane|anos|tuổi|tuoi|岁|歲|才|歳|살|세|taong gulang|taon|anyos|лет|года|год|років|роки|рік|"
    r"سنة|سنوات|عاما|عامًا|عام|साल|वर्ष|ปี|lat|lata|ani|tahun|ዓመት|አመት|jahre|jahren|jährig|jährige|anni|"
    r"yaş|yaşında|yas|yasinda|yasında|yaşinda|"
    r"let|goda|rokiv|roky|"  # ru, uk in Latin letters
    r"saal|sal|sala|baras|"  # hi, ur (and fa) in Latin letters; ko "살" romanised
    r"barsa|barsha|barsako|barshako|"  # ne
    r"वर्षको|वर्षकी|वर्षका|बर्षको|बर्षकी|बर्षका|"  # ne: "१६ वर्षको" (of 16 years)
    r"sana|sanawat|snin|"  # ar in Latin letters (Arabizi)
    r"jir(?:ka|ta)?|sano|tausaga|"  # so; sm ("16 tausaga")
    r"xyoo|"  # hmn
    r"বছর|বছরের|"  # bn
    r"વર્ષ|વર્ષની|વર્ષનો|ਸਾਲ|ਸਾਲਾਂ|"  # gu, pa
    r"տարեկան|"  # hy
    r"[eé]ves|[eé]vesen|[eé]vesek|yosh|yoshda|yoshli|yoshlik|"  # hu, uz
    r"vje[cç]e?|vjet|ປີ|ឆ្នាំ|"  # sq, lo, km
    r"ساله|سالہ|"  # fa, prs, ur: "۱۴ ساله", fourteen-year-old
    r"کلن|کلنه|کلنۍ|کاله"  # ps: "۱۶ کلن یم", I am sixteen
)
_AGE_BEFORE: Final = (r"miaka|umri wa miaka|อายุ|umur|usia|tuổi|возраст|вік|عمرها|عمره|عمر|उम्र|ઉંમર|ਉਮਰ|ال|"
                      r"ব(?:য়|\u09df)স|"  # bn, its ya with the nukta as two letters or one
                      # Russian's age in the dative: "Моей дочери 17", "ей 16" (uk "доньці 15")
                      r"дочери|дочке|сыну|сестре|брату|племяннице|племяннику|внучке|внуку|ей|ему|"
                      r"доньці|сину|сестрі|братові|їй|йому|docheri|dochke|synu|sestre|bratu|"
                      r"мне|мені|"  # "Мне 16", I am 16
                      r"أعمارهم|اعمارهم|أعمارهن|اعمارهن|عمرهم|عمرهن|"  # ar: their ages
                      # Arabizi, hi/ur in Latin letters, so ("waxay jirtaa 17 sano")
                      r"3omr\w*|3umr\w*|umar|umr|da'?d\w* (?:waa|ayaa)|jirtaa|jira|"
                      r"အသက်|"  # my: age, before its number
                      r"ዕድመይ|ዕድመኣ|ዕድመኡ|ዕድሜዋ|ዕድሜው|ዕድሜዬ")  # ti, am: my (her, his) age
_AGE: Final = re.compile(
    rf"(?P<n>{_DIGITS})\s*-?\s*(?:{_AGE_AFTER})(?![^\W\d_])|"
    # Korean, Chinese and Burmese write the next word on: "17살인데", "15岁的"
    rf"(?P<k>{_DIGITS})\s*(?:살|세|岁|歲|歳|"
    # and Burmese: "၁၅ နှစ်အရွယ်" (of fifteen years), "၁၆ နှစ်သမီး" (a girl of sixteen)
    r"နှစ်အရွယ်|နှစ်သား|နှစ်သမီး|နှစ်(?=\s*\))|"  # or "(၁၆ နှစ်)", an age in brackets
    r"နှစ်(?=\s*(?:ပဲ|သာ)?\s*ရှိသေး))|"  # or "၁၇ နှစ်ပဲ ရှိသေးတယ်", is only seventeen still
    # Vietnamese as texted: "e 16t", "con 14t" (em, con ... tuổi)
    rf"(?<![^\W\d_])(?:e|em|con|chau|cháu|be|bé|no|nó)\s+(?P<v>\d{{1,2}})\s?t(?![^\W\d_])|"
    # ("อายุประมาณ 16", "возраст примерно 15": about)
    rf"(?<![^\W\d_])(?:{_AGE_BEFORE})\s*:?\s*(?:ประมาณ|ราวๆ|ราว|примерно|около|sekitar|kira-kira|khoảng|"
    rf"chừng|takriban|মাত্র|প্রা(?:য়|\u09df))?\s*(?P<m>{_DIGITS})(?!\d)|"  # bn "বয়স মাত্র ১৬", age only 16
    # Russian's "about fifteen" puts the word first: "ей на вид лет 14-15", "девочке лет 15"; Ukrainian
    # the same ("їй років 14")
    rf"(?<![^\W\d_])(?:лет|років)\s+(?P<r>{_DIGITS})(?!\d)(?!\s*(?:назад|тому))|"
    # Thai writes no space before it: "เด็กผู้ชายอายุประมาณ 16"
    rf"อายุ\s*(?:ประมาณ|ราวๆ|ราว)?\s*(?P<t>{_DIGITS})(?!\d)", _I)
# Chinese and Japanese numerals for the teens, with 岁/歲/才/歳: 十三岁, 十五歲.
# Not the end of a larger number: "三十一岁" is 31 and "二十岁" 20, not 1 and 10.
_CJK_TEEN: Final = re.compile(r"(?<![一二三四五六七八九十两兩百0-9])"
                              r"(?:十[一二三四五六七]|[一二三四五六七八九]|十)(?:岁|歲|才|歳)")
# Teen ages in words as Hindi, Urdu, Farsi and Dari speakers type them: "solah saal", "hafda sala".
_WORD_TEENS: Final = {
    "gyarah": 11, "gyara": 11, "barah": 12, "bara": 12, "terah": 13, "tera": 13, "chaudah": 14,
    "chaudha": 14, "chauda": 14, "pandrah": 15, "pandra": 15, "solah": 16, "sola": 16, "satrah": 17,
    "satra": 17, "yazdah": 11, "yazda": 11, "davazdah": 12, "duwazda": 12, "dawazda": 12, "sizdah": 13,
    "sizda": 13, "chahardah": 14, "chaharda": 14, "charda": 14, "panzdah": 15, "panzda": 15,
    "shanzdah": 16, "shanzda": 16, "shonzda": 16, "hefdah": 17, "hefda": 17, "hafdah": 17, "hafda": 17,
}
_WORD_TEEN: Final = re.compile(
    r"\b(?P<w>" + "|".join(sorted(_WORD_TEENS, key=len, reverse=True)) + r")\s*-?\s*"
    r"(?:saal|sal|sala|salah|sale|baras|baras|varsh)(?![^\W\d_])", _I)
# Arabic teen ages in words, in the dialects' short forms ("أربعطعش", "خمستعش") and in full ("أربعة
# عشر"), after "her/his age" or before "year(s)".
_AR_TEENS: Final = {
    "احدعش": 11, "اطنعش": 12, "اتنعش": 12, "ثلطعش": 13, "ثلاثطعش": 13, "تلتعش": 13, "أربعطعش": 14,
    "اربعطعش": 14, "اربعتعش": 14, "خمسطعش": 15, "خمستعش": 15, "ستطعش": 16, "سطعش": 16, "ستعش": 16,
    "سبعطعش": 17, "سبعتعش": 17,
    "أحد عشر": 11, "احدى عشرة": 11, "اثنا عشر": 12, "اثنتا عشرة": 12, "ثلاثة عشر": 13, "ثلاث عشرة": 13,
    "أربعة عشر": 14, "اربعة عشر": 14, "أربع عشرة": 14, "اربع عشرة": 14, "خمسة عشر": 15, "خمس عشرة": 15,
    "ستة عشر": 16, "ست عشرة": 16, "سبعة عشر": 17, "سبع عشرة": 17,
}
_AR_TEEN: Final = re.compile(
    r"(?:(?:عمرها|عمره|عمري|العمر)\s+(?P<a>" + "|".join(sorted(_AR_TEENS, key=len, reverse=True)) + r")|"
    r"(?P<b>" + "|".join(sorted(_AR_TEENS, key=len, reverse=True)) + r")\s+(?:سنة|سنه|عاما|عامًا|عام|سنين))"
    r"(?![\u0621-\u064a])")
_SLAVIC_TEENS: Final = {
    "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16, "семнадцать": 17,
    "тринадцять": 13, "чотирнадцять": 14, "п'ятнадцять": 15, "п’ятнадцять": 15, "шістнадцять": 16,
    "сімнадцять": 17,
    # Bosnian, Croatian, Serbian and Polish, Czech in Latin letters ("petnaest, šesnaest godina")
    "trinaest": 13, "četrnaest": 14, "cetrnaest": 14, "petnaest": 15, "šesnaest": 16, "sesnaest": 16,
    "sedamnaest": 17, "trzynaście": 13, "czternaście": 14, "piętnaście": 15, "pietnascie": 15,
    "szesnaście": 16, "szesnascie": 16, "siedemnaście": 17, "siedemnascie": 17, "patnáct": 15,
    "šestnáct": 16, "sedmnáct": 17,
}
_SLAVIC_TEEN: Final = re.compile(
    r"(?:\b(?:ей|ему|їй|йому|исполнилось|виповнилось)\s+(?:уже\s+|всего\s+|только\s+|лише\s+|вже\s+)?"
    r"(?P<a>" + "|".join(_SLAVIC_TEENS) + r")|"
    # not a while ago or for how long: "prije petnaest godina", "пятнадцать лет назад"
    r"(?<!prije )(?<!pre )(?<!przed )(?<!od )(?<!za )(?<!před )(?<!через )"
    r"(?P<b>" + "|".join(_SLAVIC_TEENS) + r")\s+(?:лет|год|років|рік|godina|godine|god|lat|let))"
    r"(?!\w)(?!\s+(?:temu|unazad|ranije|nazad|назад|тому|zpátky|radi|radim|pracuj\w*)\b)", re.IGNORECASE)
# Hindi and Nepali teen ages in words, in Devanagari ("सत्र वर्षकी", seventeen years old).
_DEVANAGARI_TEENS: Final = {
    "ग्यारह": 11, "बारह": 12, "तेरह": 13, "चौदह": 14, "पंद्रह": 15, "पन्द्रह": 15, "सोलह": 16, "सत्रह": 17,  # hi
    "एघार": 11, "बाह्र": 12, "तेह्र": 13, "चौध": 14, "पन्ध्र": 15, "सोह्र": 16, "सत्र": 17,  # ne
}
_DEVANAGARI_TEEN: Final = re.compile(
    r"(?<![\u0900-\u097f])(?P<w>" + "|".join(sorted(_DEVANAGARI_TEENS, key=len, reverse=True)) + r")"
    r"\s*(?:वर्ष|बर्ष|साल)")
# Swahili teen ages: "miaka kumi na nne" (years ten and four), "umri wa miaka kumi na tano".
_SW_TEENS: Final = {"moja": 11, "mbili": 12, "tatu": 13, "nne": 14, "tano": 15, "sita": 16, "saba": 17}
_SW_TEEN: Final = re.compile(
    r"\bmiaka\s+(?:kama\s+|karibu\s+|hivi\s+)?kumi\s+na\s+(?P<w>" + "|".join(_SW_TEENS) + r")\b", _I)
# Samoan: "e sefulu ono ona tausaga" (ten-six years of age), "sefulu ma le lima tausaga".
_SM_TEENS: Final = {"tolu": 13, "fa": 14, "lima": 15, "ono": 16, "fitu": 17}
_SM_TEEN: Final = re.compile(
    r"\bsefulu\s+(?:ma\s+le\s+|ma\s+)?(?P<w>" + "|".join(_SM_TEENS) + r")\s+(?:ona\s+)?tausaga\b", _I)
# Yoruba teen ages, with or without tone marks and underdots: "ọmọ ọdún mẹ́rìndínlógún", typed "omo odun
# merindinlogun" (a child of sixteen years).
_YO_TEENS: Final = {"mokanla": 11, "mejila": 12, "metala": 13, "merinla": 14, "meedogun": 15, "medogun": 15,
                    "merindinlogun": 16, "metadinlogun": 17}
_YO_LETTERS: Final = {"a": "aáà", "e": "eéèẹ", "i": "iíì", "o": "oóòọ", "u": "uúù", "n": "nńǹ"}


def _yoruba(word: str) -> str:
    """``word``'s letters, each with its tone marks and underdot, precomposed or combining."""
    return "".join(f"[{_YO_LETTERS[c]}][\u0300\u0301\u0323]*" if c in _YO_LETTERS else c for c in word)


_YO_TEEN: Final = re.compile(
    r"(?<!\w)" + _yoruba("odun") + r"\s+(?P<w>" + "|".join(_yoruba(w) for w in _YO_TEENS) + r")(?!\w)", _I)
# Urdu teen ages in words: "چودہ پندرہ سال کے" (fourteen, fifteen years old); not a while ago or since
# how long ("بارہ سال سے", "پندرہ سال پہلے").
_UR_TEENS: Final = {"گیارہ": 11, "بارہ": 12, "تیرہ": 13, "چودہ": 14, "پندرہ": 15, "سولہ": 16, "سترہ": 17}
_UR_TEEN: Final = re.compile(
    r"(?<![\u0600-\u06ff])(?P<w>" + "|".join(_UR_TEENS) + r")(?:\s+(?:" + "|".join(_UR_TEENS) + r"))?"
    r"\s*(?:سال|برس)(?![\u0600-\u06ff])(?!\s*(?:سے|پہلے|قبل|تک))")
_KO_TEEN: Final = re.compile(r"(?:열|열한|열두|열세|열네|열다섯|열여섯|열일곱)\s*살|"
                             r"(?:열한|열두|열세|열네|열다섯|열여섯|열일곱)\s*(?:정도|쯤)")  # "about sixteen"

CHILD: Final = re.compile(
    r"\b(?:mineure?s?|enfants?|adolescente?s?|fillette|collégienne|lycéenne|"  # fr
    r"timoun|pitit fi|ti fi|minè|"  # ht
    r"menor(?:es)? de idade|crianças?|adolescentes?|menina|garota|"  # pt
    r"trẻ em|vị thành niên|em bé|học sinh|bé gái|"  # vi
    r"bata|batang|menor de edad|dalagita|"  # tl
    r"несовершеннолетн\w*|ребён\w*|ребен\w*|девочк\w*|подрост\w*|школьниц\w*|"  # ru
    r"неповнолітн\w*|дитин\w*|дівчинк\w*|підліт\w*|"  # uk
    r"reb[eyio]n(?:ok|ka|ku)|devochk\w*|podrost\w*|nesovershennoletn\w*|shkolni[ct]s?\w*|"  # ru, Latin
    r"dytyn\w*|divchynk\w*|pidlit\w*|nepovnolitn\w*|"  # uk, Latin
    r"nieletni\w*|dziecko|dzieci|dziewczynk\w*|nastolat\w*|"  # pl
    r"copil\w*|fetiță|fetita|minoră|minora|minori|"  # ro
    r"anak|di bawah umur|remaja|"  # id
    r"mtoto|watoto|msichana mdogo|"  # sw
    r"kind|kinder|mädchen|minderjährig\w*|jugendlich\w*|"  # de
    r"bambin[oa]|ragazzin[oa]|minorenne|"  # it
    r"nabalig|bachchi|bacchi|bachi|ladki|chhoti ladki|bachcha|bachche|"  # hi, ur in Latin letters
    r"9a9er|qaser|qasir|qasra|9asra|tefla|tifla|tfla|bent sghira|weld sghir|"  # ar in Latin letters
    r"[cç]ocu[kğg]\w*)\b"  # tr
    r"|未成年|儿童|兒童|女孩|小女孩|学生|學生|孩子|미성년자|미성년|아이|소녀|학생|"
    r"어린 여자애|어린 남자애|ผู้เยาว์|เด็ก|"
    r"قاصر|قاصرة|طفل|طفلة|أطفال|नाबालिग|बच्चा|बच्ची|बच्चे|लड़की|ልጅ|ሕፃን|নাবালিকা|নাবালক|বাচ্চা|শিশু", _I)
# A school year, a child's school or a teen's age in words: as telling as an age.
SCHOOL_OR_TEEN: Final = re.compile(
    # a school year or a child's school: "chu zhong", "초등학교", "8 kaksha", "darasa la saba", "6yèm ane"
    r"初中|小学|小學|中学生|高中生|초등학교|중학교|고등학교|중학생|고등학생|"
    r"十几岁|十幾歲|十几歲|"  # zh: in his (her) teens
    # Korean school years ("고1", first year of high school), a school uniform
    r"(?<![가-힣0-9])[고중][1-3](?![0-9])|교복|여고생|여중생|남고생|남중생|"
    # Japanese: high, middle and primary school pupils and their years ("友達(高2)", "中3の娘")
    r"高校生|女子高生|女子中学生|男子中学生|小学生|(?<![\u4e00-\u9fff0-9])(?:[高中][1-3]|小[1-6])(?![0-9])|"
    r"\b(?:chu ?zhong|xiao ?xue|gao ?zhong ?sheng|\d{1,2} ?kaksha|kaksha \d{1,2}|darasa la \w+|"
    r"\d{1,2}(?:yèm|yem|èm) ane|k[ií]nder|ensino fundamental|escola prim[aá]ria|"
    # pt: "no segundo ano do ensino médio" (high school now; not an adult's "ensino médio completo")
    r"(?:ano d[oa]|no|cursando|cursa) ensino m[eé]dio(?!\s+complet)|"
    r"lisede|liseye|lise ö[gğ]rencisi|ortaokul\w*|ilkokul\w*|"  # tr
    # id: junior high ("masih SMP", "anak SMP"), still in senior high, a school uniform
    r"smp|masih sma|anak sma|seragam sekolah|"
    # de: "in der 9. Klasse", "Neuntklässlerin" (not "wir sind eine 10. Klasse", a class writing in)
    r"in der (?:[5-9]|1[0-2])\.?\s*klasse|(?:[5-9]|1[0-2])\.\s*klässler(?:in)?|\w+klässlerin|schülerin|"
    # hi, ur in Latin letters: "10vi class ki"
    r"(?:[5-9]|1[0-2])\s?(?:vi|vin|vee|wi|th)?\s+class\s+(?:ki|ka|ke|mein|me|mai|main)|"
    r"w\s+(?:[4-8])\.?\s+klasie|"  # pl
    r"(?:в|у)\s+(?:[5-9]|1[01])[- ]?(?:м|ом|ому)?\s+класс\w*|"  # ru, uk
    # a teen's age in words: "tem treze", "quinze ans", "kenz an"
    r"(?:tem|tinha|de|a|gen) (?:dez|onze|doze|treze|catorze|quatorze|quinze|dezesseis|dezasseis|dezessete|"
    r"dezassete|douze|treize|seize|dix-sept|trèz|katòz|kenz|sèz|disèt)(?: ans?| anos)?)\b", _I)

# Children someone is paid to look after: a nanny's or a maid's charges, not a child at risk
# ("je garde les enfants", "m okipe timoun yo", "cuido das crianças", "看孩子", "照顾孩子").
_CARE_BEFORE: Final = re.compile(
    r"(?:\b(?:gard\w*|m'occup\w*|s'occup\w*|okipe|gade|cuid\w*|tomo conta|tomar conta|alaga\w*|"
    r"nag-aalaga|trông|chăm sóc|присматрива\w*|смотр\w* за|нян\w*|kulea|kutunza|ninatunza|nalea|"
    r"babysit\w*|nanny)(?:\s+\S+){0,3}\s+|(?:看|照顾|照顧|带|帶|接送)\S{0,4})$", _I)
# Harm said not to happen ("hindi po ako sinasaktan", "он меня не бьёт", "il ne me frappe pas"): a
# negation in the few words before a cue of harm or a weapon takes the cue back.
_NEGATED_KINDS: Final = frozenset({"kill_or_hurt", "weapon", "medical", "safe", "confined"})
_NEGATION_BEFORE: Final = re.compile(
    r"(?<![^\W\d_])(?:hindi|di|not|never|pas|jamais|personne|nunca|não|nao|ninguém|ninguem|nadie|nahi|nahin|"
    r"nie|nikt|ne|не|ні|никто|nikto|ніхто|không|chưa|bu|mei|hakuna|hajan\w*|walang|wala)"
    r"(?:\s+[^\W\d_]+){0,3}\s+$", _I)
# Chinese writes no space: a negation right before the cue ("老板没有打她", "没打她", "不会打她").
_CJK_NEGATION_BEFORE: Final = re.compile(r"(?:没有|沒有|没|沒|未|不会|不會|不)$")
_STRONG_KINDS: Final = frozenset({"confined", "weapon", "kill_or_hurt", "hiding", "moved_or_sold", "no_food",
                                  "medical", "returns_soon"})


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str  # "age", "child", "school" (a school year or a teen's age in words), or a danger kind
    start: int
    end: int
    age: int | None = None


def cues(text: str) -> list[Cue]:
    """Every cue in ``text``, in order of kind."""
    found = [Cue("age", m.start(), m.end(),
                 None if _arabizi(text, m)
                 else _age(next((d for d in m.group("n", "m", "v", "k", "r", "t") if d), "")))
             for m in _AGE.finditer(text)]
    found += [Cue("age", m.start(), m.end(), _cjk_teen(m.group())) for m in _CJK_TEEN.finditer(text)]
    found += [Cue("age", m.start(), m.end(), 15) for m in _KO_TEEN.finditer(text)]
    found += [Cue("age", m.start(), m.end(), _YO_TEENS[_plain(m.group("w"))])
              for m in _YO_TEEN.finditer(text)]
    # teen ages in words, each pattern with its table of the words it matches
    found += [Cue("age", m.start(), m.end(), table[next(g for g in m.groups() if g).lower()])
              for pattern, table in ((_AR_TEEN, _AR_TEENS), (_SLAVIC_TEEN, _SLAVIC_TEENS),
                                     (_WORD_TEEN, _WORD_TEENS), (_DEVANAGARI_TEEN, _DEVANAGARI_TEENS),
                                     (_SW_TEEN, _SW_TEENS), (_SM_TEEN, _SM_TEENS),
                                     (_UR_TEEN, _UR_TEENS))
              for m in pattern.finditer(text)]
    found += [Cue(kind, m.start(), m.end())
              for kind, pattern in (("child", CHILD), ("school", SCHOOL_OR_TEEN))
              for m in pattern.finditer(text)
              if not _CARE_BEFORE.search(text, max(0, m.start() - 40), m.start())]
    for kind, pattern in DANGER:
        found += [Cue(kind, m.start(), m.end()) for m in pattern.finditer(text)
                  if kind not in _NEGATED_KINDS
                  or not (_NEGATION_BEFORE.search(text, max(0, m.start() - 30), m.start())
                          or _CJK_NEGATION_BEFORE.search(text, max(0, m.start() - 4), m.start()))]
    return found


def minor_cues(found: list[Cue]) -> list[Cue]:
    return [c for c in found
            if (c.kind == "age" and c.age is not None and c.age < 18) or c.kind in ("child", "school")]


def danger_cues(found: list[Cue]) -> list[Cue]:
    """Cues of danger now: two kinds together, at least one of them a strong one (not help and now alone).
    Papers taken are shown with them but are not one of the two: they tell of exploitation, not of
    danger now (with a threat or a locked door alone, 11 of the 38 labelled cases were emergencies)."""
    kinds = {c.kind for c in found if c.kind not in ("age", "child", "school")}
    if "safe" in kinds:
        return []
    telling = kinds - {"documents"}
    if len(telling) >= 2 and telling & _STRONG_KINDS:
        return [c for c in found if c.kind in kinds]
    return []


_YOUNGEST_TOLD: Final = 6


def _plain(word: str) -> str:
    """A Yoruba word without its tone marks and underdots: "mẹ́rìndínlógún" is "merindinlogun"."""
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c))


def _arabizi(text: str, match: re.Match[str]) -> bool:
    """Arabic typed in Latin letters writes some letters as digits: "3an" is "about", "3anni" "from
    me", not an age of 3 in French or Italian. One such digit glued to its word is no age."""
    digits = match.group("n")
    return (digits is not None and len(digits) == 1 and digits in "235679"
            and match.end("n") < len(text) and text[match.end("n")].isalpha())


def _age(digits: str) -> int | None:
    """The age told, or None. Under 6 it is no age: "depuis 2 ans", "2 taon na", "2 tahun gak digaji",
    "2 saal se" tell how long, and every such case in the corpus (37) was one; a child that young is
    named by a word for a child, which the model weighs."""
    try:
        value = int("".join(str(int(ch)) for ch in digits))  # int() reads every Unicode decimal digit
    except ValueError:
        return None
    return value if _YOUNGEST_TOLD <= value <= 99 else None


def _cjk_teen(match: str) -> int:
    units = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    number = match[:-1]
    if number == "十":
        return 10
    if number.startswith("十"):
        return 10 + units[number[1]]
    return units[number]
