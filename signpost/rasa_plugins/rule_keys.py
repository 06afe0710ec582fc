"""RulePolicy's matching of rules, over only as many states as the longest rule has.

Rasa 3.6's RulePolicy finds the rules that fit a conversation (`_get_possible_keys`) by
walking every state of the session, most recent first, and keeping each rule that fits at
that distance. A rule is kept without a check at any distance beyond its own length
(`_is_rule_applicable`: "further in the conversation history than the rule's length"), so
past the longest rule nothing changes, although every rule is checked again at every
earlier state: the longer the session, the longer each of the three or four predictions of
a turn (docs/performance.md).

`possible_keys` gives Rasa's function only the states the longest rule can reach: the
same rules, the same set. tests/signpost/rasa_plugins/test_rule_keys.py compares the two on
generated rules and conversations; signpost.rasa_plugins.patches.match_rules_on_their_length
puts this in Rasa's place.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Set, Tuple

Rasas = Callable[[Any, Dict[str, str], List[Dict[str, Any]]], Set[str]]

_longest: Dict[int, Tuple[Dict[str, str], int, int]] = {}  # id(lookup): (lookup, its size, longest rule)


def longest_rule(policy: Any, lookup: Dict[str, str]) -> int:
    """The number of states of the longest rule in `lookup` (kept per lookup: a trained
    policy's lookup does not change, and a changed size is computed again)."""
    kept = _longest.get(id(lookup))
    if kept is None or kept[0] is not lookup or kept[1] != len(lookup):
        length = max((len(policy._rule_key_to_state(key)) for key in lookup), default=0)
        kept = _longest[id(lookup)] = (lookup, len(lookup), length)
    return kept[2]


def matcher(rasas: Rasas) -> Rasas:
    """RulePolicy._get_possible_keys over the last states only."""

    def possible_keys(self: Any, lookup: Dict[str, str], states: List[Dict[str, Any]]) -> Set[str]:
        longest = longest_rule(self, lookup)
        return rasas(self, lookup, states[max(0, len(states) - longest) :])

    return possible_keys
