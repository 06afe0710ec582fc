"""Rasa graph component: the red-flag layer, deterministic first, learned second.

Runs last in the NLU pipeline, so no classifier or fallback can overrule it.
A red flag (emergency, crisis, urgent), "I'm safe" and a medication-change
question set the intent outright; low mood sets the mental-health intent
only when the classifier was unsure or chose small talk.

The learned second opinion can only raise an alarm, never cancel one: when the
rules in data/knowledge/red_flags.yml find no red flag, a small text classifier
trained with the model (the `examples` of red_flags.yml as red flags, every NLU
training example of another intent and the `none` examples as benign) may still
raise one, if its probability for a red-flag category reaches
`second_opinion_threshold` and the message does not read as a question about a risk,
information or a past event (what cancels a `hedged` rule). The threshold was chosen on the development split of
eval/red_flags/messages.yml (see docs/safety.md).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import joblib
import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_union

from signpost.dialogue import (
    CATEGORY_FOR_INTENT,
    DECISIVE_CATEGORIES,
    INTENT_FOR_CATEGORY,
    LOW_MOOD,
    LOW_MOOD_OVERRIDES,
    RED_FLAG_CATEGORIES,
)
from signpost.language.red_flags import RED_FLAGS_FILE, RedFlagDetector, default_detector, normalise

logger = logging.getLogger(__name__)

# Deterministic findings the second opinion may still overrule with a red flag.
SECOND_OPINION_OVER = {None, LOW_MOOD}
BENIGN = "none"
MODEL_FILE = "second_opinion.joblib"
SECOND_OPINION_RULE = "second_opinion"


@dataclass(frozen=True)
class SecondOpinion:
    """A small text classifier over red-flag categories and `none`."""

    pipeline: Pipeline

    @classmethod
    def train(cls, red_flags: Dict[str, List[str]], benign: Iterable[str], seed: int = 42) -> SecondOpinion:
        texts, labels = [], []
        for category, examples in red_flags.items():
            texts += [normalise(t) for t in examples]
            labels += [category] * len(examples)
        negatives = [normalise(t) for t in benign]
        texts += negatives
        labels += [BENIGN] * len(negatives)
        pipeline = Pipeline(
            [
                (
                    "features",
                    make_union(
                        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                    ),
                ),
                ("classifier", LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000, random_state=seed)),
            ]
        )
        pipeline.fit(texts, labels)
        return cls(pipeline)

    def score(self, text: str) -> Tuple[str, float]:
        """The most probable red-flag category and its probability."""
        probabilities = self.pipeline.predict_proba([normalise(text)])[0]
        scored = [
            (float(p), c)
            for c, p in zip(self.pipeline.classes_, probabilities, strict=True)
            if c in RED_FLAG_CATEGORIES
        ]
        probability, category = max(scored)
        return category, probability


def training_examples(path: Path = RED_FLAGS_FILE) -> Tuple[Dict[str, List[str]], List[str]]:
    """The red-flag and benign phrasings written for the second opinion."""
    examples = yaml.safe_load(path.read_text(encoding="utf-8")).get("examples") or {}
    red = {c: list(examples.get(c) or []) for c in RED_FLAG_CATEGORIES}
    return red, list(examples.get(BENIGN) or [])


def train_second_opinion(training_data: TrainingData) -> SecondOpinion:
    """Red flags: red_flags.yml examples (and any red_flag_* NLU examples); benign: every other NLU example."""
    red, benign = training_examples()
    for example in training_data.intent_examples:
        text, intent = example.get(TEXT), example.get(INTENT)
        if not text:
            continue
        if intent in CATEGORY_FOR_INTENT:
            red[CATEGORY_FOR_INTENT[intent]].append(text)
        else:
            benign.append(text)
    return SecondOpinion.train(red, benign)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class RedFlagClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # low mood wins over these intents, or over any intent below this confidence
            "low_mood_over": list(LOW_MOOD_OVERRIDES),
            "low_mood_below": 0.6,
            # the learned second opinion raises a red flag at or above this probability
            "second_opinion": True,
            "second_opinion_threshold": 0.9,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrain the second opinion when red_flags.yml (its examples) changes."""
        return hashlib.sha256(RED_FLAGS_FILE.read_bytes()).hexdigest()

    def __init__(
        self,
        config: Dict[str, Any],
        detector: RedFlagDetector,
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        second_opinion: Optional[SecondOpinion] = None,
    ) -> None:
        self._config = config
        self._detector = detector
        self._model_storage = model_storage
        self._resource = resource
        self._second_opinion = second_opinion

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagClassifier:
        return cls(config, default_detector(), model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RedFlagClassifier:
        second_opinion = None
        if config.get("second_opinion", True):
            try:
                with model_storage.read_from(resource) as directory:
                    second_opinion = joblib.load(directory / MODEL_FILE)
            except (ValueError, FileNotFoundError):
                # A model trained before the second opinion existed: rules only.
                logger.debug("No red-flag second opinion in this model; the rules alone decide.")
        return cls(config, default_detector(), model_storage, resource, second_opinion)

    def train(self, training_data: TrainingData) -> Resource:
        if self._model_storage is None or self._resource is None:
            raise RuntimeError("RedFlagClassifier.train needs the model storage it was created with")
        self._second_opinion = train_second_opinion(training_data)
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._second_opinion, directory / MODEL_FILE)
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            detection = self._detector.detect(text)
            category, rule, confidence = (detection.category, detection.rule_id, 1.0) if detection else (None, "", 0.0)
            raised = self._raise(text) if category in SECOND_OPINION_OVER else None
            if raised is not None:
                category, confidence = raised
                rule = SECOND_OPINION_RULE
            if category is None:
                continue
            intent = message.get(INTENT) or {}
            if category not in DECISIVE_CATEGORIES and not self._low_mood_wins(intent):
                continue
            chosen = {"name": INTENT_FOR_CATEGORY[category], "confidence": confidence}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != chosen["name"]]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
            message.set("red_flag", {"category": category, "rule": rule}, add_to_output=True)
        return messages

    def _raise(self, text: str) -> Optional[Tuple[str, float]]:
        """A red flag the rules missed, if the second opinion is sure enough."""
        if self._second_opinion is None or not self._config.get("second_opinion", True):
            return None
        if self._detector.is_about_risk_or_past(text):
            # what cancels a hedged rule holds the second opinion back too
            return None
        category, probability = self._second_opinion.score(text)
        return (category, probability) if probability >= self._config["second_opinion_threshold"] else None

    def _low_mood_wins(self, intent: Dict[str, Any]) -> bool:
        return (
            intent.get("name") in self._config["low_mood_over"]
            or (intent.get("confidence") or 0.0) < self._config["low_mood_below"]
        )
