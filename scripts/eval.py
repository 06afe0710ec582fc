"""`make eval`: send every evaluation description to the running bot over REST.

A case counts as right when the first reply names at most three types, one of
them a type the case expects, and carries the see-a-neurologist disclaimer.

    python -m scripts.eval [--cases eval/descriptions.yml] [--verbose]
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections import Counter
from pathlib import Path

import yaml

from scripts.rest import send

ROOT = Path(__file__).resolve().parent.parent
BULLET = "• "


def load_names() -> dict[str, str]:
    types = yaml.safe_load((ROOT / "data/knowledge/types.yml").read_text())["types"]
    return {t["name"]: t["id"] for t in types}


def disclaimer_texts() -> set[str]:
    """The full and the short disclaimer, in every channel's wording."""
    responses = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
    return {
        " ".join(variant["text"].split())
        for name in ("utter_disclaimer", "utter_disclaimer_short")
        for variant in responses[name]
    }


def named_types(messages: list[dict], names: dict[str, str]) -> list[str]:
    """Type ids named in the candidates message (its bullet lines)."""
    for message in messages:
        text = message.get("text") or ""
        lines = [ln[len(BULLET) :] for ln in text.splitlines() if ln.startswith(BULLET)]
        found = [tid for ln in lines for name, tid in names.items() if ln.startswith(name)]
        if found:
            return found
    return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", default=str(ROOT / "eval/descriptions.yml"))
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    cases = yaml.safe_load(Path(args.cases).read_text())["cases"]
    names, disclaimers = load_names(), disclaimer_texts()
    right, with_disclaimer, misses = 0, 0, Counter()
    for case in cases:
        messages = send(f"eval-{uuid.uuid4().hex}", case["text"])
        named = named_types(messages, names)
        has_disclaimer = any(" ".join((m.get("text") or "").split()) in disclaimers for m in messages)
        ok = 0 < len(named) <= 3 and bool(set(named) & set(case["expect"])) and has_disclaimer
        right += ok
        with_disclaimer += has_disclaimer
        if not ok:
            misses[case["expect"][0]] += 1
            if args.verbose:
                print(f"MISS expect={case['expect']} named={named} disclaimer={has_disclaimer}: {case['text']}")
    n = len(cases)
    print(f"cases: {n}")
    print(f"first reply names a right type (<=3 named) with the disclaimer: {right}/{n} = {right / n:.1%}")
    print(f"first reply carries the disclaimer: {with_disclaimer}/{n} = {with_disclaimer / n:.1%}")
    if misses:
        print("misses by expected type: " + ", ".join(f"{k} {v}" for k, v in misses.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
