"""Conversation ids that come from a browser: the widget makes a uuid4 and keeps it."""

from __future__ import annotations

import uuid
from typing import Any, Optional


def session_id_or_none(value: Any) -> Optional[str]:
    """The canonical hex form of a UUID sent by a client, or None if it is not one."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return uuid.UUID(value).hex
    except ValueError:
        return None
