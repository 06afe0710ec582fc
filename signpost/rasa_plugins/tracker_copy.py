"""A copy of a tracker taken from its current state instead of by replaying every event.

Rasa 3.6 copies the tracker before every action it runs (`MessageProcessor._run_action`,
and again when a form starts, `FormAction._activate_loop`), so that it can drop the
policy's events if the action is rejected. `DialogueStateTracker.copy` does it by making an
empty tracker and applying every event of the conversation to it again: the longer the
conversation, the longer each copy (docs/performance.md), although the result is simply
the tracker's own state.

`copy_tracker` builds that same tracker directly: the same events (the same objects, in a
new deque), a copy of every slot with its value, and the state attributes event replay
sets (latest message, bot utterance and action, active loop, follow-up action, pause),
each the caller's own where it can be changed in place. Like Rasa's copy it leaves out
what replay does not recreate (the model and assistant ids, the sender source). Where a
replay would not give the tracker's state — a tracker that drops its oldest events
(`max_event_history`), one whose slots are an AnySlotDict, or a subclass — it is Rasa's copy.

tests/signpost/rasa_plugins/test_tracker_copy.py compares the two on generated
conversations; signpost.rasa_plugins.patches.copy_trackers_without_replay puts this in
Rasa's place.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Callable

from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.trackers import AnySlotDict

if TYPE_CHECKING:
    from rasa.shared.core.trackers import DialogueStateTracker

# What event replay sets on a tracker (Rasa 3.6.21's DialogueStateTracker.__init__ and
# _reset, and the events' apply_to), besides the events and the slots.
STATE = ("_paused", "followup_action", "latest_action", "latest_message", "latest_bot_utterance", "active_loop")
# Every attribute a new tracker has: the patch refuses a Rasa whose trackers have others.
ATTRIBUTES = {
    *STATE,
    "events",
    "slots",
    "_max_event_history",
    "sender_id",
    "sender_source",
    "is_rule_tracker",
    "model_id",
    "assistant_id",
}


def _own(value: Any) -> Any:
    """A value the copy may change without changing the original's (the objects inside are
    shared, as a replay shares them with the events)."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def copy_slot(slot: Any) -> Any:
    duplicate = copy.copy(slot)
    duplicate._value = _own(slot._value)
    return duplicate


def copier(rasas: Callable[[DialogueStateTracker], DialogueStateTracker]) -> Callable[..., DialogueStateTracker]:
    """DialogueStateTracker.copy, without the replay where the state is the replay's; `rasas`
    (Rasa's own copy) for the trackers where it might not be."""
    from rasa.shared.core.trackers import DialogueStateTracker

    def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
        if (
            type(self) is not DialogueStateTracker
            or self.events.maxlen is not None
            or isinstance(self.slots, AnySlotDict)
        ):
            return rasas(self)
        duplicate = DialogueStateTracker(
            self.sender_id or DEFAULT_SENDER_ID, None, self._max_event_history, is_rule_tracker=self.is_rule_tracker
        )
        duplicate.events = duplicate._create_events(list(self.events))
        duplicate.slots = {name: copy_slot(slot) for name, slot in self.slots.items()}
        for name in STATE:
            setattr(duplicate, name, getattr(self, name))
        duplicate.latest_action = _own(self.latest_action)
        duplicate.active_loop = copy.copy(self.active_loop)
        return duplicate

    return copy_tracker
