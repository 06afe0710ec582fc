"""Log lines that carry a request id and never what people typed.

Each inbound message gets a request id (the client's X-Request-ID when it is
a plain token, otherwise a new one). The channels set it with `start_request`
and pass it to Rasa as the message id, so the action server sees the same id
in `tracker.latest_message["message_id"]` and logs under it too.

Our code logs ids, counts and exception types at INFO and above, never message
text, phone numbers or exception messages (which can quote the input). Rasa
itself logs message text only at DEBUG.

`LOG_FORMAT=json` makes every line one JSON object (python-json-logger) with
`timestamp` (UTC, ISO 8601), `level`, `logger`, `request_id` (null outside a
request), `message`, and `exc_info` when there is a traceback; no other field,
so nothing a library attaches to a record (Sanic's client address, aiohttp's
request details) reaches the log. Rasa's, Sanic's and aiohttp's own loggers go
through the same root handler (`fold_library_loggers`), and so do Python's
warnings, so each line of a process's output is one object.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
FORMAT = "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s] %(message)s"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def start_request(offered: str | None = None) -> str:
    """Set and return the request id for the work that follows (in this task)."""
    request_id = offered if offered and _TOKEN.fullmatch(offered) else uuid.uuid4().hex
    REQUEST_ID.set(request_id)
    return request_id


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, so the format can show it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class SanicAccessFilter(logging.Filter):
    """Sanic's access records carry the request line and status as attributes beside an
    empty message (and the client's address, which is never logged): make them the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "sanic.access":
            record.msg, record.args = (
                "%s %s %s",
                (
                    getattr(record, "request", "-"),
                    getattr(record, "status", "-"),
                    getattr(record, "byte", "-"),
                ),
            )
        return True


JSON_FIELDS = ("timestamp", "level", "logger", "request_id", "message", "exc_info", "stack_info")


class JsonLineFormatter(JsonFormatter):
    """One JSON object per record with only JSON_FIELDS, in that order."""

    def __init__(self) -> None:
        super().__init__(
            "{levelname}{name}{request_id}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        out = {key: log_data[key] for key in JSON_FIELDS if log_data.get(key) is not None}
        out["request_id"] = None if log_data.get("request_id") in (None, "-") else log_data["request_id"]
        return {key: out[key] for key in JSON_FIELDS if key in out}


FORMATS = ("text", "json")
# Libraries that log through handlers of their own (Sanic configures them when an app is
# made, Rasa again before serving): their records go to the root handler instead.
LIBRARY_LOGGERS = ("sanic.root", "sanic.error", "sanic.access", "sanic.server", "sanic.websockets")


def fold_library_loggers() -> None:
    """Send the libraries' own loggers through the root handler (their levels are kept)."""
    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        for old in list(library.handlers):
            library.removeHandler(old)
        library.propagate = True


def formatter(fmt: str = "text") -> logging.Formatter:
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return JsonLineFormatter() if fmt == "json" else logging.Formatter(FORMAT)


def _log_uncaught(kind: type[BaseException], error: BaseException, trace: Any) -> None:
    logging.getLogger("signpost").critical("uncaught %s", kind.__name__, exc_info=(kind, error, trace))


def configure(level: str | int = "INFO", fmt: str = "text") -> None:
    """One stderr handler on the root logger with the request-id format, as text or JSON
    lines (replaces any others); the libraries' loggers and warnings go through it."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(fmt))
    handler.addFilter(RequestIdFilter())
    handler.addFilter(SanicAccessFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("rasa", "rasa_sdk", "signpost", "actions"):
        logging.getLogger(name).setLevel(level)
    fold_library_loggers()
    logging.captureWarnings(True)
    if fmt == "json":  # a crash is one JSON object too, not Python's plain traceback
        sys.excepthook = _log_uncaught
