"""Short answers: the knowledge file, the Rasa data made from it, the question corpus, the action."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.topics import REFINE_SAME_TOPIC, ActionAnswerTopic
from signpost.config import KNOWLEDGE_DIR, ROOT
from signpost.knowledge.answers import GAP_ID, load_answers, main, render, summary
from signpost.knowledge.content import ContentError

QUESTIONS = yaml.safe_load((ROOT / "eval/questions/questions.yml").read_text())["questions"]


def _examples(path: Path) -> list[str]:
    blocks = yaml.safe_load(path.read_text()).get("nlu", [])
    return [ln.strip()[2:].strip() for b in blocks if "intent" in b for ln in b["examples"].splitlines() if ln.strip()]


@pytest.fixture(scope="module")
def answers():
    return {a.id: a for a in load_answers()}


def test_answers_load_and_say_where_they_came_from(answers):
    assert len(answers) >= 35 and GAP_ID in answers
    counts = summary(tuple(answers.values()))
    assert counts["from seed pages only"] + counts["needs clinical review"] == counts["answers"]
    for answer in answers.values():
        assert answer.needs_clinical_review or answer.from_seeds_only, answer.id
        assert "{" not in answer.text, answer.id


def test_the_generated_training_data_is_up_to_date(answers):
    assert main(["--check"]) == 0
    data = yaml.safe_load(render(tuple(answers.values())))
    assert {b["intent"] for b in data["nlu"]} == {f"faq/{i}" for i in answers}
    assert data["responses"]["utter_faq/hereditary"][0]["text"].startswith("Some types of dystonia can run in families")


def _edited(tmp_path: Path, change: dict[str, Any]) -> Path:
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, directory)
    data = yaml.safe_load((directory / "answers.yml").read_text())
    data["answers"][0].update(change)
    (directory / "answers.yml").write_text(yaml.safe_dump(data))
    return directory / "answers.yml"


@pytest.mark.parametrize(
    "change,problem",
    [
        ({"answer": "Take 50 mg twice a day."}, "a dose"),
        ({"answer": "You have dystonia. It is lifelong."}, "what they have"),
        ({"answer": "One. Two. Three. Four."}, "sentences"),
        ({"source": ["https://example.org/page"], "needs_clinical_review": False}, "need clinical review"),
        ({"source": ["somewhere I read"]}, "neither a seed page"),
        ({"topic": "no_such_topic"}, "not in topics.yml"),
        ({"answer": "Call {nobody.phone} today."}, "no known contact"),
        ({"examples": ["is dystonia genetic", "a", "b", "c", "d"]}, "repeated"),
        ({"examples": ["only one"]}, "at least 5"),
    ],
)  # fmt: skip
def test_the_loader_refuses_what_a_reviewer_must_fix(tmp_path, change, problem):
    with pytest.raises(ContentError, match=problem):
        load_answers(_edited(tmp_path, change))


def test_phone_numbers_come_from_the_contacts(answers, content):
    helpline = next(c.phone for c in content.contacts if c.id == "dystonia_uk")
    assert helpline in answers[GAP_ID].text


def test_the_corpus_is_real_questions_with_sources_split_by_source():
    assert len(QUESTIONS) >= 150
    for q in QUESTIONS:
        assert q["text"].strip() and q["source"].startswith("http") and q["source_title"].strip(), q
        assert q["split"] in {"dev", "test"}, q
    splits_of_source: dict[str, set[str]] = {}
    for q in QUESTIONS:
        splits_of_source.setdefault(q["source"], set()).add(q["split"])
    assert all(len(s) == 1 for s in splits_of_source.values()), "a source is in both splits"
    share = Counter(q["split"] for q in QUESTIONS)["dev"] / len(QUESTIONS)
    assert 0.5 <= share <= 0.7


def test_every_expected_topic_exists(answers, content):
    known = set(answers) | {t.id for t in content.topics} | {f"type:{t.id}" for t in content.types}
    assert {q["topic"] for q in QUESTIONS} <= known


def test_no_test_question_is_in_any_training_data():
    test = {q["text"].lower() for q in QUESTIONS if q["split"] == "test"}
    paths = [p for p in (ROOT / "data/nlu").glob("*.yml") if p.name != "vocabulary_lookups.yml"]
    train = {e.lower() for p in paths for e in _examples(p)}
    assert not test & train, sorted(test & train)


def test_answer_examples_avoid_the_held_out_sets(answers):
    examples = {e.lower() for a in answers.values() for e in a.examples}
    holdout = {e.lower() for e in _examples(ROOT / "tests/nlu/holdout.yml")}
    descriptions = {c["text"].lower() for c in yaml.safe_load((ROOT / "eval/descriptions.yml").read_text())["cases"]}
    assert not examples & (holdout | descriptions)


def _with_selection(tracker, intent: str, answer_id: str, confidence: float):
    built = tracker(intent=intent)
    built.latest_message["response_selector"] = {
        "faq": {"response": {"intent_response_key": f"faq/{answer_id}", "confidence": confidence}}
    }
    return built


def _responses(dispatcher) -> list[str]:
    return [m.get("response") for m in dispatcher.messages]


async def test_a_question_gets_its_answer_then_the_disclaimer(dispatcher, tracker, domain):
    await ActionAnswerTopic().run(dispatcher, _with_selection(tracker, "faq", "driving", 0.9), domain)
    assert _responses(dispatcher) == ["utter_faq/driving", "utter_disclaimer"]


async def test_an_unsure_answer_is_the_honest_gap(dispatcher, tracker, domain):
    await ActionAnswerTopic().run(dispatcher, _with_selection(tracker, "faq", "driving", 0.05), domain)
    assert _responses(dispatcher)[0] == "utter_faq/gap"


async def test_a_narrower_answer_replaces_the_topic_page(knowledge_db, dispatcher, tracker, domain):
    t = _with_selection(tracker, "ask_cure", "progression", REFINE_SAME_TOPIC + 0.1)
    await ActionAnswerTopic().run(dispatcher, t, domain)
    assert _responses(dispatcher) == ["utter_faq/progression", "utter_disclaimer"]


async def test_a_general_question_keeps_the_topic_page(knowledge_db, dispatcher, tracker, domain):
    t = _with_selection(tracker, "ask_cure", "progression", REFINE_SAME_TOPIC - 0.2)
    await ActionAnswerTopic().run(dispatcher, t, domain)
    assert _responses(dispatcher)[0] == "utter_topic"


def test_answers_read_plainly(answers):
    """Short sentences of short words: a rough reading-age guard for every answer."""
    for answer in answers.values():
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", answer.answer) if s]
        assert max(len(s.split()) for s in sentences) <= 40, answer.id
        assert len(answer.answer.split()) <= 65, answer.id
