"""NLU check on the held-out split (tests/nlu/holdout.yml), run by `make test`.

Fails when intent accuracy falls below the threshold, which was set from
measurement (see docs/nlu-comparison.md): a drop below it is a regression.

    python scripts/nlu_check.py --model models/signpost.tar.gz [--threshold 0.90] [--verbose]
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


async def predict(model: str, texts: list[str]) -> list[str]:
    from rasa.core.agent import Agent

    quiet_rasa()
    agent = Agent.load(model)
    out = []
    for text in texts:
        result = await agent.parse_message(text)
        out.append(result["intent"]["name"])
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
