"""The website widget's channel: Rasa's socket.io channel with the gaps closed.

Rasa's own `SocketIOInput` accepts connections from every origin (it turns
python-engineio's origin check off) and trusts whatever the client sends. This
channel keeps Rasa's wire format (`session_request` / `session_confirm`,
`user_uttered` / `bot_uttered`, rooms per session for `session_persistence`)
and adds:

- an Origin allow-list (`WEB_ALLOWED_ORIGINS`), checked by python-engineio for
  the websocket upgrade and for polling, so a page on another site cannot talk
  to the bot through a visitor's browser;
- the server chooses the conversation: `session_request` gets back
  `session_confirm` with `{"session_id", "token"}`, where the token is a secret
  issued for that conversation (signpost.conversations.access). A client that
  brings back a known id without its token gets a new conversation, and every
  `user_uttered` must carry the id and token its connection was confirmed for,
  so knowing an id is not enough to read or write a conversation;
- `summary_link_request` (with the id and token) answers `summary_link` with a
  short-lived, read-only token for the GP summary page, which never sees the
  conversation id;
- events with the wrong shape are dropped without reaching Rasa, and message
  text is cleaned as on every public channel (signpost.rasa_plugins.channels.inbound);
- a failed turn gets the helpline and 999, and a conversation's first reply
  ends with the privacy notice; more messages at once than the limits allow get
  one "please wait a moment" (signpost.rasa_plugins.channels.take_turn);
- custom payloads arrive as `{"custom": {...}}` (Rasa's output passes them to
  `emit` as keyword arguments, which fails for anything but its own keys); the
  widget reads `{"custom": {"forgotten": true}}` to start a new conversation.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from signpost.config import Settings, get_settings
from signpost.conversations import access, live
from signpost.conversations.ids import session_id_or_none
from signpost.forwarding import client_address
from signpost.logs import start_request
from signpost.rasa_plugins.channels.base import ProjectChannel
from signpost.rasa_plugins.channels.inbound import MAX_REQUEST_BYTES, clean_message
from signpost.rasa_plugins.channels.take_turn import take_turn
from signpost.responses import Responses

logger = logging.getLogger(__name__)

MAX_SESSION_REQUESTS = 20  # per connection: a widget sends one, and one more after each "start again"


class WebChatOutput(SocketIOOutput):
    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self.sio.emit(self.bot_message_evt, {"custom": json_message}, room=recipient_id)


@dataclass(frozen=True)
class Confirmed:
    """The conversation a socket.io connection was confirmed for, and its secret's digest."""

    session_id: str
    token_hash: str


def confirm_session(engine: Engine, requested: Any, token: Any) -> tuple[str, str]:
    """(session id, token) for a session_request: the same conversation when the token is
    its secret, otherwise a new conversation with a new secret."""
    session_id = session_id_or_none(requested)
    with Session(engine, future=True) as session, session.begin():
        if session_id and access.widget_token_ok(session, session_id, token):
            return session_id, str(token)
        session_id = uuid.uuid4().hex
        return session_id, access.issue_widget_token(session, session_id)


def new_summary_link(engine: Engine, session_id: str) -> str:
    with Session(engine, future=True) as session, session.begin():
        return access.issue_summary_link(session, session_id)


def replies_after(engine: Engine, session_id: str, seen: int) -> list[tuple[int, str]]:
    with Session(engine, future=True) as session:
        return [(r.id, r.text) for r in live.replies_after(session, session_id, seen)]


async def _enter_room(sio: AsyncServer, sid: str, room: str) -> None:
    """python-socketio made enter_room a coroutine in 5.10; this works with both."""
    entered = sio.enter_room(sid, room)
    if inspect.isawaitable(entered):
        await entered


async def _leave_room(sio: AsyncServer, sid: str, room: str) -> None:
    left = sio.leave_room(sid, room)
    if inspect.isawaitable(left):
        await left


class WebChatInput(ProjectChannel, SocketIOInput):
    """Socket.io for the website widget, refusing origins that are not allowed."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        assert isinstance(channel, WebChatInput)
        channel.settings = get_settings()
        channel.allowed_origins = channel.settings.web_allowed_origins
        return channel

    allowed_origins: tuple[str, ...] = ()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # An empty list would switch python-engineio's origin check off, so an
        # empty allow-list becomes one origin that never matches.
        origins = list(self.allowed_origins) or ["null-origin-nothing-is-allowed"]
        current = self.current_settings
        # With Redis, an emit from any replica (a helpline worker's reply) reaches a widget
        # connected to another one.
        manager = (
            AsyncRedisManager(current.redis_url, channel=f"{current.redis_key_prefix}:socketio")
            if current.redis_url
            else None
        )
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=origins,
            max_http_buffer_size=MAX_REQUEST_BYTES,
            client_manager=manager,
        )
        bp = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        confirmed: dict[str, Confirmed] = {}  # socket.io sid -> its conversation
        addresses: dict[str, Optional[str]] = {}  # socket.io sid -> client address

        def settings() -> Settings:
            return self.current_settings

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, *args: Any) -> None:
            # A client can also send an event called "connect": only the first call, from
            # python-engineio with the real request, counts (it cannot forge a Request object).
            environ = args[0] if args and isinstance(args[0], dict) else {}
            request = environ.get("sanic.request")
            if sid in addresses or not isinstance(request, Request):
                return
            addresses[sid] = client_address(
                request.ip, request.headers.get("X-Forwarded-For"), settings().trusted_proxies
            )

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str, *_: Any) -> None:
            confirmed.pop(sid, None)
            addresses.pop(sid, None)
            requests_made.pop(sid, None)

        requests_made: dict[str, int] = {}  # socket.io sid -> session requests on this connection

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None, *_: Any) -> None:
            requests_made[sid] = requests_made.get(sid, 0) + 1
            if requests_made[sid] > MAX_SESSION_REQUESTS:  # each may create a conversation: no floods
                logger.info("session request beyond the per-connection limit dropped")
                return
            data = data if isinstance(data, dict) else {}
            engine = self.engine
            try:
                session_id, token = await asyncio.to_thread(
                    confirm_session, engine, data.get("session_id"), data.get("token")
                )
            except Exception as exc:  # noqa: BLE001 - no conversation can start without the database
                logger.error("session request failed (%s)", type(exc).__name__)
                return
            previous = confirmed.get(sid)
            if previous is not None and previous.session_id != session_id:
                await _leave_room(sio, sid, previous.session_id)
            confirmed[sid] = Confirmed(session_id, access.digest(token))
            if self.session_persistence:
                await _enter_room(sio, sid, session_id)
            await sio.emit("session_confirm", {"session_id": session_id, "token": token}, room=sid)
            seen = data.get("helpline_seen")
            if isinstance(seen, int) and not isinstance(seen, bool) and seen >= 0:
                # A widget coming back gets the worker's replies it has not shown yet.
                try:
                    missed = await asyncio.to_thread(replies_after, engine, session_id, seen)
                except Exception as exc:  # noqa: BLE001 - the conversation goes on without them
                    logger.warning("could not read helpline replies (%s)", type(exc).__name__)
                    missed = []
                for reply_id, text in missed:
                    payload = {"text": text, "helpline": {"event": "reply", "reply_id": reply_id}}
                    await sio.emit(self.bot_message_evt, payload, room=sid)

        def confirmed_session(sid: str, data: Any) -> Optional[str]:
            """The conversation this event may act on: the one its connection was confirmed
            for, named with its token; None otherwise."""
            bound = confirmed.get(sid)
            if bound is None or not isinstance(data, dict):
                return None
            if session_id_or_none(data.get("session_id")) != bound.session_id:
                return None
            return bound.session_id if access.token_matches(data.get("token"), bound.token_hash) else None

        @sio.on("summary_link_request", namespace=self.namespace)
        async def summary_link_request(sid: str, data: Any = None, *_: Any) -> None:
            session_id = confirmed_session(sid, data)
            if session_id is None:
                logger.info("summary link request without a confirmed session dropped")
                return
            engine = self.engine
            try:
                link = await asyncio.to_thread(new_summary_link, engine, session_id)
            except Exception as exc:  # noqa: BLE001 - the widget shows its own message
                logger.error("summary link failed (%s)", type(exc).__name__)
                return
            await sio.emit("summary_link", {"link": link}, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None, *_: Any) -> None:
            request_id = start_request()
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                logger.info("socket.io message without text dropped")
                return
            sender_id = confirmed_session(sid, data)
            if sender_id is None:
                logger.info("socket.io message without a confirmed session dropped")
                return
            inbound = clean_message(data["message"])
            if not inbound.text:
                logger.info("empty socket.io message dropped")
                return
            output = WebChatOutput(sio, self.bot_message_evt)
            message = UserMessage(inbound.text, output, sender_id, input_channel=self.name(), message_id=request_id)
            current = settings()
            engine = self.engine
            outcome = await take_turn(
                on_new_message, message, inbound.cut, engine, self.responses(), current, addresses.get(sid)
            )
            for text in outcome.after:
                await output.send_text_message(sender_id, text)
            logger.info("socket.io turn: %d note(s) added", len(outcome.after))

        @bp.listener("before_server_start")
        async def remember_app(app: Any, _: Any) -> None:
            self.app = app

        return bp

    app: Any = None

    def responses(self) -> Responses:
        """The loaded model's domain responses ({} before the model is loaded)."""
        return self.responses_of(self.app)
