"""Short answers to the questions people ask (data/knowledge/answers.yml).

Each answer becomes a pair for Rasa's `faq` retrieval intent: its phrasings are
training examples of `faq/<id>` and its text is the response `utter_faq/<id>`,
which the ResponseSelector in config.yml picks. This module loads and checks the
answers and writes that training data:

    python -m signpost.knowledge.answers                 # write data/nlu/faq.yml
    python -m signpost.knowledge.answers --check         # fail if it is out of date
    python -m signpost.knowledge.answers --summary       # answers by source

so that adding an answer is adding data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from signpost.config import DATA_DIR, KNOWLEDGE_DIR
from signpost.dialogue import RETRIEVAL_INTENT
from signpost.knowledge.content import SEEDS_DIR, ContentError, _date, _read, _text, load_content

ANSWERS_FILE = KNOWLEDGE_DIR / "answers.yml"
TRAINING_FILE = DATA_DIR / "nlu" / "faq.yml"
GAP_ID = "gap"
MAX_SENTENCES = 3

_ID = re.compile(r"[a-z][a-z0-9_]*")
_SEED = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
_PAGE = re.compile(r"https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?")
_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\.([a-z_]+)\}")
# Wording an answer must never use: a dose, or telling someone what they have.
_FORBIDDEN = [
    (re.compile(r"\b\d+(\.\d+)?\s*(mg|mcg|ml|units?|tablets? a day)\b", re.IGNORECASE), "a dose"),
    (re.compile(r"\byou(\s+have|'ve)\s+(got\s+)?(dystonia|cervical|blepharospasm|a\s+\w+\s+dystonia)", re.IGNORECASE),
     "telling the reader what they have"),
]  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?](\s|$)")


@dataclass(frozen=True)
class Answer:
    id: str
    question: str
    answer: str
    more: str | None
    topic: str | None
    sources: tuple[str, ...]
    reviewed: dt.date
    needs_clinical_review: bool
    examples: tuple[str, ...]

    @property
    def from_seeds_only(self) -> bool:
        return all(_SEED.fullmatch(s) for s in self.sources)

    @property
    def response_name(self) -> str:
        return f"utter_{RETRIEVAL_INTENT}/{self.id}"

    @property
    def text(self) -> str:
        """What the assistant says: the answer, then the optional line on where to find more."""
        return f"{self.answer}\n{self.more}" if self.more else self.answer


def _sources(raw: dict[str, Any], where: str) -> tuple[str, ...]:
    value = raw.get("source")
    items = [value] if isinstance(value, str) else list(value or [])
    if not items:
        raise ContentError(f"{where}: 'source' is missing")
    for item in items:
        item = str(item)
        if _SEED.fullmatch(item):
            if SEEDS_DIR.is_dir() and not (SEEDS_DIR / item).is_file():
                raise ContentError(f"{where}: seed page {item!r} is not in {SEEDS_DIR}")
        elif not _PAGE.fullmatch(item):
            raise ContentError(f"{where}: source {item!r} is neither a seed page nor a web address")
    return tuple(str(i) for i in items)


def _fill(text: str, contacts: Mapping[str, Any], where: str) -> str:
    def one(match: re.Match[str]) -> str:
        contact = contacts.get(match.group(1))
        value = getattr(contact, match.group(2), None) if contact else None
        if not value:
            raise ContentError(f"{where}: {match.group(0)} names no known contact field")
        return str(value)

    return _PLACEHOLDER.sub(one, text)


def _check_wording(answer: str, where: str) -> None:
    for pattern, what in _FORBIDDEN:
        if pattern.search(answer):
            raise ContentError(f"{where}: the answer contains {what}")
    sentences = len(_SENTENCE_END.findall(answer))
    if not 1 <= sentences <= MAX_SENTENCES:
        raise ContentError(f"{where}: the answer has {sentences} sentences (1 to {MAX_SENTENCES})")


def load_answers(path: Path = ANSWERS_FILE) -> tuple[Answer, ...]:
    """Load and check the answers; raise ContentError on the first problem."""
    content = load_content(path.parent)
    contacts = {c.id: c for c in content.contacts}
    topics = {t.id for t in content.topics}
    answers: list[Answer] = []
    seen_examples: dict[str, str] = {}
    for raw in _read(path).get("answers") or []:
        where = f"{path.name} {raw.get('id')!r}"
        answer_id = _text(raw, "id", where)
        if not _ID.fullmatch(answer_id):
            raise ContentError(f"{where}: id must be lower case letters, digits and _")
        text = _fill(_text(raw, "answer", where), contacts, where)
        _check_wording(text, where)
        more = raw.get("more")
        topic = raw.get("topic")
        if topic is not None and topic not in topics:
            raise ContentError(f"{where}: topic {topic!r} is not in topics.yml")
        sources = _sources(raw, where)
        review = raw.get("needs_clinical_review")
        if not isinstance(review, bool):
            raise ContentError(f"{where}: 'needs_clinical_review' must be true or false")
        if not review and not all(_SEED.fullmatch(s) for s in sources):
            raise ContentError(f"{where}: facts from pages other than the seeds need clinical review")
        examples = tuple(" ".join(str(e).split()) for e in raw.get("examples") or [])
        if len(examples) < 5:
            raise ContentError(f"{where}: at least 5 examples are needed, got {len(examples)}")
        for example in examples:
            other = seen_examples.setdefault(example.lower(), answer_id)
            if other != answer_id or examples.count(example) > 1:
                raise ContentError(f"{where}: example {example!r} is repeated (also in {other!r})")
        answers.append(
            Answer(
                id=answer_id,
                question=_text(raw, "question", where),
                answer=text,
                more=_fill(" ".join(str(more).split()), contacts, where) if more else None,
                topic=topic,
                sources=sources,
                reviewed=_date(raw.get("reviewed"), where),
                needs_clinical_review=review,
                examples=examples,
            )
        )
    ids = [a.id for a in answers]
    if len(set(ids)) != len(ids):
        raise ContentError(f"{path.name}: duplicate answer ids")
    if GAP_ID not in ids:
        raise ContentError(f"{path.name}: the honest-gap answer {GAP_ID!r} is missing")
    return tuple(answers)


@lru_cache(maxsize=1)
def answers_by_id() -> dict[str, Answer]:
    """The answers in answers.yml, read once per process (for the action server)."""
    return {a.id: a for a in load_answers()}


def training_data(answers: tuple[Answer, ...]) -> dict[str, Any]:
    """Rasa training data: `faq/<id>` examples and the `utter_faq/<id>` responses."""
    return {
        "version": "3.1",
        "nlu": [
            {"intent": f"{RETRIEVAL_INTENT}/{a.id}", "examples": "".join(f"- {e}\n" for e in a.examples)}
            for a in answers
        ],
        "responses": {a.response_name: [{"text": a.text}] for a in answers},
    }


def render(answers: tuple[Answer, ...]) -> str:
    header = (
        "# Generated from data/knowledge/answers.yml by `python -m signpost.knowledge.answers`;\n"
        "# do not edit: change answers.yml and run it again.\n"
    )
    return header + yaml.safe_dump(training_data(answers), sort_keys=False, allow_unicode=True, width=100)


def summary(answers: tuple[Answer, ...]) -> dict[str, int]:
    return {
        "answers": len(answers),
        "from seed pages only": sum(a.from_seeds_only for a in answers),
        "needs clinical review": sum(a.needs_clinical_review for a in answers),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=TRAINING_FILE)
    parser.add_argument("--check", action="store_true", help="fail if the output is not up to date")
    parser.add_argument("--summary", action="store_true", help="print the number of answers by source")
    args = parser.parse_args(argv)
    try:
        answers = load_answers()
    except ContentError as exc:
        print(f"answers.yml: {exc}", file=sys.stderr)
        return 1
    if args.summary:
        for what, count in summary(answers).items():
            print(f"{what}: {count}")
        return 0
    text = render(answers)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
        if current != text:
            print(f"{args.output} is out of date: run python -m signpost.knowledge.answers", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"{len(answers)} answers written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
