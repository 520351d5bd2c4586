"""What a consumer is: its registry entry (topic, group, handlers, policy) and the message a handler gets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from contracts import Envelope, Event, Topic
from services.runtime.tracing import OpenSpan


@dataclass(frozen=True)
class Message:
    """What a handler receives: the decoded event and where it came from."""

    topic: Topic
    partition: int
    offset: int
    envelope: Envelope
    event: Event
    headers: tuple[tuple[str, bytes], ...]
    # In a batch, the record's consumer span (open until the batch is applied): a batch handler
    # records its own spans under it, since no one record's context is current for a batch.
    trace: OpenSpan | None = field(default=None, compare=False)


Handler = Callable[[Message], Awaitable[None]]
# Applies every message of a poll at once, each exactly once by event id (duplicates and
# redeliveries are absorbed), and is durable when it returns. It raises to refuse the whole batch,
# having applied none of it: the loop then applies the messages one by one through ``Handler``.
BatchHandler = Callable[[Sequence[Message]], Awaitable[None]]


@dataclass(frozen=True)
class ConsumerPolicy:
    max_retries: int = 5
    backoff_initial_s: float = 0.2
    backoff_max_s: float = 10.0
    # Past this many dead letters in a row the consumer halts instead of draining the topic
    # into the DLQ (a bad deploy or a poisoned dependency looks like that).
    max_consecutive_dead_letters: int = 10
    max_batch: int = 100
    poll_timeout_ms: int = 500


@dataclass(frozen=True)
class ConsumerSpec:
    """A consumer as a registry entry: what it reads, as which group, and what it does."""

    name: str
    topic: Topic
    group: str
    handler: Handler
    event_type: type[Event] | None = None
    policy: ConsumerPolicy = ConsumerPolicy()
    batch_handler: BatchHandler | None = None
