"""The dialogue states of a tracker's history, extended from the last call instead of replayed.

Every next-action prediction (three or four a turn) makes MemoizationPolicy and RulePolicy
ask Rasa's `Domain.states_for_tracker_history` for the state before every earlier action of
the session. Rasa 3.6 answers by replaying the whole session into a fresh tracker and
building every state again: at turn 200 that is most of a turn's CPU (docs/performance.md),
although only the newest events changed since the previous prediction.

`states_for_tracker_history` here gives the same list. It keeps, on the tracker it was asked
about, how far it got last time for each set of arguments: the events it applied (as Rasa's
`applied_events` listed them), the replayed tracker after them, the states so far and the
two running values of Rasa's loop. When Rasa's `applied_events` now starts with exactly those
event objects (the session only grew), it applies just the new ones; anything else (a
restart, a new session, a reverted action or utterance, a form's undone loop, events
dropped from the front, another domain or other rule-only data) starts again from the first
event, as Rasa does. The loop body is Rasa's, step for step (`_step`); the caller gets its own
copy of every state and of its user part (the part Rasa's featurizers change), so nothing
they change reaches the next call.

tests/signpost/rasa_plugins/test_prior_states.py compares the two on generated and real
conversations; signpost.rasa_plugins.patches.extend_prior_states puts this in Rasa's place.
"""

from __future__ import annotations

import copy
from itertools import islice
from operator import is_
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

from rasa.shared.core import constants
from rasa.shared.core.constants import USER
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    DefinePrevUserUtteredFeaturization,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)

if TYPE_CHECKING:
    from rasa.shared.core.domain import Domain, State
    from rasa.shared.core.trackers import DialogueStateTracker

Running = Tuple[Optional[Dict[str, Any]], bool]  # last_ml_action_sub_state, turn_was_hidden

ATTRIBUTE = "_signpost_prior_states"  # where a tracker keeps its progress
APPLIED = "_signpost_applied_events"  # and how far its applied events were listed


class Progress:
    """How far the states of one tracker were built, for one set of arguments."""

    __slots__ = ("domain", "rule_only_data", "events", "replayed", "states", "steps", "running")

    def __init__(self, domain: Domain, rule_only_data: Optional[Dict[str, Any]]) -> None:
        self.domain = domain
        self.rule_only_data = copy.deepcopy(rule_only_data)
        self.events: List[Event] = []  # the applied events `replayed` holds
        self.replayed: Optional[DialogueStateTracker] = None  # Rasa's prior tracker, after `events`
        self.states: List[State] = []
        # for each ActionExecuted in `events`: its index there, and the number of states and
        # the loop's running values after it
        self.steps: List[Tuple[int, int, Running]] = []
        self.running: Running = (None, False)

    def keep_first(self, tracker: DialogueStateTracker, applied: List[Event], common: int) -> None:
        """Forget what came after the first `common` applied events (the session changed
        there), keeping the states before, and replay those events into a new prior tracker
        (cheap: it is the states that cost)."""
        self.steps = [step for step in self.steps if step[0] < common]
        number, self.running = (self.steps[-1][1], self.steps[-1][2]) if self.steps else (0, (None, False))
        del self.states[number:]
        self.replayed = tracker.init_copy()
        for event in applied[:common]:
            self.replayed.update(event)
        self.events = applied[:common]


class Kept(dict):
    """The progress a tracker keeps (by arguments). A copy of the tracker (deep or shallow,
    pickled or not) starts without any: it would only cost time and memory to copy, and a
    shallow copy, which shares it, makes its own at its first call."""

    def __init__(self, owner: int = 0) -> None:
        super().__init__()
        self.owner = owner  # id() of the tracker it belongs to

    def __copy__(self) -> Kept:
        return Kept()

    def __deepcopy__(self, memo: Dict[int, Any]) -> Kept:
        return Kept()

    def __reduce__(self) -> Tuple[Callable[[], Kept], Tuple[()]]:
        return Kept, ()


class Applied:
    """How far a tracker's applied events were listed: the events read, the loop names
    among them and the list so far."""

    __slots__ = ("owner", "seen", "loop_names", "applied")

    def __init__(self, owner: int) -> None:
        self.owner = owner
        self.seen: List[Event] = []
        self.loop_names: Set[str] = set()
        self.applied: List[Event] = []

    def __copy__(self) -> None:
        return None

    def __deepcopy__(self, memo: Dict[int, Any]) -> None:
        return None

    def __reduce__(self) -> Tuple[Callable[[], None], Tuple[()]]:
        return _nothing, ()


def _nothing() -> None:
    return None


def _apply(tracker: DialogueStateTracker, events: Iterable[Event], loop_names: Set[str], applied: List[Event]) -> None:
    """The loop of Rasa 3.6.21's DialogueStateTracker.applied_events, over `events`."""
    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied.clear()
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)


def applied_events(self: DialogueStateTracker) -> List[Event]:
    """Rasa's DialogueStateTracker.applied_events, continued from the previous call when the
    tracker's events only grew and name no loop they did not name before (Rasa's list
    depends on the loop names of the whole session); listed afresh otherwise."""
    events = self.events
    kept = self.__dict__.get(APPLIED)
    if (
        not isinstance(kept, Applied)
        or kept.owner != id(self)
        or events.maxlen is not None  # the oldest events drop off: never a mere extension
        or len(events) < len(kept.seen)
        or not all(map(is_, events, kept.seen))
    ):
        kept = self.__dict__[APPLIED] = Applied(id(self))
    new = list(islice(events, len(kept.seen), None))
    names = {event.name for event in new if isinstance(event, ActiveLoop) and event.name}
    if not names <= kept.loop_names:
        kept.seen, kept.applied = [], []
        kept.loop_names = {event.name for event in events if isinstance(event, ActiveLoop) and event.name}
        new = list(events)
    try:
        _apply(self, new, kept.loop_names, kept.applied)
    except BaseException:
        del self.__dict__[APPLIED]
        raise
    kept.seen += new
    return list(kept.applied)


def _step(
    domain: Domain,
    tr: DialogueStateTracker,
    hide_rule_turn: bool,
    states: List[State],
    running: Running,
    omit_unset_slots: bool,
    ignore_rule_only_turns: bool,
    rule_only_data: Optional[Dict[str, Any]],
) -> Running:
    """One pass of the loop in Rasa 3.6.21's Domain.states_for_tracker_history, for the
    prior tracker `tr`: appends its state to `states` unless the turn is hidden, and returns
    the loop's running values (last_ml_action_sub_state, turn_was_hidden) after it."""
    last_ml_action_sub_state, turn_was_hidden = running
    if ignore_rule_only_turns:
        if not turn_was_hidden:
            last_ml_action_sub_state = domain._get_prev_action_sub_state(tr)
        if not tr.followup_action and tr.latest_action_name != tr.active_loop_name:
            turn_was_hidden = hide_rule_turn
        if turn_was_hidden:
            return last_ml_action_sub_state, turn_was_hidden

    state = domain.get_active_state(tr, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if states:
            domain._substitute_rule_only_user_input(state, states[-1])
        if last_ml_action_sub_state:
            state[constants.PREVIOUS_ACTION] = last_ml_action_sub_state  # type: ignore[assignment]
    states.append(domain._clean_state(state))
    return last_ml_action_sub_state, turn_was_hidden


def _common(old: List[Event], new: List[Event]) -> int:
    """How many events the two lists start with in common (the same objects)."""
    if len(new) >= len(old) and all(map(is_, old, new)):
        return len(old)
    common = 0
    for a, b in zip(old, new, strict=False):
        if a is not b:
            break
        common += 1
    return common


def _unchanged(applied: List[Event], common: int) -> int:
    """How many of the first `common` applied events still give the states they gave.
    A DefinePrevUserUtteredFeaturization changes the user message before it in place (its
    `use_text_for_featurization`), and with it every state taken since that message. Rasa
    adds one only straight after a user message, before any action, so in a conversation
    this changes nothing; it keeps other event orders exact."""
    for index in range(common, len(applied)):
        if isinstance(applied[index], DefinePrevUserUtteredFeaturization):
            for earlier in range(index - 1, -1, -1):
                if isinstance(applied[earlier], UserUttered):
                    common = min(common, earlier + 1)  # the states before the message stand
                    break
    return common


def _own_copy(states: List[State]) -> List[State]:
    """States the caller may change as Rasa 3.6's callers change them: each state a new dict,
    and its user sub-state a new dict, the one part Rasa's featurizers edit in place
    (`_remove_user_text_if_intent` and `_choose_last_user_input` delete its text, intent or
    entities). The other sub-states, read only, are shared (their values are strings,
    numbers and tuples). tests/signpost/rasa_plugins/test_prior_states.py runs Rasa's
    featurizer over the same tracker again and again to check nothing it does is kept."""
    return [{**state, USER: dict(state[USER])} if USER in state else dict(state) for state in states]  # type: ignore[misc]


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[str, Any]] = None,
) -> List[State]:
    """Rasa's Domain.states_for_tracker_history, resumed from the previous call on `tracker`."""
    applied = tracker.applied_events()
    kept = tracker.__dict__.get(ATTRIBUTE)
    if not isinstance(kept, Kept) or kept.owner != id(tracker):
        kept = tracker.__dict__[ATTRIBUTE] = Kept(id(tracker))
    key = (omit_unset_slots, ignore_rule_only_turns, repr(sorted((rule_only_data or {}).items())))
    progress = kept.get(key)
    if progress is None or progress.domain is not self or progress.rule_only_data != rule_only_data:
        progress = kept[key] = Progress(self, rule_only_data)
    common = _unchanged(applied, _common(progress.events, applied))
    if progress.replayed is None or common < len(progress.events):
        progress.keep_first(tracker, applied, common)
    replayed = progress.replayed
    assert replayed is not None

    running = progress.running
    try:
        for index in range(len(progress.events), len(applied)):
            event = applied[index]
            if isinstance(event, ActionExecuted):
                running = _step(
                    self,
                    replayed,
                    event.hide_rule_turn,
                    progress.states,
                    running,
                    omit_unset_slots,
                    ignore_rule_only_turns,
                    rule_only_data,
                )
                progress.steps.append((index, len(progress.states), running))
            replayed.update(event)
    except BaseException:
        del kept[key]  # half applied: the next call starts again
        raise
    progress.events = applied
    progress.running = running

    states = list(progress.states)
    _step(self, replayed, False, states, running, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    return _own_copy(states)
