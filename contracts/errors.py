"""The contracts' error tree. A ``DecodeError`` means the bytes can never become an event: dead-letter it."""

from __future__ import annotations

from pydantic import ValidationError


class ContractError(Exception):
    """Base of every error raised by ``contracts``."""


class EncodeError(ContractError):
    """An event could not be encoded (for example an invalid CloudEvents source)."""


class DecodeError(ContractError):
    """A record cannot be turned into an event. Retrying will not help; dead-letter it.

    Messages name headers, fields and error kinds only, never values, so that they are safe
    to log and to put in dead-letter headers.
    """


class MissingHeader(DecodeError):
    """A required CloudEvents header is absent or not UTF-8."""


class UnknownEventType(DecodeError):
    """``ce_type`` names no event this codec knows."""


class UnsupportedVersion(DecodeError):
    """The event's version is newer than this consumer, or no upcaster path leads to the newest."""


class MalformedPayload(DecodeError):
    """The value is empty, not UTF-8 or not JSON."""


class SchemaViolation(DecodeError):
    """The value is JSON but does not satisfy the event model."""

    @classmethod
    def from_validation_error(cls, event_type: str, error: ValidationError) -> SchemaViolation:
        problems = [
            f"{'.'.join(str(part) for part in e['loc']) or '<root>'}: {e['type']}"
            for e in error.errors(include_input=False, include_url=False, include_context=False)
        ]
        shown = "; ".join(problems[:10])
        more = f" (+{len(problems) - 10} more)" if len(problems) > 10 else ""
        return cls(f"{event_type} failed validation: {shown}{more}")


class UnexpectedEventType(DecodeError):
    """The record is a valid event, but not of the type this consumer reads."""
