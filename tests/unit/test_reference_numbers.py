"""Reference numbers: speakable, unguessable without the secret, and a check character that catches
the mistakes people make reading a number out."""

from __future__ import annotations

import itertools
import uuid

from contracts.reference_numbers import ALPHABET, is_valid, reference_for

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
