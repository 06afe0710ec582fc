"""The REST channel on the running server: bad requests get a clear 400, text is cleaned."""

from __future__ import annotations

import json
import uuid

import pytest

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
        (json.dumps({"sender": "x" * 129, "message": "hello"}).encode(), '"sender"'),
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
