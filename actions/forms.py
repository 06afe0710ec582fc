"""Validation for the symptom form: infer an obvious region, and keep asking politely."""

from __future__ import annotations

from typing import List

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.base import DomainDict, knowledge_engine, latest_intent
from signpost.knowledge import repository
from signpost.triage import implied_regions

# Intents that, while the form waits for an answer, mean "try again" rather
# than a side question handled by a rule.
KEEP_ASKING = {"describe_symptoms", "nlu_fallback", "greet", "affirm", "deny", "thanks", "confirm_safe"}


class ValidateSymptomForm(FormValidationAction):
    def name(self) -> str:
        return "validate_symptom_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        new = tracker.slots_to_validate()
        events: List[EventType] = [SlotSet(k, v) for k, v in new.items()]
        regions = tracker.get_slot("body_region")
        symptoms = tracker.get_slot("symptom")
        if symptoms:
            try:
                with Session(knowledge_engine(), future=True) as session:
                    terms = repository.terms(session)
            except SQLAlchemyError:
                terms = {}
            implies = {t.id: t.implies_region for t in terms.values() if t.implies_region}
            implied = [r for r in implied_regions(symptoms, implies) if r not in (regions or [])]
            if implied:
                events.append(SlotSet("body_region", list(regions or []) + implied))
        requested = tracker.get_slot("requested_slot")
        if self._pattern_is_enough(tracker, events):
            # A telling pattern ("started after a stroke") says as much as a symptom would.
            return events + [SlotSet("requested_slot", None)]
        if not events and requested and latest_intent(tracker) in KEEP_ASKING:
            # Nothing recognised in an answer: re-ask instead of rejecting the form.
            events.append(SlotSet(requested, None))
        return events

    @staticmethod
    def _pattern_is_enough(tracker: Tracker, events: List[EventType]) -> bool:
        slots = {**tracker.current_slot_values(), **{e["name"]: e["value"] for e in events if e.get("event") == "slot"}}
        has_region, has_symptom = bool(slots.get("body_region")), bool(slots.get("symptom"))
        return bool(slots.get("modifier")) and has_region != has_symptom
