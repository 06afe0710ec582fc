"""The privacy notice: one line after the first reply of a conversation, on every channel,
with the retention period and the privacy page's address.

A conversation is new when the tracker store has not noted it yet (no conv_conversations
row), so the notice comes again after a forget-me.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from signpost.config import Settings, describe_duration
from signpost.conversations.models import ConversationRow
from signpost.responses import Responses, variant_text

logger = logging.getLogger(__name__)

NOTICE = "utter_privacy_notice"


def is_new_conversation(engine: Engine, conversation_id: str) -> bool:
    """True before the first turn is stored; False also when the database cannot be read
    (no notice is better than no reply)."""
    try:
        with Session(engine, future=True) as session:
            return session.get(ConversationRow, conversation_id) is None
    except Exception as exc:  # noqa: BLE001 - any database failure
        logger.warning("could not check for a new conversation (%s)", type(exc).__name__)
        return False


def privacy_text(responses: Responses, name: str, channel: str, settings: Settings) -> str:
    """A privacy response for `channel`, with the retention period and the privacy page's address."""
    text = variant_text(responses, name, channel)
    return text.format(retention=describe_duration(settings.retention), privacy_url=settings.privacy_url)
