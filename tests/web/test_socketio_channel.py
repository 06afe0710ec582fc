"""The widget's socket.io channel on the running Rasa server, spoken to by python-socketio."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import socketio

from signpost.rasa_plugins.channels.web import session_id_or_none
from tests.conftest import WEB_PORT

pytestmark = pytest.mark.servers

ALLOWED = f"http://localhost:{WEB_PORT}"


class Chat:
    """A socket.io client that collects session confirmations and bot messages, and keeps
    the conversation's id and secret as the widget does."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.confirmed: asyncio.Queue[dict] = asyncio.Queue()
        self.messages: asyncio.Queue[dict] = asyncio.Queue()
        self.links: asyncio.Queue[dict] = asyncio.Queue()
        self.client.on("session_confirm", self.confirmed.put_nowait)
        self.client.on("bot_uttered", self.messages.put_nowait)
        self.client.on("summary_link", self.links.put_nowait)
        self.session_id: str | None = None
        self.token: str | None = None

    async def connect(self, base: str, origin: str | None = ALLOWED) -> None:
        headers = {"Origin": origin} if origin else {}
        await self.client.connect(base, headers=headers, transports=["websocket"], wait_timeout=10)

    async def session(self, requested: object = None, token: object = None) -> str:
        """Ask for a conversation (a known one when `token` is its secret); returns its id."""
        await self.client.emit("session_request", {"session_id": requested, "token": token})
        confirmed = await asyncio.wait_for(self.confirmed.get(), 10)
        self.session_id, self.token = confirmed["session_id"], confirmed["token"]
        return self.session_id

    async def say(self, message: str) -> None:
        await self.client.emit("user_uttered", {"message": message, "session_id": self.session_id, "token": self.token})

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


async def test_allowed_origin_converses_with_a_server_issued_session(servers, chat):
    await chat.connect(servers.base)
    wanted = uuid.uuid4().hex
    confirmed = await chat.session(wanted)
    assert confirmed != wanted and session_id_or_none(confirmed) == confirmed  # the server chooses
    assert isinstance(chat.token, str) and len(chat.token) >= 32
    await chat.say("my eyes keep blinking and shutting")
    text = " ".join(m.get("text", "") for m in await chat.replies())
    assert "Blepharospasm" in text and "not a diagnosis" in text


async def test_a_new_connection_with_the_id_and_its_token_continues_the_conversation(servers, chat):
    await chat.connect(servers.base)
    session = await chat.session()
    await chat.say("my neck")
    asked = " ".join(m.get("text", "") for m in await chat.replies())
    assert "What happens there?" in asked
    await chat.client.disconnect()
    again = Chat()
    await again.connect(servers.base)
    try:
        assert await again.session(session, chat.token) == session
        await again.say("it twists to one side")
        text = " ".join(m.get("text", "") for m in await again.replies())
        assert "Cervical dystonia" in text  # the region from the first connection was kept
    finally:
        await again.client.disconnect()


async def test_a_client_that_knows_only_the_session_id_receives_nothing(servers, chat):
    """The attack: a second client sends session_request with someone's id (no token)
    and listens; it must get a conversation of its own and none of the victim's replies."""
    await chat.connect(servers.base)
    victim = await chat.session()
    intruder = Chat()
    await intruder.connect(servers.base)
    try:
        assert await intruder.session(victim) != victim
        assert await intruder.session(victim, "guessed-token-" + "x" * 30) != victim
        await chat.say("my eyes keep blinking and shutting")
        assert any("Blepharospasm" in m.get("text", "") for m in await chat.replies())
        # Writing with the victim's id, with or without a guessed token, is dropped too.
        for token in (None, "x" * 43, intruder.token):
            await intruder.client.emit("user_uttered", {"message": "hello", "session_id": victim, "token": token})
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(intruder.messages.get(), 3)
        assert chat.messages.empty()
    finally:
        await intruder.client.disconnect()


async def test_the_summary_link_is_a_separate_token_that_reads_the_summary(servers, chat):
    import requests

    await chat.connect(servers.base)
    session = await chat.session()
    await chat.client.emit("summary_link_request", {"session_id": session, "token": "wrong"})
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(chat.links.get(), 2)
    await chat.client.emit("summary_link_request", {"session_id": session, "token": chat.token})
    link = (await asyncio.wait_for(chat.links.get(), 10))["link"]
    assert isinstance(link, str) and session not in link and chat.token not in link
    response = requests.post(f"{servers.web}/api/summary", json={"link": link}, timeout=10)
    assert response.status_code == 200, response.text
    refused = requests.post(f"{servers.web}/api/summary", json={"session_id": session}, timeout=10)
    assert refused.status_code in (400, 403, 404)


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
    await chat.session()
    await chat.client.emit("user_uttered", event)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(chat.messages.get(), 2)
    await chat.say("hello")
    assert await chat.replies()
