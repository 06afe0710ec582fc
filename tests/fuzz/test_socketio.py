"""The widget's socket.io channel under arbitrary events and event data.

Each example opens a fresh connection and conversation. Events are sent with
`call`, whose acknowledgement comes back only when the server's handler has
finished (a whole turn for `user_uttered`), so each example is checked after
the server has done all it will do with it. Payloads stay under the channel's
64 KB limit, beyond which the server closes the connection by design.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import socketio
from hypothesis import assume, given
from hypothesis import strategies as st

from signpost.conversations.ids import session_id_or_none
from signpost.rasa_plugins.channels.inbound import MAX_REQUEST_BYTES
from tests.conftest import WEB_PORT
from tests.fuzz.checks import apology, assert_no_leak, fuzz, rasa_alive
from tests.fuzz.strategies import SCALARS, WORDS, json_values, texts

pytestmark = pytest.mark.servers

ORIGIN = f"http://localhost:{WEB_PORT}"
APOLOGY = apology()
# How long a handler may take: a turn (user_uttered) runs NLU and actions, the rest are quick.
ACK_S = {"user_uttered": 15.0}
QUICK_ACK_S = 5.0
EVENTS = ("session_request", "user_uttered", "summary_link_request")


class Same:
    """Stands for the value the server confirmed (the real session id or token)."""

    def __repr__(self) -> str:
        return "<the confirmed value>"


class Missing:
    def __repr__(self) -> str:
        return "<missing>"


SAME, MISSING = Same(), Missing()
SIO_VALUES = json_values(st.one_of(SCALARS, st.binary(max_size=64)))  # socket.io carries bytes too
SMALL_TEXT = texts(huge=6000)
FIELD = st.one_of(SMALL_TEXT, SMALL_TEXT, SIO_VALUES)
# What a handler is given: one value, several (a tuple is several arguments), or none.
ARGUMENTS = st.one_of(SIO_VALUES, st.tuples(SIO_VALUES, SIO_VALUES), st.just(()))
# A returning widget says which helpline replies it has shown (`helpline_seen`).
SESSION_REQUESTS = st.one_of(
    ARGUMENTS,
    st.fixed_dictionaries({"helpline_seen": json_values()}, optional={"session_id": SIO_VALUES, "token": SIO_VALUES}),
)


def confirmation(payload: Any) -> tuple[str, Any]:
    """(session id, token) from session_confirm: {"session_id", "token"} (or a bare id)."""
    if isinstance(payload, dict):
        return payload["session_id"], payload.get("token")
    return payload, None


def fill(value: Any, same: Any) -> Any:
    return same if value is SAME else value


def size(data: Any) -> int:
    """About how many bytes socket.io sends for `data` (bytes go as attachments)."""
    return len(json.dumps(data, ensure_ascii=True, default=lambda b: "?" * len(b)))


class Widget:
    """One connection, collecting what the server sends."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: dict[str, list[Any]] = {"session_confirm": [], "bot_uttered": [], "summary_link": []}
        for event, got in self.received.items():
            self.client.on(event, got.append)

    async def __aenter__(self) -> Widget:
        await self.client.connect(self.base, headers={"Origin": ORIGIN}, transports=["websocket"], wait_timeout=10)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.client.disconnect()

    async def call(self, event: str, data: Any) -> None:
        """Send `event` and wait until the server has handled it (its acknowledgement)."""
        timeout = ACK_S.get(event, QUICK_ACK_S)
        try:
            if isinstance(data, tuple) and not data:
                await self.client.call(event, timeout=timeout)
            else:
                await self.client.call(event, data, timeout=timeout)
        except socketio.exceptions.TimeoutError:
            raise AssertionError(
                f"{event!r} was not acknowledged within {timeout:.0f} s: its handler failed or hung;"
                f" the Rasa server is {'up' if rasa_alive() else 'DEAD'}"
            ) from None

    async def session(self) -> tuple[str, Any]:
        await self.call("session_request", {})
        assert self.received["session_confirm"], "no session_confirm"
        return confirmation(self.received["session_confirm"].pop())

    def check_replies(self) -> None:
        texts_out = " ".join(str(m.get("text") or "") if isinstance(m, dict) else str(m)
                             for m in self.received["bot_uttered"])  # fmt: skip
        assert_no_leak(texts_out)
        assert APOLOGY not in texts_out, f"the turn failed (apology): {texts_out[:300]!r}"


async def in_widget(base: str, steps: Any) -> None:
    assume(rasa_alive())  # once an event has killed the server, later examples show nothing new
    try:
        async with Widget(base) as widget:
            await steps(widget)
            assert widget.client.connected, "the server closed the connection"
            widget.check_replies()
    except socketio.exceptions.ConnectionError as exc:
        raise AssertionError(
            f"{type(exc).__name__}: {exc}; the Rasa server is {'up' if rasa_alive() else 'DEAD'}"
        ) from exc


def run(base: str, steps: Any) -> None:
    asyncio.run(in_widget(base, steps))


@fuzz(2)
@given(data=SESSION_REQUESTS)
def test_session_request_with_any_data(servers, data):
    assume(size(data) < MAX_REQUEST_BYTES // 2)

    async def steps(widget: Widget) -> None:
        await widget.call("session_request", data)
        assert widget.received["session_confirm"], "no session_confirm"
        session_id, _ = confirmation(widget.received["session_confirm"][-1])
        assert session_id_or_none(session_id) == session_id, session_id

    run(servers.base, steps)


@fuzz(3)
@given(
    message=st.one_of(WORDS, FIELD),
    session_id=st.one_of(st.just(SAME), st.just(MISSING), FIELD),
    token=st.one_of(st.just(SAME), st.just(MISSING), FIELD),
    extra=st.dictionaries(texts(max_size=12), SIO_VALUES, max_size=3),
)
def test_user_uttered_with_any_fields(servers, message, session_id, token, extra):
    async def steps(widget: Widget) -> None:
        real_id, real_token = await widget.session()
        data = {**extra, "message": message, "session_id": fill(session_id, real_id), "token": fill(token, real_token)}
        data = {k: v for k, v in data.items() if v is not MISSING}
        assume(size(data) < MAX_REQUEST_BYTES // 2)
        await widget.call("user_uttered", data)

    run(servers.base, steps)


@fuzz(2)
@given(event=st.sampled_from(EVENTS), data=ARGUMENTS)
def test_known_events_with_any_arguments(servers, event, data):
    """Wrong shapes, several arguments or none, before and after a session is confirmed."""
    assume(size(data) < MAX_REQUEST_BYTES // 2)

    async def steps(widget: Widget) -> None:
        await widget.call(event, data)
        await widget.session()
        await widget.call(event, data)

    run(servers.base, steps)


@fuzz()
@given(
    event=st.one_of(
        st.sampled_from(["connect", "disconnect", "message", "bot_uttered", "session_confirm", "*", ""]),
        texts(max_size=30, huge=2000),
    ),
    data=ARGUMENTS,
)
def test_unknown_events(servers, event, data):
    assume(event not in EVENTS and size(data) + len(event) * 6 < MAX_REQUEST_BYTES // 2)

    async def steps(widget: Widget) -> None:
        # no handler, so no acknowledgement: a session request afterwards shows the connection still works
        await widget.client.emit(event, None if isinstance(data, tuple) and not data else data)
        await widget.session()

    run(servers.base, steps)
