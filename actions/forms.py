"""Validation for the symptom form in the action server: signpost.symptom_form's rules.

The Rasa server applies the same rules in its own process (signpost.rasa_plugins.form_validation),
so this action answers only a Rasa server started without that patch.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Dict, List

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import knowledge_engine, latest_intent
from signpost import symptom_form
from signpost.dialogue import SYMPTOM_FORM_VALIDATION
from signpost.knowledge.repository import symptom_regions

# rasa-sdk's event names, as signpost.symptom_form reads them.
_KINDS = {"user": symptom_form.USER, "restart": symptom_form.FRESH_START, "session_started": symptom_form.FRESH_START}


def earlier_value(tracker: Tracker, name: str) -> List[str]:
    """The slot's value before the latest message, from this conversation's events."""
    steps = [(_KINDS.get(e.get("event"), e.get("event")), e.get("name"), e.get("value")) for e in tracker.events]
    return symptom_form.earlier_value(steps, name)


class ValidateSymptomForm(FormValidationAction):
    def name(self) -> str:
        return SYMPTOM_FORM_VALIDATION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        slots: Dict[str, Any] = tracker.current_slot_values()
        found = symptom_form.validate(
            dict(tracker.slots_to_validate()),
            partial(earlier_value, tracker),
            slots,
            latest_intent(tracker),
            lambda: symptom_regions(knowledge_engine()),
        )
        return [SlotSet(name, value) for name, value in found]
