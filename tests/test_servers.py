"""The HTTP surface of both servers, once: health, actions, and the REST channel end to end."""

from __future__ import annotations

import http.server
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from typing import Iterator

import pytest
from sqlalchemy.orm import Session

from scripts.runner import services, start_all, stop_all
from signpost.config import get_settings
from signpost.conversations.ids import rest_conversation_id
from signpost.conversations.repository import queue, triage_records
from signpost.storage.engine import make_engine
from tests.conftest import ACTION_PORT, PORT_OFFSET
from tests.http import get, say

pytestmark = pytest.mark.servers

ACTIONS = f"http://127.0.0.1:{ACTION_PORT}"


def action_server(path: str, body: dict | None = None, token: str | None = None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(ACTIONS + path, data, headers), timeout=20) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_action_server_health_and_actions(servers):
    status, body = get(f"{ACTIONS}/health")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    status, body = action_server("/actions", token=get_settings().action_server_token)
    names = {a["name"] for a in json.loads(body)}
    assert {"action_signpost", "validate_symptom_form", "action_support_groups"} <= names


@pytest.mark.parametrize("token", [None, "not-the-token"], ids=["no token", "wrong token"])
def test_a_forged_action_call_gets_nothing(servers, domain, token):
    """What an attacker on the network would send to read someone's stored data."""
    sender = uuid.uuid4().hex
    say(servers.base, sender, "my neck keeps twisting")  # a conversation with something stored
    call = {
        "next_action": "action_my_data",
        "sender_id": sender,
        "tracker": {"sender_id": sender, "events": [], "slots": {}, "latest_message": {"intent": {}}},
        "domain": domain,
        "version": "3.6.21",
    }
    status, body = action_server("/webhook", call, token)
    assert status == 401, body
    assert json.loads(body) == {"error": "unauthorised"}
    assert action_server("/actions", token=token)[0] == 401
    assert get(f"{ACTIONS}/health")[0] == 200


def outward_address() -> str | None:
    """This machine's address on its default route (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only the route is looked up
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_the_action_server_listens_on_loopback_only(servers):
    address = outward_address()
    if address is None:
        pytest.skip("this machine has no address other than loopback to try")
    with socket.socket() as s:
        s.settimeout(2)
        assert s.connect_ex((address, ACTION_PORT)) != 0, f"the action server answers on {address}"
    with socket.socket() as s:
        s.settimeout(2)
        assert s.connect_ex(("127.0.0.1", ACTION_PORT)) == 0


def test_rasa_server_answers(servers):
    status, body = get(f"{servers.base}/")
    assert status == 200 and "Rasa" in body


def test_a_full_description_is_signposted_in_the_very_next_reply(servers, domain):
    *replies, notice = say(servers.base, uuid.uuid4().hex, "my head keeps pulling to the left and my neck aches")
    texts = [r.get("text", "") for r in replies]
    assert texts[0].startswith("What you describe is sometimes seen in:")
    assert "Cervical dystonia" in texts[0]
    disclaimer = " ".join(domain["responses"]["utter_disclaimer"][0]["text"].split())
    assert " ".join(texts[-1].split()) == disclaimer
    assert [b["payload"] for b in replies[-1]["buttons"]] == ["tips", "contacts", "something else"]
    assert notice["text"].startswith("Privacy:")  # a conversation's first reply ends with the notice


def test_missing_symptom_is_asked_with_buttons_then_signposted(servers):
    sender = uuid.uuid4().hex
    asked = say(servers.base, sender, "my eyes")
    assert asked[0]["text"].startswith("What happens there?")
    assert len(asked[0]["buttons"]) >= 4
    replies = say(servers.base, sender, "blinking or eyes shutting")
    assert "Blepharospasm" in replies[0]["text"]


def test_side_question_then_back_to_the_question(servers):
    sender = uuid.uuid4().hex
    say(servers.base, sender, "twisting or pulling")
    replies = say(servers.base, sender, "is there a cure?")
    assert replies[-1]["text"].startswith("Which part of the body")
    assert any("cure" in r.get("text", "").lower() for r in replies)


def test_restart_starts_again(servers):
    sender = uuid.uuid4().hex
    say(servers.base, sender, "my neck")
    replies = say(servers.base, sender, "start again")
    assert replies[0]["text"].startswith("OK, let's start again")
    follow = say(servers.base, sender, "spasms or cramps")
    assert follow[0]["text"].startswith("Which part of the body"), "the earlier region was forgotten"


# --- records match what was delivered -----------------------------------------------

CODE = re.compile(r"DYS-[A-Z2-9]{4}")
SLOW_RASA_PORT = 5405 + PORT_OFFSET
HANDOFF = "i want to talk to a real human"
DESCRIPTION = "my head keeps pulling to the left and my neck aches"


class SlowActionServer:
    """Forwards action calls to the real action server, holding back the answer to the
    actions in `slow` for longer than Rasa waits."""

    def __init__(self, target: str, slow: set[str], delay_s: float = 5.0) -> None:
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if json.loads(body or b"{}").get("next_action") in outer.slow:
                    time.sleep(delay_s)
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")}
                try:
                    with urllib.request.urlopen(urllib.request.Request(target + self.path, body, headers)) as r:
                        status, answer = r.status, r.read()
                except urllib.error.HTTPError as e:
                    status, answer = e.code, e.read()
                except OSError:
                    return
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # Rasa gave up and went away

            def log_message(self, *args: object) -> None:
                pass

        self.slow = slow
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def slow_rasa(servers) -> Iterator[tuple[str, SlowActionServer]]:
    """A second Rasa server on the same database, whose action calls go through SlowActionServer."""
    slow = SlowActionServer(ACTIONS, set())
    env = {"DATABASE_URL": servers.database_url}
    _, rasa_server = services(SLOW_RASA_PORT, slow.port, log_dir=servers.log_dir, env=env, web_port=None)
    rasa_server.log = servers.log_dir / "rasa-slow.log"
    try:
        start_all([rasa_server])
        yield f"http://localhost:{SLOW_RASA_PORT}", slow
    finally:
        stop_all([rasa_server])
        slow.close()


def records(database_url: str, sender: str) -> tuple[list[str], list[list[str]]]:
    """(codes in the staff queue, types named in the GP summary records) for one conversation."""
    conversation = rest_conversation_id(sender)
    engine = make_engine(database_url)
    with Session(engine, future=True) as s:
        codes = [h.code for h in queue(s, include_handled=True) if h.conversation_id == conversation]
        types = [r.types for r in triage_records(s, conversation)]
    engine.dispose()
    return codes, types


def joined(replies: list[dict]) -> str:
    return " ".join(r.get("text") or "" for r in replies)


# The signposting answer is made in the Rasa server (signpost/rasa_plugins/local_actions.py):
# its own timeout gets the apology as well (tests/signpost/rasa_plugins/test_local_actions.py).
@pytest.mark.parametrize("action,message", [("action_handoff", HANDOFF)])
def test_a_reply_lost_to_a_slow_action_server_leaves_no_record(slow_rasa, servers, action, message):
    base, slow = slow_rasa
    slow.slow = {action}
    sender = uuid.uuid4().hex
    text = joined(say(base, sender, message))
    assert "can't reach my information" in text, "Rasa should have given up on the slow action"
    assert not CODE.search(text)
    time.sleep(6)  # the action finishes on the action server after Rasa gave up
    assert records(servers.database_url, sender) == ([], [])


def test_a_delivered_reply_leaves_the_records_it_showed(servers):
    sender = uuid.uuid4().hex
    described = joined(say(servers.base, sender, DESCRIPTION))
    handed = joined(say(servers.base, sender, HANDOFF))
    shown = CODE.findall(handed)
    assert shown, handed
    codes, types = records(servers.database_url, sender)
    assert codes == shown[:1], "staff see the code the person was given"
    assert types and types[0][0] == "cervical" and "Cervical dystonia" in described
