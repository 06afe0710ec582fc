"""Conversation ids: where they come from, and the rule that keeps channels apart.

- The widget's ids are uuid4 hex strings that the server confirms (with a
  secret, see signpost.conversations.access).
- SMS ids are `sms-` and a keyed hash of the number (signpost.language.sms_text).
- A REST client chooses its own `sender`, so it is checked against a small, safe
  alphabet and length, and stored under `rest-<sender>`: a REST caller can never
  name a widget or SMS conversation, whatever it sends.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Optional

REST_PREFIX = "rest-"
MAX_REST_SENDER_CHARS = 64
# Letters, digits and a few separators: nothing a database driver, a log line or a
# URL could read differently (no NUL, no surrogates, no spaces or slashes).
_REST_SENDER = re.compile(rf"[A-Za-z0-9._:@-]{{1,{MAX_REST_SENDER_CHARS}}}")


def session_id_or_none(value: Any) -> Optional[str]:
    """The canonical hex form of a UUID sent by a client, or None if it is not one."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return uuid.UUID(value).hex
    except ValueError:
        return None


def rest_sender_or_none(value: Any) -> Optional[str]:
    """A REST client's `sender` if it is in the safe alphabet and length, else None."""
    if isinstance(value, str) and _REST_SENDER.fullmatch(value):
        return value
    return None


def rest_conversation_id(sender: str) -> str:
    """The conversation id a REST sender is stored under."""
    return REST_PREFIX + sender
