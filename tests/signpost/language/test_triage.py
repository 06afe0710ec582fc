"""Triage: descriptions as vocabulary ids -> ranked types, against the real type rules."""

from __future__ import annotations

import pytest

from signpost.knowledge.content import Content
from signpost.language import triage


@pytest.fixture(scope="module")
def rules(content: Content) -> list[triage.TypeRule]:
    return [triage.TypeRule.from_match(t.id, t.match, i) for i, t in enumerate(content.types)]


# regions, symptoms, modifiers, the type expected first
TOP = [
    (["neck"], ["head_turning"], [], "cervical"),
    (["eyes"], ["blinking"], [], "blepharospasm"),
    (["face_jaw"], ["jaw_mouth"], [], "oromandibular"),
    (["eyes", "face_jaw"], ["blinking", "jaw_mouth"], [], "meige"),
    (["hand_arm", "foot_leg"], ["twisting"], ["after_stroke"], "hemidystonia"),
    (["one_side"], ["spasms"], ["after_head_injury"], "hemidystonia"),
    (["neck", "hand_arm"], ["head_turning"], ["spreading"], "segmental"),
    (["whole_body"], ["twisting"], [], "generalised"),
    (["hand_arm", "foot_leg", "trunk"], ["twisting"], ["childhood_onset"], "generalised"),
    (
        ["foot_leg"],
        ["walking_difficulty"],
        ["worse_evening", "better_after_sleep", "childhood_onset"],
        "dopa_responsive",
    ),
    (["foot_leg"], ["twisting"], ["sudden_attacks", "movement_trigger", "fully_aware"], "paroxysmal"),
    (["neck", "hand_arm"], ["jerks"], ["alcohol_helps"], "myoclonus_dystonia"),
    (["face_jaw"], ["jaw_mouth"], ["medication_triggered"], "tardive"),
    (["foot_leg"], ["foot_turning"], ["sudden_onset_after_injury", "varies_with_attention"], "functional"),
    (["voice"], ["voice_change"], [], "spasmodic_dysphonia"),
    (["hand_arm"], ["hand_cramp"], ["task_writing"], "writers_cramp"),
    (["hand_arm"], ["hand_cramp"], ["task_instrument"], "musicians_dystonia"),
    (["foot_leg"], ["foot_turning"], ["when_walking"], "foot_dystonia"),
]


@pytest.mark.parametrize("regions,symptoms,modifiers,expected", TOP)
def test_expected_type_ranks_first(rules, regions, symptoms, modifiers, expected):
    ranked = triage.rank(rules, regions, symptoms, modifiers)
    assert ranked, "no candidate at all"
    assert ranked[0].type_id == expected, [c.type_id for c in ranked]
    assert len(ranked) <= triage.MAX_CANDIDATES


def test_reasons_are_the_signals_that_count_strongest_first(rules):
    top = triage.rank(rules, ["neck"], ["head_turning"], ["after_stroke"])[0]
    assert top.type_id == "cervical"
    assert set(top.reasons) == {"neck", "head_turning"}
    assert "after_stroke" not in top.reasons


def test_meige_needs_both_eyes_and_face(rules):
    assert "meige" not in [c.type_id for c in triage.rank(rules, ["eyes"], ["blinking"])]


def test_type_with_a_required_pattern_is_not_named_without_it(rules):
    named = [c.type_id for c in triage.rank(rules, ["face_jaw"], ["jaw_mouth"])]
    assert "tardive" not in named and "functional" not in named


def test_nothing_recognised_names_nothing(rules):
    assert triage.rank(rules, [], [], []) == []


def test_weak_candidates_are_cut():
    strong = triage.TypeRule("a", {"x": 10})
    weak = triage.TypeRule("b", {"x": 1}, order=1)
    assert [c.type_id for c in triage.rank([strong, weak], ["x"])] == ["a"]


def test_whole_body_counts_as_several_regions():
    assert triage.region_count(["whole_body"]) == triage.WHOLE_BODY_REGIONS
    assert triage.region_count(["neck", "hand_arm"]) == 2


@pytest.mark.parametrize(
    "symptom,subtype",
    [
        ("head_turning", "torticollis"),
        ("head_forward", "antecollis"),
        ("head_backward", "retrocollis"),
        ("head_tilt", "laterocollis"),
    ],
)
def test_neck_subtypes_told_apart_by_direction(content, symptom, subtype):
    cervical = next(t for t in content.types if t.id == "cervical")
    assert [s.id for s in triage.subtype_for(cervical.subtypes, [symptom])] == [subtype]


def test_implied_regions_keep_order_and_skip_unknown():
    implies = {"blinking": "eyes", "jaw_mouth": "face_jaw"}
    assert triage.implied_regions(["jaw_mouth", "spasms", "blinking"], implies) == ("face_jaw", "eyes")
