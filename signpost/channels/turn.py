"""One turn on a public channel: what every channel adds around Rasa's answer.

Each channel builds its UserMessage and output channel, then calls `take_turn`,
which returns the texts to send after the bot's own replies:

- if the turn failed (database, lock store, anything), only the apology with
  the helpline and 999; the log gets the exception's type, never its message;
- otherwise the note that a long message was cut (signpost.channels.inbound),
  and on a conversation's first turn the one-line privacy notice.

They come after the bot's replies, so a red-flag answer is still the first
thing a person reads. A conversation is new when the tracker store has not
noted it yet (no conv_conversations row), so the notice comes again after a
forget-me.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Mapping, Sequence

from rasa.core.channels.channel import UserMessage
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from signpost.config import Settings, describe_duration
from signpost.conversations.models import ConversationRow
from signpost.responses import variant_text

logger = logging.getLogger(__name__)

Responses = Mapping[str, Sequence[Mapping[str, Any]]]

NOTICE = "utter_privacy_notice"
CUT_NOTE = "utter_message_cut"
APOLOGY = "utter_service_problem"


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


async def take_turn(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
    cut: bool,
    engine: Engine,
    responses: Responses,
    settings: Settings,
) -> list[str]:
    """Run `message` through Rasa; the texts the channel sends after the bot's replies."""
    channel = message.input_channel or ""
    first = is_new_conversation(engine, message.sender_id)
    try:
        await on_new_message(message)
    except Exception as exc:  # noqa: BLE001 - the person gets the helpline, the log gets the type
        logger.error("turn failed (%s)", type(exc).__name__)
        return [variant_text(responses, APOLOGY, channel)]
    after = [variant_text(responses, CUT_NOTE, channel)] if cut else []
    if first:
        after.append(privacy_text(responses, NOTICE, channel, settings))
    return after
