"""signpost.dialogue agrees with domain.yml, config.yml and data/, and only an answer fills what a person describes."""

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
    "NARRATIVE_OVERRIDES": dialogue.NARRATIVE_OVERRIDES,
    "REQUEST_OVERRIDES": dialogue.REQUEST_OVERRIDES,
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


# --- what may fill the description slots -------------------------------------------------

# Rasa's own intents that Rasa's own rules answer (action_restart, action_back, action_session_start).
RASA_ANSWERS = {"restart", "back", "session_start"}


def side_questions_while_asked() -> set[str]:
    """Intents a rule answers while the symptom questions are open."""
    return {
        step["intent"]
        for rule in rules()
        if any(c.get("active_loop") == dialogue.SYMPTOM_FORM for c in rule.get("condition") or [])
        for step in rule["steps"][:1]
        if "intent" in step
    }


def test_only_the_slot_fillers_may_fill_the_description_slots(domain):
    assert "ignored_intents" not in domain["forms"][dialogue.SYMPTOM_FORM]
    for slot in dialogue.DESCRIPTION_SLOTS:
        mappings = domain["slots"][slot]["mappings"]
        assert mappings == [{"type": "from_entity", "entity": slot, "intent": list(dialogue.SLOT_FILLERS)}], slot


def test_every_intent_is_decided_for_the_symptom_questions(domain):
    """A new intent must be an answer, a side question with its rule, or a red flag: never nothing."""
    decided = {
        "fills the slots": set(dialogue.SLOT_FILLERS),
        "a rule answers it while asking": side_questions_while_asked(),
        "the safety policy answers it": set(dialogue.CATEGORY_FOR_INTENT),
        "asked again": set(dialogue.KEEP_ASKING) - set(dialogue.SLOT_FILLERS),
        "Rasa answers it": RASA_ANSWERS,
    }
    for intent in sorted(intents(domain)):
        ways = [way for way, group in decided.items() if intent in group]
        assert len(ways) == 1, (intent, ways or "undecided")


async def test_rasa_fills_the_description_slots_only_from_the_slot_fillers():
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(ROOT / "domain.yml")
    entities = [
        {"entity": dialogue.BODY_REGION, "value": "neck"},
        {"entity": dialogue.SYMPTOM, "value": "twisting"},
        {"entity": dialogue.MODIFIER, "value": "spreading"},
        {"entity": dialogue.DYSTONIA_TYPE, "value": "cervical"},
        {"entity": dialogue.PLACE, "value": "Leeds"},
    ]
    asking = [ActiveLoop(dialogue.SYMPTOM_FORM), SlotSet(REQUESTED_SLOT, dialogue.SYMPTOM)]
    filled: dict[str, dict[str, set[str]]] = {"while asking": {}, "otherwise": {}}
    for state, before in (("while asking", asking), ("otherwise", [])):
        for intent in domain.intents:
            said = UserUttered("my neck twists", {"name": intent, "confidence": 1.0}, entities)
            tracker = DialogueStateTracker.from_events("names", [*before, ActionExecuted(ACTION_LISTEN_NAME), said])
            events = await ActionExtractSlots(None).run(
                CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain
            )
            filled[state][intent] = {e.key for e in events if isinstance(e, SlotSet)}
    described = set(dialogue.DESCRIPTION_SLOTS)
    for state, by_intent in filled.items():
        wrong = {
            intent: sorted(slots & described)
            for intent, slots in by_intent.items()
            if slots & described != (described if intent in dialogue.SLOT_FILLERS else set())
        }
        assert wrong == {}, state
        # What a side question names (a type, a place) fills its slot whatever the intent.
        assert all({dialogue.DYSTONIA_TYPE, dialogue.PLACE} <= slots for slots in by_intent.values()), state
