"""A tracker copied from its state is the tracker Rasa's replaying copy gives, and the
copy's changes never reach the original: on generated conversations with reverts,
restarts, forms and pauses, with this project's domain and one whose slots shape the dialogue."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.shared.core import events as ev
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import AnySlotDict, DialogueStateTracker

from signpost.rasa_plugins import patches, tracker_copy
from tests.signpost.rasa_plugins.test_prior_states import PROJECT, SHAPING, conversation, events_for

RASAS = patches.original(DialogueStateTracker.copy)
OURS = tracker_copy.copier(RASAS)


def snapshot(tracker: DialogueStateTracker) -> dict[str, Any]:
    """Everything a tracker holds, by value (events by identity, as both copies share them)."""
    state = {name: copy.deepcopy(value) for name, value in vars(tracker).items() if name not in ("events", "slots")}
    state["events"] = [id(event) for event in tracker.events]
    state["event objects"] = [event.as_dict() for event in tracker.events]
    state["slots"] = {name: (type(slot), copy.deepcopy(vars(slot))) for name, slot in tracker.slots.items()}
    state["current"] = tracker.current_state()
    return state


def built(domain: Domain, events: list[ev.Event], model_id: str | None) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events("someone", [], slots=domain.slots)
    tracker.model_id = model_id
    for event in events:
        tracker.update(event)
    return tracker


@pytest.mark.parametrize("domain", [SHAPING, PROJECT], ids=["slots shape the dialogue", "this project's"])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_copy_is_rasas_and_its_own(domain, data):
    events = data.draw(
        st.lists(
            st.one_of(events_for(domain), st.just(ev.ConversationPaused()), st.just(ev.ConversationResumed())),
            max_size=40,
        )
    )
    more = data.draw(st.lists(events_for(domain), max_size=8))
    tracker = built(domain, events, data.draw(st.sampled_from([None, "model-1"])))
    before = snapshot(tracker)

    ours, rasas = OURS(tracker), RASAS(tracker)
    assert snapshot(ours) == snapshot(rasas)
    assert ours.applied_events() == rasas.applied_events()
    assert ours.past_states(domain) == rasas.past_states(domain)

    # What an action does to the copy (the form's and the policy's events) does the same to
    # both copies and nothing to the original.
    for event in more:
        ours.update(event)
        rasas.update(event)
    assert snapshot(ours) == snapshot(rasas)
    assert snapshot(tracker) == before


def test_a_long_conversation_copies_the_same():
    tracker = built(PROJECT, conversation(60), "model-1")
    assert snapshot(OURS(tracker)) == snapshot(RASAS(tracker))


def test_a_slot_value_changed_in_place_on_the_copy_stays_there():
    tracker = built(PROJECT, [ev.SlotSet("body_region", ["neck"]), ev.ActiveLoop("symptom_form")], None)
    duplicate = OURS(tracker)
    duplicate.slots["body_region"].value.append("jaw")
    duplicate.active_loop.is_interrupted = True
    duplicate.latest_action["action_name"] = "changed"
    assert tracker.get_slot("body_region") == ["neck"]
    assert not tracker.active_loop.is_interrupted
    assert tracker.latest_action != duplicate.latest_action


def test_trackers_a_replay_might_not_reproduce_get_rasas_copy():
    capped = DialogueStateTracker.from_events("someone", conversation(5), slots=PROJECT.slots)
    capped = DialogueStateTracker("someone", PROJECT.slots, max_event_history=10)
    for event in conversation(5):
        capped.update(event)
    anyslots = DialogueStateTracker("someone", None)
    anyslots.update(ev.SlotSet("anything", "x"))
    assert isinstance(anyslots.slots, AnySlotDict)
    for tracker in (capped, anyslots):
        assert snapshot(OURS(tracker)) == snapshot(RASAS(tracker))


def test_the_patch_puts_it_in_rasas_place(monkeypatch):
    monkeypatch.setattr(DialogueStateTracker, "copy", DialogueStateTracker.copy)
    patches.copy_trackers_without_replay()
    assert getattr(DialogueStateTracker.copy, patches.MARK) == "copy_trackers_without_replay"
    assert patches.original(DialogueStateTracker.copy) is RASAS
    tracker = built(PROJECT, conversation(3), None)
    assert snapshot(tracker.copy()) == snapshot(RASAS(tracker))
