"""Hostile input on every public endpoint of the running servers: REST, socket.io, SMS
and the staff sign-in. Each gets a 4xx or a bounded, polite reply; never a 5xx or a
traceback. Rasa's "/intent{...}" shortcut does not work from any public channel."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import requests
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from signpost.conversations.ids import rest_conversation_id
from signpost.conversations.transcript import EVENTS
from signpost.language.sms_text import conversation_id
from signpost.storage.engine import make_engine
from tests.conftest import SMS_SECRET, TWILIO_TOKEN
from tests.test_sms_channel import new_number, post, text
from tests.web.test_socketio_channel import Chat

pytestmark = pytest.mark.servers

MAX_REPLY_CHARS = 6000  # a bounded reply: the longest answer is well under this
MESSAGES = {
    "empty": "",
    "whitespace": " \t\n  ",
    "10 KB": "my neck twists " * 700,
    "control characters": "my neck\x00\x01\x1b[31m twists\x7f",
    "zero-width": "my\u200b ne\u200dck\ufeff twists",
    "right-to-left": "\u202emy neck twists \u05e6\u05d5\u05d5\u05d0\u05e8 \u0631\u0642\u0628\u0629",
    "emoji": "my neck 😖😖 twists 👩‍👩‍👧‍👦",
    "html": "<script>alert(1)</script><img src=x onerror=alert(2)> my neck twists",
    "sql": "'; DROP TABLE events; -- my neck twists",
    "format string": "{sender} {0} %s %(text)s ${HOME} my neck twists",
    "only punctuation": "?!?!... ---",
}


def rest(base: str, body: bytes | str, content_type: str = "application/json") -> requests.Response:
    return requests.post(f"{base}/webhooks/rest/webhook", data=body, headers={"Content-Type": content_type}, timeout=30)


def assert_no_leak(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text and "Exception" not in text


@pytest.mark.parametrize("kind", MESSAGES)
def test_rest_messages(servers, kind):
    response = rest(servers.base, json.dumps({"sender": uuid.uuid4().hex, "message": MESSAGES[kind]}))
    assert response.status_code in (200, 400), response.status_code
    assert_no_leak(response.text)
    if response.status_code == 200:
        replies = response.json()
        assert replies and all(isinstance(r.get("text", ""), str) for r in replies)
        assert sum(len(r.get("text") or "") for r in replies) < MAX_REPLY_CHARS
        assert not any("<script" in (r.get("text") or "") for r in replies)
    if kind == "10 KB":
        assert "only read the first part" in response.text


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"\xff\xfe\x00garbage",
        b"null",
        b"[]",
        b'{"sender": {"$ne": null}, "message": "hi"}',
        b'{"sender": "a", "message": {"text": "hi"}}',
        b'{"sender": "a", "message": 12345}',
        b'{"sender": "a", "message": true}',
        b'{"sender": "", "message": "hi"}',
        b'{"sender": "a", "message": "hi", "message": ["dup"]}',
    ],
)
def test_rest_malformed_bodies_get_400(servers, body):
    response = rest(servers.base, body)
    assert response.status_code == 400 and "error" in response.json()
    assert_no_leak(response.text)


def test_rest_wrong_content_type_and_method(servers):
    assert rest(servers.base, "sender=a&message=hi", "application/x-www-form-urlencoded").status_code == 400
    assert requests.get(f"{servers.base}/webhooks/rest/webhook", timeout=10).status_code in (404, 405)


def test_rest_one_megabyte_body_gets_413(servers):
    response = rest(servers.base, json.dumps({"sender": "a", "message": "x" * 1_000_000}))
    assert response.status_code == 413
    assert_no_leak(response.text)


def went_through_nlu(event: dict) -> bool:
    """Rasa's "/intent{...}" shortcut (its RegexMessageHandler) only acts on text that starts
    with "/", and names itself as the extractor of the entities it sets."""
    parse = event["parse_data"]
    extractors = {e.get("extractor") for e in parse.get("entities") or []}
    return not parse["text"].startswith("/") and "RegexMessageHandler" not in extractors


def stored_user_events(database_url: str, sender: str) -> list[dict]:
    engine = make_engine(database_url)
    query = select(EVENTS.c.data).where(EVENTS.c.sender_id == sender, EVENTS.c.type_name == "user")
    with engine.connect() as conn:
        events = [json.loads(data) for (data,) in conn.execute(query.order_by(EVENTS.c.id))]
    engine.dispose()
    return events


@pytest.mark.parametrize(
    "message",
    [
        "/greet",
        '/describe_symptoms{"body_region": ["neck"], "symptom": ["head_turning"]}',
        "  //confirm_safe",
        '/ /describe_symptoms{"body_region": ["neck"], "symptom": ["head_turning"]}',
        "\u200b/ \u2060/\u3000/greet",
    ],
)
def test_intent_shortcut_does_not_work_over_rest(servers, message):
    sender = uuid.uuid4().hex
    replies = rest(servers.base, json.dumps({"sender": sender, "message": message})).json()
    assert replies
    (event,) = stored_user_events(servers.database_url, rest_conversation_id(sender))
    assert not event["text"].startswith("/")
    assert went_through_nlu(event)


def test_restart_as_a_command_still_starts_again(servers):
    sender = uuid.uuid4().hex
    rest(servers.base, json.dumps({"sender": sender, "message": "my neck"}))
    replies = rest(servers.base, json.dumps({"sender": sender, "message": "/restart"})).json()
    assert replies[0]["text"].startswith("OK, let's start again")


def sms_raw(servers, body: bytes, params: dict[str, str]) -> requests.Response:
    url = f"{servers.base}/webhooks/sms/webhook"
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    return requests.post(url, data=body, headers=headers, timeout=30)


@pytest.mark.parametrize("kind", MESSAGES)
def test_sms_messages(servers, kind):
    reply = text(servers, new_number(), MESSAGES[kind])
    assert reply and len(reply) <= 1600 * 1.2  # XML-escaped body of one SMS reply
    assert_no_leak(reply)
    assert "<script" not in reply


def test_sms_intent_shortcut_and_bad_forms(servers):
    number = new_number()
    text(servers, number, '/describe_symptoms{"body_region": ["eyes"]}')
    (event,) = stored_user_events(servers.database_url, conversation_id(SMS_SECRET, number))
    assert not event["text"].startswith("/") and went_through_nlu(event)
    status, body = post(servers, {"From": number})
    assert status == 400 and "Body" in body
    big = sms_raw(servers, b"From=%2B447700900001&Body=" + b"x" * 1_000_000, {})
    assert big.status_code == 413
    broken = sms_raw(servers, b"%%%=&&&=%zz", {})
    assert broken.status_code in (400, 403)
    assert_no_leak(big.text + broken.text)


async def test_socketio_hostile_events_are_dropped_and_the_channel_keeps_working(servers):
    chat = Chat()
    await chat.connect(servers.base)
    try:
        session = await chat.session()
        token = chat.token
        for bad in [None, 42, "text", ["list"], {"message": None},
                    {"message": 5, "session_id": session, "token": token},
                    {"message": "hi", "session_id": "not-a-uuid", "token": token},
                    {"message": "   ", "session_id": session, "token": token},
                    {"message": "\u200b\u200b", "session_id": session, "token": token}]:  # fmt: skip
            await chat.client.emit("user_uttered", bad)
        await asyncio.sleep(1)
        assert chat.messages.empty(), "malformed events got a reply"
        await chat.say(MESSAGES["10 KB"])
        long_reply = " ".join(m.get("text") or "" for m in await chat.replies())
        assert "only read the first part" in long_reply
        await chat.say("/greet")
        assert await chat.replies()
        events = stored_user_events(servers.database_url, session)
        assert all(not e["text"].startswith("/") for e in events)
    finally:
        await chat.client.disconnect()


async def test_socketio_one_megabyte_message_is_refused_without_harm(servers):
    chat = Chat()
    await chat.connect(servers.base)
    await chat.session()
    await chat.say("x" * 1_000_000)
    await asyncio.sleep(1)
    await chat.client.disconnect()
    again = Chat()  # the server is still there for everyone else
    await again.connect(servers.base)
    try:
        await again.session()
        await again.say("my eyes keep blinking")
        assert "Blepharospasm" in " ".join(m.get("text") or "" for m in await again.replies())
    finally:
        await again.client.disconnect()


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        ("", "application/x-www-form-urlencoded", 400),
        ("username=&password=", "application/x-www-form-urlencoded", 400),
        ("username=a", "application/x-www-form-urlencoded", 400),
        ('{"username": "a", "password": "b"}', "application/json", 400),
        ("%%%=&&&=%zz", "application/x-www-form-urlencoded", 400),
        ("username=" + "x" * 100_000 + "&password=y", "application/x-www-form-urlencoded", 413),
        (  # a NUL is refused before any database sees it
            "username=%00%E2%80%AE%F0%9F%98%96&password='; DROP TABLE staff_users; --",
            "application/x-www-form-urlencoded",
            400,
        ),
        (
            "username=%E2%80%AE%F0%9F%98%96&password='; DROP TABLE staff_users; --",
            "application/x-www-form-urlencoded",
            401,
        ),
    ],  # fmt: skip
)
def test_staff_sign_in(servers, data, content_type, expected):
    response = requests.post(
        f"{servers.web}/staff/login",
        data=data.encode(),
        headers={"Content-Type": content_type, "Origin": servers.web},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == expected, response.text[:300]
    assert_no_leak(response.text)
