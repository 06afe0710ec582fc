"""The action server answers only callers with the shared token, checked in this process.

The app is the one `python -m signpost.rasa_plugins.serve run actions` runs (rasa-sdk's, with the
token check), served on a free loopback port inside the test.
"""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.error
import urllib.request
from typing import AsyncIterator

import pytest
from sanic import Sanic

from signpost import metrics
from signpost.config import get_settings
from signpost.rasa_plugins.serve import action_app, authorised

TOKEN = "test-action-server-token"
MY_DATA_CALL = {
    "next_action": "action_my_data",
    "sender_id": "someone-else",
    "tracker": {"sender_id": "someone-else", "events": [], "slots": {}, "latest_message": {}},
    "domain": {},
    "version": "3.6.21",
}


@pytest.mark.parametrize(
    "header,ok",
    [
        (f"Bearer {TOKEN}", True),
        (f"bearer {TOKEN}", True),  # the scheme is case-insensitive (RFC 6750)
        (f"  Bearer   {TOKEN} ", True),
        (None, False),
        ("", False),
        ("Bearer", False),
        ("Bearer ", False),
        (TOKEN, False),
        (f"Basic {TOKEN}", False),
        (f"Bearer {TOKEN}x", False),
        (f"Bearer {TOKEN[:-1]}", False),
        ("Bearer wrong", False),
        ("Bearer \ud800", False),  # not even encodable as UTF-8
    ],
)
def test_authorised(header, ok):
    assert authorised(header, TOKEN) is ok


def test_an_empty_token_lets_nobody_in():
    assert not authorised("Bearer ", "") and not authorised("Bearer x", "")


async def _serve() -> AsyncIterator[int]:
    Sanic.test_mode = True  # several apps named "rasa_sdk" in one test process
    app = action_app("actions", TOKEN)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    await server.start_serving()
    try:
        yield sock.getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
async def action_port(knowledge_db) -> AsyncIterator[int]:
    async for port in _serve():
        yield port


def call(port: int, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


async def in_thread(*args):
    return await asyncio.get_running_loop().run_in_executor(None, call, *args)


@pytest.mark.parametrize("token", [None, "wrong", TOKEN + "x"], ids=["none", "wrong", "longer"])
async def test_a_forged_call_runs_nothing(action_port, token):
    status, body = await in_thread(action_port, "/webhook", MY_DATA_CALL, token)
    assert status == 401
    assert json.loads(body) == {"error": "unauthorised"}
    status, body = await in_thread(action_port, "/actions", None, token)
    assert status == 401 and "action_my_data" not in body


async def test_the_health_check_is_open(action_port):
    assert await in_thread(action_port, "/health") == (200, '{"status":"ok"}')


async def test_unknown_paths_are_refused_too(action_port):
    status, _ = await in_thread(action_port, "/nothing-here")
    assert status == 401


async def test_with_the_token_the_action_runs(action_port, domain):
    status, body = await in_thread(action_port, "/webhook", {**MY_DATA_CALL, "domain": domain}, TOKEN)
    assert status == 200, body
    responses = [m.get("response") for m in json.loads(body)["responses"]]
    assert responses[0] == "utter_my_data" and responses[-1] == "utter_disclaimer"
    status, body = await in_thread(action_port, "/actions", None, TOKEN)
    assert status == 200 and {"name": "action_my_data"} in json.loads(body)


async def test_readiness_is_open_and_checks_the_database(action_port):
    status, body = await in_thread(action_port, "/ready")
    assert status == 200 and json.loads(body) == {"status": "ready", "checks": {"database": "ok"}}


async def test_unreachable_database_makes_the_action_server_not_ready(action_port, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/nothing")
    get_settings.cache_clear()
    try:
        status, body = await in_thread(action_port, "/ready")
    finally:
        get_settings.cache_clear()
    assert status == 503 and json.loads(body)["checks"] == {"database": "failing"}


async def test_each_call_is_counted_by_action_and_outcome(action_port, domain):
    def calls(outcome: str) -> float:
        labels = {"action": "action_my_data", "outcome": outcome}
        return metrics.ACTIONS.get_sample_value("signpost_action_calls_total", labels) or 0.0

    ok, refused = calls("ok"), calls("unauthorised")
    await in_thread(action_port, "/webhook", {**MY_DATA_CALL, "domain": domain}, TOKEN)
    await in_thread(action_port, "/webhook", MY_DATA_CALL, "wrong")
    assert (calls("ok"), calls("unauthorised")) == (ok + 1, refused + 1)
    made_up = {**MY_DATA_CALL, "next_action": "action_made_up_by_a_caller"}
    before = metrics.ACTIONS.get_sample_value(
        "signpost_action_calls_total", {"action": "other", "outcome": "not_found"}
    )
    status, _ = await in_thread(action_port, "/webhook", {**made_up, "domain": domain}, TOKEN)
    after = metrics.ACTIONS.get_sample_value("signpost_action_calls_total", {"action": "other", "outcome": "not_found"})
    assert status == 404 and after == (before or 0) + 1
