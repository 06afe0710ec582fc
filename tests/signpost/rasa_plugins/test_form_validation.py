"""The symptom form validated in the Rasa server gives the slot events the action server's
validation gives for the same tracker (on generated conversations, through the payload Rasa
would send it), and the patch puts it in front of Rasa's validation for that form only."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import RemoteAction
from rasa.core.actions.forms import FormAction
from rasa.shared.core import events as ev
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ValidateSymptomForm
from signpost.rasa_plugins import form_validation, patches
from signpost.rasa_plugins.action_payload import payload_state
from tests.signpost.rasa_plugins.test_prior_states import PROJECT

REGIONS = ["neck", "eyes", "face_jaw", "hand_arm"]
SYMPTOMS = ["blinking", "twisting", "tremor", "pulling"]
INTENTS = ["describe_symptoms", "inform_region", "ask_pain", "greet", "affirm"]
VALUES = {
    "body_region": st.one_of(st.none(), st.lists(st.sampled_from(REGIONS), max_size=3), st.sampled_from(REGIONS)),
    "symptom": st.one_of(st.none(), st.lists(st.sampled_from(SYMPTOMS), max_size=3)),
    "modifier": st.one_of(st.none(), st.lists(st.sampled_from(["after_stroke", "task_specific"]), max_size=2)),
    "requested_slot": st.sampled_from([None, "body_region", "symptom"]),
}
SLOT_EVENTS = st.sampled_from(sorted(VALUES)).flatmap(lambda name: VALUES[name].map(lambda v: ev.SlotSet(name, v)))
EVENTS = st.one_of(
    st.builds(
        lambda intent: ev.UserUttered("words", intent={"name": intent, "confidence": 1.0}),
        st.sampled_from(INTENTS),
    ),
    SLOT_EVENTS,
    st.builds(ev.ActionExecuted, st.sampled_from(["action_listen", "symptom_form", "action_signpost"])),
    st.builds(ev.ActiveLoop, st.sampled_from([None, "symptom_form"])),
    st.just(ev.Restarted()),
    st.just(ev.SessionStarted()),
)
CANDIDATES = st.dictionaries(
    st.sampled_from(["body_region", "symptom", "modifier"]),
    st.none() | st.lists(st.sampled_from(REGIONS + SYMPTOMS), max_size=2),
    max_size=3,
)


def through_the_action_server(
    candidates: dict[str, Any], tracker: DialogueStateTracker, domain: Domain
) -> list[tuple[str, Any]]:
    """What Rasa's own path gives: its temporary tracker, the payload our patch sends, the
    action server's validation."""
    temporary = FormAction("symptom_form", None)._temporary_tracker(
        tracker, [ev.SlotSet(k, v) for k, v in candidates.items()], domain
    )
    sdk = Tracker.from_dict(payload_state(temporary))
    found = asyncio.run(ValidateSymptomForm().run(CollectingDispatcher(), sdk, domain.as_dict()))
    return [(e["name"], e["value"]) for e in found]


def here(candidates: dict[str, Any], tracker: DialogueStateTracker, domain: Domain) -> list[tuple[str, Any]]:
    return [
        (e.key, e.value)
        for e in form_validation.validated(FormAction("symptom_form", None), candidates, tracker, domain)
    ]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(events=st.lists(EVENTS, max_size=25), tail=st.lists(SLOT_EVENTS, max_size=3), candidates=CANDIDATES)
def test_the_same_slots_as_the_action_server(knowledge_db, events, tail, candidates):
    tracker = DialogueStateTracker.from_events("someone", [*events, *tail], slots=PROJECT.slots)
    assert here(candidates, tracker, PROJECT) == through_the_action_server(candidates, tracker, PROJECT)


def conversation(*turns: tuple[str, dict[str, Any]]) -> DialogueStateTracker:
    events: list[ev.Event] = [
        ev.ActionExecuted("action_session_start"),
        ev.SessionStarted(),
        ev.ActionExecuted("action_listen"),
    ]
    for intent, slots in turns:
        events += [ev.UserUttered("words", intent={"name": intent, "confidence": 1.0})]
        events += [ev.SlotSet(k, v) for k, v in slots.items()]
        events += [ev.ActionExecuted("symptom_form"), ev.ActiveLoop("symptom_form"), ev.ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events("someone", events, slots=PROJECT.slots)


@pytest.mark.parametrize(
    "turns,candidates,expected",
    [
        # a symptom that names its region fills it
        ([("describe_symptoms", {})], {"symptom": ["blinking"]}, ("body_region", ["eyes"])),
        # eyes in one message and the jaw in the next is both
        (
            [("describe_symptoms", {"body_region": ["eyes"]}), ("inform_region", {})],
            {"body_region": ["face_jaw"]},
            ("body_region", ["eyes", "face_jaw"]),
        ),
        # nothing recognised in an answer: asked again
        (
            [("describe_symptoms", {"body_region": ["neck"], "requested_slot": "symptom"}), ("describe_symptoms", {})],
            {},
            ("symptom", None),
        ),
    ],
)
def test_what_the_form_is_for(knowledge_db, turns, candidates, expected):
    tracker = conversation(*turns)
    assert expected in here(candidates, tracker, PROJECT)
    assert here(candidates, tracker, PROJECT) == through_the_action_server(candidates, tracker, PROJECT)


def test_the_patch_validates_the_symptom_form_here_and_other_forms_as_rasa_does(knowledge_db, monkeypatch):
    monkeypatch.setattr(FormAction, "validate_slots", FormAction.validate_slots)
    patches.validate_the_form_here()
    assert getattr(FormAction.validate_slots, patches.MARK) == "validate_the_form_here"

    called: list[str] = []

    async def remote_run(self, output_channel, nlg, tracker, domain):
        called.append(self.name())
        return []

    monkeypatch.setattr(RemoteAction, "run", remote_run)
    tracker = conversation(("describe_symptoms", {}))
    found = asyncio.run(
        FormAction("symptom_form", None).validate_slots({"symptom": ["blinking"]}, tracker, PROJECT, None, None)
    )
    assert ev.SlotSet("body_region", ["eyes"]) in found and called == []

    other = Domain.from_dict(
        {
            **PROJECT.as_dict(),
            "forms": {"other_form": {"required_slots": ["body_region"]}},
            "actions": [*PROJECT.user_actions, "validate_other_form"],
        }
    )
    asyncio.run(FormAction("other_form", None).validate_slots({"body_region": ["neck"]}, tracker, other, None, None))
    assert called == ["validate_other_form"]


def test_if_the_local_validation_fails_the_action_server_validates(knowledge_db, monkeypatch):
    monkeypatch.setattr(FormAction, "validate_slots", FormAction.validate_slots)
    patches.validate_the_form_here()
    called: list[str] = []

    async def remote_run(self, output_channel, nlg, tracker, domain):
        called.append(self.name())
        return [ev.SlotSet("symptom", ["twisting"])]

    def broken(*args):
        raise RuntimeError("broken")

    monkeypatch.setattr(RemoteAction, "run", remote_run)
    monkeypatch.setattr(form_validation, "validated", broken)
    tracker = conversation(("describe_symptoms", {}))
    found = asyncio.run(
        FormAction("symptom_form", None).validate_slots({"symptom": ["twisting"]}, tracker, PROJECT, None, None)
    )
    assert called == ["validate_symptom_form"] and found == [ev.SlotSet("symptom", ["twisting"])]
