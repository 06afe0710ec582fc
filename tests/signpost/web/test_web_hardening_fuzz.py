"""Hypothesis throws arbitrary bodies, forms, queries, codes and forwarding headers at the
web front in-process: every answer is below 500 and shows no traceback.

The same strategies as tests/fuzz/ (which runs them against the running servers); the
number of examples follows its profile (HYPOTHESIS_PROFILE=long for a larger run).
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from hypothesis import given
from hypothesis import strategies as st

from signpost.web.app import MAX_BODY_BYTES
from tests.fuzz.checks import assert_answered, fuzz
from tests.fuzz.strategies import (
    CONTENT_TYPES,
    PRINTABLE,
    dumps,
    field_values,
    form_encode,
    garbage_bodies,
    json_values,
    texts,
    url_texts,
)

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.usefixtures("fresh_lockout")]

JSON_ROUTES = ["/api/summary", "/api/summary-link", "/staff/api/triage"]
FIELDS = ("text", "link", "session_id", "token")
JSON_BODIES = st.one_of(
    garbage_bodies("text"),
    st.builds(
        lambda fields, extra: dumps({**extra, **fields}).encode(),
        st.fixed_dictionaries({}, optional={k: field_values() for k in FIELDS}),
        st.dictionaries(texts(max_size=12), json_values(), max_size=3),
    ),
)
FORM = "application/x-www-form-urlencoded"
LOGIN_FIELDS = st.lists(
    st.tuples(st.one_of(st.sampled_from(["username", "password", "csrf_token"]), texts(12)), texts()), max_size=4
)
HEADER_TEXT = st.text(PRINTABLE, max_size=60)
FORWARDED = st.fixed_dictionaries(
    {},
    optional={
        "X-Forwarded-For": st.one_of(
            HEADER_TEXT, st.lists(st.ip_addresses().map(str), max_size=4).map(", ".join), st.just("")
        ),
        "X-Forwarded-Proto": st.one_of(HEADER_TEXT, st.sampled_from(["https", "http", "HTTPS", "ftp", "https,http"])),
        "X-Forwarded-Host": HEADER_TEXT,
        "Origin": st.one_of(HEADER_TEXT, st.sampled_from(["https://127.0.0.1", "null"])),
    },
)


async def answered(response: Any) -> int:
    assert_answered(response.status, await response.text(errors="replace"))
    return int(response.status)


@fuzz(3)
@given(route=st.sampled_from(JSON_ROUTES), body=JSON_BODIES, content_type=CONTENT_TYPES)
async def test_json_routes_take_any_body(front: TestClient, console, route, body, content_type):
    headers = {**console, "Content-Type": content_type} if content_type else dict(console)
    try:
        response = await front.post(route, data=body, headers=headers)
    except aiohttp.ClientOSError:
        # aiohttp answers 413 to a body over the limit and may close the connection
        # before the client has finished sending: only an oversized body may do that.
        assert len(body) > MAX_BODY_BYTES
        assert (await front.get("/health")).status == 200
        return
    status = await answered(response)
    assert status != 200 or route == "/staff/api/triage", "a made-up body read a summary"


@fuzz(2)
@given(text=texts())
async def test_the_triage_card_takes_any_text(front: TestClient, console, text):
    headers = {**console, "Content-Type": "application/json"}
    response = await front.post("/staff/api/triage", data=dumps({"text": text}).encode(), headers=headers)
    assert await answered(response) in (200, 400, 413)


@fuzz(3)
@given(
    body=st.one_of(LOGIN_FIELDS.map(form_encode), st.binary(max_size=500), garbage_bodies("username")),
    content_type=st.one_of(st.just(FORM), CONTENT_TYPES),
    forwarded=FORWARDED,
)
async def test_sign_in_takes_any_form(front: TestClient, body, content_type, forwarded):
    headers = {**forwarded, "Content-Type": content_type} if content_type else forwarded
    response = await front.post("/staff/login", data=body, headers=headers, allow_redirects=False)
    assert await answered(response) != 303, "made-up credentials signed in"


@fuzz(3)
@given(
    query=st.lists(
        st.tuples(st.one_of(st.sampled_from(["all", "page", "limit"]), url_texts(8)), url_texts(12)), max_size=3
    ),
    code=url_texts(),
    handled=st.booleans(),
    forwarded=FORWARDED,
)
async def test_queue_routes_take_any_query_and_code(front: TestClient, console, query, code, handled, forwarded):
    search = "&".join(f"{k}={v}" for k, v in query)
    await answered(await front.get(f"/staff/api/queue?{search}", headers={**console, **forwarded}))
    path = f"/staff/api/queue/{code or 'x'}" + ("/handled" if handled else "")
    method = "POST" if handled else "GET"
    await answered(await front.request(method, path, json={}, headers={**console, **forwarded}))
