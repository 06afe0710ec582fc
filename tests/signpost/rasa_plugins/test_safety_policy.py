"""SafetyPolicy decisions on real Rasa trackers."""

from __future__ import annotations

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from signpost.dialogue import END_CHAT_RESPONSE, HOLD_SLOT, WITH_PERSON_SLOT
from signpost.rasa_plugins.safety_policy import decide


def tracker(*events) -> DialogueStateTracker:
    slots = [
        TextSlot(HOLD_SLOT, mappings=[]),
        TextSlot("requested_slot", mappings=[]),
        TextSlot(WITH_PERSON_SLOT, mappings=[]),
    ]
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


def with_person(*events) -> DialogueStateTracker:
    return tracker(SlotSet(WITH_PERSON_SLOT, "taken"), ActionExecuted(ACTION_LISTEN_NAME), *events)


def test_while_a_worker_holds_the_chat_the_assistant_is_quiet():
    for intent in ("describe_symptoms", "greet", "faq", "request_human", "nlu_fallback"):
        assert decide(with_person(*said(intent))) == (ACTION_LISTEN_NAME, [])


def test_a_red_flag_is_still_answered_at_once_while_a_worker_holds_the_chat():
    action, events = decide(with_person(*said("red_flag_emergency")))
    assert action == "utter_red_flag_emergency" and SlotSet(HOLD_SLOT, "emergency") in events


def test_end_chat_hands_the_conversation_back_to_the_assistant():
    t = with_person(UserUttered("End chat.", {"name": "goodbye", "confidence": 1.0}))
    action, events = decide(t)
    assert action == END_CHAT_RESPONSE and SlotSet(WITH_PERSON_SLOT, None) in events
    assert decide(tracker(UserUttered("end chat", {"name": "goodbye", "confidence": 1.0}))) is None
