"""The website widget's channel: Rasa's socket.io channel with the gaps closed.

Rasa's own `SocketIOInput` accepts connections from every origin (it turns
python-engineio's origin check off) and trusts whatever the client sends. This
channel keeps Rasa's wire format (`session_request` / `session_confirm`,
`user_uttered` / `bot_uttered`, rooms per session for `session_persistence`)
and adds:

- an Origin allow-list (`WEB_ALLOWED_ORIGINS`), checked by python-engineio for
  the websocket upgrade and for polling, so a page on another site cannot talk
  to the bot through a visitor's browser;
- session ids must be UUIDs (the widget makes a uuid4), so a client cannot pick
  another channel's conversation id;
- events with the wrong shape are dropped without reaching Rasa, and message
  text is cleaned as on every public channel (signpost.channels.inbound);
- a failed turn gets the helpline and 999, and a conversation's first reply
  ends with the privacy notice (signpost.channels.turn);
- custom payloads arrive as `{"custom": {...}}` (Rasa's output passes them to
  `emit` as keyword arguments, which fails for anything but its own keys); the
  widget reads `{"custom": {"forgotten": true}}` to start a new conversation.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from signpost.channels.inbound import MAX_REQUEST_BYTES, clean_message
from signpost.channels.turn import take_turn
from signpost.config import Settings, get_settings
from signpost.conversations.ids import session_id_or_none
from signpost.knowledge.db import engine_for
from signpost.logs import start_request

logger = logging.getLogger(__name__)


class WebChatOutput(SocketIOOutput):
    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self.sio.emit(self.bot_message_evt, {"custom": json_message}, room=recipient_id)


class WebChatInput(SocketIOInput):
    """Socket.io for the website widget, refusing origins that are not allowed."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        assert isinstance(channel, WebChatInput)
        channel.settings = get_settings()
        channel.allowed_origins = channel.settings.web_allowed_origins
        return channel

    allowed_origins: tuple[str, ...] = ()
    settings: Settings | None = None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # An empty list would switch python-engineio's origin check off, so an
        # empty allow-list becomes one origin that never matches.
        origins = list(self.allowed_origins) or ["null-origin-nothing-is-allowed"]
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=origins, max_http_buffer_size=MAX_REQUEST_BYTES)
        bp = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = session_id_or_none(requested) or uuid.uuid4().hex
            if self.session_persistence:
                sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            request_id = start_request()
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                logger.info("socket.io message without text dropped")
                return
            inbound = clean_message(data["message"])
            if not inbound.text:
                logger.info("empty socket.io message dropped")
                return
            if self.session_persistence:
                sender_id = session_id_or_none(data.get("session_id"))
                if sender_id is None:
                    logger.info("socket.io message without a valid session id dropped")
                    return
            else:
                sender_id = sid
            output = WebChatOutput(sio, self.bot_message_evt)
            message = UserMessage(inbound.text, output, sender_id, input_channel=self.name(), message_id=request_id)
            settings = self.settings or get_settings()
            engine = engine_for(settings.database_url)
            after = await take_turn(on_new_message, message, inbound.cut, engine, self.responses(), settings)
            for text in after:
                await output.send_text_message(sender_id, text)
            logger.info("socket.io turn: %d note(s) added", len(after))

        @bp.listener("before_server_start")
        async def remember_app(app: Any, _: Any) -> None:
            self.app = app

        return bp

    app: Any = None

    def responses(self) -> Dict[str, Any]:
        """The loaded model's domain responses ({} before the model is loaded)."""
        agent = getattr(self.app.ctx, "agent", None) if self.app else None
        return agent.domain.responses if agent and agent.domain else {}  # type: ignore[no-any-return]
