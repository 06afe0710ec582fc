"""The HTTP surface of both servers, once: health, actions, and the REST channel end to end."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from signpost.knowledge.db import make_engine
from signpost.knowledge.seed import seed
from signpost.runner import MODEL, services, start_all, stop_all

pytestmark = pytest.mark.servers
RASA_PORT, ACTION_PORT = 5105, 5155


@pytest.fixture(scope="module")
def servers(content, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does)")
    tmp = tmp_path_factory.mktemp("servers")
    url = f"sqlite:///{tmp / 'signpost.db'}"
    engine = make_engine(url)
    seed(engine, content)
    engine.dispose()
    svcs = services(RASA_PORT, ACTION_PORT, log_dir=tmp, env={"DATABASE_URL": url})
    try:
        start_all(svcs)
        yield f"http://localhost:{RASA_PORT}"
    except Exception:
        for log in Path(tmp).glob("*.log"):
            print(log.name, log.read_text()[-3000:])
        raise
    finally:
        stop_all(svcs)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def say(base: str, sender: str, message: str) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    req = urllib.request.Request(f"{base}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def test_action_server_health_and_actions(servers):
    status, body = get(f"http://localhost:{ACTION_PORT}/health")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    status, body = get(f"http://localhost:{ACTION_PORT}/actions")
    names = {a["name"] for a in json.loads(body)}
    assert {"action_signpost", "validate_symptom_form", "action_support_groups"} <= names


def test_rasa_server_answers(servers):
    status, body = get(f"{servers}/")
    assert status == 200 and "Rasa" in body


def test_a_full_description_is_signposted_in_the_very_next_reply(servers, domain):
    replies = say(servers, uuid.uuid4().hex, "my head keeps pulling to the left and my neck aches")
    texts = [r.get("text", "") for r in replies]
    assert texts[0].startswith("What you describe is sometimes seen in:")
    assert "Cervical dystonia" in texts[0]
    disclaimer = " ".join(domain["responses"]["utter_disclaimer"][0]["text"].split())
    assert " ".join(texts[-1].split()) == disclaimer
    assert [b["payload"] for b in replies[-1]["buttons"]] == ["tips", "contacts", "something else"]


def test_missing_symptom_is_asked_with_buttons_then_signposted(servers):
    sender = uuid.uuid4().hex
    asked = say(servers, sender, "my eyes")
    assert asked[0]["text"].startswith("What happens there?")
    assert len(asked[0]["buttons"]) >= 4
    replies = say(servers, sender, "blinking or eyes shutting")
    assert "Blepharospasm" in replies[0]["text"]


def test_side_question_then_back_to_the_question(servers):
    sender = uuid.uuid4().hex
    say(servers, sender, "twisting or pulling")
    replies = say(servers, sender, "is there a cure?")
    assert replies[-1]["text"].startswith("Which part of the body")
    assert any("cure" in r.get("text", "").lower() for r in replies)


def test_restart_starts_again(servers):
    sender = uuid.uuid4().hex
    say(servers, sender, "my neck")
    replies = say(servers, sender, "start again")
    assert replies[0]["text"].startswith("OK, let's start again")
    follow = say(servers, sender, "spasms or cramps")
    assert follow[0]["text"].startswith("Which part of the body"), "the earlier region was forgotten"
