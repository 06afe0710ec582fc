"""The helpline bridge (POST /webhooks/helpline/webhook) under arbitrary bodies and tokens:
never a 5xx, never a dead server, and nothing without the right token."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.conftest import BRIDGE_TOKEN
from tests.fuzz.checks import assert_answered, fuzz, rasa_alive
from tests.fuzz.strategies import HEADER_VALUES, dumps, field_values, garbage_bodies, json_values

pytestmark = pytest.mark.servers

EVENTS = st.one_of(st.sampled_from(["take", "reply", "release"]), field_values())
BODIES = st.one_of(
    st.fixed_dictionaries(
        {"conversation_id": field_values(), "event": EVENTS},
        optional={"text": field_values(), "reply_id": json_values()},
    ),
    json_values(),
)


def post(base: str, raw: bytes, token: str | None) -> tuple[int, str]:
    assume(rasa_alive())
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{base}/webhooks/helpline/webhook", raw, headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@fuzz(2)
@given(body=BODIES)
def test_any_body_with_the_token(servers, body):
    status, text = post(servers.base, dumps(body).encode("ascii"), BRIDGE_TOKEN)
    assert_answered(status, text)
    assert status in (200, 400, 404, 413), (status, text[:200])  # 413: over the body limit


@fuzz()
@given(raw=garbage_bodies("event"), token=st.one_of(st.none(), HEADER_VALUES, st.just(BRIDGE_TOKEN)))
def test_garbage_and_wrong_tokens(servers, raw, token):
    status, text = post(servers.base, raw, token)
    assert_answered(status, text)
    if token != BRIDGE_TOKEN:  # 413 comes first for a body over the limit, before any handler
        assert status in (401, 413), "nothing reaches a conversation without the bridge token"
