"""Live handoff on the running servers: a worker takes a case, replies, and hands it back.

Widget: the reply reaches the socket.io client at once, the assistant stays quiet on the
person's next message, a red flag still gets 999 first, release brings the assistant back.
SMS: with consent the reply goes out through the provider's Messages API (a local fake
that checks basic auth); without, it comes with the answer to the next text; no number is
left in any table once the case is closed.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid

import pytest
import requests
from sqlalchemy.orm import Session

from signpost.staff import accounts
from signpost.storage.engine import make_engine
from tests.conftest import SMS_FROM
from tests.tables import tables_mentioning
from tests.test_sms_channel import new_number, text
from tests.web.test_socketio_channel import Chat

pytestmark = pytest.mark.servers

PASSWORD = "a helpline password for tests"
CODE = re.compile(r"DYS-[A-Z2-9]{4}")


def staff_console(servers) -> requests.Session:
    name = f"worker{uuid.uuid4().hex[:6]}"
    engine = make_engine(servers.database_url)
    with Session(engine, future=True) as s, s.begin():
        accounts.add_user(s, name, PASSWORD)
    engine.dispose()
    http = requests.Session()
    signed = http.post(
        f"{servers.web}/staff/login", data={"username": name, "password": PASSWORD}, allow_redirects=False
    )
    assert signed.status_code == 303
    http.name = name  # type: ignore[attr-defined]
    return http


def texts(messages: list[dict]) -> str:
    return " ".join(m.get("text") or "" for m in messages)


async def quiet(chat: Chat, seconds: float = 3.0) -> list[dict]:
    """Whatever arrives within `seconds` (nothing, when the assistant is quiet)."""
    out = []
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        try:
            out.append(await asyncio.wait_for(chat.messages.get(), left))
        except asyncio.TimeoutError:
            break
    return out


@pytest.fixture
async def chat():
    c = Chat()
    yield c
    await c.client.disconnect()


async def test_a_worker_takes_a_widget_chat_replies_and_hands_it_back(servers, chat):
    await chat.connect(servers.base)
    await chat.session()
    await chat.say("I would like to talk to a real person please")
    code = CODE.search(texts(await chat.replies())).group(0)
    console = staff_console(servers)
    other = staff_console(servers)

    taken = console.post(f"{servers.web}/staff/api/queue/{code}/take", json={})
    assert taken.status_code == 200 and taken.json()["taken_by"] == console.name
    assert "joined this chat" in texts(await chat.replies())
    assert other.post(f"{servers.web}/staff/api/queue/{code}/take", json={}).status_code == 409
    assert other.get(f"{servers.web}/staff/api/queue/{code}").json()["taken_by"] == console.name

    started = time.monotonic()
    sent = console.post(f"{servers.web}/staff/api/queue/{code}/reply", json={"text": "Hello, I'm Sam. How can I help?"})
    assert sent.status_code == 200, sent.text
    reply = await asyncio.wait_for(chat.messages.get(), 2)
    assert time.monotonic() - started < 2
    assert (
        reply["text"] == "Hello, I'm Sam. How can I help?" and reply["helpline"]["reply_id"] == sent.json()["reply_id"]
    )

    await chat.say("my neck keeps pulling to the left since last year")
    assert await quiet(chat) == [], "the assistant is quiet while a worker holds the chat"
    entry = console.get(f"{servers.web}/staff/api/queue/{code}").json()
    speakers = [(line["speaker"], line["text"]) for line in entry["transcript"]]
    assert ("helpline", "Hello, I'm Sam. How can I help?") in speakers
    assert speakers[-1] == ("user", "my neck keeps pulling to the left since last year")

    await chat.say("I can't breathe properly and my throat is closing")
    alarm = await chat.replies()
    assert "999" in alarm[0]["text"], "a red flag is still answered first"
    flagged = console.get(f"{servers.web}/staff/api/queue/{code}").json()
    assert flagged["red_flag"] == "emergency"
    assert any(words.startswith("emergency:") for words in flagged["flag_words"]), "the words that raised it"

    note = console.post(f"{servers.web}/staff/api/queue/{code}/notes", json={"text": "Advised 999; will call back."})
    assert note.status_code == 200
    assert other.post(f"{servers.web}/staff/api/queue/{code}/release", json={}).status_code == 400
    released = console.post(f"{servers.web}/staff/api/queue/{code}/release", json={})
    assert released.status_code == 200
    assert "back to me, the assistant" in texts(await chat.replies())
    await chat.say("I'm safe now")
    await chat.replies()
    await chat.say("what is dystonia?")
    assert "neurologist" in texts(await chat.replies()).lower(), "the assistant answers again"


async def test_a_widget_that_was_closed_gets_the_reply_when_it_comes_back(servers, chat):
    await chat.connect(servers.base)
    session_id = await chat.session()
    token = chat.token
    await chat.say("can I speak to someone at the helpline")
    code = CODE.search(texts(await chat.replies())).group(0)
    await chat.client.disconnect()
    console = staff_console(servers)
    assert console.post(f"{servers.web}/staff/api/queue/{code}/take", json={}).status_code == 200
    assert console.post(f"{servers.web}/staff/api/queue/{code}/reply", json={"text": "Are you still there?"}).ok
    back = Chat()
    try:
        await back.connect(servers.base)
        await back.client.emit("session_request", {"session_id": session_id, "token": token, "helpline_seen": 0})
        await asyncio.wait_for(back.confirmed.get(), 10)
        missed = await back.replies(first_s=5)
        assert "Are you still there?" in texts(missed)
    finally:
        await back.client.disconnect()


def test_sms_with_consent_gets_the_reply_by_text_and_no_number_is_left(servers, fake_twilio):
    number = new_number()
    answer = text(servers, number, "I want to talk to a person")
    code = CODE.search(answer).group(0)
    assert "text you back" in answer
    assert "keep your number" not in text(servers, number, "YES")
    console = staff_console(servers)
    assert console.post(f"{servers.web}/staff/api/queue/{code}/take", json={}).status_code == 200
    sent = console.post(f"{servers.web}/staff/api/queue/{code}/reply", json={"text": "Hi, it's the helpline."})
    assert sent.status_code == 200 and sent.json()["delivered"] == "texted"
    digits = re.sub(r"\D", "", number)
    assert any(
        m["Body"].endswith("Hi, it's the helpline.") and re.sub(r"\D", "", m["To"]) == digits and m["From"] == SMS_FROM
        for m in fake_twilio.sent
    )
    assert fake_twilio.refused == 0
    assert tables_mentioning(servers.database_url, digits[-9:]) == {}, "the number is only kept encrypted"
    assert console.post(f"{servers.web}/staff/api/queue/{code}/handled", json={}).status_code == 200
    engine = make_engine(servers.database_url)
    with engine.connect() as conn:
        left = conn.exec_driver_sql("select count(*) from sms_callbacks").scalar()
    engine.dispose()
    assert left == 0, "closing the case removes the kept number"


def test_sms_without_consent_gets_the_reply_with_the_next_answer(servers, fake_twilio):
    number = new_number()
    code = CODE.search(text(servers, number, "can a human help me")).group(0)
    assert "won't keep your number" in text(servers, number, "no")
    console = staff_console(servers)
    assert console.post(f"{servers.web}/staff/api/queue/{code}/take", json={}).status_code == 200
    sent = console.post(f"{servers.web}/staff/api/queue/{code}/reply", json={"text": "We got your message."})
    assert sent.json()["delivered"] == "with the next answer"
    digits = re.sub(r"\D", "", number)
    assert not any(re.sub(r"\D", "", m["To"]) == digits for m in fake_twilio.sent)
    assert "Helpline: We got your message." in text(servers, number, "hello?")


def test_stop_over_sms_also_ends_the_chat_with_a_worker(servers):
    number = new_number()
    code = CODE.search(text(servers, number, "I need to speak to a person")).group(0)
    console = staff_console(servers)
    assert console.post(f"{servers.web}/staff/api/queue/{code}/take", json={}).status_code == 200
    assert text(servers, number, "my eyes keep closing") == "", "the assistant is quiet while a worker has it"
    text(servers, number, "STOP")
    text(servers, number, "START")
    assert "neurologist" in text(servers, number, "what is dystonia?").lower(), "the assistant answers again"
