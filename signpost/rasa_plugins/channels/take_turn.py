"""One turn on a public channel: what every channel adds around Rasa's answer.

Each channel builds its UserMessage and output channel, then calls `take_turn`,
which returns the texts to send after the bot's own replies:

- if a limit refuses the turn (signpost.rasa_plugins.channels.limits), the turn does not run:
  `TurnOutcome.refused` says why, and `after` holds the one "please wait a
  moment" the person gets per burst (REST answers 429 instead);
- if the turn failed (database, lock store, anything), only the apology with
  the helpline and 999; the log gets the exception's type, never its message;
- otherwise the note that a long message was cut (signpost.rasa_plugins.channels.inbound),
  and on a conversation's first turn the one-line privacy notice (privacy_notice.py).

Every turn is counted for the metrics (signpost.metrics) by channel and outcome
(answered, refused, failed), with its latency when it ran.

They come after the bot's replies, so a red-flag answer is still the first
thing a person reads.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from sqlalchemy.engine import Engine

from signpost import metrics
from signpost.config import Settings
from signpost.rasa_plugins.channels.limits import Refusal, limiter, pseudonym
from signpost.rasa_plugins.channels.privacy_notice import NOTICE, is_new_conversation, privacy_text
from signpost.responses import Responses, variant_text

logger = logging.getLogger(__name__)


CUT_NOTE = "utter_message_cut"
APOLOGY = "utter_service_problem"
PLEASE_WAIT = "utter_please_wait"


@dataclass(frozen=True)
class TurnOutcome:
    after: list[str]  # texts to send after the bot's replies
    refused: Optional[Refusal] = None


async def take_turn(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
    cut: bool,
    engine: Engine,
    responses: Responses,
    settings: Settings,
    address: Optional[str] = None,
) -> TurnOutcome:
    """Run `message` through Rasa within the limits; what the channel sends after the bot's replies.

    `address` is the client's network address (None where there is none to count, as
    for SMS, which always comes from the provider); the message's metadata gets only
    a keyed pseudonym of it, for the handoff caps.
    """
    channel = message.input_channel or ""
    limits = limiter(settings)
    refused = limits.admit(message.sender_id, address)
    if refused is not None:
        logger.info("turn refused (%s limit)", refused.reason)
        metrics.count_turn(channel, "refused")
        wait = [variant_text(responses, PLEASE_WAIT, channel)] if refused.notify else []
        return TurnOutcome(wait, refused)
    started = time.perf_counter()
    try:
        client = pseudonym(settings.client_secret, address)
        if client:
            message.metadata = {**(message.metadata or {}), "client": client}
        first = await asyncio.to_thread(is_new_conversation, engine, message.sender_id)
        try:
            await on_new_message(message)
        except Exception as exc:  # noqa: BLE001 - the person gets the helpline, the log gets the type
            logger.error("turn failed (%s)", type(exc).__name__)
            metrics.count_turn(channel, "failed", time.perf_counter() - started)
            return TurnOutcome([variant_text(responses, APOLOGY, channel)])
    finally:
        limits.release(message.sender_id)
    metrics.count_turn(channel, "answered", time.perf_counter() - started)
    after = [variant_text(responses, CUT_NOTE, channel)] if cut else []
    if first:
        after.append(privacy_text(responses, NOTICE, channel, settings))
    return TurnOutcome(after)
