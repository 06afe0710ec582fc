"""The domain and training data agree with the code and the knowledge base."""

from __future__ import annotations

import re
from pathlib import Path

import phonenumbers
import yaml

from signpost.config import ROOT
from signpost.dialogue import DETERMINISTIC_INTENTS

MIN_EXAMPLES = 15


def _nlu_examples(paths: list[Path]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in paths:
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            if "intent" in block:
                lines = [ln[2:].strip() for ln in block["examples"].splitlines() if ln.strip().startswith("- ")]
                out.setdefault(block["intent"].split("/")[0], []).extend(lines)
    return out


def training_examples() -> dict[str, list[str]]:
    return _nlu_examples([p for p in (ROOT / "data/nlu").glob("*.yml") if p.name != "vocabulary_lookups.yml"])


def test_every_response_the_code_names_exists(domain):
    sent = set()
    for path in [*(ROOT / "actions").glob("*.py"), *(ROOT / "signpost").rglob("*.py")]:
        sent |= set(re.findall(r'"(utter_[a-z_]+)"', path.read_text()))
    sent -= {"utter_action"}  # not a response: the key under which Rasa names a message's response
    assert sent, "no responses found in the code"
    assert sent <= set(domain["responses"]), sorted(sent - set(domain["responses"]))


def test_every_phone_number_in_the_domain_is_a_known_contact(domain, content):
    known = {c.phone for c in content.contacts if c.phone}
    emergency = {"999", "111"}
    for name, variants in domain["responses"].items():
        for variant in variants:
            for match in phonenumbers.PhoneNumberMatcher(variant.get("text", ""), "GB"):
                number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.NATIONAL)
                assert number in known | emergency, (name, number)


def test_every_intent_has_enough_distinct_examples(domain):
    examples = training_examples()
    # Intents only the deterministic safety layer sets have no examples on purpose:
    # the classifier must never guess them.
    for intent in set(domain["intents"]) - set(DETERMINISTIC_INTENTS):
        lines = examples.get(intent, [])
        assert len(lines) >= MIN_EXAMPLES, (intent, len(lines))
        assert len({ln.lower() for ln in lines}) == len(lines), f"duplicate example in {intent}"


def test_held_out_and_evaluation_sets_do_not_overlap_training():
    train = {ln.lower() for lines in training_examples().values() for ln in lines}
    holdout = {ln.lower() for lines in _nlu_examples([ROOT / "tests/nlu/holdout.yml"]).values() for ln in lines}
    cases = yaml.safe_load((ROOT / "eval/descriptions.yml").read_text())["cases"]
    assert len(cases) >= 150
    assert not holdout & train
    assert not {c["text"].lower() for c in cases} & train


def test_test_stories_cover_every_intent(domain):
    stories = (ROOT / "tests/test_stories.yml").read_text()
    conversations = yaml.safe_load(stories)["stories"]
    assert len(conversations) >= 25
    used = set(re.findall(r"intent: ([a-z_]+)", stories))
    # After action_restart `rasa test` predicts on an emptied tracker, so restart is
    # covered by the REST test in tests/test_servers.py instead.
    assert set(domain["intents"]) - used == {"restart"}


def test_deterministic_intents_have_no_training_examples():
    examples = training_examples()
    for intent in DETERMINISTIC_INTENTS:
        assert intent not in examples, intent
