"""The REST channel (POST /webhooks/rest/webhook), replacing Rasa's own.

Same request and reply as Rasa's RestInput ({"sender", "message"} in, a JSON
list of bot messages out), with what a public endpoint needs:

- malformed JSON, wrong types, a missing sender or an empty message get a 400
  with a short explanation, never a 5xx or a traceback;
- `sender` must be 1-64 letters, digits or `._:@-`, and is stored as
  `rest-<sender>` (signpost.conversations.ids), so a REST caller can never name
  a widget or SMS conversation; replies still carry the sender as sent;
- more turns at once than the limits allow get 429 with Retry-After
  (signpost.rasa_plugins.channels.limits);
- the message is cleaned by signpost.rasa_plugins.channels.inbound (no "/intent" syntax,
  long messages cut with a note);
- the client cannot choose the input channel or attach metadata;
- a failed turn gets the helpline and 999, and a conversation's first reply
  ends with the privacy notice (signpost.rasa_plugins.channels.take_turn);
- each request has an id (X-Request-ID in and out) that the logs show
  instead of any message text.

The streaming mode of Rasa's channel (?stream=true) is not offered.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from signpost.config import Settings, get_settings
from signpost.conversations.ids import MAX_REST_SENDER_CHARS, rest_conversation_id, rest_sender_or_none
from signpost.forwarding import client_address
from signpost.logs import start_request
from signpost.rasa_plugins.channels.base import ProjectChannel
from signpost.rasa_plugins.channels.inbound import clean_message
from signpost.rasa_plugins.channels.take_turn import take_turn

logger = logging.getLogger(__name__)


def bad_request(reason: str, request_id: str) -> HTTPResponse:
    return response.json({"error": reason}, status=400, headers={"X-Request-ID": request_id})


def parse_body(request: Request) -> tuple[str, str] | str:
    """(sender, message) from the JSON body, or the reason it cannot be used."""
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - Sanic raises its own error type for invalid JSON
        return "The body must be JSON."
    if not isinstance(body, dict):
        return 'The body must be a JSON object with "sender" and "message".'
    sender, message = rest_sender_or_none(body.get("sender")), body.get("message")
    if sender is None:
        return (
            f'"sender" must be 1 to {MAX_REST_SENDER_CHARS} letters, digits or the characters . _ : @ -'
            " (for example a UUID)."
        )
    if not isinstance(message, str):
        return '"message" must be a string.'
    return sender, message


class RestChannel(ProjectChannel, InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        return cls(get_settings())

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = self.blueprint_with_health("signpost_rest")

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            request_id = start_request(request.headers.get("X-Request-ID"))
            parsed = parse_body(request)
            if isinstance(parsed, str):
                return bad_request(parsed, request_id)
            sender, raw = parsed
            inbound = clean_message(raw)
            if not inbound.text:
                return bad_request('"message" is empty.', request_id)
            collector = CollectingOutputChannel()
            conversation = rest_conversation_id(sender)
            message = UserMessage(
                inbound.text, collector, conversation, input_channel=self.name(), message_id=request_id
            )
            responses = self.responses_of(request.app)
            address = client_address(request.ip, request.headers.get("X-Forwarded-For"), self.settings.trusted_proxies)
            outcome = await take_turn(
                on_new_message, message, inbound.cut, self.engine, responses, self.settings, address
            )
            if outcome.refused is not None:
                return response.json(
                    {"error": "Too many messages at once. Please wait a moment and try again."},
                    status=429,
                    headers={"X-Request-ID": request_id, "Retry-After": str(outcome.refused.retry_after_s)},
                )
            replies = ({**m, "recipient_id": sender} for m in collector.messages)
            messages = [*replies, *({"recipient_id": sender, "text": text} for text in outcome.after)]
            logger.info("rest turn: %d message(s) out", len(messages))
            return response.json(messages, headers={"X-Request-ID": request_id})

        return rest
