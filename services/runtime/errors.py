"""The runtime's error tree: retriable vs invalid is a type, and library errors are translated here."""

from __future__ import annotations

from contracts import ContractError, DecodeError


class HotlineError(Exception):
    """Base of every runtime error. Messages carry ids and kinds only, never content."""


class RetriableError(HotlineError):
    """Something outside the message failed (broker, database, network); trying again may work.

    A consumer retries it with backoff; when the retries run out the consumer halts rather than
    dead-lettering a message that did nothing wrong.
    """


class InvalidMessage(HotlineError):
    """The message itself can never be applied; it is dead-lettered and the consumer moves on."""


class PublishError(HotlineError):
    """A record was not acknowledged by the broker."""


class BrokerUnavailable(PublishError, RetriableError):
    """The broker could not be reached or did not answer in time."""


class PublisherClosed(PublishError):
    """The publisher was used before ``start`` or after ``stop``."""


class ServerStartError(HotlineError):
    """An HTTP server of the service could not start (usually: its port is taken)."""


class ConsumerHalted(HotlineError):
    """The consumer stopped itself: too many consecutive failures, or retries exhausted."""


def is_safe_to_show(error: BaseException) -> bool:
    """Whether ``str(error)`` is known to hold no content (ids and kinds only)."""
    return isinstance(error, HotlineError | ContractError)


def describe(error: BaseException) -> str:
    """A log- and header-safe description: the message only for our own errors, else the type."""
    if is_safe_to_show(error):
        return f"{type(error).__name__}: {error}"[:500]
    return f"{type(error).__name__} (message withheld: may contain content)"


__all__ = [
    "BrokerUnavailable",
    "ConsumerHalted",
    "DecodeError",
    "HotlineError",
    "InvalidMessage",
    "PublishError",
    "PublisherClosed",
    "RetriableError",
    "ServerStartError",
    "describe",
    "is_safe_to_show",
]
