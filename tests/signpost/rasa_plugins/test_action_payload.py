"""The events sent to the action server are fewer, and every way our actions read events
reads the same from them as from the whole conversation (generated conversations)."""

from __future__ import annotations

import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events as ev
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker

from actions.forms import earlier_value
from actions.signposting import texts_since_answer
from signpost.conversations.delivered import RECORD_KEY, contacts_record, handoff_record, handoffs_since
from signpost.rasa_plugins import patches
from signpost.rasa_plugins.action_payload import events_for_actions, payload_state

SLOTS = ["body_region", "symptom", "shown", "requested_slot"]
NOW = time.time()


def bot(record: Any, age_s: float) -> ev.BotUttered:
    return ev.BotUttered("answer", metadata={RECORD_KEY: record} if record else {}, timestamp=NOW - age_s)


EVENTS = st.one_of(
    st.builds(
        lambda text, channel: ev.UserUttered(
            text, intent={"name": "describe", "confidence": 1.0}, input_channel=channel
        ),
        st.sampled_from(["my neck", "it twists", "thanks", ""]),
        st.sampled_from(["rest", "sms", None]),
    ),
    st.builds(ev.ActionExecuted, st.sampled_from(["action_listen", "action_signpost", "symptom_form", "utter_greet"])),
    st.builds(ev.SlotSet, st.sampled_from(SLOTS), st.one_of(st.none(), st.lists(st.sampled_from(["neck", "eyes"])))),
    st.builds(
        bot,
        st.sampled_from([None, handoff_record("A1", "asked_for_person"), contacts_record(["helpline"])]),
        st.floats(0, 7200),
    ),
    st.builds(ev.SessionStarted),
    st.builds(ev.Restarted),
    st.builds(ev.ActiveLoop, st.sampled_from([None, "symptom_form"])),
)


def sdk_tracker(events: list[ev.Event]) -> Tracker:
    state = DialogueStateTracker.from_events("someone", events).current_state()
    state["events"] = [e.as_dict() for e in events]
    return Tracker.from_dict(state)


def reads(tracker: Tracker) -> dict[str, Any]:
    return {
        "texts": texts_since_answer(tracker),
        **{f"earlier {name}": earlier_value(tracker, name) for name in SLOTS},
        "handoffs": handoffs_since(tracker.events, NOW - 3600),
        "to validate": tracker.slots_to_validate(),
        "channel": tracker.get_latest_input_channel(),
        "last time": tracker.events[-1].get("timestamp") if tracker.events else None,
    }


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EVENTS, max_size=60))
def test_every_reader_reads_the_same_from_the_events_sent(events):
    sent = events_for_actions(events)
    position = {id(e): i for i, e in enumerate(events)}
    assert all(id(s) in position for s in sent)
    assert [position[id(s)] for s in sent] == sorted({position[id(s)] for s in sent})  # in order, once each
    assert reads(sdk_tracker(sent)) == reads(sdk_tracker(events))


def long_session(turns: int) -> list[ev.Event]:
    out: list[ev.Event] = [ev.ActionExecuted("action_session_start"), ev.SessionStarted()]
    for turn in range(turns):
        out += [ev.ActionExecuted("action_listen"), ev.UserUttered(f"message {turn}", input_channel="rest")]
        if turn % 5 == 0:
            out += [ev.SlotSet("body_region", ["neck"]), ev.ActionExecuted("action_signpost"), bot(None, 0)]
        else:
            out += [ev.ActionExecuted("utter_greet"), bot(None, 0)]
    return out


def test_a_long_session_sends_a_bounded_number_of_events():
    for turns in (10, 200):
        sent = events_for_actions(long_session(turns))
        assert len(sent) <= 20, (turns, len(sent))


def test_the_patch_sends_rasas_request_with_those_events(monkeypatch):
    rasas = patches.original(RemoteAction._action_call_format)
    monkeypatch.setattr(RemoteAction, "_action_call_format", rasas)
    domain = Domain.from_dict({"slots": {}, "actions": ["action_signpost"]})
    tracker = DialogueStateTracker.from_events("someone", long_session(30))
    action = RemoteAction("action_signpost", None)
    expected = rasas(action, tracker, domain)
    patches.send_actions_what_they_read()
    sent = RemoteAction._action_call_format(action, tracker, domain)
    assert {k: v for k, v in sent.items() if k != "tracker"} == {k: v for k, v in expected.items() if k != "tracker"}
    assert {k: v for k, v in sent["tracker"].items() if k != "events"} == {
        k: v for k, v in expected["tracker"].items() if k != "events"
    }
    assert sent["tracker"] == payload_state(tracker)
    assert 0 < len(sent["tracker"]["events"]) < len(expected["tracker"]["events"]) / 5
