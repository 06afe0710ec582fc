"""The REST channel on the running server: bad requests get a clear 400, text is cleaned."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
import requests

from tests.http import post_rest, say
from tests.tables import rows_by_table

pytestmark = pytest.mark.servers


def post_raw(base: str, body: bytes) -> tuple[int, str]:
    reply = post_rest(base, body)
    return reply.status, reply.text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "must be JSON"),
        (b"[1, 2]", "JSON object"),
        (b'"hello"', "JSON object"),
        (b'{"message": "hello"}', '"sender"'),
        (b'{"sender": 42, "message": "hello"}', '"sender"'),
        (json.dumps({"sender": "x" * 65, "message": "hello"}).encode(), '"sender"'),
        (b'{"sender": "x\\ud800", "message": "hi"}', '"sender"'),  # a lone surrogate (it once stopped the server)
        (b'{"sender": "a\\u0000b", "message": "hi"}', '"sender"'),  # NUL (it once stopped the server on PostgreSQL)
        (b'{"sender": "a b", "message": "hi"}', '"sender"'),
        (b'{"sender": "../x", "message": "hi"}', '"sender"'),
        (b'{"sender": "", "message": "hi"}', '"sender"'),
        (b'{"sender": "a", "message": ["hello"]}', '"message" must be a string'),
        (b'{"sender": "a", "message": null}', '"message" must be a string'),
        (b'{"sender": "a", "message": "   \\n\\t "}', "empty"),
        (b'{"sender": "a", "message": "\\u200b\\u200d\\ufeff"}', "empty"),
        (b'{"sender": "a", "message": "///"}', "empty"),
    ],
)
def test_bad_requests_get_a_clear_400(servers, body, reason):
    status, text = post_raw(servers.base, body)
    assert status == 400, text
    assert reason in json.loads(text)["error"]


def test_client_cannot_choose_the_channel_or_attach_metadata(servers):
    sender = uuid.uuid4().hex
    body = {"sender": sender, "message": "my eyes keep blinking", "input_channel": "sms", "metadata": {"x": 1}}
    status, text = post_raw(servers.base, json.dumps(body).encode())
    assert status == 200 and "Blepharospasm" in text
    rows = [r for r in rows_by_table(servers.database_url)["conv_conversations"] if sender in r]
    assert rows and " rest " in f" {rows[0]} "


def test_long_messages_are_cut_with_a_note(servers):
    replies = say(servers.base, uuid.uuid4().hex, "my neck twists to the left " + "and it aches " * 2000)
    assert any("only read the first part" in (r.get("text") or "") for r in replies)
    assert "Cervical dystonia" in " ".join(r.get("text") or "" for r in replies)


@pytest.mark.parametrize("sender", ["x\ud800", "a\u0000b", "\udfff", "ok\U0001f600"])
def test_a_bad_sender_cannot_stop_the_server(servers, sender):
    body = json.dumps({"sender": sender, "message": "hi"}).encode()  # ASCII escapes: lone surrogates survive
    assert post_rest(servers.base, body).status == 400
    assert say(servers.base, uuid.uuid4().hex, "hello")  # still answering


def test_a_lone_surrogate_in_the_message_gets_an_answer_not_the_apology(servers):
    body = json.dumps({"sender": uuid.uuid4().hex, "message": "my eyes keep blinking \ud800 shut"}).encode()
    reply = post_rest(servers.base, body)
    assert reply.status == 200, reply.text
    text = " ".join(r.get("text") or "" for r in reply.json())
    assert "Blepharospasm" in text and "can't reach my information" not in text


def test_rest_ids_never_reach_a_widget_or_sms_conversation(servers):
    """A REST caller that sends a widget's id (or an sms- id) talks to a conversation of its own."""
    widget_id = uuid.uuid4().hex
    say(servers.base, widget_id, "my eyes keep blinking")
    rows = rows_by_table(servers.database_url)["conv_conversations"]
    assert not any(f"'{widget_id}'" in r for r in rows) and any(f"rest-{widget_id}" in r for r in rows)


def test_a_burst_from_one_sender_gets_429_while_others_are_answered(servers):
    sender = uuid.uuid4().hex
    body = json.dumps({"sender": sender, "message": "my neck pulls to the left"}).encode()
    statuses: list[int] = []
    retry_after: list[str] = []
    start = threading.Barrier(61)

    def burst() -> None:
        start.wait()
        reply = post_rest(servers.base, body, timeout=60)
        statuses.append(reply.status)
        if reply.status == 429:
            retry_after.append(reply.headers.get("Retry-After", ""))

    threads = [threading.Thread(target=burst) for _ in range(60)]
    for t in threads:
        t.start()
    start.wait()
    time.sleep(0.3)
    began = time.monotonic()
    other = requests.post(
        f"{servers.base}/webhooks/rest/webhook",
        json={"sender": uuid.uuid4().hex, "message": "my eyes keep blinking"},
        timeout=10,
    )
    other_s = time.monotonic() - began
    for t in threads:
        t.join()
    assert other.status_code == 200 and "Blepharospasm" in other.text
    assert other_s < 3, f"another person waited {other_s:.1f} s"
    assert statuses.count(429) >= 1 and set(statuses) <= {200, 429}
    assert all(value.isdigit() and int(value) >= 1 for value in retry_after)
