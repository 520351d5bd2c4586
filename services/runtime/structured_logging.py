"""JSON log lines that carry ids, never narrative text or contact details.

Only allow-listed ``extra`` fields are written; anything else is dropped and named in
``dropped``, so a careless ``extra={"narrative": ...}`` cannot leak. Exception messages are
written only for the project's own errors (see ``errors.describe``); other exceptions keep
their type and stack frames but not their message, which may quote input.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import Any, Final, TextIO

from services.runtime.broker_link import BrokerLink, BrokerLinkFilter, broker_link, install_broker_link
from services.runtime.errors import describe
from services.runtime.tracing import current_trace_id

SAFE_FIELDS: Final = frozenset(
    {
        "event_id", "event_type", "signal_id", "reference_number", "topic", "partition", "offset",
        "group", "key_hash", "attempt", "error", "error_class", "duration_ms", "count", "port",
        "host", "bootstrap", "state", "reason", "status", "dlq_topic", "urgency", "rules_version",
        "channel", "component", "path", "method", "trace_id", "version", "lag", "backoff_s", "seq",
        "outcome", "field", "code", "case_id",
    }
)

_STANDARD_ATTRS: Final = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}
# Defence in depth for the message text itself: addresses and phone-like digit runs are masked.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d ()./-]{7,}\d(?!\w)")


def scrub(text: str) -> str:
    return _PHONE.sub("<phone>", _IPV4.sub("<ip>", _EMAIL.sub("<email>", text)))


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        dropped = []
        for key, value in vars(record).items():
            if key in _STANDARD_ATTRS or key.startswith("_"):
                continue
            if key in SAFE_FIELDS:
                # Allow-listed fields hold ids and kinds by contract; masking them would mangle ids.
                line[key] = value if isinstance(value, int | float | bool | None) else str(value)
            else:
                dropped.append(key)
        if "trace_id" not in line and (trace_id := current_trace_id()) is not None:
            line["trace_id"] = trace_id
        if dropped:
            line["dropped"] = sorted(dropped)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line["exc"] = describe(error)
            line["stack"] = "".join(traceback.format_tb(error.__traceback__))[-4000:]
        return json.dumps(line, ensure_ascii=False, default=str)


class ServiceLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The JSON handler ``configure_logging`` puts on the root logger: the one it replaces."""


def configure_logging(service: str, level: str = "INFO", stream: TextIO | None = None) -> None:
    """Route every logger (ours and the libraries') through the JSON formatter.

    Only the handler this function installed before is replaced: handlers someone else put on the
    root logger (a test runner's log capture, an embedding application's) stay where they are.
    """
    handler = ServiceLogHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    # A broker outage is reported as changes and counts, not one line per failed attempt.
    install_broker_link(BrokerLink())
    handler.addFilter(BrokerLinkFilter(broker_link))
    root = logging.getLogger()
    remove_service_logging()
    root.addHandler(handler)
    root.setLevel(level)
    # aiokafka logs full reprs of records at DEBUG, Pillow the values of EXIF tags (names, GPS
    # positions), the multipart parser form fields: keep library chatter at WARNING.
    for noisy in ("aiokafka", "kafka", "faust", "mode", "uvicorn.access", "PIL", "pypdf", "multipart",
                  "python_multipart", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def remove_service_logging() -> None:
    """Take the services' JSON handler off the root logger (a command run in-process, then done)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, ServiceLogHandler):
            root.removeHandler(handler)
            handler.close()
