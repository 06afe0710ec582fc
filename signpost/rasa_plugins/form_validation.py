"""The symptom form's validation, run in the Rasa server instead of the action server.

Rasa 3.6's FormAction asks the action server to validate what was extracted (`validate_<form>`)
each time the form runs, so a signposting turn was two round trips to the action server
(the form's validation, then `action_signpost`), and it rebuilt a tracker by replaying
the session for that call (`FormAction._temporary_tracker`). The validation's rules are
small and read only the tracker (signpost.symptom_form), so the Rasa server applies them
here: `validated` gives the form the same slot events the action server's
`actions.forms.ValidateSymptomForm` would have returned for the same tracker, from the
same reads:

- the candidates, as rasa-sdk's `slots_to_validate` reads them: the slot events at the end
  of the events Rasa's temporary tracker would hold;
- a slot's value before the latest user message (signpost.symptom_form.earlier_value, as
  `actions.forms.earlier_value` reads it from rasa-sdk's events);
- the slot values with the candidates set, and the latest message's intent.

tests/signpost/rasa_plugins/test_form_validation.py compares the two on generated
conversations; signpost.rasa_plugins.patches.validate_the_form_here puts this in front of
Rasa's `FormAction.validate_slots` for the symptom form only (any other form is Rasa's).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Dict, List, Sequence

from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.events import ActionExecuted, Event, Restarted, SessionStarted, SlotSet, UserUttered

from signpost import symptom_form
from signpost.config import get_settings
from signpost.knowledge.repository import symptom_regions
from signpost.storage.engine import engine_for

if TYPE_CHECKING:
    from rasa.core.actions.forms import FormAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker


def candidates_to_validate(events: Sequence[Event]) -> Dict[str, Any]:
    """rasa-sdk's Tracker.slots_to_validate, over Rasa's events: the slot events at the very end."""
    count = 0
    for event in reversed(events):
        if not isinstance(event, SlotSet):
            break
        count += 1
    found: Dict[str, Any] = {}
    for event in events[len(events) - count :]:
        found[event.key] = event.value
    return found


def steps(events: Sequence[Event]) -> List[symptom_form.Step]:
    """Rasa's events as signpost.symptom_form.earlier_value reads them."""

    def step(event: Event) -> symptom_form.Step:
        if isinstance(event, UserUttered):
            return (symptom_form.USER, None, None)
        if isinstance(event, (Restarted, SessionStarted)):
            return (symptom_form.FRESH_START, None, None)
        if isinstance(event, SlotSet):
            return (symptom_form.SLOT, event.key, event.value)
        return ("other", None, None)

    return [step(event) for event in events]


def validated(
    form: FormAction, slot_candidates: Dict[str, Any], tracker: DialogueStateTracker, domain: Domain
) -> List[Event]:
    """The slot events `validate_symptom_form` would return for the form's candidates, read
    from the events Rasa's `FormAction._temporary_tracker` gives it (the session after the
    latest restart, the requested slot, the form's action, the candidates) without
    replaying them into a new tracker."""
    added: List[Event] = [
        SlotSet(REQUESTED_SLOT, form.get_slot_to_fill(tracker)),
        ActionExecuted(form.name()),
        *(SlotSet(name, value) for name, value in slot_candidates.items()),
    ]
    events = [*tracker.events_after_latest_restart(), *added]
    after = tracker.copy()
    after.update_with_events(added, domain)
    latest = after.latest_message
    found = symptom_form.validate(
        candidates_to_validate(events),
        partial(symptom_form.earlier_value, steps(events)),
        after.current_slot_values(),
        (latest.intent or {}).get("name") if latest else None,
        lambda: symptom_regions(engine_for(get_settings().database_url)),
    )
    return [SlotSet(name, value) for name, value in found]
