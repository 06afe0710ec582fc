"""RulePolicy's states turned into text only when debug lines are logged (the patch
`format_states_only_when_logged`)."""

from __future__ import annotations

import logging
from typing import Iterator

import pytest
import rasa
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy

from signpost.rasa_plugins import patches

STATES = [
    {},
    {
        "user": {"intent": "describe_symptoms", "entities": ("body_region",)},
        "prev_action": {"action_name": "action_listen"},
    },
    {"user": {"intent": "greet"}, "prev_action": {"action_name": "symptom_form"}},
]


@pytest.fixture
def restored() -> Iterator[None]:
    """Policy's own function on RulePolicy, before (another test may have applied every
    patch) and after."""
    level = logging.getLogger("rasa").level
    if "format_tracker_states" in vars(RulePolicy):
        delattr(RulePolicy, "format_tracker_states")
    yield
    if "format_tracker_states" in vars(RulePolicy):
        delattr(RulePolicy, "format_tracker_states")
    logging.getLogger("rasa").setLevel(level)


def test_no_text_while_debug_lines_are_not_logged(restored):
    patches.format_states_only_when_logged()
    logging.getLogger("rasa").setLevel(logging.INFO)
    assert Policy.format_tracker_states(STATES)  # Rasa's, for any other policy
    assert RulePolicy.format_tracker_states(STATES) == ""


def test_rasas_text_when_they_are(restored):
    patches.format_states_only_when_logged()
    logging.getLogger("rasa").setLevel(logging.DEBUG)
    text = RulePolicy.format_tracker_states(STATES)
    assert text == Policy.format_tracker_states(STATES)
    assert "user intent: describe_symptoms" in text


def test_applied_twice_it_wraps_rasas_own(restored):
    patches.format_states_only_when_logged()
    patches.format_states_only_when_logged()
    now = RulePolicy.format_tracker_states
    assert getattr(now, patches.MARK) == "format_states_only_when_logged"
    assert patches.original(now) is Policy.format_tracker_states


def test_refused_on_another_rasa(monkeypatch, restored):
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(patches.RasaChanged, match="format_states_only_when_logged"):
        patches.format_states_only_when_logged()
    assert "format_tracker_states" not in vars(RulePolicy)
