"""Score the bot on real-world descriptions and conversations (eval/real/).

Each description goes to the REST channel in a fresh conversation. It counts as
right when the first reply names at most three types, one of them acceptable,
with the see-a-neurologist disclaimer; or, for a case that expects `ask`, when
the reply names no type and asks for the body region or what happens there.
A reply about one type (after "I was diagnosed with Meige syndrome") names that type.
A conversation counts as right when the reply to its last turn is right.

    python -m scripts.eval_real --base http://localhost:5005 --split dev|test|all [--verbose]
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scripts.eval import disclaimer_texts, load_names, named_types

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "eval" / "real"
ASK = "ask"
MAX_NAMED = 3


def send(base: str, sender: str, message: str, timeout: float = 60) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"{base.rstrip('/')}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - a URL we were given
        return list(json.load(response))


def question_payloads() -> dict[str, set[str]]:
    """Button payloads of the two symptom questions, to recognise a reply that asks."""
    responses = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
    return {
        name: {b["payload"] for b in responses[f"utter_ask_{name}"][0]["buttons"]}
        for name in ("body_region", "symptom")
    }


@dataclass(frozen=True)
class Verdict:
    ok: bool
    named: tuple[str, ...]
    asked: str | None  # "body_region", "symptom" or None
    disclaimer: bool
    why: str


class Judge:
    def __init__(self) -> None:
        self.names = load_names()
        self.disclaimers = disclaimer_texts()
        self.questions = question_payloads()

    def asked(self, messages: list[dict[str, Any]]) -> str | None:
        for message in messages:
            payloads = {b.get("payload") for b in message.get("buttons") or []}
            for name, expected in self.questions.items():
                if payloads and payloads <= expected:
                    return name
        return None

    def type_info(self, messages: list[dict[str, Any]]) -> list[str]:
        """The type a type-information reply is about (it starts "<the type's name>: ...")."""
        firsts = [(m.get("text") or "").split("\n", 1)[0].split(": ", 1)[0].strip() for m in messages]
        return [self.names[f] for f in firsts if f in self.names][:1]

    def __call__(self, messages: list[dict[str, Any]], expect: list[str]) -> Verdict:
        named = tuple(named_types(messages, self.names) or self.type_info(messages))
        asked = self.asked(messages)
        has_disclaimer = any(" ".join((m.get("text") or "").split()) in self.disclaimers for m in messages)
        if not named:
            ok = ASK in expect and asked is not None
            why = "asked" if ok else (f"asked {asked}" if asked else "no type, no question")
        elif len(named) > MAX_NAMED:
            ok, why = False, "more than three named"
        elif not set(named) & set(expect):
            ok, why = False, "wrong types"
        elif not has_disclaimer:
            ok, why = False, "no disclaimer"
        else:
            ok, why = True, "named"
        return Verdict(ok, named, asked, has_disclaimer, why)


def in_split(item: dict[str, Any], split: str) -> bool:
    return split == "all" or item["split"] == split


def run_descriptions(base: str, split: str, judge: Judge, verbose: bool) -> tuple[int, int, Counter[str]]:
    cases = [c for c in yaml.safe_load((REAL / "descriptions.yml").read_text())["cases"] if in_split(c, split)]
    right, reasons = 0, Counter()
    for case in cases:
        verdict = judge(send(base, f"eval-{uuid.uuid4().hex}", case["text"]), case["expect"])
        right += verdict.ok
        if not verdict.ok:
            reasons[verdict.why] += 1
            if verbose:
                print(f"MISS [{verdict.why}] expect={case['expect']} named={list(verdict.named)}: {case['text']}")
    return right, len(cases), reasons


def run_conversations(base: str, split: str, judge: Judge, verbose: bool) -> tuple[int, int]:
    convs = [c for c in yaml.safe_load((REAL / "conversations.yml").read_text())["conversations"] if in_split(c, split)]
    right = 0
    for conv in convs:
        sender = f"eval-{uuid.uuid4().hex}"
        messages: list[dict[str, Any]] = []
        for turn in conv["turns"]:
            messages = send(base, sender, turn["text"])
        verdict = judge(messages, conv["expect"])
        right += verdict.ok
        if not verdict.ok and verbose:
            print(
                f"MISS conversation [{verdict.why}] {conv['name']}: expect={conv['expect']} named={list(verdict.named)}"
            )
    return right, len(convs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="http://localhost:5005", help="the Rasa server's URL")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    judge = Judge()
    right, n, reasons = run_descriptions(args.base, args.split, judge, args.verbose)
    c_right, c_n = run_conversations(args.base, args.split, judge, args.verbose)
    print(f"split: {args.split}")
    print(f"descriptions: {right}/{n} = {right / n:.1%} name an acceptable type (<=3, disclaimer) or rightly ask")
    if reasons:
        print("misses: " + ", ".join(f"{k} {v}" for k, v in reasons.most_common()))
    print(f"conversations: {c_right}/{c_n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
