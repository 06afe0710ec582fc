"""How the symptom form takes what was just said: the one rule set both servers apply.

What a person describes adds up over the conversation (eyes in one message and the jaw in
the next is both; a neck now and a shoulder later too); a symptom that names its part of
the body fills the region (blinking is about the eyes); a telling pattern ("started after a
stroke") says as much as the missing symptom would; and an answer with nothing recognised
is asked again instead of ending the form.

`validate` is pure: it is given what it reads and returns the slots to set. The Rasa server
runs it in its own process (signpost.rasa_plugins.form_validation, without a call to the
action server); `actions.forms.ValidateSymptomForm` runs it in the action server for a Rasa
server without that patch.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from signpost.dialogue import BODY_REGION, DESCRIPTION_SLOTS, KEEP_ASKING, MODIFIER, REQUESTED_SLOT, SYMPTOM
from signpost.language.triage import implied_regions

Slots = List[Tuple[str, Any]]  # slot events, in order: (name, value)

# A conversation's events as `earlier_value` reads them, whichever server holds them:
# (kind, slot name, value), the kind one of these (anything else is passed over).
USER, FRESH_START, SLOT = "user", "fresh start", "slot"
Step = Tuple[str, Optional[str], Any]


def as_list(value: Any) -> List[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def earlier_value(steps: Sequence[Step], name: str) -> List[str]:
    """The slot's value before the latest user message: the last value set before it, back
    to the latest restart or new session (after which earlier descriptions no longer count)."""
    last_user = max((i for i, step in enumerate(steps) if step[0] == USER), default=len(steps))
    for kind, slot, value in reversed(steps[:last_user]):
        if kind == FRESH_START:
            return []
        if kind == SLOT and slot == name:
            return as_list(value)
    return []


def validate(
    candidates: Mapping[str, Any],
    earlier: Callable[[str], List[str]],
    slots: Mapping[str, Any],
    intent: Optional[str],
    implies: Callable[[], Mapping[str, str]],
) -> Slots:
    """The slots to set, given the slot values just extracted (`candidates`), a slot's value
    before the latest message (`earlier`), the slot values with the candidates applied
    (`slots`), the latest message's intent, and which symptom implies which region
    (`implies`, read only when a symptom is known)."""
    new: Dict[str, Any] = dict(candidates)
    for name in DESCRIPTION_SLOTS:
        if name in new:
            merged = list(dict.fromkeys(earlier(name) + as_list(new[name])))
            new[name] = merged or new[name]
    events: Slots = list(new.items())
    regions = new.get(BODY_REGION, slots.get(BODY_REGION))
    symptoms = new.get(SYMPTOM, slots.get(SYMPTOM))
    if symptoms:
        implied = [r for r in implied_regions(symptoms, implies()) if r not in (regions or [])]
        if implied:
            events.append((BODY_REGION, list(regions or []) + implied))
    requested = slots.get(REQUESTED_SLOT)
    if _pattern_is_enough(slots, events):
        return events + [(REQUESTED_SLOT, None)]
    if not events and requested and intent in KEEP_ASKING:
        events.append((requested, None))
    return events


def _pattern_is_enough(slots: Mapping[str, Any], events: Slots) -> bool:
    now = {**slots, **dict(events)}
    has_region, has_symptom = bool(now.get(BODY_REGION)), bool(now.get(SYMPTOM))
    return bool(now.get(MODIFIER)) and has_region != has_symptom
