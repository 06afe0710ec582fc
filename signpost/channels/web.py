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
- events with the wrong shape are dropped without reaching Rasa.
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

from signpost.config import get_settings
from signpost.conversations.ids import session_id_or_none

logger = logging.getLogger(__name__)


class WebChatInput(SocketIOInput):
    """Socket.io for the website widget, refusing origins that are not allowed."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        assert isinstance(channel, WebChatInput)
        channel.allowed_origins = get_settings().web_allowed_origins
        return channel

    allowed_origins: tuple[str, ...] = ()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # An empty list would switch python-engineio's origin check off, so an
        # empty allow-list becomes one origin that never matches.
        origins = list(self.allowed_origins) or ["null-origin-nothing-is-allowed"]
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=origins)
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
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                logger.info("socket.io message without text dropped")
                return
            if self.session_persistence:
                sender_id = session_id_or_none(data.get("session_id"))
                if sender_id is None:
                    logger.info("socket.io message without a valid session id dropped")
                    return
            else:
                sender_id = sid
            message = UserMessage(
                data["message"],
                SocketIOOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
            )
            await on_new_message(message)

        return bp
