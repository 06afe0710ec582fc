"""signpost.dialogue agrees with domain.yml, config.yml and data/: the names the code spells exist."""

from __future__ import annotations

from typing import Any, Iterator

import yaml
from rasa.shared.core.constants import DEFAULT_INTENTS

from signpost import dialogue
from signpost.config import KNOWLEDGE_DIR, ROOT


def _names(entries: list[Any]) -> set[str]:
    """Intent or action names, whether listed plainly or with properties."""
    return {e if isinstance(e, str) else next(iter(e)) for e in entries}


def intents(domain: dict[str, Any]) -> set[str]:
    """The intents a message can have: the domain's and Rasa's own."""
    return _names(domain["intents"]) | set(DEFAULT_INTENTS)


def rules() -> Iterator[dict[str, Any]]:
    for path in sorted((ROOT / "data/rules").glob("*.yml")):
        yield from yaml.safe_load(path.read_text())["rules"]


def _steps(rule: dict[str, Any]) -> list[tuple[str, str]]:
    return [(kind, str(step[kind])) for step in rule["steps"] for kind in ("intent", "action") if kind in step]


INTENT_GROUPS = {
    "SMALL_TALK": dialogue.SMALL_TALK,
    "DESCRIPTION_OVERRIDES": dialogue.DESCRIPTION_OVERRIDES,
    "LOW_MOOD_OVERRIDES": dialogue.LOW_MOOD_OVERRIDES,
    "TOPIC_QUESTIONS": dialogue.TOPIC_QUESTIONS,
    "STATEMENT_OVERRIDES": dialogue.STATEMENT_OVERRIDES,
    "SLOT_FILLERS": dialogue.SLOT_FILLERS,
    "KEEP_ASKING": dialogue.KEEP_ASKING,
    "DETERMINISTIC_INTENTS": dialogue.DETERMINISTIC_INTENTS,
    "INTENT_FOR_CATEGORY": tuple(dialogue.INTENT_FOR_CATEGORY.values()),
}


def test_every_intent_the_code_names_is_in_the_domain(domain):
    known = intents(domain)
    for group, names in INTENT_GROUPS.items():
        assert set(names) <= known, (group, sorted(set(names) - known))
        assert len(set(names)) == len(names), f"{group} names an intent twice"
    assert dialogue.RETRIEVAL_INTENT in known and dialogue.DESCRIBE_INTENT in known


def test_the_domain_has_exactly_the_red_flags_of_the_code(domain):
    assert {i for i in intents(domain) if i.startswith("red_flag_")} == set(dialogue.CATEGORY_FOR_INTENT)
    responses = set(domain["responses"])
    assert {r for r in responses if r.startswith("utter_red_flag_")} == set(dialogue.CATEGORY_FOR_RESPONSE)
    assert {r for r in responses if r.startswith("utter_safety_hold_")} == set(dialogue.REMINDER_FOR_HOLD.values())
    assert [f.category for f in dialogue.RED_FLAGS] == list(dialogue.RED_FLAG_CATEGORIES)


def test_every_red_flag_intent_has_its_response_and_its_rule(domain):
    written = [_steps(r) for r in rules()]
    for flag in dialogue.RED_FLAGS:
        for response in filter(None, (flag.response, flag.reminder)):
            # Plain responses: they go out with the action server down.
            assert response in domain["responses"] and response not in _names(domain["actions"]), response
        answered = [("intent", flag.intent), ("action", flag.response), ("action", dialogue.HANDOFF_ACTION)]
        assert answered in written, f"no rule says {flag.intent} is answered by {flag.response}, then the handoff"


def test_red_flags_yml_uses_the_categories_of_the_code():
    data = yaml.safe_load((KNOWLEDGE_DIR / "red_flags.yml").read_text(encoding="utf-8"))
    assert {flag["category"] for flag in data["flags"]} == set(dialogue.DETECTOR_CATEGORIES)
    assert set(data["staff_guidance"]) == set(dialogue.RED_FLAG_CATEGORIES)
    assert set(data["examples"]) - {"none"} == set(dialogue.RED_FLAG_CATEGORIES)
    assert set(dialogue.INTENT_FOR_CATEGORY) == set(dialogue.DETECTOR_CATEGORIES)


def test_the_slots_entities_form_and_actions_the_code_names_exist(domain):
    slots = set(domain["slots"])
    for slot in (
        *dialogue.DESCRIPTION_SLOTS,
        dialogue.DYSTONIA_TYPE,
        dialogue.PLACE,
        dialogue.SUGGESTED_TYPES_SLOT,
        dialogue.SHOWN_SLOT,
        dialogue.WITH_PERSON_SLOT,
        dialogue.HOLD_SLOT,
    ):
        assert slot in slots, slot
    entities = set(domain["entities"])
    assert {*dialogue.DESCRIPTION_SLOTS, dialogue.DYSTONIA_TYPE, dialogue.PLACE} <= entities
    assert set(domain["forms"][dialogue.SYMPTOM_FORM]["required_slots"]) <= set(dialogue.DESCRIPTION_SLOTS)
    assert {dialogue.HANDOFF_ACTION, dialogue.SIGNPOST_ACTION} <= _names(domain["actions"])
    for response in (dialogue.SAFE_RESPONSE, dialogue.END_CHAT_RESPONSE, dialogue.FORGET_RESPONSE):
        assert response in domain["responses"], response


def test_config_names_what_the_code_names():
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    rule_policy = next(p for p in config["policies"] if p["name"] == "RulePolicy")
    assert rule_policy["core_fallback_action_name"] == dialogue.CORE_FALLBACK_ACTION
    selector = next(c for c in config["pipeline"] if c["name"] == "ResponseSelector")
    assert selector["retrieval_intent"] == dialogue.RETRIEVAL_INTENT
