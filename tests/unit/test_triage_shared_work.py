"""What assessment computes once a signal and shares: the same answers as computing them each time."""

from __future__ import annotations

import numpy as np
import pytest

from tests.builders import received
from triage.immediacy import due_soon, soon
from triage.language import detect, detected, written_in
from triage.lexicon import tokens
from triage.model import Head, Scores, default_model
from triage.text import _HISTORICAL, _PRESENT, _REPORTED, Scan, Segment, historical, reported

pytestmark = pytest.mark.unit

TRICKY = (
    "She's 15, isn't she? Ella tiene quince años… the van comes tonight at 4am!",
    "Years ago he locked me in. He is looking for her again tonight; I read a news article about it.",
    "I watched a documentary where they moved the girls. Right now she is outside, rn, with him.",
    "d\u00e9j\u00e0 vu \u2014 \u2018quoted\u2019 words, e-mail ab_c@x.org, H-2A visa, "
    "16yo,17F; no-one\u2014nobody.",
    "",
    "one",
)


@pytest.mark.parametrize("text", TRICKY)
def test_a_segments_tokens_are_made_once_and_are_those_of_its_lowered_text(text: str) -> None:
    segment = Segment("narrative", text)
    assert segment.tokens() == tokens(text.lower())
    assert segment.tokens() is segment.tokens()


def test_a_scans_tokens_are_its_segments_tokens_in_order() -> None:
    scan = Scan.of(received(subject="Urgent: girl 16", narrative=TRICKY[0]))
    assert scan.tokens() == tokens("urgent: girl 16") + tokens(TRICKY[0].lower())


@pytest.mark.parametrize("text", TRICKY[:4])
def test_context_answers_kept_per_sentence_and_clause_are_those_of_each_position(text: str) -> None:
    segment = Segment("narrative", text)
    for pos in range(len(text)):  # every position, so several share a sentence or a clause
        start, end = segment.sentence(pos)
        sentence = text[start:end]
        assert historical(segment, pos) == (
            _HISTORICAL.search(sentence) is not None and _PRESENT.search(sentence) is None), pos
        clause_start, clause_end = segment.clause(pos)
        assert reported(segment, pos) == (_REPORTED.search(text[clause_start:clause_end]) is not None), pos


def test_context_answers_differ_between_sentences_of_one_segment() -> None:
    text = "Years ago he locked me in. Tonight he is outside."
    segment = Segment("narrative", text)
    assert historical(segment, text.index("locked"))
    assert not historical(segment, text.index("outside"))
    assert historical(segment, text.index("me in"))  # asked again: the kept answer


@pytest.mark.parametrize("text", [
    *TRICKY,
    "The owner keeps their passports and they work every day. " * 12,  # longer than the 400-character sample
    "Bonjour, je voudrais signaler une situation grave dans un restaurant près de chez moi.",
    "Una muchacha de 15 años está encerrada y la van a llevar esta noche a otro estado.",
])
def test_the_language_is_the_same_with_the_tokens_given(text: str) -> None:
    assert written_in(text, tokens(text.lower())) == written_in(text)


@pytest.mark.parametrize("declared", [None, "", "es", "en-US", "PT-br"])
def test_detected_from_a_known_written_language_is_detect(declared: str | None) -> None:
    text = TRICKY[1]
    assert detected(declared, written_in(text)) == detect(text, declared)


@pytest.mark.parametrize("text", [
    "He said he's 10 minutes away and she is done. The truck comes at 4 to take the workers.",
    "Not tonight, nobody is coming. But tomorrow at 5am they move everyone.",
    "Years ago the truck came at 4 every morning.",
])
def test_due_soon_from_given_soon_times_is_due_soon(text: str) -> None:
    scan = Scan.of(received(narrative=text))
    given = [(h.start, h.end) for h in due_soon(scan, soon(scan))]
    assert given == [(h.start, h.end) for h in due_soon(Scan.of(received(narrative=text)))]


def _scores(logits: list[float]) -> Scores:
    return Scores(logits=np.asarray(logits, dtype=np.float32), text_rows=(), text_scale=0.0)


@pytest.mark.parametrize("logits", [
    [0.5, 2.0, -1.0, 2.0],  # a tie: the first of equals, as max() over the distribution gives
    [-3.0, -3.0, -3.0, -3.0],
    [1e-7, 0.0, 2e-7, 1.9999999e-7],
    [40.0, 39.99999, -40.0, 0.0],
])
@pytest.mark.parametrize("leaving_out", [None, "a", "b", "d"])
def test_the_most_likely_class_is_the_largest_probability(logits: list[float],
                                                           leaving_out: str | None) -> None:
    head = Head("kind", ("a", "b", "c", "d"), 0)
    scores = _scores(logits)
    distribution = scores.distribution(head)
    distribution.pop(leaving_out or "", None)
    assert scores.most_likely(head, leaving_out) == max(distribution, key=distribution.__getitem__)


def test_word_pairs_are_found_by_first_then_second_word_as_by_their_joined_name() -> None:
    model = default_model()
    pairs = list(model.bigram_index.items())[:2000]
    for name, row in pairs:
        first, second = name.split("_")
        assert model.bigram_pairs[first][second] == row
    assert sum(len(following) for following in model.bigram_pairs.values()) == sum(
        1 for name in model.bigram_index if name.count("_") == 1)
    first, second = pairs[0][0].split("_")
    with_pair = model.score_words([first, second], [])
    apart = model.score_words([first, "zzqx", second], [])
    assert pairs[0][1] in with_pair.text_rows
    assert pairs[0][1] not in apart.text_rows
