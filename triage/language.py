"""The language of a signal: declared if given, else detected with lingua on a small candidate set.

lingua costs about 0.1-0.3 ms per text, more than all the rules together, so it is kept off the
common path: a declared language is taken as is, and a text whose function words are clearly
English or clearly Spanish is decided by counting them. lingua decides the rest.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from triage.lexicon import tokens

# The languages the hotline hears most after English and Spanish (seed 002: 200+ languages by
# interpreter; the written channels are overwhelmingly English and Spanish).
CANDIDATES: Final = (Language.ENGLISH, Language.SPANISH, Language.FRENCH, Language.PORTUGUESE,
                     Language.CHINESE, Language.VIETNAMESE, Language.KOREAN, Language.TAGALOG)
MIN_CHARS: Final = 12
_SAMPLE_CHARS: Final = 400

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


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*CANDIDATES).with_low_accuracy_mode().build()


def detect(text: str, declared: str | None) -> str | None:
    """An ISO 639-1 code, or None when the text is too short to tell and nothing was declared."""
    if declared:
        return declared.split("-")[0].lower()
    sample = text[:_SAMPLE_CHARS]
    if len(sample.strip()) < MIN_CHARS:
        return None
    words = tokens(sample.lower())
    en = sum(1 for w in words if w in _EN)
    es = sum(1 for w in words if w in _ES)
    # Clear majorities only; words both languages use ("a", "son" in English) are left out.
    if (en >= 3 and en >= 3 * es) or (en >= 2 and es == 0):
        return "en"
    if (es >= 3 and es >= 3 * en) or (es >= 2 and en == 0):
        return "es"
    found = _detector().detect_language_of(sample)
    return None if found is None else found.iso_code_639_1.name.lower()
