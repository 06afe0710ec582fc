"""Rasa graph component: the deterministic red-flag layer.

Runs last in the NLU pipeline, so no classifier or fallback can overrule it.
A red flag (emergency, crisis, urgent), "I'm safe" and a medication-change
question set the intent outright; low mood sets the mental-health intent
only when the classifier was unsure or chose small talk.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from signpost.safety import RedFlagDetector, default_detector

INTENT_FOR = {
    "emergency": "red_flag_emergency",
    "crisis": "red_flag_crisis",
    "urgent": "red_flag_urgent",
    "safe": "confirm_safe",
    "medication": "ask_medication_change",
    "low_mood": "ask_mental_health",
}
# Categories that decide the intent whatever the classifier said.
DECISIVE = {"emergency", "crisis", "urgent", "safe", "medication"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # low mood wins over these intents, or over any intent below this confidence
            "low_mood_over": ["greet", "affirm", "deny", "thanks", "out_of_scope", "nlu_fallback", "goodbye"],
            "low_mood_below": 0.6,
        }

    def __init__(self, config: Dict[str, Any], detector: RedFlagDetector) -> None:
        self._config = config
        self._detector = detector

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagClassifier:
        return cls(config, default_detector())

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            detection = self._detector.detect(text) if text else None
            if detection is None:
                continue
            intent = message.get(INTENT) or {}
            if detection.category not in DECISIVE and not self._low_mood_wins(intent):
                continue
            chosen = {"name": INTENT_FOR[detection.category], "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != chosen["name"]]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
            message.set("red_flag", {"category": detection.category, "rule": detection.rule_id}, add_to_output=True)
        return messages

    def _low_mood_wins(self, intent: Dict[str, Any]) -> bool:
        return (
            intent.get("name") in self._config["low_mood_over"]
            or (intent.get("confidence") or 0.0) < self._config["low_mood_below"]
        )
