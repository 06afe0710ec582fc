"""NLU check on the held-out split (tests/nlu/holdout.yml), run by `make test`.

Fails when intent accuracy falls below the threshold, which was set from
measurement (see docs/nlu-comparison.md): a drop below it is a regression.

A question labelled with a side topic's intent (say `ask_cure`) that the `faq`
retrieval intent answers with a short answer narrowing that same topic (its
`topic` in data/knowledge/answers.yml) counts as right: it is the more specific
reply to the same question (docs/questions.md).

    python -m scripts.nlu_check --model models/signpost.tar.gz [--threshold 0.90] [--verbose]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = ROOT / "tests/nlu/holdout.yml"
THRESHOLD = 0.90


def load_holdout(path: Path = HOLDOUT) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text())
    return [
        (line.strip()[2:].strip(), block["intent"])
        for block in data["nlu"]
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


def quiet_rasa() -> None:
    """Rasa logs parsed text at DEBUG; keep this script at WARNING."""
    import logging

    from rasa.utils.log_utils import configure_structlog

    logging.getLogger().setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)


def faq_topic_intents() -> dict[str, str]:
    """faq/<answer id> -> the intent of the side topic that answer narrows."""
    knowledge = ROOT / "data/knowledge"
    topics = yaml.safe_load((knowledge / "topics.yml").read_text())["topics"]
    intent_of = {t["id"]: t.get("intent") for t in topics}
    answers = yaml.safe_load((knowledge / "answers.yml").read_text())["answers"]
    return {f"faq/{a['id']}": intent_of[a["topic"]] for a in answers if a.get("topic") and intent_of.get(a["topic"])}


async def predict(model: str, texts: list[str]) -> list[str]:
    """The intent of each text; for `faq`, the intent of the topic its selected answer narrows
    (or `faq` when it narrows none)."""
    from rasa.core.agent import Agent

    quiet_rasa()
    agent = Agent.load(model)
    narrows = faq_topic_intents()
    out = []
    for text in texts:
        result = await agent.parse_message(text)
        intent = result["intent"]["name"]
        if intent == "faq":
            selected = result.get("response_selector", {}).get("faq", {}).get("response", {}) or {}
            intent = narrows.get(str(selected.get("intent_response_key")), intent)
        out.append(intent)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(ROOT / "models/signpost.tar.gz"))
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    cases = load_holdout()
    predicted = asyncio.run(predict(args.model, [t for t, _ in cases]))
    right = sum(p == gold for p, (_, gold) in zip(predicted, cases, strict=True))
    errors = Counter((gold, p) for p, (_, gold) in zip(predicted, cases, strict=True) if p != gold)
    accuracy = right / len(cases)
    print(f"held-out intent accuracy: {right}/{len(cases)} = {accuracy:.1%} (threshold {args.threshold:.0%})")
    for (gold, pred), n in errors.most_common(10):
        print(f"  {gold} -> {pred}: {n}")
    if args.verbose:
        for p, (text, gold) in zip(predicted, cases, strict=True):
            if p != gold:
                print(f"  MISS {gold} -> {p}: {text}")
    return 0 if accuracy >= args.threshold else 1


if __name__ == "__main__":
    sys.exit(main())
