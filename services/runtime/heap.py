"""The garbage collector's settings for a long-running process, applied once its start-up is done."""

from __future__ import annotations

import gc
from typing import Final

# Container allocations between two young collections; CPython's default is 700. A web tip or an
# imported row allocates a few hundred to a couple of thousand containers (models, dicts, spans),
# so the default collected every one to three of them: 13-16 % of the web intake's and the CDR
# import's CPU in a profile, against 4 % with this.
YOUNG_THRESHOLD: Final = 20_000


def settle_after_start() -> None:
    """Collect once, then freeze what is left (modules, the app, templates: kept for the process's
    life) out of every later collection's scan, and collect the young generation less often.

    Nothing is kept that would otherwise be freed: objects made later are collected as before,
    and a frozen object is still freed by reference counting when the last reference goes.
    """
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
