"""The widget's socket.io channel on the running Rasa server, spoken to by python-socketio."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import socketio

from signpost.channels.web import session_id_or_none
from tests.conftest import WEB_PORT

pytestmark = pytest.mark.servers

ALLOWED = f"http://localhost:{WEB_PORT}"


class Chat:
    """A socket.io client that collects session confirmations and bot messages."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.messages: asyncio.Queue[dict] = asyncio.Queue()
        self.client.on("session_confirm", self.confirmed.put_nowait)
        self.client.on("bot_uttered", self.messages.put_nowait)

    async def connect(self, base: str, origin: str | None = ALLOWED) -> None:
        headers = {"Origin": origin} if origin else {}
        await self.client.connect(base, headers=headers, transports=["websocket"], wait_timeout=10)

    async def session(self, requested: object) -> str:
        await self.client.emit("session_request", {"session_id": requested})
        return await asyncio.wait_for(self.confirmed.get(), 10)

    async def replies(self, quiet_s: float = 1.5, first_s: float = 20) -> list[dict]:
        out = [await asyncio.wait_for(self.messages.get(), first_s)]
        while True:
            try:
                out.append(await asyncio.wait_for(self.messages.get(), quiet_s))
            except asyncio.TimeoutError:
                return out


@pytest.fixture
async def chat():
    c = Chat()
    yield c
    await c.client.disconnect()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0f8fad5b-d9cb-469f-a165-70867728950e", "0f8fad5bd9cb469fa16570867728950e"),
        ("0F8FAD5BD9CB469FA16570867728950E", "0f8fad5bd9cb469fa16570867728950e"),
        ("sms-abc", None),
        ("", None),
        (None, None),
        (42, None),
        ("x" * 1000, None),
    ],
)
def test_session_ids_must_be_uuids(value, expected):
    assert session_id_or_none(value) == expected


async def test_origin_not_allowed_is_refused(servers, chat):
    with pytest.raises(socketio.exceptions.ConnectionError):
        await chat.connect(servers.base, origin="https://attacker.example")


async def test_allowed_origin_converses_with_persistent_session(servers, chat):
    await chat.connect(servers.base)
    wanted = uuid.uuid4().hex
    assert await chat.session(wanted) == wanted
    await chat.client.emit("user_uttered", {"message": "my eyes keep blinking and shutting", "session_id": wanted})
    text = " ".join(m.get("text", "") for m in await chat.replies())
    assert "Blepharospasm" in text and "not a diagnosis" in text


async def test_a_new_connection_with_the_same_session_id_continues_the_conversation(servers, chat):
    await chat.connect(servers.base)
    session = await chat.session(uuid.uuid4().hex)
    await chat.client.emit("user_uttered", {"message": "my neck", "session_id": session})
    asked = " ".join(m.get("text", "") for m in await chat.replies())
    assert "What happens there?" in asked
    await chat.client.disconnect()
    again = Chat()
    await again.connect(servers.base)
    try:
        assert await again.session(session) == session
        await again.client.emit("user_uttered", {"message": "it twists to one side", "session_id": session})
        text = " ".join(m.get("text", "") for m in await again.replies())
        assert "Cervical dystonia" in text  # the region from the first connection was kept
    finally:
        await again.client.disconnect()


@pytest.mark.parametrize("requested", ["sms-0123456789abcdef", "../../etc/passwd", None, 12, {"a": 1}])
async def test_a_session_id_that_is_not_a_uuid_is_replaced(servers, chat, requested):
    await chat.connect(servers.base)
    confirmed = await chat.session(requested)
    assert session_id_or_none(confirmed) == confirmed and confirmed != requested


@pytest.mark.parametrize(
    "event",
    [
        None,
        "just a string",
        {"message": 12, "session_id": uuid.uuid4().hex},
        {"message": "hello"},
        {"message": "hello", "session_id": "sms-0123456789abcdef"},
    ],
)
async def test_malformed_messages_are_dropped_and_the_connection_keeps_working(servers, chat, event):
    await chat.connect(servers.base)
    session = await chat.session(uuid.uuid4().hex)
    await chat.client.emit("user_uttered", event)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(chat.messages.get(), 2)
    await chat.client.emit("user_uttered", {"message": "hello", "session_id": session})
    assert await chat.replies()
