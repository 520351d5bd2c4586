"""The text an event may carry: no control characters but tab, line feed and carriage return.

A NUL typed or pasted into a form, or found in a mail body, is meaningless to a reader and fatal
to storage (PostgreSQL refuses it in ``text`` and ``jsonb``); a lone surrogate cannot be written as
UTF-8 at all. Both are removed where every event is validated, so an intake never publishes them
and a consumer never meets them, even in a record an older intake already put on a topic.
"""

from __future__ import annotations

import re
from typing import Final

# C0 controls but \t \n \r, DEL, C1 controls, and the surrogate range.
_UNSAFE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Printable ASCII with no blank at either end: what cleaning and stripping leave exactly as it is.
_KEPT_AS_IS: Final = re.compile(r"[!-~](?:[ -~]*[!-~])?")


def without_control_characters(text: str) -> str:
    """``text`` without the characters no store or reader can use (tab and line breaks stay)."""
    return _UNSAFE.sub("", text) if _UNSAFE.search(text) else text


def clean_strings(value: object) -> object:
    """``value`` with every string in it cleaned, through lists, tuples and dictionaries (keys too)."""
    if isinstance(value, str):
        return without_control_characters(value)
    if isinstance(value, dict):
        return {clean_strings(k): clean_strings(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(clean_strings(item) for item in value)
    return value


def kept_as_is(text: str, max_length: int) -> bool:
    """Whether validation could only confirm ``text``: cleaning and stripping would leave it as it
    is (printable ASCII, no blank at either end, not empty) and it fits ``max_length``. Lets a hot
    path skip validating values it built itself, and validate everything else."""
    return len(text) <= max_length and _KEPT_AS_IS.fullmatch(text) is not None
