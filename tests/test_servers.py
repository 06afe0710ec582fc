"""The HTTP surface of both servers, once: health, actions, and the REST channel end to end."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.conftest import ACTION_PORT
from tests.http import get, say

pytestmark = pytest.mark.servers


def test_action_server_health_and_actions(servers):
    status, body = get(f"http://localhost:{ACTION_PORT}/health")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    status, body = get(f"http://localhost:{ACTION_PORT}/actions")
    names = {a["name"] for a in json.loads(body)}
    assert {"action_signpost", "validate_symptom_form", "action_support_groups"} <= names


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
