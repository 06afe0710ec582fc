"""With the action server stopped or hanging, every turn is answered within 5 seconds."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from typing import Iterator

import pytest

from scripts.runner import services, start_all, stop_all
from tests.conftest import PORT_OFFSET, server_workspace
from tests.http import say

pytestmark = pytest.mark.servers
RASA_PORT, DEAD_ACTION_PORT = 5205 + PORT_OFFSET, 5299 + PORT_OFFSET
DEADLINE_S = 5.0
HELPLINE = "020 7793 3650"


class HangingServer:
    """Accepts connections on the action server's port and never answers."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_server(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.held: list[socket.socket] = []
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
                self.held.append(conn)
            except OSError:
                continue

    def close(self) -> None:
        self.stopping = True
        self.thread.join()
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture(scope="module")
def rasa_alone(content, tmp_path_factory) -> Iterator[str]:
    tmp, url = server_workspace(tmp_path_factory, "alone", content)
    rasa = services(RASA_PORT, DEAD_ACTION_PORT, log_dir=tmp, env={"DATABASE_URL": url, "ACTION_CIRCUIT_OPEN_S": "1"})[
        1
    ]
    start_all([rasa])
    yield f"http://localhost:{RASA_PORT}"
    stop_all([rasa])


def timed(base: str, sender: str, text: str) -> tuple[float, str]:
    started = time.monotonic()
    replies = say(base, sender, text)
    return time.monotonic() - started, " ".join(r.get("text") or "" for r in replies)


@pytest.mark.parametrize("message", ["is there a cure?", "support groups in Leeds", "more tips"])
def test_stopped_action_server(rasa_alone, message):
    seconds, text = timed(rasa_alone, uuid.uuid4().hex, message)
    assert seconds < DEADLINE_S
    assert HELPLINE in text and "999" in text


def test_the_signposting_answer_needs_no_action_server(rasa_alone):
    """The Rasa server makes that answer itself (signpost.rasa_plugins.local_actions)."""
    seconds, text = timed(rasa_alone, uuid.uuid4().hex, "my head keeps pulling to the left")
    assert seconds < DEADLINE_S
    assert "Cervical dystonia" in text and "not a diagnosis" in text
    assert "can't reach my information" not in text


def test_hanging_action_server(rasa_alone):
    time.sleep(1.2)  # let the circuit close, so the call really waits on the hanging server
    hanging = HangingServer(DEAD_ACTION_PORT)
    try:
        seconds, text = timed(rasa_alone, uuid.uuid4().hex, "what is dystonia?")
    finally:
        hanging.close()
    assert seconds < DEADLINE_S
    assert HELPLINE in text and "999" in text


@pytest.mark.parametrize(
    "before,message,expected",
    [
        ([], "i cant breathe", "Call 999 now"),
        (["my neck"], "my son is choking", "Call 999 now"),
        ([], "i want to end it all", "116 123"),
        ([], "twisting since the metoclopramide yesterday", "NHS 111"),
    ],
)
def test_red_flags_need_no_action_server(rasa_alone, before, message, expected):
    sender = uuid.uuid4().hex
    for text in before:
        say(rasa_alone, sender, text)
    seconds, text = timed(rasa_alone, sender, message)
    assert seconds < DEADLINE_S
    assert text.startswith(expected) or expected in text
