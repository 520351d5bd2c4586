"""The CloudEvents 1.0 envelope in Kafka binary mode: attributes in ``ce_*`` headers, JSON payload as value.

Headers carry ids, types and times only. Personal data never goes into a header: headers are
copied into logs, dead-letter records and tooling far more freely than values are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Final

from pydantic import AwareDatetime, Field

from contracts._base import ContractModel

SPEC_VERSION: Final = "1.0"
CONTENT_TYPE: Final = "application/json"

H_SPECVERSION: Final = "ce_specversion"
H_ID: Final = "ce_id"
H_TYPE: Final = "ce_type"
H_SOURCE: Final = "ce_source"
H_TIME: Final = "ce_time"
H_DATASCHEMA: Final = "ce_dataschema"
H_CONTENT_TYPE: Final = "content-type"

REQUIRED_HEADERS: Final = (H_SPECVERSION, H_ID, H_TYPE, H_SOURCE, H_TIME, H_CONTENT_TYPE)
CE_HEADERS: Final = frozenset({*REQUIRED_HEADERS, H_DATASCHEMA})

Header = tuple[str, bytes]


class Envelope(ContractModel):
    """The CloudEvents context attributes of one record."""

    id: Annotated[str, Field(min_length=1, max_length=128)]
    type: Annotated[str, Field(pattern=r"^[a-z0-9.]+\.v[0-9]+$", max_length=128)]
    source: Annotated[str, Field(pattern=r"^/[a-z0-9/._-]*$", max_length=256)]
    time: AwareDatetime
    specversion: str = SPEC_VERSION
    datacontenttype: str = CONTENT_TYPE
    dataschema: str | None = None

    def to_headers(self) -> list[Header]:
        return envelope_headers(self.id, self.type, self.source, self.time, self.dataschema,
                                specversion=self.specversion, content_type=self.datacontenttype)


def envelope_headers(id: str, type: str, source: str, time: datetime, dataschema: str | None, *,
                     specversion: str = SPEC_VERSION, content_type: str = CONTENT_TYPE) -> list[Header]:
    """The ``ce_*`` headers of an envelope, in their order: one writer for ``Envelope.to_headers``
    and the codec's encoding of envelopes it has no need to validate again."""
    headers: list[Header] = [
        (H_SPECVERSION, specversion.encode()),
        (H_ID, id.encode()),
        (H_TYPE, type.encode()),
        (H_SOURCE, source.encode()),
        (H_TIME, time.isoformat().encode()),
        (H_CONTENT_TYPE, content_type.encode()),
    ]
    if dataschema is not None:
        headers.append((H_DATASCHEMA, dataschema.encode()))
    return headers


def header_value(headers: Sequence[Header], name: str) -> str | None:
    """The last value of header ``name`` as text, or None when absent or not UTF-8."""
    for key, raw in reversed(headers):
        if key == name:
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                return None
    return None


def parse_time(text: str) -> datetime:
    """Parse a ``ce_time`` (RFC 3339) into an aware datetime."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("ce_time must carry an offset")
    return parsed
