"""Vocabulary matching: lay words, misspellings, lemmas, offsets, model loading."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from signpost.dialogue import BODY_REGION, DYSTONIA_TYPE, MODIFIER, PLACE, SYMPTOM
from signpost.knowledge import vocabulary as lexicon
from signpost.knowledge.content import Content


@pytest.fixture(scope="module")
def lex(content: Content, tmp_path_factory: pytest.TempPathFactory) -> lexicon.Lexicon:
    path = lexicon.save_pipeline(content, tmp_path_factory.mktemp("spacy") / "signpost_en")
    return lexicon.Lexicon(lexicon.load_pipeline(str(path), content), content)


CASES = [
    ("my head keeps pulling to the left and my neck aches", {"symptom": "head_turning", "body_region": "neck"}),
    ("I can't stop blinking and sometimes my eyes clamp shut", {"symptom": "blinking", "body_region": "eyes"}),
    ("Her EYES keep closing", {"body_region": "eyes", "symptom": "blinking"}),
    ("cant keep my eyes open", {"symptom": "blinking"}),
    ("my voice sounds strangled", {"symptom": "voice_change", "body_region": "voice"}),
    ("my hnd cramps when I write", {"symptom": "spasms", "modifier": "task_writing"}),
    ("fingres curl when i play the piano", {"body_region": "hand_arm", "modifier": "task_instrument"}),
    ("my foot turns in when I walk", {"symptom": "foot_turning", "modifier": "when_walking"}),
    ("chin pulled down to my chest", {"symptom": "head_forward"}),
    ("my head tilts, ear to my shoulder", {"symptom": "head_tilt"}),
    ("it’s worse in the evening and better after sleep", {"modifier": "better_after_sleep"}),
    ("started after she was given metoclopramide", {"modifier": "medication_triggered"}),
    ("lightning-like jerks that get better with alcohol", {"symptom": "jerks", "modifier": "alcohol_helps"}),
    ("what is blepharospasm?", {"dystonia_type": "blepharospasm"}),
    ("tell me about spasmodic torticollis", {"dystonia_type": "cervical"}),
    ("what does antecollis mean", {"dystonia_type": "antecollis"}),
    ("is there a group near Leeds", {"place": "Leeds"}),
    ("several areas or my whole body", {"body_region": "whole_body"}),
    ("one side of my body", {"body_region": "one_side"}),
    # everyday words from the real-world development set (eval/real/, split dev)
    ("My head wants to turn right all the time", {"body_region": "neck", "symptom": "head_turning"}),
    ("At the moment my head is out of line", {"symptom": "head_turning"}),
    ("Today my jaw has insisted on tremoring a lot.", {"body_region": "face_jaw", "symptom": "tremor"}),
    ("my voice sounded horse and raspy", {"body_region": "voice", "symptom": "voice_change"}),
    ("I literally could not get the words out", {"symptom": "voice_change", "body_region": "voice"}),
    ("problems holding my pen", {"symptom": "writing_difficulty", "body_region": "hand_arm"}),
    ("my foot has a mind of its own", {"body_region": "foot_leg", "symptom": "uncontrolled"}),
    ("my M finger would curl involuntary into the palm", {"body_region": "hand_arm", "symptom": "hand_cramp"}),
    ("noticed my toes were uncurled", {"symptom": "foot_turning", "body_region": "foot_leg"}),
    ("my body flipping around and contorting", {"symptom": "twisting"}),
    ("I have a movement disorder.", {"modifier": "dystonia_named"}),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_finds_vocabulary_terms(lex, text, expected):
    findings = lex.analyse(text)
    by_label = {
        BODY_REGION: findings.regions,
        SYMPTOM: findings.symptoms,
        MODIFIER: findings.modifiers,
        DYSTONIA_TYPE: findings.types,
        PLACE: findings.places,
    }
    for label, value in expected.items():
        assert value in by_label[label], findings


def test_offsets_point_at_the_original_text(lex):
    text = "My Neck twists and my EYES blink"
    for match in lex.analyse(text).matches:
        assert text[match.start : match.end] == match.text
        assert match.text.strip() == match.text and match.text


def test_longest_phrase_wins(lex):
    findings = lex.analyse("after a head injury")
    assert findings.modifiers == ("after_head_injury",)
    assert "neck" not in findings.regions


def test_symptom_implies_its_region(lex):
    findings = lex.analyse("I keep blinking")
    assert findings.regions == ("eyes",)
    assert findings.implied_regions == ("eyes",)


@pytest.mark.parametrize(
    "text,kept,dropped",
    [
        ("it's not my neck, it's my shoulder", "hand_arm", "neck"),
        ("the trouble isn't in my hands, it's my feet", "foot_leg", "hand_arm"),
    ],
)
def test_a_body_part_after_not_is_dropped(lex, text, kept, dropped):
    findings = lex.analyse(text)
    assert kept in findings.regions
    assert dropped not in findings.regions


def test_cant_before_a_verb_is_not_a_negated_body_part(lex):
    assert "eyes" in lex.analyse("I can't open my eyes").regions


def test_words_that_are_not_in_the_vocabulary_find_nothing(lex):
    findings = lex.analyse("what time is the bus to town")
    assert not findings.matches and not findings.is_description


def test_every_button_payload_is_understood(lex, content, domain):
    regions = {t.button: t.id for t in content.terms if t.kind == "region"}
    region_buttons = domain["responses"]["utter_ask_body_region"][0]["buttons"]
    assert len(region_buttons) == 9
    for button in region_buttons:
        assert lex.analyse(button["payload"]).regions, button
    for payload, region in regions.items():
        assert region in lex.analyse(payload).regions
    for button in domain["responses"]["utter_ask_symptom"][0]["buttons"]:
        assert lex.analyse(button["payload"]).symptoms, button


def test_a_model_without_the_ruler_gets_one(content, tmp_path: Path):
    """A full model such as en_core_web_md is loaded by name; the ruler is added."""
    plain = spacy.blank("en")
    plain.to_disk(tmp_path / "plain")
    nlp = lexicon.load_pipeline(str(tmp_path / "plain"), content)
    assert lexicon.RULER_NAME in nlp.pipe_names
    findings = lexicon.Lexicon(nlp, content).analyse("my neck twists")
    assert "neck" in findings.regions


def test_lookup_tables_come_from_the_vocabulary(content):
    tables = lexicon.lookup_tables(content)
    assert "neck" in tables[BODY_REGION]
    assert "blepharospasm" in tables[DYSTONIA_TYPE]
    assert set(tables) == set(lexicon.LABELS)
