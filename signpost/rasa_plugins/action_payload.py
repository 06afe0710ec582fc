"""What the Rasa server sends the action server: the events our actions read, not the session.

Rasa 3.6 sends every event of the conversation with each custom-action call; the action
server decodes them all, so at turn 200 the call cost grew to about half of a turn's CPU
(docs/performance.md). Our actions read the events in few ways, all named here:

- `actions.signposting.texts_since_answer`: the user texts since the last `action_signpost`
  of this session (stops at `session_started`);
- `actions.forms.earlier_value`: for a slot, its last value set before the latest user
  message, stopping at `restart` or `session_started`;
- `signpost.conversations.delivered.handoffs_since`: the handoff answers (bot messages
  carrying a handoff record) of the last hour, in any session;
- rasa-sdk: `slots_to_validate` (the slot events at the very end) and
  `get_latest_input_channel` (the latest user message).

`events_for_actions` keeps, in their order (all of them while this session has no user
message yet): every handoff answer; from the session's last `session_started` on, each
`restart` and `session_started`, the last event setting each slot (and the user messages,
while the session has no `action_signpost`); and everything from the earlier of the latest
user message and the latest `action_signpost` to the end. Each reader above gets exactly what it got from the whole
list (tests/signpost/rasa_plugins/test_action_payload.py checks them on generated
conversations). A new action that reads other events must be added here and there.
Slots, the latest message, the active loop and the rest of the tracker state are sent as
Rasa sends them: they come from the whole tracker.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from rasa.shared.core.events import ActionExecuted, BotUttered, Event, Restarted, SessionStarted, SlotSet, UserUttered

from signpost.conversations.delivered import HANDOFF, RECORD_KEY
from signpost.dialogue import SIGNPOST_ACTION


def _is_handoff_answer(event: Event) -> bool:
    """Whether the bot message carries a handoff record, judged by its kind alone. Wider than
    signpost.conversations.delivered's reading (which also checks the record's shape and
    encodes the event to do so), so it keeps every message `handoffs_since` could count,
    at the cost of a key lookup per event on this per-call path."""
    if not isinstance(event, BotUttered):
        return False
    record = (event.metadata or {}).get(RECORD_KEY)
    return isinstance(record, dict) and record.get("kind") == HANDOFF


def _is_signpost(event: Event) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name == SIGNPOST_ACTION


def events_for_actions(events: Sequence[Event]) -> List[Event]:
    """The events of a conversation that the actions read (see the module's docstring).

    Once over the session from its end and once over what comes before the kept tail (the
    payload of every custom action at turn 200 walks some 2,000 events, so the walks are
    plain loops with one type check an event)."""
    events = list(events)
    session = latest_user = latest_signpost = None
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if latest_user is None and isinstance(event, UserUttered):
            latest_user = i
        elif latest_signpost is None and _is_signpost(event):
            latest_signpost = i
        elif isinstance(event, SessionStarted):
            session = i
            break
    session = session or 0
    if latest_user is None:
        return events  # no message yet in this session (an action run from outside): all of them
    # Everything from the earlier of the two; with no action_signpost in this session,
    # from the latest message, and the session's user messages before it.
    start = latest_user if latest_signpost is None else min(latest_user, latest_signpost)
    users_before = latest_signpost is None

    keep = [i for i in range(session) if _is_handoff_answer(events[i])]
    last_slot: dict[str, int] = {}
    for i in range(session, start):
        event = events[i]
        if isinstance(event, SlotSet):
            last_slot[event.key] = i
        elif (
            isinstance(event, (Restarted, SessionStarted))
            or (users_before and isinstance(event, UserUttered))
            or _is_handoff_answer(event)
        ):
            keep.append(i)
    keep.extend(last_slot.values())
    return [events[i] for i in sorted(keep)] + events[start:]


def payload_state(tracker: Any) -> Dict[str, Any]:
    """Rasa's `tracker.current_state(EventVerbosity.ALL)`, with the events the actions read."""
    from rasa.shared.core.trackers import EventVerbosity

    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in events_for_actions(tracker.events)]
    return state
