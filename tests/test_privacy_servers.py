"""Privacy on the running servers: forget-me on every channel, "what do you know about me",
the first-message notice, and logs without what people typed."""

from __future__ import annotations

import html
import json
import re
import uuid

import pytest

from signpost.language.sms_text import conversation_id
from tests.conftest import SMS_SECRET
from tests.http import get, post_rest, say
from tests.tables import tables_mentioning
from tests.test_sms_channel import new_number, text
from tests.web.test_socketio_channel import Chat

pytestmark = pytest.mark.servers

CODE = re.compile(r"DYS-[A-Z2-9]{4}")


def texts(replies: list[dict]) -> list[str]:
    return [r.get("text") or "" for r in replies]


def assert_nothing_stored(servers, conversation: str, *typed: str) -> None:
    assert tables_mentioning(servers.database_url, conversation) == {}, conversation
    for phrase in typed:
        assert tables_mentioning(servers.database_url, phrase) == {}, phrase


def test_forget_me_over_rest(servers):
    sender = f"rest-{uuid.uuid4().hex}"
    say(servers.base, sender, "my neck keeps twisting to the right")
    code = CODE.search(" ".join(texts(say(servers.base, sender, "can I talk to a real person"))))
    assert code, "a handoff code was given"
    known = " ".join(texts(say(servers.base, sender, "what do you know about me")))
    assert "Neck" in known and code.group() in known and "30 days" in known and "not a diagnosis" in known
    assert set(tables_mentioning(servers.database_url, sender)) >= {"events", "conv_triage", "conv_handoffs"}

    asked = say(servers.base, sender, "delete my data")
    assert "can't be undone" in asked[0]["text"]
    assert [b["title"] for b in asked[0]["buttons"]] == ["Yes, delete it", "No, keep it"]
    done = say(servers.base, sender, "yes, delete it")
    assert done[0]["text"].startswith("I have deleted this conversation")
    assert {"recipient_id": sender, "custom": {"forgotten": True}} in done
    # (only phrases no other test types: "yes, delete it" is every forget-me's answer)
    assert_nothing_stored(servers, sender, "keeps twisting to the right")

    again = texts(say(servers.base, sender, "hello"))  # a new conversation: the notice again
    assert again[-1].startswith("Privacy:")


def test_forget_me_can_be_cancelled(servers):
    sender = f"rest-{uuid.uuid4().hex}"
    say(servers.base, sender, "my eyes keep blinking")
    say(servers.base, sender, "forget me")
    kept = texts(say(servers.base, sender, "no, keep it"))
    assert kept[0].startswith("OK, I have not deleted anything")
    assert "events" in tables_mentioning(servers.database_url, sender)


def test_forget_me_over_sms(servers):
    number = new_number()
    cid = conversation_id(SMS_SECRET, number)
    first = html.unescape(text(servers, number, "my hand cramps when I write"))
    assert "Text PRIVACY" in first  # the first reply's notice
    assert "events" in tables_mentioning(servers.database_url, cid)
    privacy = html.unescape(text(servers, number, "PRIVACY"))
    assert "We never store your number" in privacy and "/privacy" in privacy
    asked = html.unescape(text(servers, number, "FORGET ME"))
    assert "1 for Yes, delete it" in asked
    done = html.unescape(text(servers, number, "1"))
    assert done.startswith("I have deleted this conversation")
    assert_nothing_stored(servers, cid, "cramps when I write")


async def test_forget_me_over_the_widget_channel(servers):
    chat = Chat()
    await chat.connect(servers.base)
    try:
        session = await chat.session()

        async def send(message: str) -> list[dict]:
            await chat.say(message)
            return await chat.replies()

        first = await send("my voice sounds strained and breaks up")
        assert texts(first)[-1].startswith("Privacy:") and "/privacy" in texts(first)[-1]
        assert not any(t.startswith("Privacy:") for t in texts(await send("what is dystonia?")))
        await send("erase my conversation")
        done = await send("yes, delete it")
        assert done[0]["text"].startswith("I have deleted")
        assert {"custom": {"forgotten": True}} in done  # the widget starts a new conversation on this
        assert_nothing_stored(servers, session, "strained and breaks up")
    finally:
        await chat.client.disconnect()


def test_the_notice_comes_after_a_red_flag_answer(servers):
    replies = texts(say(servers.base, uuid.uuid4().hex, "I can't breathe properly"))
    assert "999" in replies[0]
    assert replies[-1].startswith("Privacy:") and sum(t.startswith("Privacy:") for t in replies) == 1


def test_the_privacy_page_is_served(servers):
    status, page = get(f"{servers.web}/privacy")
    assert status == 200 and "30 days" in page and "forget me" in page and "PRIVACY" in page


def test_logs_carry_request_ids_and_no_message_text(servers):
    phrase = "zebra lantern " + uuid.uuid4().hex[:8]
    request_id = "req-" + uuid.uuid4().hex[:12]
    body = json.dumps({"sender": uuid.uuid4().hex, "message": f"my neck twists, {phrase}"}).encode()
    response = post_rest(servers.base, body, {"X-Request-ID": request_id})
    assert response.headers["X-Request-ID"] == request_id
    text(servers, new_number(), f"my eyes blink, {phrase}")
    logs = {p.name: p.read_text(errors="replace") for p in servers.log_dir.glob("*.log")}
    assert set(logs) >= {"rasa.log", "actions.log", "web.log"}
    for name, content in logs.items():
        assert phrase not in content, name
    assert f"signpost.rasa_plugins.channels.rest [req={request_id}]" in logs["rasa.log"]
    # the signposting answer, made in the Rasa server, logs under the request's id
    assert f"actions.base [req={request_id}] action_signpost:" in logs["rasa.log"]


def test_the_action_server_logs_under_the_requests_id(servers):
    request_id = "req-" + uuid.uuid4().hex[:12]
    body = json.dumps({"sender": uuid.uuid4().hex, "message": "what is dystonia?"}).encode()
    response = post_rest(servers.base, body, {"X-Request-ID": request_id})
    assert response.headers["X-Request-ID"] == request_id
    actions_log = (servers.log_dir / "actions.log").read_text(errors="replace")
    assert f"[req={request_id}]" in actions_log
