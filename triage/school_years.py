"""A school year in a language the rules do not read: "8वीं कक्षा", "上高一", "الصف السادس", "в 10 класі"; and a
teen's age in Farsi or Dari words ("چهارده ساله") or in digits ("16 سالشه", she is sixteen) and in
Vietnamese words ("mười bảy tuổi"), read the same way: training cases say them, so reading them among
the cues the model weighs would change its inputs.

A child's school year is as telling as an age: it is how relatives abroad, teachers and the children
themselves often give it ("she should be in 8th grade", "I just started the first year of high school").
``triage.multilingual`` already reads some school years among its cues, which the model weighs; these
are read after the model, as a year of birth is (``triage.rules.standing``), so that adding them needs
no refit. Only where triage cannot read the language (``triage.extract``): in English and Spanish the
rules have their own school grades, and the same letters can be other words there.

Left out on purpose, as words a person may use of an adult or of no one: a bare Vietnamese "lớp 10",
Somali "fasalka 10aad" or Bengali "ক্লাস টেন" (students asking for a school project wrote them of
themselves, and in a language triage does not read the model cannot tell a question), a bare
"grade" in Tagalog text other than before a school year's number. Read instead: someone else at
school in that year (Somali "oo dhigata fasalka 8aad", Bengali "ক্লাস নাইনে পড়ে") and Vietnamese
"đang học lớp 11" (is at school in year 11), which a project's question also stops: a school year
forces nothing where the model reads a question (``triage.rules.standing``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from triage.text import Hit, Scan

_SCHOOL_YEAR: Final = re.compile("|".join((
    # Hindi and Nepali: "8वीं कक्षा", "कक्षा 9", in Latin or Devanagari digits
    r"(?<![0-9०-९])(?:[5-9५-९]|1[0-2]|१[०-२])\s*(?:वीं|वी|वें|वा|ौं)?\s*कक्षा|"  # noqa: RUF001 (Devanagari digits)
    r"कक्षा\s*(?:[5-9५-९]|1[0-2]|१[०-२])(?![0-9०-९])",  # noqa: RUF001 (Devanagari digits)
    # Chinese: "上高一", "读初二", "初三学生", "六年级" (grade six); not a college year ("大一")
    r"(?:上|读|念|讀|唸)(?:高|初)[一二三]|(?:高|初)[一二三](?:学生|學生|年级|年級)|"
    r"(?<![十百零〇两])[一二三四五六七八九]年[级級]",
    # Arabic: "الصف السادس" (the sixth grade) to the twelfth
    r"الصف\s+(?:الأول|الثاني|الثالث|الرابع|الخامس|السادس|السابع|الثامن|التاسع|العاشر|"
    r"الحادي\s+عشر|الثاني\s+عشر)",
    # Ukrainian "в 10 класі", "у 9-му класі" (Russian "классе" is ``multilingual``'s)  # noqa: RUF003
    r"(?:\bв|\bу)\s+(?:[5-9]|1[01])[- ]?(?:му|ому|й)?\s+класі",  # noqa: RUF001 (Ukrainian letters)
    # Tagalog: "nasa Grade 8", "ika-8 na baitang"
    r"\b(?:grade|baitang)\s+(?:[5-9]|1[0-2])\b|\bika-?\s?(?:[5-9]|1[0-2])\s+na\s+baitang\b",
    # French: "en cinquième", "en quatrième au collège", "en classe de troisième", "en 3ème" (the
    # years of a French collège, 11 to 15)
    r"\ben\s+(?:classe\s+de\s+)?(?:sixième|cinquième|quatrième|troisième)\b|"
    r"\ben\s+classe\s+de\s+seconde\b|\ben\s+[3-6]\s?(?:e|è|ème|eme)\b"
    r"(?!\s+(?:position|place|rang|vitesse|étage|année|semaine|mois|ligne|division|fois)\b)",
    # Russian and Ukrainian school years in words: "в девятом классе", "у восьмому класі"  # noqa: RUF003
    r"(?:\bв|\bу)\s+(?:пятом|шестом|седьмом|восьмом|девятом|десятом|одиннадцатом|"  # noqa: RUF001
    r"п['’]ятому|шостому|сьомому|восьмому|дев['’]ятому|десятому|одинадцятому)\s+класс?[еі]|"  # noqa: RUF001
    # and with a number: "закінчила 9 клас", "ученица 8-го класса"; not "9 класів" (years of schooling)  # noqa: RUF003
    r"(?<![0-9])(?:[5-9]|1[01])(?:-?(?:й|ий|ого|го))?\s+(?:класс|класса|клас|класу)\b",  # noqa: RUF001
    # Hindi "आठवीं कक्षा", "क्लास नाइन"; Urdu "آٹھویں جماعت"; Farsi "کلاس هشتم", "پایه نهم"
    r"(?:पांचवीं|पाँचवीं|छठी|सातवीं|आठवीं|नौवीं|दसवीं)\s+(?:कक्षा|क्लास)|क्लास\s+(?:सिक्स|सेवन|एट|नाइन|टेन)|"
    r"(?:پانچویں|چھٹی|ساتویں|آٹھویں|نویں|دسویں)\s+(?:جماعت|کلاس)|"
    # Punjabi "ਅੱਠਵੀਂ ਜਮਾਤ" (the eighth class), the sixth to the tenth
    r"(?:ਛੇਵੀਂ|ਸੱਤਵੀਂ|ਅੱਠਵੀਂ|ਨੌਵੀਂ|ਦਸਵੀਂ)\s+(?:ਜਮਾਤ|ਕਲਾਸ)|"
    r"(?:کلاس|پایه)\s+(?:ششم|هفتم|هشتم|نهم|دهم)",
    # Dari "صنف یازده" (class eleven), Farsi "کلاس یازدهم"; not "نه" or "ده" alone (also "no", "village")
    r"صنف\s+(?:ششم|هفتم|هشتم|نهم|دهم|یازدهم|دوازدهم|یازده|دوازده)|(?:کلاس|پایه)\s+(?:یازدهم|دوازدهم)",
    # Somali "oo dhigata fasalka 8aad" (who is in the eighth class): of someone else, not a student's
    # own "waxaan dhigtaa" (I study)
    r"\b(?:dhigata|dhigataa|dhigto)\s+fasalka\s+(?:(?:[5-9]|1[0-2])(?:aad|naad)?|lixaad|toddobaad|"
    r"siddeedaad|sagaalaad|tobnaad)\b",  # the sixth to the tenth in words
    # Bengali "ক্লাস নাইনে পড়ে" (studies in class nine), "অষ্টম শ্রেণীতে পড়ত": of someone else (a
    # student's own is "পড়ি"); its letter ড় as one character or two
    r"(?:ক্লাস\s+(?:সিক্স|সেভেন|এইট|নাইন|টেন|[৬-৯]|১[০-২])(?:ে|এ)?|"  # noqa: RUF001 (Bengali digits)
    r"(?:ষষ্ঠ|সপ্তম|অষ্টম|নবম|দশম)\s+শ্রেণ(?:ী|ি)(?:তে)?)\s+প(?:ড\u09bc|\u09dc)(?:ে|ছে|ত|তো)",
    # Burmese "၉ တန်း" (ninth standard), "ရှစ်တန်း"; not the tenth, which adults name as the exam
    # they passed ("ဆယ်တန်းအောင်")
    r"(?:[၅-၉]|ငါး|ခြောက်|ခုနစ်|ရှစ်|ကိုး)\s*တန်း(?!\s*အောင်)",
    # Vietnamese "đang học lớp 11" (is at school in year 11); a bare "lớp 10" is not (the docstring says why)
    r"\bđang\s+học\s+lớp\s+(?:[6-9]|1[0-2])\b",
    # French: "elle devrait être en seconde", "élève de 8e année" (a school year counted from one)
    r"\b(?:suis|es|est|sommes|êtes|sont|être|etre|étais|etais|était|etait|sera)\s+en\s+seconde\b|\b(?:[5-9]|1[0-2])e\s+année\b",
    # Portuguese "no 8º ano", "no oitavo ano"; Polish "w ósmej klasie"; Indonesian "kelas 8"
    r"\b[5-9][ºo°]\s*ano\b|\b(?:sexto|sétimo|setimo|oitavo|nono)\s+ano\b|"
    r"\bw\s+(?:piątej|szóstej|siódmej|ósmej)\s+klasie\b|\bkelas\s+(?:[5-9]|1[0-2])\b",
    # Amharic "ስምንተኛ ክፍል", "9ኛ ክፍል"; Tigrinya "ክፍሊ ዓሰርተ", "ክፍሊ 9" (grades seven to eleven)
    r"(?:ሰባተኛ|ስምንተኛ|ዘጠነኛ|አስረኛ|አሥረኛ|(?<![0-9])(?:[7-9]|1[01])ኛ)\s*ክፍል|"
    r"ክፍሊ\s*(?:ሻውዓይ|ሻምናይ|ታሽዓይ|ዓሰርተ|ዓስርተ|(?:[7-9]|1[01])(?![0-9]))|"
    r"(?<![0-9])(?:[7-9]|1[01])ይ\s*ክፍሊ|"  # Tigrinya "8ይ ክፍሊ", the eighth class
    # Pashto "لسم ټولګي" (the tenth class), the seventh to the eleventh
    r"(?:اووم|اتم|نهم|لسم|یوولسم)\s+ټولګي|"
    # Farsi and Dari teen ages in words: "دخترم که چهارده ساله است" (my daughter, who is fourteen years
    # old); not an age of the past, "چهارده ساله بود" (was fourteen), as of girls in a news report
    r"(?<![\u0600-\u06ff])(?:یازده|دوازده|سیزده|چهارده|پانزده|پونزده|شانزده|شونزده|هفده|هیفده)\s*"
    r"(?:ساله|سالشه|سالش|سالمه)(?![\u0600-\u06ff])(?!\s*بود)|"
    # and Farsi in digits, Latin or Persian: "یکی‌شون گفت 16 سالشه" (one of them said she is sixteen),
    # "17 سالمه" (I am seventeen)
    r"(?<![0-9\u06f0-\u06f9])(?:1[1-7]|\u06f1[\u06f1-\u06f7])\s*(?:سالشه|سالمه)(?![\u0600-\u06ff])|"
    # Vietnamese teen ages in words: "nó mới mười bảy tuổi" (is only seventeen); not back when ("hồi
    # mười lăm tuổi"), at an age ("lúc"), or in the year of ("năm")
    r"(?<!\w)(?<!hồi )(?<!lúc )(?<!năm )mười\s+(?:một|hai|ba|bốn|lăm|năm|sáu|bảy)\s+tuổi(?!\w)|"
    # Albanian "ende shkon në shkollë të mesme" (still goes to high school): someone else's, not an
    # adult's "mbarova shkollën e mesme" (I finished high school)
    r"\bshkon\s+n[eë]\s+shkoll[eë]n?\s+(?:t[eë]|e)\s+mesme\b|"
    # Russian "должна ходить в седьмой класс" (should go into the seventh class), the fifth to the eleventh
    r"(?:\bв|\bу)\s+(?:пятый|шестой|седьмой|восьмой|девятый|десятый|одиннадцатый)\s+класс\b|"  # noqa: RUF001
    # French "elle devrait être au lycée" (should be at high school), "il va encore au lycée"
    r"\b(?:devrait|devraient|doit|doivent)\s+(?:être|etre|aller)\s+au\s+(?:lycée|lycee|collège|college)\b|"
    r"\b(?:va|vont)\s+(?:encore\s+)?au\s+(?:lycée|lycee)\b|"
    # Vietnamese "mới học xong lớp 9" (has just finished year 9), not an adult's "học hết lớp 9" (schooling)
    r"\bmới\s+học\s+xong\s+lớp\s+(?:[6-9]|1[01])\b|"
    # Hindi "दसवीं की बोर्ड परीक्षा देनी थी" (was to sit the tenth-class board exams), not "passed the tenth"
    r"(?:दसवीं|10\s*वीं|१०\s*वीं)\s+की\s+(?:बोर्ड\s+)?परीक्षा\s+(?:देनी|देना|दे\s+रह|देगा|देगी)",
    # Portuguese and others: a youth team by age, "futsal sub-15", "time sub 13"
    r"\bsub[- ]?(?:[6-9]|1[0-7])\b(?![.,]\d)",
)), re.IGNORECASE)


def school_years(scan: Scan) -> Iterator[Hit]:
    """Every school year ``_SCHOOL_YEAR`` reads in the signal's text."""
    return scan.find("multilingual.school_year", _SCHOOL_YEAR)
