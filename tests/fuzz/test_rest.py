"""The REST channel (POST /webhooks/rest/webhook) under arbitrary input in every field."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.fuzz.checks import apology, assert_answered, fuzz, rasa_alive
from tests.fuzz.strategies import (
    CONTENT_TYPES,
    HEADER_VALUES,
    WORDS,
    dumps,
    field_values,
    garbage_bodies,
    json_values,
    texts,
)
from tests.http import Reply, post_rest

pytestmark = pytest.mark.servers

APOLOGY = apology()
# Keys Rasa's own channel or its internals read, and keys that mean something elsewhere.
KEYS = st.one_of(
    st.sampled_from(["metadata", "input_channel", "message_id", "stream", "sender_id", "__proto__", "$ne", ""]),
    texts(max_size=12),
)


def send(base: str, body: bytes, headers: dict[str, str] | None = None) -> Reply:
    assume(rasa_alive())  # once a request has killed the server, later examples show nothing new
    try:
        return post_rest(base, body, headers)
    except OSError as exc:
        raise AssertionError(
            f"no answer ({type(exc).__name__}: {exc}); the Rasa server is {'up' if rasa_alive() else 'DEAD'}"
        ) from exc


def check(reply: Reply) -> None:
    assert_answered(reply.status, reply.text)
    if reply.status == 200:
        messages = reply.json()
        assert isinstance(messages, list) and messages, reply.text[:300]
        assert all(isinstance(m, dict) for m in messages)
        texts_out = " ".join(str(m.get("text") or "") for m in messages)
        assert APOLOGY not in texts_out, f"the turn failed (apology): {texts_out[:300]!r}"


def body(fields: dict[str, Any]) -> bytes:
    return dumps(fields).encode("ascii")


@fuzz(2)
@given(sender=field_values(), message=st.one_of(WORDS, texts()))
def test_any_sender(servers, sender, message):
    check(send(servers.base, body({"sender": sender, "message": message})))


@fuzz(2)
@given(message=field_values())
def test_any_message(servers, message):
    check(send(servers.base, body({"sender": f"fuzz-{uuid.uuid4().hex}", "message": message})))


@fuzz()
@given(extra=st.dictionaries(KEYS, json_values(), max_size=4), request_id=st.one_of(st.none(), HEADER_VALUES))
def test_extra_keys_and_request_id(servers, extra, request_id):
    fields = {"sender": f"fuzz-{uuid.uuid4().hex}", "message": "hello", **extra}
    headers = {} if request_id is None else {"X-Request-ID": request_id}
    check(send(servers.base, body(fields), headers))


@fuzz(2)
@given(raw=garbage_bodies("message"), content_type=CONTENT_TYPES)
def test_garbage_bodies_and_content_types(servers, raw, content_type):
    check(send(servers.base, raw, {"Content-Type": content_type}))
