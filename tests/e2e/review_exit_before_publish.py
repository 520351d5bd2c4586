"""``python -m tests.e2e.review_exit_before_publish``: review whose outbox relay exits right after a
commit, before publishing its events: the crash the outbox test needs, injected here so that
production code carries no switch for it."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from services.runtime.outbox import OutboxRelay

EXIT_CODE = 86
_publish_pending = OutboxRelay.publish_pending


async def _exit_before_publish(self: OutboxRelay) -> int:
    if await asyncio.to_thread(self._pending):
        logging.getLogger(__name__).critical("fault injection: exiting between the commit and the publish")
        os._exit(EXIT_CODE)
    return await _publish_pending(self)


if __name__ == "__main__":
    OutboxRelay.publish_pending = _exit_before_publish  # type: ignore[method-assign]
    from services.review.main import main

    sys.exit(main())
