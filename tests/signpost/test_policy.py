"""SafetyPolicy decisions on real Rasa trackers."""

from __future__ import annotations

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from signpost.policy import HOLD_SLOT, decide


def tracker(*events) -> DialogueStateTracker:
    slots = [TextSlot(HOLD_SLOT, mappings=[]), TextSlot("requested_slot", mappings=[])]
    return DialogueStateTracker.from_events("t", [ActionExecuted(ACTION_LISTEN_NAME), *events], slots=slots)


def said(intent: str) -> list:
    return [UserUttered("...", {"name": intent, "confidence": 1.0})]


def test_nothing_to_do_without_a_red_flag():
    assert decide(tracker(*said("greet"))) is None


def test_emergency_stops_the_form_and_pauses():
    t = tracker(ActiveLoop("symptom_form"), ActionExecuted(ACTION_LISTEN_NAME), *said("red_flag_emergency"))
    action, events = decide(t)
    assert action == "utter_red_flag_emergency"
    assert ActiveLoop(None) in events and SlotSet(HOLD_SLOT, "emergency") in events


def test_after_a_red_flag_response_hand_off_then_listen():
    t = tracker(*said("red_flag_crisis"), ActionExecuted("utter_red_flag_crisis"))
    assert decide(t) == ("action_handoff", [])
    t = tracker(*said("red_flag_crisis"), ActionExecuted("utter_red_flag_crisis"), ActionExecuted("action_handoff"))
    assert decide(t) == (ACTION_LISTEN_NAME, [])


def test_a_handoff_the_person_asked_for_is_left_to_the_rules():
    t = tracker(*said("request_human"), ActionExecuted("action_handoff"))
    assert decide(t) is None


def test_after_a_reminder_listen():
    t = tracker(*said("describe_symptoms"), ActionExecuted("utter_safety_hold_crisis"))
    assert decide(t) == (ACTION_LISTEN_NAME, [])


def test_paused_flow_reminds_until_safe():
    paused = [*said("red_flag_emergency"), SlotSet(HOLD_SLOT, "emergency"), ActionExecuted("utter_red_flag_emergency")]
    t = tracker(*paused, ActionExecuted(ACTION_LISTEN_NAME), *said("describe_symptoms"))
    assert decide(t)[0] == "utter_safety_hold_emergency"
    t = tracker(*paused, ActionExecuted(ACTION_LISTEN_NAME), *said("confirm_safe"))
    action, events = decide(t)
    assert action == "utter_safe_to_continue" and events == [SlotSet(HOLD_SLOT, None)]


def test_urgent_does_not_pause():
    action, events = decide(tracker(*said("red_flag_urgent")))
    assert action == "utter_red_flag_urgent" and SlotSet(HOLD_SLOT, None) in events
