"""The red-flag component: the rules decide first; the learned second opinion can only raise an alarm."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from signpost.language.red_flags import default_detector
from signpost.rasa_plugins.nlu.red_flag_classifier import (
    SECOND_OPINION_RULE,
    RedFlagClassifier,
    SecondOpinion,
    training_examples,
)

CONFIG = RedFlagClassifier.get_default_config()


class FixedOpinion:
    """A second opinion that always gives the same answer, and counts how often it was asked."""

    def __init__(self, category: str, probability: float) -> None:
        self.answer = (category, probability)
        self.asked = 0

    def score(self, text: str) -> tuple[str, float]:
        self.asked += 1
        return self.answer


def parse(
    component: RedFlagClassifier, text: str, intent: str = "describe_symptoms", confidence: float = 0.9
) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    return component.process([message])[0]


def component(opinion: Any = None, **config: Any) -> RedFlagClassifier:
    return RedFlagClassifier({**CONFIG, **config}, default_detector(), second_opinion=opinion)


def test_rules_decide_whatever_the_second_opinion_says():
    opinion = FixedOpinion("urgent", 0.99)
    message = parse(component(opinion), "he's choking")
    assert message.get(INTENT) == {"name": "red_flag_emergency", "confidence": 1.0}
    assert message.get("red_flag") == {"category": "emergency", "rule": "choking"}
    assert opinion.asked == 0


def test_second_opinion_raises_what_the_rules_missed():
    text = "my thoughts are very dark and I have a plan"
    assert default_detector().detect(text) is None
    message = parse(component(FixedOpinion("crisis", 0.95)), text)
    assert message.get(INTENT) == {"name": "red_flag_crisis", "confidence": 0.95}
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == "red_flag_crisis"
    assert message.get("red_flag") == {"category": "crisis", "rule": SECOND_OPINION_RULE}


def test_second_opinion_is_held_back_where_a_hedged_rule_would_be():
    # information about a risk, with nothing happening now: no alarm, however sure it is
    text = "Choking is when the child's airway is totally blocked and the child cannot get air into his lungs."
    message = parse(component(FixedOpinion("emergency", 0.99)), text)
    assert message.get("red_flag") is None
    # the same words, happening now, still raise it
    text = "help, my son's airway is totally blocked right now"
    message = parse(component(FixedOpinion("emergency", 0.99)), text)
    assert message.get("red_flag") is not None


def test_second_opinion_below_the_threshold_changes_nothing():
    text = "my thoughts are very dark and I have a plan"
    below = CONFIG["second_opinion_threshold"] - 0.01
    message = parse(component(FixedOpinion("crisis", below)), text)
    assert message.get(INTENT) == {"name": "describe_symptoms", "confidence": 0.9}
    assert message.get("red_flag") is None


def test_second_opinion_overrules_low_mood_but_not_safe_or_medication():
    opinion = FixedOpinion("crisis", 0.99)
    assert parse(component(opinion), "I feel so low").get(INTENT)["name"] == "red_flag_crisis"
    assert parse(component(opinion), "I'm safe now").get(INTENT)["name"] == "confirm_safe"
    assert parse(component(opinion), "should I stop my baclofen").get(INTENT)["name"] == "ask_medication_change"


def test_second_opinion_can_be_switched_off():
    message = parse(component(FixedOpinion("crisis", 0.99), second_opinion=False), "my thoughts are very dark")
    assert message.get("red_flag") is None


def test_without_a_trained_second_opinion_the_rules_alone_decide():
    assert parse(component(None), "my thoughts are very dark").get("red_flag") is None
    assert parse(component(None), "cant breathe").get(INTENT)["name"] == "red_flag_emergency"


def test_training_examples_cover_every_red_flag_category():
    red, benign = training_examples()
    assert set(red) == {"emergency", "crisis", "urgent"} and all(len(v) >= 15 for v in red.values())
    assert len(benign) >= 15


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def test_trains_persists_and_loads(storage):
    resource = Resource("red_flag_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    trainer = RedFlagClassifier.create(CONFIG, storage, resource, context)
    benign = [Message(data={TEXT: t, INTENT: "describe_symptoms"}) for t in ("my neck twists", "my eyes blink a lot")]
    red = [Message(data={TEXT: "she cannot breathe at all", INTENT: "red_flag_emergency"})]
    assert trainer.train(TrainingData(benign + red)) == resource

    loaded = RedFlagClassifier.load(CONFIG, storage, resource, context)
    assert isinstance(loaded._second_opinion, SecondOpinion)
    category, probability = loaded._second_opinion.score("I want to end my life")
    assert category in {"emergency", "crisis", "urgent"} and 0.0 <= probability <= 1.0


def test_a_model_without_a_second_opinion_still_loads(storage):
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = RedFlagClassifier.load(CONFIG, storage, Resource("never_trained"), context)
    assert loaded._second_opinion is None
    assert parse(loaded, "cant breathe").get(INTENT)["name"] == "red_flag_emergency"
