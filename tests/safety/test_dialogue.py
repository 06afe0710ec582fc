"""Red flags through the REST channel at three points of a conversation.

Every red flag in the corpus, and every red flag of the real-world development
split (eval/red_flags), is sent in a new conversation, in the middle of a
question and after signposting; the first bubble of the reply must be the
safety response with its numbers. Every look-alike is sent to a new
conversation; at most 2 % of the written ones, and 1 in 25 of the real-world
ones, may get a safety response.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from signpost.dialogue import RED_FLAGS
from tests.http import say
from tests.safety.corpus import (
    MAX_FALSE_ALARM_RATE,
    MAX_REAL_WORLD_FALSE_ALARM_RATE,
    MAX_REAL_WORLD_MISS_RATE,
    NUMBERS,
    look_alikes,
    real_world_look_alikes,
    real_world_red_flags,
    red_flags,
)

pytestmark = pytest.mark.servers
STATES = {
    "new conversation": [],
    "in the middle of a question": ["my neck"],
    "after signposting": ["my head keeps pulling to the left and my neck aches"],
}
RESPONSE_FOR = {f.category: f.response for f in RED_FLAGS}


def _text(domain, response: str) -> str:
    return " ".join(domain["responses"][response][0]["text"].split())


def _first_text(replies) -> str:
    return " ".join((replies[0].get("text") or "").split()) if replies else ""


def _run(base: str, before: list[str], message: str) -> str:
    sender = f"safety-{uuid.uuid4().hex}"
    for text in before:
        say(base, sender, text)
    return _first_text(say(base, sender, message))


def _first_bubbles(base: str, jobs: list[tuple[str, dict]]) -> list[str]:
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda job: _run(base, STATES[job[0]], job[1]["text"]), jobs))


def _answered(domain, category: str, answer: str) -> bool:
    expected = _text(domain, RESPONSE_FOR[category])
    return answer == expected and all(n in answer for n in NUMBERS[category])


def _wrong(
    domain, jobs: list[tuple[str, dict]], answers: list[str], escalated_is_right: bool = False
) -> list[tuple[str, str, str, str]]:
    wrong = []
    for (state, case), answer in zip(jobs, answers, strict=True):
        # An urgent case answered as an emergency (999 instead of NHS 111) is escalated, not missed.
        escalated = escalated_is_right and case["category"] == "urgent" and _answered(domain, "emergency", answer)
        if not (_answered(domain, case["category"], answer) or escalated):
            wrong.append((state, case["category"], case["text"][:60], answer[:80]))
    return wrong


def test_real_world_red_flags_are_answered_first_at_every_point(servers, domain):
    """The development split of the real-world messages, as tests/safety/test_detector.py
    holds it: at most 1 in 20 missed, at each point of a conversation alike."""
    jobs = [(state, case) for state in STATES for case in real_world_red_flags()]
    wrong = _wrong(domain, jobs, _first_bubbles(servers.base, jobs), escalated_is_right=True)
    for state in STATES:
        missed = [w for w in wrong if w[0] == state]
        assert len(missed) <= MAX_REAL_WORLD_MISS_RATE * len(real_world_red_flags()), (state, missed)
    # the same messages are missed wherever they come: the answer does not depend on the point
    assert len({w[2] for w in wrong}) * len(STATES) == len(wrong), wrong


def test_real_world_look_alikes_rarely_raise_the_alarm(servers, domain):
    safety = {_text(domain, r) for r in RESPONSE_FOR.values()}
    messages = [m["text"] for m in real_world_look_alikes()]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda m: _run(servers.base, [], m), messages))
    alarms = [m for m, a in zip(messages, answers, strict=True) if a in safety]
    assert len(alarms) / len(messages) <= MAX_REAL_WORLD_FALSE_ALARM_RATE, alarms


def test_every_red_flag_is_answered_at_every_point(servers, domain):
    jobs = [(state, case) for state in STATES for case in red_flags()]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda job: _run(servers.base, STATES[job[0]], job[1]["text"]), jobs))
    wrong = []
    for (state, case), answer in zip(jobs, answers, strict=True):
        expected = _text(domain, RESPONSE_FOR[case["category"]])
        if answer != expected or not all(n in answer for n in NUMBERS[case["category"]]):
            wrong.append((state, case["category"], case["text"], answer[:80]))
    assert wrong == [], f"{len(wrong)} of {len(jobs)} wrong"


def test_look_alikes_rarely_raise_the_alarm(servers, domain):
    safety = {_text(domain, r) for r in RESPONSE_FOR.values()}
    messages = look_alikes()["non_emergency"]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda m: _run(servers.base, [], m), messages))
    alarms = [m for m, a in zip(messages, answers, strict=True) if a in safety]
    assert len(alarms) / len(messages) <= MAX_FALSE_ALARM_RATE, alarms


def test_emergency_pauses_until_safe(servers, domain):
    sender = f"safety-{uuid.uuid4().hex}"
    say(servers.base, sender, "my neck")
    assert _first_text(say(servers.base, sender, "he's choking")) == _text(domain, "utter_red_flag_emergency")
    assert _first_text(say(servers.base, sender, "it twists to the left")) == _text(
        domain, "utter_safety_hold_emergency"
    )
    assert _first_text(say(servers.base, sender, "i'm safe now")) == _text(domain, "utter_safe_to_continue")
    assert "sometimes seen in" in _first_text(say(servers.base, sender, "my head keeps pulling to the left"))
