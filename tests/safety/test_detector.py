"""The deterministic layer on the whole corpus: every red flag caught, almost no false alarms.

Also the development split of the real-world messages (eval/red_flags): at least 19 red
flags in 20 caught in their category, at most 1 look-alike in 25 raising an alarm.
"""

from __future__ import annotations

import pytest

from signpost.language.red_flags import RedFlagDetector, default_detector, normalise
from tests.safety.corpus import (
    MAX_FALSE_ALARM_RATE,
    MAX_REAL_WORLD_FALSE_ALARM_RATE,
    MAX_REAL_WORLD_MISS_RATE,
    look_alikes,
    real_world_look_alikes,
    real_world_red_flags,
    red_flags,
)


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


def test_real_world_corpus_has_sources_and_both_kinds():
    flags, benign = real_world_red_flags(), real_world_look_alikes()
    assert len(flags) >= 25 and len(benign) >= 25
    assert {m["category"] for m in flags} == {"emergency", "crisis", "urgent"}
    assert all(m["source"].startswith("http") and m["source_title"] and m["kind"] for m in flags + benign)


def test_real_world_red_flags_are_caught_in_their_category(detector):
    """The development split: the rules are extended from its misses, so nearly all are caught;
    the few left are told in words no rule could take without false alarms (a reaction
    described without its medicine, say). The test split is measured, never tuned on
    (eval/red_flags/measure.py)."""
    missed = []
    for case in real_world_red_flags():
        found = detector.detect(case["text"])
        # An urgent case answered as an emergency (999 instead of NHS 111) is escalated, not
        # missed: a reaction that is getting worse by the minute is told both ways by real writers.
        accepted = {case["category"], "emergency"} if case["category"] == "urgent" else {case["category"]}
        if found is None or found.category not in accepted:
            missed.append((case["category"], found and found.category, case["text"][:80]))
    assert len(missed) <= MAX_REAL_WORLD_MISS_RATE * len(real_world_red_flags()), missed


def test_real_world_look_alikes_rarely_raise_the_alarm(detector):
    messages = [m["text"] for m in real_world_look_alikes()]
    alarms = [(found.rule_id, text) for text in messages if (found := detector.detect(text)) and found.is_red_flag]
    assert len(alarms) / len(messages) <= MAX_REAL_WORLD_FALSE_ALARM_RATE, alarms


@pytest.mark.parametrize(
    "text,category",
    [
        # a question about a risk, information, or a past event: no alarm
        ("Can botox in the neck make it hard to swallow?", None),
        ("one time I laughed so hard I couldn't breathe", None),
        ("What is a dystonic storm?", None),
        ("the nurse said one beep means the pump is low on medicine", None),
        ("my son was in status dystonicus years ago", None),
        # the same words, happening now
        ("my son was in status dystonicus years ago and it's happening again now", "emergency"),
        ("he is choking, this happened years ago too", "emergency"),
        ("her spasms won't stop and she is burning up", "emergency"),
        ("his dystonic posturing is getting increasingly severe and he is febrile", "emergency"),
        ("the baclofen pump alarm is going off", "urgent"),
        ("we missed the pump refill and she's itchy and stiffer", "urgent"),
        ("we missed the pump refill and now she has a fever and is hallucinating", "emergency"),
        ("the pump alarm is beeping and he's getting stiffer", "emergency"),
        ("gave him Stemetil this morning and his eyes are rolled up", "urgent"),
        ("took a tablet for vomiting a few hours later my neck locked to one side", "urgent"),
        ("I got nothing to live for", "crisis"),
        ("I cannot do another day of this", "crisis"),
        ("my doctor asked me: have you had suicidal thoughts?", None),
        # a medicine named without a time word, the sign still holding
        ("I took a stemetil tablet for dizziness and my jaw has locked, I can't open my mouth", "urgent"),
        ("after the haloperidol injection her eyes went up into her head and won't come down", "urgent"),
        ("I had an oculogyric crisis once in 2015 after Maxolon, it's fine now", None),
        # oral baclofen lowered, spasms worse
        ("they lowered my baclofen dose on Monday and my spasms are out of control", "urgent"),
        # a pump for something else
        ("my insulin pump alarm went off and I feel stiff", None),
        # indirect suicidal language
        ("what's the point anymore, nobody would miss me", "crisis"),
        ("i've been thinking it would be easier if i wasn't here", "crisis"),
        ("what's the point of botox if it wears off in 8 weeks?", None),
    ],
)
def test_tense_and_context(detector, text, category):
    found = detector.detect(text)
    assert (found.category if found and found.is_red_flag else None) == category, found


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


@pytest.mark.parametrize(
    "text,category",
    [
        ("Sometimes I question my decision to stay alive.", "crisis"),
        ("I'll have to fight, once again, the urge to take the easy way out.", "crisis"),
        ("CRPS is often referred to as 'The Suicide Disease'.", None),
        ("I set my insulin pump on the sink and it slid off; the pump wasn't broken and I felt stiff all day", None),
        ("Has anyone ever had a laryngospasm? For many years now I get moments when I can't breathe.", None),
        ("I've stopped taking the abilify but my whole body is still twitching", "urgent"),
    ],
)
def test_further_real_world_phrasings(detector, text, category):
    found = detector.detect(text)
    assert (found.category if found and found.is_red_flag else None) == category, found
