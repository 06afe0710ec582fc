"""Validation for the symptom form: infer an obvious region, keep what was said before, and keep asking politely."""

from __future__ import annotations

from typing import Any, List

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.base import knowledge_engine, latest_intent
from signpost.dialogue import BODY_REGION, DESCRIPTION_SLOTS, KEEP_ASKING, MODIFIER, SYMPTOM, SYMPTOM_FORM
from signpost.knowledge import repository
from signpost.language.triage import implied_regions

# Events after which earlier descriptions no longer count.
FRESH_START = {"restart", "session_started"}


def _as_list(value: Any) -> List[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def earlier_value(tracker: Tracker, name: str) -> List[str]:
    """The slot's value before the latest message, from this conversation's events."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    for event in reversed(events[:last_user]):
        if event.get("event") in FRESH_START:
            return []
        if event.get("event") == "slot" and event.get("name") == name:
            return _as_list(event.get("value"))
    return []


class ValidateSymptomForm(FormValidationAction):
    def name(self) -> str:
        return f"validate_{SYMPTOM_FORM}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        new = dict(tracker.slots_to_validate())
        # What a person describes adds up over the conversation: eyes in one message and the
        # jaw in the next is both, and so is a neck now and a shoulder later.
        for name in DESCRIPTION_SLOTS:
            if name in new:
                merged = list(dict.fromkeys(earlier_value(tracker, name) + _as_list(new[name])))
                new[name] = merged or new[name]
        events: List[EventType] = [SlotSet(k, v) for k, v in new.items()]
        regions = new.get(BODY_REGION, tracker.get_slot(BODY_REGION))
        symptoms = new.get(SYMPTOM, tracker.get_slot(SYMPTOM))
        if symptoms:
            try:
                with Session(knowledge_engine(), future=True) as session:
                    terms = repository.terms(session)
            except SQLAlchemyError:
                terms = {}
            implies = {t.id: t.implies_region for t in terms.values() if t.implies_region}
            implied = [r for r in implied_regions(symptoms, implies) if r not in (regions or [])]
            if implied:
                events.append(SlotSet(BODY_REGION, list(regions or []) + implied))
        requested = tracker.get_slot(REQUESTED_SLOT)
        if self._pattern_is_enough(tracker, events):
            # A telling pattern ("started after a stroke") says as much as a symptom would.
            return events + [SlotSet(REQUESTED_SLOT, None)]
        if not events and requested and latest_intent(tracker) in KEEP_ASKING:
            # Nothing recognised in an answer: re-ask instead of rejecting the form.
            events.append(SlotSet(requested, None))
        return events

    @staticmethod
    def _pattern_is_enough(tracker: Tracker, events: List[EventType]) -> bool:
        slots = {**tracker.current_slot_values(), **{e["name"]: e["value"] for e in events if e.get("event") == "slot"}}
        has_region, has_symptom = bool(slots.get(BODY_REGION)), bool(slots.get(SYMPTOM))
        return bool(slots.get(MODIFIER)) and has_region != has_symptom
