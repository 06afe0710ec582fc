"""RulePolicy matched over the states its longest rule can reach finds exactly the rules it
finds over the whole session: on generated rules (conversation starts and snippets) and
generated conversations, and through the patch."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.policies.rule_policy import RulePolicy

from signpost.rasa_plugins import patches, rule_keys

RASAS = patches.original(RulePolicy._get_possible_keys)
OURS = rule_keys.matcher(RASAS)
POLICY = RulePolicy.__new__(RulePolicy)  # the matching reads no trained state but the lookup

SUB_STATES = {
    "user": st.fixed_dictionaries(
        {}, optional={"intent": st.sampled_from(["greet", "describe", "deny"]), "entities": st.just(("body_region",))}
    ),
    "prev_action": st.fixed_dictionaries(
        {}, optional={"action_name": st.sampled_from(["action_listen", "symptom_form", "utter_greet"])}
    ),
    "active_loop": st.fixed_dictionaries({}, optional={"name": st.sampled_from(["symptom_form", "should_not_be_set"])}),
    "slots": st.fixed_dictionaries({}, optional={"requested_slot": st.sampled_from([(1.0,), (0.0,)])}),
}
STATES = st.fixed_dictionaries({}, optional={name: sub.filter(bool) for name, sub in SUB_STATES.items()})


def key(states: list[dict]) -> str:
    return json.dumps(states, sort_keys=True)  # as RulePolicy._create_feature_key writes a rule


@settings(max_examples=300, deadline=None)
@given(
    rules=st.lists(st.lists(STATES, min_size=1, max_size=6), max_size=12),
    conversation=st.lists(STATES, max_size=30),
)
def test_the_same_rules_fit(rules, conversation):
    lookup = {key(rule): f"action_{i}" for i, rule in enumerate(rules)}
    assert OURS(POLICY, lookup, conversation) == RASAS(POLICY, lookup, conversation)


def test_only_the_reachable_states_are_read():
    lookup = {key([{}, {"user": {"intent": "greet"}, "prev_action": {"action_name": "action_listen"}}]): "utter_greet"}
    seen: list[int] = []

    def counting(self, lookup, states):
        seen.append(len(states))
        return RASAS(self, lookup, states)

    long = [{"prev_action": {"action_name": "action_listen"}}] * 500
    assert rule_keys.matcher(counting)(POLICY, lookup, long) == RASAS(POLICY, lookup, long)
    assert seen == [2]


def test_the_patch_puts_it_in_rasas_place(monkeypatch):
    monkeypatch.setattr(RulePolicy, "_get_possible_keys", RulePolicy._get_possible_keys)
    patches.match_rules_on_their_length()
    assert getattr(RulePolicy._get_possible_keys, patches.MARK) == "match_rules_on_their_length"
    assert patches.original(RulePolicy._get_possible_keys) is RASAS
