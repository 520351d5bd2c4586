"""Reference numbers: speakable, unguessable without the secret, and a check character that catches
the mistakes people make reading a number out."""

from __future__ import annotations

import itertools
import uuid

import pytest

from contracts.reference_numbers import ALPHABET, canonical, find_written, is_valid, reference_for
from tests.builders import reference_with_lookalikes, written_forms

SECRET = b"reference-test-secret"


def test_the_alphabet_has_nothing_that_reads_as_something_else() -> None:
    assert len(ALPHABET) == 32 and not set("ILOU") & set(ALPHABET)


def test_numbers_are_deterministic_keyed_and_valid() -> None:
    signal = str(uuid.uuid4())
    number = reference_for(signal, SECRET)
    assert number == reference_for(signal, SECRET)
    assert number != reference_for(signal, b"another-secret")
    assert is_valid(number) and is_valid(number.lower().replace("-", "- ", 1))
    assert len({reference_for(str(uuid.uuid4()), SECRET) for _ in range(2000)}) == 2000
    long_secret = b"x" * 100
    assert is_valid(reference_for(signal, long_secret)) and reference_for(signal, long_secret) != number


def test_every_single_substitution_and_almost_every_neighbour_swap_is_caught() -> None:
    swaps = caught_swaps = 0
    for n in range(200):
        number = reference_for(str(uuid.UUID(int=n)), SECRET)
        positions = [i for i, c in enumerate(number) if c != "-" and i >= 3]
        for i in positions:
            for replacement in ALPHABET:
                if replacement != number[i]:
                    assert not is_valid(number[:i] + replacement + number[i + 1:])
        for a, b in itertools.pairwise(positions):
            if b == a + 1 and number[a] != number[b]:
                swaps += 1
                caught_swaps += not is_valid(number[:a] + number[b] + number[a] + number[b + 1:])
    assert caught_swaps / swaps > 0.99


NUMBER = reference_with_lookalikes(SECRET)


@pytest.mark.parametrize(("form", "written"), written_forms(NUMBER).items())
def test_a_number_is_recognised_however_it_was_written(form: str, written: str) -> None:
    assert canonical(written) == NUMBER, form
    assert canonical(f"  {written} ") == NUMBER
    assert find_written(f"About my report {written}, the van is white.") == (NUMBER,)


def test_a_wrong_check_character_or_something_else_is_not_a_number() -> None:
    wrong = NUMBER[:-1] + next(c for c in ALPHABET if c != NUMBER[-1])
    assert canonical(wrong) is None and canonical(wrong.replace("-", " ")) is None
    for text in ("", "HT-", "HT-ABCD-EFG", "XHT-ABCD-EFGH1", NUMBER + "7", "HT-ABCD-EFGU1", "hello"):
        assert canonical(text) is None, text
    # Shaped like a number, kept as written (so a reader sees it) but not valid.
    assert find_written(f"ref {wrong.lower()} and HT 2024 REPORT") == (wrong,)
    assert find_written(f"{NUMBER}\n{NUMBER.lower()}") == (NUMBER,)
    # Groups on different lines are not one number.
    assert find_written(f"HT\n{NUMBER[3:7]}\n{NUMBER[8:]}") == ()
