"""The language of a signal: declared if given, else detected with lingua on a small candidate set.

lingua costs about 0.1-0.3 ms per text, more than all the rules together, so it is kept off the
common path: a declared language is taken as is, and a text whose function words are clearly
English or clearly Spanish is decided by counting them. lingua decides the rest.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from triage.everyday_words import EVERYDAY
from triage.lexicon import tokens

# The languages the hotline hears most after English and Spanish (seed 002: 200+ languages by
# interpreter; the written channels are overwhelmingly English and Spanish).
CANDIDATES: Final = (Language.ENGLISH, Language.SPANISH, Language.FRENCH, Language.PORTUGUESE,
                     Language.VIETNAMESE, Language.TAGALOG, Language.POLISH, Language.ROMANIAN,
                     Language.INDONESIAN, Language.SWAHILI, Language.GERMAN, Language.ITALIAN)
# The languages the rules and the model read; a signal in any other goes to a person as it is.
ASSESSED: Final = frozenset({"en", "es"})
# Scripts tell their language family at once, and lingua need not be asked. The first found in
# this order wins: Bengali comes before Hindi, since it writes its full stop with the Devanagari danda.
_SCRIPTS: Final = tuple((re.compile(f"[{chars}]"), code) for chars, code in (
    (r"\u3040-\u30ff", "ja"), (r"\uac00-\ud7af\u1100-\u11ff", "ko"), (r"\u4e00-\u9fff", "zh"),
    (r"\u0400-\u04ff", "ru"), (r"\u0600-\u06ff", "ar"), (r"\u0980-\u09ff", "bn"), (r"\u0a00-\u0a7f", "pa"),
    (r"\u0a80-\u0aff", "gu"), (r"\u0b80-\u0bff", "ta"), (r"\u0900-\u097f", "hi"), (r"\u0e00-\u0e7f", "th"),
    (r"\u1200-\u139f", "am"), (r"\u0530-\u058f", "hy"), (r"\u10a0-\u10ff", "ka"), (r"\u0590-\u05ff", "he"),
    (r"\u0370-\u03ff", "el"), (r"\u1780-\u17ff", "km"), (r"\u0e80-\u0eff", "lo"), (r"\u1000-\u109f", "my"),
    (r"\u0d80-\u0dff", "si"), (r"\u0c00-\u0c7f", "te"), (r"\u0c80-\u0cff", "kn"), (r"\u0d00-\u0d7f", "ml"),
    (r"\u0b00-\u0b7f", "or"),
))
_UKRAINIAN: Final = re.compile(r"[іїєґІЇЄҐ]")
_KAZAKH: Final = re.compile(r"[әғқұһӘҒҚҰҺ]")
_MONGOLIAN: Final = re.compile(r"[өүӨҮ]")
# Bulgarian writes "ъ" before consonants ("дъщеря"), Russian only before the iotated vowels ("объект").
_BULGARIAN: Final = re.compile(r"ъ(?![еёюяЕЁЮЯ])|ѝ")  # with none of Russian's "ы" and "э"
_RUSSIAN_ONLY: Final = re.compile(r"[ыэЫЭ]")
_SERBIAN: Final = re.compile(r"[ђћџљњјЂЋЏЉЊЈ]")
_MACEDONIAN: Final = re.compile(r"[ѓќѕЃЌЅ]")
# Yoruba writes "ṣ", and tone marks on "ẹ" and "ọ" as letters of their own, which no other candidate
# does (Vietnamese's are one letter each); two of them and it is Yoruba.
_YORUBA: Final = re.compile(r"[ṣṢ]|[ẹọẸỌ][\u0300\u0301]")
_PASHTO: Final = re.compile(r"[ټډړښږځڅ]")
_URDU: Final = re.compile(r"[ٹڈڑںےۓ]")
# Persian (and Dari) keyboards write yeh and kaf as their own letters; Arabic ones as Arabic's.
_PERSIAN: Final = re.compile(r"[یک]")
_ARABIC_ONLY: Final = re.compile(r"[يكة]")
_NON_LATIN: Final = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\u2000-\u206f]")
MIN_CHARS: Final = 12
_SAMPLE_CHARS: Final = 400
# Undetermined (ISO 639-2): Latin letters in a language no candidate is, or letters of a script
# named nowhere above, so a person reads it.
UNDETERMINED: Final = "und"
# A text of this many words or more with under this share of everyday English and Spanish words
# is in neither, whatever the counts or lingua said (corpus, 2026-12: the terse English of call
# notes and hang-ups scores 0.3 and more; Arabic, Nepali, Gujarati, Hmong, Somali, Haitian Creole,
# Turkish and Chinese typed in Latin letters score under 0.25).
_MIN_WORDS_TO_JUDGE: Final = 8
_EVERYDAY_SHARE: Final = 0.25
# A text lingua gives to a language neither English nor Spanish, with at least this share of
# everyday English and Spanish words and none of a neighbour's, is one of the two.
_MOSTLY_EVERYDAY: Final = 0.5
# Arabic typed in Latin letters writes the letters Latin lacks as digits ("3ala", "sa3douni", "7abibi");
# English texting uses 2, 4 and 8 ("2nite", "b4", "gr8"), and "3am", "5th" are times and ranks.
_ARABIZI: Final = re.compile(
    r"(?<!\w)(?:[a-z]+[35679][a-z]+|[35679](?!(?:am|pm|st|nd|rd|th|ish|ft|hrs?|mins?|yo|yrs?|ppl|x)\b)"
    r"[a-z]{2,})(?!\w)")

_EN: Final = frozenset({
    "the", "and", "is", "are", "was", "were", "she", "he", "they", "them", "with", "her", "his", "my",
    "not", "this", "that", "have", "has", "for", "from", "at", "of", "to", "in", "it", "i", "you",
    "what", "there", "their", "our", "we", "who", "an", "by", "will", "would", "been", "be", "keeps",
    "works", "working"
})
_ES: Final = frozenset({
    "el", "la", "los", "las", "y", "es", "son", "está", "esta", "están", "estan", "ella", "ellos",
    "con", "su", "sus", "mi", "no", "que", "de", "del", "en", "un", "una", "unos", "unas", "por",
    "para", "hay", "me", "se", "lo", "le", "les", "nos", "como", "pero", "muy", "al", "tiene",
    "tienen", "trabajan", "dueño"
})

# Spanish function words English does not also write.
_ES_ONLY: Final = _ES - {"no", "me"}

# Function words of the neighbours that the counts above would take for Spanish or English (French
# "la ... de ... en", Portuguese, Haitian Creole, Tagalog, Indonesian): any of them and lingua decides.
_NEIGHBOURS: Final = frozenset({
    "et", "est", "une", "des", "pas", "je", "nous", "vous", "il", "elle", "sont", "avec", "mais", "dans",
    "qui", "cette", "ont", "aux", "très", "não", "nao", "você", "voce", "uma", "são", "isso", "ela", "ele",
    "eu", "com", "muito", "tem", "ao", "também", "mwen", "nou", "pou", "yon", "gen", "ki", "pa", "ang",
    "ng", "mga", "ako", "siya", "po", "hindi", "yang", "dan", "ini", "itu", "saya", "tidak", "dengan",
    "und", "ist", "nicht", "sie", "der", "die", "das", "che", "sono", "non", "una", "gli",
    "się", "nie", "jest", "że", "jak", "już", "jej", "jego", "mój", "moja", "și", "este", "nu", "cu",
    "să", "care", "pentru", "kwa", "ni", "ya", "wa", "na", "yeye", "mimi",
    # French and Portuguese words Spanish does not have, for short texts with few of the above.
    "mon", "ma", "mes", "ses", "ce", "ces", "du", "au", "chez", "sans", "vers", "sur", "lui", "leur",
    "depuis", "avoir", "être", "demain", "soir", "meu", "minha", "dela", "dele", "hoje", "amanhã",
})


# Letters English never uses and Spanish never uses: two or more and the counts above are not trusted.
_NOT_EN_LETTERS: Final = re.compile(r"[ąćęłńśźżăâîșşțţêôõãçàèìòùđơưőűøåæœßäöëïÿýžšřčěůďťľĺŕ]|[áéíóúñü¿¡]")
_NOT_ES_LETTERS: Final = re.compile(r"[ąćęłńśźżăâîșşțţêôõãçàèìòùđơưőűøåæœßäöëïÿýžšřčěůďťľĺŕ]")


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*CANDIDATES).with_low_accuracy_mode().build()


def detect(text: str, declared: str | None) -> str | None:
    """An ISO 639-1 code, or None when the text is too short to tell and nothing was declared."""
    return detected(declared, written_in(text) if not declared else None)


def detected(declared: str | None, written: str | None) -> str | None:
    """``detect`` when the text's ``written_in`` is known already (assessment asks it once a signal)."""
    if declared:
        return declared.split("-")[0].lower()
    return written


def written_in(text: str, lowered_tokens: list[str] | None = None) -> str | None:
    """The language the text is written in, whatever was declared; None when too short to tell.

    ``lowered_tokens``: ``tokens(text.lower())`` when the caller has them already.
    """
    sample = text[:_SAMPLE_CHARS]
    other_script = _NON_LATIN.findall(sample)
    if len(other_script) >= max(4, len(sample.strip()) // 5):
        for pattern, code in _SCRIPTS:
            if pattern.search(sample):
                return _cyrillic(sample) if code == "ru" else _arabic(sample) if code == "ar" else code
        # Letters of a script named nowhere above: a language no candidate is, so a person reads it
        # (not emoji, which are no letters).
        if sum(map(str.isalpha, other_script)) >= max(4, len(sample.strip()) // 5):
            return UNDETERMINED
    if len(sample.strip()) < MIN_CHARS:
        return None
    lowered = sample.lower()
    # The whole text's tokens are the sample's only when the sample is the whole text.
    words = lowered_tokens if lowered_tokens is not None and len(sample) == len(text) else tokens(lowered)
    if len(set(_ARABIZI.findall(lowered))) >= 2:
        return "ar"
    if len(_YORUBA.findall(sample)) >= 2:
        return "yo"
    found = _counted(sample, lowered, words)
    if found in ASSESSED:
        if len(words) >= _MIN_WORDS_TO_JUDGE and _everyday(words) < _EVERYDAY_SHARE * len(words):
            return UNDETERMINED
    elif found is not None and _everyday(words) >= _MOSTLY_EVERYDAY * len(words) and not (
            _NOT_ES_LETTERS.search(lowered) or any(map(_NEIGHBOURS.__contains__, words))):
        # lingua guesses wildly on a few words ("help me pls my boss took my passport" was German):
        # words mostly everyday English and Spanish, none of a neighbour's, are the one with more.
        es = sum(map(_ES_ONLY.__contains__, words))
        return "es" if es >= 2 and es > sum(map(_EN.__contains__, words)) else "en"
    return found


def _everyday(words: list[str]) -> int:
    """How many of the words are everyday English or Spanish ones."""
    return sum(map(EVERYDAY.__contains__, words))


def _cyrillic(sample: str) -> str:
    """Russian, or the language whose own letters a Cyrillic text uses (Kazakh, Ukrainian, Serbian,
    Macedonian, Mongolian, Bulgarian)."""
    if _KAZAKH.search(sample):  # before Ukrainian: Kazakh writes its dotted i too
        return "kk"
    if _UKRAINIAN.search(sample):
        return "uk"
    if _MACEDONIAN.search(sample):  # before Serbian, four of whose letters it shares
        return "mk"
    if _SERBIAN.search(sample):
        return "sr"
    if _MONGOLIAN.search(sample):
        return "mn"
    return "bg" if _BULGARIAN.search(sample) and not _RUSSIAN_ONLY.search(sample) else "ru"


def _arabic(sample: str) -> str:
    """Arabic, or the language whose own letters an Arabic-script text uses (Pashto, Urdu, Persian)."""
    if _PASHTO.search(sample):
        return "ps"
    if _URDU.search(sample):
        return "ur"
    return "fa" if len(_PERSIAN.findall(sample)) > len(_ARABIC_ONLY.findall(sample)) else "ar"


def _counted(sample: str, lowered: str, words: list[str]) -> str | None:
    """English or Spanish by their function words when clear, else lingua's choice of the candidates."""
    en = sum(map(_EN.__contains__, words))
    es = sum(map(_ES.__contains__, words))
    neighbours = sum(map(_NEIGHBOURS.__contains__, words))
    if len(_NOT_ES_LETTERS.findall(lowered)) >= 2:
        neighbours += 2  # letters of neither language: let lingua decide
    elif len(_NOT_EN_LETTERS.findall(lowered)) >= 2:
        en = 0  # Spanish letters: not English by the counts
    # Clear majorities only; words both languages use ("a", "son" in English) are left out.
    if (neighbours == 0 or en >= 4 * neighbours) and ((en >= 3 and en >= 3 * es) or (en >= 2 and es == 0)):
        return "en"
    if neighbours <= 1 and ((es >= 3 and es >= 3 * en) or (es >= 2 and en == 0)):
        return "es"
    found = _detector().detect_language_of(sample)
    return None if found is None else found.iso_code_639_1.name.lower()
