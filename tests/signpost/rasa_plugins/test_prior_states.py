"""The states of a tracker's history, extended from the previous call, are exactly Rasa's:
on generated conversations that grow, revert, restart and run forms, with this project's
domain and with a domain whose slots shape the dialogue, for every argument the policies pass."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.shared.core import events as ev
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from signpost.rasa_plugins import patches, prior_states

ROOT = Path(__file__).resolve().parents[3]
RASAS = patches.original(Domain.states_for_tracker_history)
RASAS_APPLIED = patches.original(DialogueStateTracker.applied_events)


@pytest.fixture(autouse=True)
def applied_events_extended(monkeypatch):
    """As in the server: the states are built on the extended applied events."""
    monkeypatch.setattr(DialogueStateTracker, "applied_events", prior_states.applied_events)


SHAPING = Domain.from_dict(
    {
        "intents": ["greet", "describe", "deny", "stop"],
        "entities": ["body_region"],
        "slots": {
            "body_region": {"type": "text", "mappings": [{"type": "from_entity", "entity": "body_region"}]},
            "urgent": {"type": "bool", "mappings": [{"type": "custom"}]},
            "mood": {"type": "categorical", "values": ["low", "ok"], "mappings": [{"type": "custom"}]},
            "count": {"type": "float", "mappings": [{"type": "custom"}]},
        },
        "forms": {"symptom_form": {"required_slots": ["body_region"]}},
        "actions": ["action_signpost", "action_answer"],
        "responses": {"utter_greet": [{"text": "hi"}], "utter_ask_body_region": [{"text": "where?"}]},
    }
)
PROJECT = Domain.load(str(ROOT / "domain.yml"))

ARGUMENTS = [
    {"omit_unset_slots": omit, "ignore_rule_only_turns": ignore, "rule_only_data": data}
    for omit in (False, True)
    for ignore in (False, True)
    for data in (None, {"rule_only_slots": ["urgent", "mood"], "rule_only_loops": ["symptom_form"]})
]


def events_for(domain: Domain) -> st.SearchStrategy[ev.Event]:
    intents = st.sampled_from(sorted(domain.intents))
    actions = st.sampled_from(["action_listen", "symptom_form", *sorted(domain.action_names_or_texts)[:12]])
    slots = st.sampled_from([slot.name for slot in domain.slots])
    values = st.one_of(
        st.none(), st.booleans(), st.sampled_from(["neck", "low", "ok", 2.0]), st.lists(st.text(max_size=3))
    )
    return st.one_of(
        st.builds(
            lambda text, intent, entities: ev.UserUttered(
                text,
                intent={"name": intent, "confidence": 0.9},
                entities=[{"entity": "body_region", "value": "neck", "start": 0, "end": 4}] if entities else [],
            ),
            st.text(max_size=8),
            intents,
            st.booleans(),
        ),
        st.builds(lambda name, hide: ev.ActionExecuted(name, hide_rule_turn=hide), actions, st.booleans()),
        st.builds(ev.SlotSet, slots, values),
        st.builds(ev.ActiveLoop, st.sampled_from([None, "symptom_form"])),
        st.builds(ev.FollowupAction, actions),
        st.builds(ev.LoopInterrupted, st.booleans()),
        st.builds(ev.ActionExecutionRejected, actions),
        st.just(ev.ActionReverted()),
        st.just(ev.UserUtteranceReverted()),
        st.just(ev.Restarted()),
        st.just(ev.SessionStarted()),
        st.builds(ev.BotUttered, st.text(max_size=5)),
        st.builds(ev.DefinePrevUserUtteredFeaturization, st.booleans()),
    )


def grown(domain: Domain, events: list[ev.Event], every: int) -> Any:
    """A tracker that grows by `events`, yielded every `every` events (and at the end)."""
    tracker = DialogueStateTracker.from_events("someone", [], slots=domain.slots)
    for i, event in enumerate(events, 1):
        tracker.update(event)
        if i % every == 0 or i == len(events):
            yield tracker


def check(domain: Domain, tracker: DialogueStateTracker) -> None:
    assert [id(e) for e in tracker.applied_events()] == [id(e) for e in RASAS_APPLIED(tracker)]
    for arguments in ARGUMENTS:
        ours = prior_states.states_for_tracker_history(domain, tracker, **arguments)
        assert ours == RASAS(domain, tracker, **arguments), arguments


@pytest.mark.parametrize("domain", [SHAPING, PROJECT], ids=["slots shape the dialogue", "this project's"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_as_a_conversation_grows_every_state_is_rasas(domain, data):
    events = data.draw(st.lists(events_for(domain), max_size=40))
    every = data.draw(st.integers(1, 5))
    for tracker in grown(domain, events, every):
        check(domain, tracker)


def conversation(turns: int) -> list[ev.Event]:
    """A session as this project's server records it: a form, an answer, side questions."""
    out: list[ev.Event] = [
        ev.ActionExecuted("action_session_start"),
        ev.SessionStarted(),
        ev.ActionExecuted("action_listen"),
    ]
    for turn in range(turns):
        if turn % 3 == 0:
            out += [
                ev.UserUttered("my neck pulls", intent={"name": "describe_symptoms", "confidence": 1.0}),
                ev.ActionExecuted("symptom_form"),
                ev.ActiveLoop("symptom_form"),
                ev.SlotSet("body_region", ["neck"]),
                ev.SlotSet("requested_slot", "symptom"),
                ev.ActionExecuted("action_listen"),
                ev.UserUttered("it twists", intent={"name": "describe_symptoms", "confidence": 1.0}),
                ev.ActionExecuted("symptom_form"),
                ev.SlotSet("symptom", ["twisting"]),
                ev.ActiveLoop(None),
                ev.SlotSet("requested_slot", None),
                ev.ActionExecuted("action_signpost", hide_rule_turn=True),
            ]
        else:
            out += [
                ev.UserUttered("thanks", intent={"name": "thanks", "confidence": 1.0}),
                ev.ActionExecuted("utter_welcome", hide_rule_turn=True),
            ]
        out.append(ev.ActionExecuted("action_listen", hide_rule_turn=turn % 3 != 0))
    return out


def test_a_long_conversation_is_extended_not_replayed():
    tracker = DialogueStateTracker.from_events("someone", [], slots=PROJECT.slots)
    started: dict[Any, prior_states.Progress] = {}
    for event in conversation(30):
        tracker.update(event)
        check(PROJECT, tracker)
        kept = tracker.__dict__[prior_states.ATTRIBUTE]
        for key, progress in kept.items():
            assert started.setdefault(key, progress) is progress, "started again although the session only grew"
            assert progress.events == tracker.applied_events()
    assert len(started) == len(ARGUMENTS)


def test_after_a_revert_or_a_restart_it_starts_again_and_stays_right():
    for events in (
        [*conversation(4), ev.UserUtteranceReverted()],
        [*conversation(4), ev.ActionReverted()],
        [*conversation(4), ev.Restarted(), *conversation(2)],
        [*conversation(4), ev.ActionExecuted("action_session_start"), ev.SessionStarted(), *conversation(1)],
    ):
        tracker = DialogueStateTracker.from_events("someone", [], slots=PROJECT.slots)
        for event in events:
            tracker.update(event)
            check(PROJECT, tracker)


def test_what_a_caller_changes_never_reaches_the_next_call():
    """What Rasa's callers change in place: the state itself and its user part."""
    tracker = DialogueStateTracker.from_events("someone", conversation(3), slots=PROJECT.slots)
    first = prior_states.states_for_tracker_history(PROJECT, tracker)
    expected = copy.deepcopy(first)
    for state in first:
        state.get("user", {}).clear()
        state.clear()
    assert prior_states.states_for_tracker_history(PROJECT, tracker) == expected


@pytest.mark.parametrize("max_history", [None, 4, 1])
@pytest.mark.parametrize("use_text", [False, True])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_rasas_featurizer_gets_rasas_states_call_after_call(max_history, use_text, data):
    """Rasa's own featurizer, run over the same growing tracker as the policies run it
    (it edits the states it is given), gets what it gets from Rasa's own states."""
    from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer

    featurizer = MaxHistoryTrackerFeaturizer(max_history=max_history)
    events = data.draw(st.lists(events_for(PROJECT), max_size=30))
    for tracker in grown(PROJECT, events, data.draw(st.integers(1, 4))):
        for _ in range(2):
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(Domain, "states_for_tracker_history", prior_states.states_for_tracker_history)
                ours = featurizer.prediction_states([tracker], PROJECT, use_text, ignore_rule_only_turns=False)
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(Domain, "states_for_tracker_history", RASAS)
                rasas = featurizer.prediction_states([tracker], PROJECT, use_text, ignore_rule_only_turns=False)
            assert ours == rasas


def test_a_copy_of_a_tracker_starts_without_the_progress():
    tracker = DialogueStateTracker.from_events("someone", conversation(3), slots=PROJECT.slots)
    prior_states.states_for_tracker_history(PROJECT, tracker)
    assert tracker.__dict__[prior_states.ATTRIBUTE] and tracker.__dict__[prior_states.APPLIED]
    for other in (copy.deepcopy(tracker), copy.copy(tracker), pickle.loads(pickle.dumps(tracker))):
        kept = other.__dict__.get(prior_states.ATTRIBUTE)
        assert not kept or kept is tracker.__dict__[prior_states.ATTRIBUTE]  # a shallow copy shares the dict
        check(PROJECT, other)
        assert other.__dict__[prior_states.ATTRIBUTE] is not tracker.__dict__[prior_states.ATTRIBUTE]


def test_another_domain_starts_again():
    tracker = DialogueStateTracker.from_events("someone", conversation(2), slots=PROJECT.slots)
    check(PROJECT, tracker)
    other = Domain.load(str(ROOT / "domain.yml"))
    assert prior_states.states_for_tracker_history(other, tracker) == RASAS(other, tracker)
    assert tracker.__dict__[prior_states.ATTRIBUTE][(False, False, "[]")].domain is other


def test_the_patches_put_them_in_rasas_place_and_rasas_policies_use_them(monkeypatch):
    monkeypatch.setattr(Domain, "states_for_tracker_history", RASAS)
    monkeypatch.setattr(DialogueStateTracker, "applied_events", RASAS_APPLIED)
    patches.extend_prior_states()
    patches.extend_applied_events()
    assert Domain.states_for_tracker_history is prior_states.states_for_tracker_history
    assert patches.original(Domain.states_for_tracker_history) is RASAS
    assert DialogueStateTracker.applied_events is prior_states.applied_events
    assert patches.original(DialogueStateTracker.applied_events) is RASAS_APPLIED
    tracker = DialogueStateTracker.from_events("someone", conversation(2), slots=PROJECT.slots)
    tracker.past_states(PROJECT)  # as the featurizers ask for them
    assert tracker.__dict__[prior_states.ATTRIBUTE] and tracker.__dict__[prior_states.APPLIED]
