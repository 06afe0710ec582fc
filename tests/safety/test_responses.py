"""The safety responses say what they must, and need no action server."""

from __future__ import annotations

import pytest

from signpost.dialogue import RED_FLAGS, REMINDER_FOR_HOLD, RESPONSE_FOR_INTENT, RedFlag
from tests.safety.corpus import NUMBERS


@pytest.mark.parametrize("flag", RED_FLAGS, ids=lambda f: f.category)
def test_red_flag_responses_give_the_numbers(domain, flag: RedFlag):
    text = domain["responses"][flag.response][0]["text"]
    for number in NUMBERS[flag.category]:
        assert number in text


def test_emergency_starts_with_call_999(domain):
    assert domain["responses"]["utter_red_flag_emergency"][0]["text"].startswith("Call 999 now")


def test_holds_remind_of_999(domain):
    for response in REMINDER_FOR_HOLD.values():
        assert "999" in domain["responses"][response][0]["text"]


def test_crisis_numbers_match_the_contacts(content, domain):
    phones = {c.id: c.phone for c in content.contacts}
    text = domain["responses"]["utter_red_flag_crisis"][0]["text"]
    assert phones["samaritans"] in text and phones["shout"] in text


def test_safety_responses_are_not_custom_actions(domain):
    for response in (*RESPONSE_FOR_INTENT.values(), *REMINDER_FOR_HOLD.values(), "utter_medication_advice"):
        assert response in domain["responses"] and response not in domain["actions"]


def test_medication_advice_gives_no_dosing(domain):
    text = domain["responses"]["utter_medication_advice"][0]["text"].lower()
    assert "pharmacist" in text and "gp" in text
    assert "mg" not in text.split()
