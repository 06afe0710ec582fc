"""Rasa policy that answers red flags before anything else can.

A form's next step is a "no user" prediction that normally overrules every
rule, so a red flag typed while the symptom questions are open would go to the
form first. This policy makes its prediction of the same kind with a higher
priority, and stops the form in the same step. Everything it sends is a
domain response, so it works with the action server down.

After each red-flag response comes `action_handoff`, which queues the
conversation for the helpline and gives the person a reference code (if the
action server is down, the Rasa server's fallback still gives the helpline).

While a helpline worker holds the conversation (the `with_person` slot, set and
cleared by signpost.rasa_plugins.channels.helpline), every message but a red flag gets no
answer at all: it goes to the worker; "end chat" ends the human chat.

State: the `safety_hold` slot. After an emergency or a crisis the flow is
paused: every message gets a short reminder until the person says they are
safe (intent confirm_safe).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from signpost.dialogue import (
    EMERGENCY,
    END_CHAT_RESPONSE,
    HANDOFF_ACTION,
    HOLD_FOR_INTENT,
    HOLD_SLOT,
    REMINDER_FOR_HOLD,
    RESPONSE_FOR_INTENT,
    SAFE_INTENT,
    SAFE_RESPONSE,
    WITH_PERSON_SLOT,
)

END_CHAT = re.compile(r"\s*(?:please\s+)?(?:end|stop|close|finish|leave)\s+(?:the\s+)?chat\s*[.!]*\s*", re.I)
SAFETY_RESPONSES = {*RESPONSE_FOR_INTENT.values(), *REMINDER_FOR_HOLD.values(), SAFE_RESPONSE, END_CHAT_RESPONSE}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class SafetyPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Above RulePolicy (6), so ties on confidence go to safety.
        return {"priority": 7}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        with self._model_storage.write_to(self._resource):
            pass  # nothing to learn: the behaviour is fixed
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        decision = decide(tracker)
        if decision is None:
            return self._prediction(self._default_predictions(domain))
        action, events = decision
        probabilities = self._default_predictions(domain)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, optional_events=events, is_no_user_prediction=True)


def decide(tracker: DialogueStateTracker) -> Optional[tuple[str, List[Event]]]:
    """The safety response due now, with the events that go with it, or None."""
    latest = tracker.latest_action_name
    if latest in RESPONSE_FOR_INTENT.values():
        return HANDOFF_ACTION, []
    if latest == HANDOFF_ACTION and _previous_action(tracker) in RESPONSE_FOR_INTENT.values():
        return ACTION_LISTEN_NAME, []
    if latest in SAFETY_RESPONSES:
        return ACTION_LISTEN_NAME, []
    if latest != ACTION_LISTEN_NAME or tracker.latest_message is None:
        return None
    intent = tracker.latest_message.intent.get("name")
    hold = tracker.get_slot(HOLD_SLOT)
    stop_flow: List[Event] = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)] if tracker.active_loop_name else []
    if intent in RESPONSE_FOR_INTENT:
        new_hold = HOLD_FOR_INTENT.get(intent, hold)
        return RESPONSE_FOR_INTENT[intent], [*stop_flow, SlotSet(HOLD_SLOT, new_hold)]
    if tracker.get_slot(WITH_PERSON_SLOT):  # a helpline worker has the conversation: the assistant is quiet
        if END_CHAT.fullmatch(tracker.latest_message.text or ""):
            return END_CHAT_RESPONSE, [*stop_flow, SlotSet(WITH_PERSON_SLOT, None)]
        return ACTION_LISTEN_NAME, stop_flow
    if hold:
        if intent == SAFE_INTENT:
            return SAFE_RESPONSE, [SlotSet(HOLD_SLOT, None)]
        return REMINDER_FOR_HOLD.get(hold, REMINDER_FOR_HOLD[EMERGENCY]), stop_flow
    return None


def _previous_action(tracker: DialogueStateTracker) -> Optional[str]:
    """The action before the latest one."""
    actions = (e.action_name for e in reversed(tracker.events) if isinstance(e, ActionExecuted))
    next(actions, None)
    return next(actions, None)
