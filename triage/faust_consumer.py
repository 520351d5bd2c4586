"""faust's Kafka consumer, with "seek to committed" that also rewinds a partition nothing was committed on.

faust reads again what it fetched but never processed by seeking every assigned partition to its
committed offset: after a rebalance (the agents' buffers are cleared on revocation) and when a
fetch returns while the flow is stopped. aiokafka's ``seek_to_committed`` leaves a partition with
no committed offset where the fetcher already is, so records fetched and then dropped there were
never read again, and the next commit went past them: the fault drill lost two signals that way
(one of them an urgent tip) when a worker took over partitions its killed peer had not yet
committed on. Such a partition starts where ``auto_offset_reset=earliest`` would start it: at
its beginning. Redelivery is safe (the processor ignores a signal it already fanned out); a skip
is a tip nobody triages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import faust
from faust.transport.drivers import aiokafka as driver
from faust.types import TP


class _RewindingThread(driver.AIOKafkaConsumerThread):
    async def seek_to_committed(self) -> Mapping[TP, int]:
        return cast(Mapping[TP, int], await self.call_thread(self._seek_to_committed_or_beginning))

    async def _seek_to_committed_or_beginning(self) -> Mapping[TP, int]:
        consumer = self._ensure_consumer()
        committed: Mapping[TP, int] = await consumer.seek_to_committed()
        # None: never committed; 0 is not sought by aiokafka either (both mean "from the start").
        uncommitted = [tp for tp, offset in committed.items() if not offset]
        if uncommitted:
            await consumer.seek_to_beginning(*uncommitted)
        # faust resets its read offsets from this mapping, the uncommitted (None) ones included.
        return committed


class _Consumer(driver.Consumer):
    _thread: _RewindingThread

    def _new_consumer_thread(self) -> _RewindingThread:
        return _RewindingThread(self, loop=self.loop, beacon=self.beacon)


class _Transport(driver.Transport):
    Consumer = _Consumer


class App(faust.App):
    """A faust app whose consumer rewinds uncommitted partitions (see the module's docstring)."""

    def _new_transport(self) -> Any:
        return _Transport(self.conf.broker_consumer, self)
