"""Log lines that carry a request id and never what people typed.

Each inbound message gets a request id (the client's X-Request-ID when it is
a plain token, otherwise a new one). The channels set it with `start_request`
and pass it to Rasa as the message id, so the action server sees the same id
in `tracker.latest_message["message_id"]` and logs under it too.

Our code logs ids, counts and exception types at INFO and above, never message
text, phone numbers or exception messages (which can quote the input). Rasa
itself logs message text only at DEBUG.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

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


def configure(level: str | int = "INFO") -> None:
    """One stderr handler on the root logger with the request-id format (replaces any others)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("rasa", "rasa_sdk", "signpost", "actions"):
        logging.getLogger(name).setLevel(level)
