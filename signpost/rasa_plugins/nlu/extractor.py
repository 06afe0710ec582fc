"""Rasa graph component: vocabulary entities from the spaCy pipeline.

Runs after the intent classifier. It adds `body_region`, `symptom`,
`modifier`, `dystonia_type` and `place` entities found by the vocabulary
matcher and, when the classifier was unsure or chose a small-talk intent for a
message that clearly describes symptoms, sets the intent to the describe
intent, so a description is never lost to a greeting or a fallback.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from signpost.config import get_settings
from signpost.dialogue import (
    DESCRIBE_INTENT,
    DESCRIPTION_OVERRIDES,
    NARRATIVE_OVERRIDES,
    REQUEST_OVERRIDES,
    RETRIEVAL_INTENT,
    STATEMENT_OVERRIDES,
    TYPE_INFO_INTENT,
)
from signpost.knowledge.content import load_content
from signpost.knowledge.vocabulary import Findings, Lexicon, load_pipeline

RANKING_DISCOUNT = 0.5
_QUESTION = re.compile(
    r"\?\s*$|^\s*(how|what|why|where|who|which|when|can|could|should|would|will|is|are|do|does|did)\b",
    re.IGNORECASE,
)
# Someone in the sentence: the writer, or the person they care for.
_PERSON = re.compile(
    r"\b(i|i'm|i've|i'd|me|my|mine|we|our|us|he|she|his|her|him|they|their|them)\b",
    re.IGNORECASE,
)
# Words that ask for something: "I want / can I / please / call me".
_REQUEST = re.compile(
    r"\b(want|wanted|need|would like|'d like|rather|please|let me|put me|connect|transfer|"
    r"call me|ring me|phone me|call back|callback|contact me)\b"
    r"|\b(can|could|may) (i|we|you|someone|somebody|anyone) (please )?"
    r"(speak|talk|have|get|be put|call|ring|phone|chat)\b",
    re.IGNORECASE,
)
# "what is X", "tell me about X": a question about the type itself, not a topic of it
_NOT_THE_TYPE = r"(?!\s+(the|a|an)\s+\w+(\s+\w+)?\s+(for|of|with|between|after|in)\b)"
_DEFINITION = re.compile(
    rf"^\s*(what\s+(is|are)\b{_NOT_THE_TYPE}|what's\b{_NOT_THE_TYPE}|whats\b|what\s+does\b.*\bmean\b|"
    r"what\s+exactly\b|tell me (about|more)|explain|info\b|information\b|define|meaning of)"
    r"|^\s*\S+(\s+\S+){0,3}\s*(,\s*)?what(\s+is\s+(it|that)|'s that)\b",
    re.IGNORECASE,
)
# A question in a story's clothes: "I was wondering if anyone else has ...".
_ASKING = re.compile(r"\b(wondering|wonder if|anyone|any advice|any tips)\b", re.IGNORECASE)
# A statement that asks for information: "I have dystonia and would love to know about PIP".
_INFORMATION = re.compile(
    r"\b(tell me|know (about|more|if|whether|what|how|why|where)|find out|information|info|advice|tips|"
    r"looking for|learn (about|more))\b",
    re.IGNORECASE,
)
# A story this long, that asks nothing, is told to be understood: it is never answered
# with a side topic's page or an answer, however like one it reads ("I constantly feel
# pain from my muscle contractions ..."); the questions ask for what it did not say.
LONG_STORY_WORDS = 20
# A plain account with no one in it, at least this long, is not a forum title.
PLAIN_ACCOUNT_WORDS = 10


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class VocabularyExtractor(GraphComponent, EntityExtractorMixin):
    """Deterministic entities from data/knowledge/vocabulary.yml."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # spaCy pipeline: a path or an installed package; None = settings (SPACY_MODEL)
            "model": None,
            "describe_intent": DESCRIBE_INTENT,
            # below this classifier confidence a description wins
            "override_below": 0.6,
            # intents a description always overrides ("hi, my neck twists")
            "override_intents": list(DESCRIPTION_OVERRIDES),
            # side topics that a statement naming a region and a symptom overrides
            "statement_overrides": list(STATEMENT_OVERRIDES),
            # the same, for a statement that tells someone's own story
            "narrative_overrides": list(NARRATIVE_OVERRIDES),
            # the same for these, when the story asks for nothing
            "request_overrides": list(REQUEST_OVERRIDES),
            "type_info_intent": TYPE_INFO_INTENT,
            # the retrieval intent of the knowledge base's answers
            "answer_intent": RETRIEVAL_INTENT,
            # the modifier meaning only "dystonia" or "a movement disorder" was said
            "condition_signal": "dystonia_named",
        }

    def __init__(self, config: Dict[str, Any], lexicon: Lexicon) -> None:
        self._config = config
        self._lexicon = lexicon

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VocabularyExtractor:
        content = load_content()
        model = config.get("model") or get_settings().spacy_model
        return cls(config, Lexicon(load_pipeline(model, content), content))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        findings = self._lexicon.analyse(text)
        entities = [
            {"entity": m.label, "value": m.value, "start": m.start, "end": m.end, "confidence_entity": 1.0}
            for m in findings.matches
        ]
        if entities:
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name(entities),
                add_to_output=True,
            )
        intent: Optional[Dict[str, Any]] = message.get(INTENT)
        target = self._target_intent(findings, intent, text)
        if target:
            chosen = {"name": target, "confidence": 1.0}
            # The classifier's guesses stay in the ranking at half weight, so the fallback
            # classifier does not read a confident wrong guess as a tie with this choice.
            ranking = [
                {**r, "confidence": (r.get("confidence") or 0.0) * RANKING_DISCOUNT}
                for r in message.get(INTENT_RANKING_KEY) or []
                if r.get("name") != target
            ]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)

    def _target_intent(self, findings: Findings, intent: Optional[Dict[str, Any]], text: str) -> Optional[str]:
        """The intent the vocabulary says this message has, when it should replace the classifier's."""
        describe = self._config["describe_intent"]
        name = (intent or {}).get("name")
        if name == describe:
            # Confirm it, so a hesitant "describe" is not turned into a fallback or low mood later.
            named_only = self._config["condition_signal"] in findings.modifiers
            return describe if findings.is_description or named_only else None
        weak = self._should_override(intent)
        if findings.is_description:
            complete = bool(findings.regions) and bool(findings.symptoms or findings.modifiers)
            if weak:
                return describe
            if complete and not _QUESTION.search(text):
                if name in self._config["statement_overrides"]:
                    return describe
                if name in self._config["narrative_overrides"] and (
                    self._is_story(text) or self._is_plain_account(text)
                ):
                    return describe
                if name in self._config["request_overrides"] and self._is_story(text) and not _REQUEST.search(text):
                    return describe
            if self._overridable(name) and self._is_long_story(text):
                return describe
            return None
        if (
            findings.modifiers
            and not findings.types
            and name in self._config["narrative_overrides"]
            and self._is_story(text)
            and not _REQUEST.search(text)
            and not _INFORMATION.search(text)
        ):
            # "I got diagnosed with dystonia ...", "I've had a few attacks ...": someone's own
            # story with nothing to place it yet; ask, rather than answer a page it resembles.
            return describe
        if findings.types and name in self._config["narrative_overrides"] and self._is_story(text):
            # "I was diagnosed with tardive dyskinesia after ...": about that type, not a side topic.
            return str(self._config["type_info_intent"])
        if not findings.types and self._overridable(name) and self._is_long_story(text):
            return describe
        if not weak:
            return None
        if findings.types:
            if name == self._config["answer_intent"] and _QUESTION.search(text) and not _DEFINITION.search(text):
                # "what causes cervical dystonia?", "will blepharospasm get worse?": the
                # question's topic, for that type, not the type's page
                return None
            return str(self._config["type_info_intent"])
        if findings.modifiers and not _QUESTION.search(text):
            # "I have a movement disorder", or a pattern alone ("a few attacks"): start the questions.
            return describe
        return None

    def _overridable(self, name: Optional[str]) -> bool:
        """A side topic or an answer: what a statement that tells a story overrides."""
        return name in self._config["statement_overrides"] or name in self._config["narrative_overrides"]

    @classmethod
    def _is_long_story(cls, text: str) -> bool:
        """Someone's own account of LONG_STORY_WORDS words or more that asks for nothing."""
        return (
            len(text.split()) >= LONG_STORY_WORDS
            and cls._is_story(text)
            and not _REQUEST.search(text)
            and not _INFORMATION.search(text)
        )

    @staticmethod
    def _is_plain_account(text: str) -> bool:
        """A sentence or more that tells what happens with no one named in it ("Typing and
        holding a cup have become a challenge"): longer than a forum title, asking nothing."""
        return (
            len(text.split()) >= PLAIN_ACCOUNT_WORDS
            and not _QUESTION.search(text)
            and not _ASKING.search(text)
            and not _REQUEST.search(text)
            and not _INFORMATION.search(text)
        )

    @staticmethod
    def _is_story(text: str) -> bool:
        """Someone's own account, not a question or a request for others' experience."""
        return bool(_PERSON.search(text)) and not _QUESTION.search(text) and not _ASKING.search(text)

    def _should_override(self, intent: Optional[Dict[str, Any]]) -> bool:
        if not intent or not intent.get("name"):
            return True
        if intent["name"] == self._config["describe_intent"]:
            return False
        return (
            intent["name"] in self._config["override_intents"]
            or (intent.get("confidence") or 0.0) < self._config["override_below"]
        )
