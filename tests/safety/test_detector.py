"""The deterministic layer on the whole corpus: every red flag caught, almost no false alarms."""

from __future__ import annotations

import pytest

from signpost.safety import RedFlagDetector, default_detector, normalise
from tests.safety.corpus import MAX_FALSE_ALARM_RATE, look_alikes, red_flags


@pytest.fixture(scope="module")
def detector() -> RedFlagDetector:
    return default_detector()


def test_corpus_is_big_enough():
    assert len(red_flags()) >= 200
    assert len(look_alikes()["non_emergency"]) >= 200
    assert {c["category"] for c in red_flags()} == {"emergency", "crisis", "urgent"}


def test_every_red_flag_is_caught_in_its_category(detector):
    wrong = []
    for case in red_flags():
        found = detector.detect(case["text"])
        if found is None or found.category != case["category"]:
            wrong.append((case["category"], found and found.category, case["text"]))
    assert wrong == []


def test_false_alarms_stay_under_two_percent(detector):
    messages = look_alikes()["non_emergency"]
    alarms = [(found.rule_id, text) for text in messages if (found := detector.detect(text)) and found.is_red_flag]
    assert len(alarms) / len(messages) <= MAX_FALSE_ALARM_RATE, alarms


@pytest.mark.parametrize("group,category", [("medication", "medication"), ("low_mood", "low_mood"), ("safe", "safe")])
def test_other_groups(detector, group, category):
    messages = look_alikes()[group]
    right = sum(1 for text in messages if (found := detector.detect(text)) and found.category == category)
    assert right / len(messages) >= 0.95


@pytest.mark.parametrize(
    "text,category",
    [
        ("I CANT BREATHE", "emergency"),
        ("cnt swallow", "emergency"),
        ("my son can\u2019t breathe", "emergency"),
        ("can\u200bt breathe", "emergency"),
        ("I'm not having a seizure, I stay aware", None),
        ("I don't want to die from this, is it serious?", None),
        ("I want to die", "crisis"),
        ("my voice sounds breathy and strangled", None),
        ("can't swallow and I've been thinking of ending it all", "emergency"),
        ("how many baclofen would it take to never wake up", "crisis"),
        ("should I stop my baclofen", "medication"),
    ],
)
def test_examples(detector, text, category):
    found = detector.detect(text)
    assert (found and found.category) == category


def test_most_serious_category_wins(detector):
    assert detector.detect("I'm safe now but I can't breathe").category == "emergency"


def test_normalise_removes_what_hides_words():
    assert normalise("Can\u2019t\u200b  BREATHE\n") == "can't breathe"


def test_unknown_category_is_refused():
    with pytest.raises(ValueError):
        RedFlagDetector({"groups": {"a": ["x"]}, "flags": [{"id": "x", "category": "nope", "any": ["a"]}]})
