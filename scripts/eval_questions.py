"""Send the real questions in eval/questions/ to the bot over REST and score the first replies.

A reply counts as right when it answers, or honestly signposts, that very question
first: the expected answer's first sentence appears within the first 60 words of the
reply (the disclaimer and the privacy notice aside), and the reply is not the
"didn't understand" fallback. Each question is a fresh conversation; a question with
`before` sends those messages first, in the same conversation (follow-ups).

The expected answer is named by the question's `topic`:
  <id>            an answer in data/knowledge/answers.yml ("gap": the honest-gap answer)
  <topic id>      a side topic in data/knowledge/topics.yml (its summary)
  type:<id>       a dystonia type in data/knowledge/types.yml (its summary)
  response:<name> a response in domain.yml

    python -m scripts.eval_questions --base http://localhost:5005 --split dev [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "eval/questions/questions.yml"
DIALOGUE = ROOT / "eval/questions/dialogue.yml"
FIRST_WORDS = 60
# Lines the channels and actions add to every reply: not part of the answer.
ASIDE = re.compile(r"^utter_(disclaimer.*|privacy_notice)$")
_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", " ".join(text.split()), maxsplit=1)[0]


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def expected_texts() -> dict[str, str]:
    """The first sentence each `topic` value should produce."""
    from signpost.knowledge.answers import load_answers

    out = {a.id: first_sentence(a.answer) for a in load_answers()}
    for topic in _yaml(ROOT / "data/knowledge/topics.yml")["topics"]:
        out.setdefault(topic["id"], first_sentence(topic["summary"]))
    for dtype in _yaml(ROOT / "data/knowledge/types.yml")["types"]:
        out[f"type:{dtype['id']}"] = first_sentence(dtype["summary"])
    for name, variants in _yaml(ROOT / "domain.yml")["responses"].items():
        out[f"response:{name}"] = first_sentence(variants[0].get("text") or "")
    return out


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[a-z_]+\}", " ".join(template.split()))
    return re.compile(".+?".join(re.escape(p) for p in parts), re.DOTALL)


def aside_patterns() -> list[re.Pattern[str]]:
    responses = _yaml(ROOT / "domain.yml")["responses"]
    return [_pattern(v["text"]) for name, vs in responses.items() if ASIDE.match(name) for v in vs if v.get("text")]


def fallback_pattern() -> re.Pattern[str]:
    return _pattern(_yaml(ROOT / "domain.yml")["responses"]["utter_default"][0]["text"])


def send(base: str, sender: str, message: str, timeout: float = 30) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"{base}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - a URL we were given
            return list(json.load(response))
    except urllib.error.HTTPError as exc:  # a refused message scores as no reply
        print(f"  HTTP {exc.code} for {message!r}", file=sys.stderr)
        return []


def reply_text(messages: list[dict[str, Any]], asides: list[re.Pattern[str]]) -> str:
    kept = []
    for message in messages:
        text = " ".join((message.get("text") or "").split())
        if text and not any(p.fullmatch(text) for p in asides):
            kept.append(text)
    return " ".join(kept)


def judge(reply: str, expected: str, fallback: re.Pattern[str]) -> bool:
    if not reply or fallback.search(reply):
        return False
    head = " ".join(words(reply)[:FIRST_WORDS])
    return " ".join(words(expected)) in head


def load_cases(split: str, dialogue: bool) -> list[dict[str, Any]]:
    cases = [q for q in _yaml(QUESTIONS)["questions"] if split == "all" or q["split"] == split]
    if dialogue and DIALOGUE.is_file():
        cases += [dict(d, dialogue=True) for d in _yaml(DIALOGUE)["turns"]]
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="http://localhost:5005", help="the Rasa server's URL")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--dialogue", action="store_true", help="also score the follow-ups and closings")
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    parser.add_argument("--json", type=Path, help="write every case and reply to this file")
    args = parser.parse_args()
    expected, asides, fallback = expected_texts(), aside_patterns(), fallback_pattern()
    results: list[dict[str, Any]] = []
    for case in load_cases(args.split, args.dialogue):
        sender = f"eval-{uuid.uuid4().hex}"
        for earlier in case.get("before") or []:
            send(args.base, sender, earlier)
        reply = reply_text(send(args.base, sender, str(case["text"])), asides)
        want = case.get("expect") or expected[case["topic"]]
        results.append({**case, "reply": reply, "right": judge(reply, want, fallback)})
    questions = [r for r in results if not r.get("dialogue")]
    right = sum(r["right"] for r in questions)
    print(f"{args.split}: {right}/{len(questions)} = {right / max(len(questions), 1):.1%} answered first")
    turns = [r for r in results if r.get("dialogue")]
    if turns:
        ok = sum(r["right"] for r in turns)
        print(f"follow-ups and closings: {ok}/{len(turns)} = {ok / len(turns):.1%}")
    misses = Counter(r.get("topic", "expect") for r in results if not r["right"])
    print("misses by topic: " + ", ".join(f"{t} {n}" for t, n in misses.most_common()))
    if args.verbose:
        for r in results:
            if not r["right"]:
                print(f"- [{r.get('topic', 'expect')}] {r['text']!r}\n    -> {r['reply'][:160]!r}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
