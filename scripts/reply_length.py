"""How long the bot's turns are: words, bubbles, reading age, and SMS segments.

Over REST, on a fresh conversation each: the first reply to every real description
(eval/real/descriptions.yml) followed by the usual follow-ups, and the first reply to
every real question (eval/questions/questions.yml). Over SMS (signed like Twilio's
requests, with TWILIO_AUTH_TOKEN), the first reply to the same descriptions and
questions, counted in GSM-7 segments.

A turn's words are the words of all its bubbles; its bubbles are the messages with
text. Reading age is signpost.language.readability's (Flesch-Kincaid grade + 5, textstat).
Also checked: every reply that names a type carries a disclaimer that says
"not a diagnosis" and names a neurologist.

    python -m scripts.reply_length --base http://localhost:5005 --split test [--sms] [--verbose]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml

from scripts.eval import load_names, named_types
from scripts.eval_real import send
from signpost.language.readability import reading_age

ROOT = Path(__file__).resolve().parent.parent
FOLLOW_UPS = ("more tips", "contacts", "what is dystonia?", "thanks")
GSM_SINGLE, GSM_PART = 160, 153


@dataclass(frozen=True)
class Turn:
    kind: str  # "first", "question" or the follow-up's text
    words: int
    bubbles: int
    reading_age: float
    names_type: bool
    disclaimer: bool
    text: str


def turn(kind: str, messages: list[dict[str, Any]], names: dict[str, str]) -> Turn:
    texts = [" ".join((m.get("text") or "").split()) for m in messages if (m.get("text") or "").strip()]
    joined = " ".join(texts)
    lowered = joined.lower()
    return Turn(
        kind=kind,
        words=len(joined.split()),
        bubbles=len(texts),
        reading_age=reading_age(joined),
        names_type=bool(named_types(messages, names)),
        disclaimer="not a diagnosis" in lowered and "neurologist" in lowered,
        text="\n".join(texts),
    )


def cases(split: str) -> tuple[list[str], list[str]]:
    def chosen(items: list[dict[str, Any]]) -> list[str]:
        return [c["text"] for c in items if split == "all" or c["split"] == split]

    descriptions = yaml.safe_load((ROOT / "eval/real/descriptions.yml").read_text())["cases"]
    questions = yaml.safe_load((ROOT / "eval/questions/questions.yml").read_text())["questions"]
    return chosen(descriptions), chosen(questions)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def segments(text: str) -> int:
    """GSM-7 segments of one SMS body: 160 characters alone, 153 per part when split."""
    return 1 if len(text) <= GSM_SINGLE else -(-len(text) // GSM_PART)


def send_sms(base: str, url: str, token: str, phone: str, body: str) -> str:
    from xml.etree import ElementTree

    from twilio.request_validator import RequestValidator

    params = {"From": phone, "To": "+447700900000", "Body": body, "MessageSid": "SM" + uuid.uuid4().hex}
    signature = RequestValidator(token).compute_signature(url, params)
    request = urllib.request.Request(
        f"{base.rstrip('/')}/webhooks/sms/webhook",
        data=urllib.parse.urlencode(params).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - a URL we were given
        root = ElementTree.fromstring(response.read())
    return "".join(m.text or "" for m in root.iter("Message"))


def report(turns: list[Turn]) -> None:
    words = [t.words for t in turns]
    bubbles = [t.bubbles for t in turns]
    ages = [t.reading_age for t in turns]
    print(f"turns: {len(turns)}")
    print(
        f"words a turn: median {statistics.median(words):.0f}, 90th percentile {percentile(words, 0.9):.0f}, "
        f"mean {statistics.mean(words):.0f}, max {max(words)}"
    )
    print(
        f"bubbles a turn: median {statistics.median(bubbles):.0f}, 95th percentile {percentile(bubbles, 0.95):.0f}, "
        f"at most 4 in {sum(b <= 4 for b in bubbles) / len(bubbles):.0%}"
    )
    print(
        f"reading age (FK grade + 5): median {statistics.median(ages):.1f}, 90th percentile {percentile(ages, 0.9):.1f}"
    )
    for kind in sorted({t.kind for t in turns}):
        some = [t.words for t in turns if t.kind == kind]
        print(f"  {kind:<20} {len(some):>4} turns, median {statistics.median(some):.0f} words, max {max(some)}")
    naming = [t for t in turns if t.names_type]
    print(f"replies that name a type: {len(naming)}, with the disclaimer: {sum(t.disclaimer for t in naming)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="http://localhost:5005")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--sms", action="store_true", help="also measure SMS segments")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    names = load_names()
    descriptions, questions = cases(args.split)
    turns: list[Turn] = []
    for text in descriptions:
        sender = f"len-{uuid.uuid4().hex}"
        turns.append(turn("first", send(args.base, sender, text), names))
        turns.extend(turn(f"then: {f}", send(args.base, sender, f), names) for f in FOLLOW_UPS)
    turns.extend(turn("question", send(args.base, f"len-{uuid.uuid4().hex}", q), names) for q in questions)
    if args.verbose:
        for t in sorted(turns, key=lambda t: -t.words)[:10]:
            print(f"--- {t.kind}: {t.words} words, {t.bubbles} bubbles\n{t.text}\n")
    print(f"REST, {args.split} split")
    report(turns)
    if args.sms:
        from signpost.config import get_settings

        settings = get_settings()
        if not settings.twilio_auth_token:
            print("SMS: TWILIO_AUTH_TOKEN is not set, so the SMS channel refuses every request", file=sys.stderr)
            return 2
        url = settings.sms_public_url or f"{args.base.rstrip('/')}/webhooks/sms/webhook"
        counts = []
        for text in descriptions + questions:
            phone = f"+4477009{uuid.uuid4().int % 10**5:05d}"
            try:
                body = send_sms(args.base, url, settings.twilio_auth_token, phone, text)
            except urllib.error.HTTPError as exc:
                print(
                    f"SMS: the server answered {exc.code}; is it running with this TWILIO_AUTH_TOKEN?", file=sys.stderr
                )
                return 2
            counts.append(segments(body))
            if args.verbose and segments(body) > 3:
                print(f"--- {segments(body)} segments, {len(body)} characters\n{body}\n")
        print(
            f"SMS, {args.split} split: {len(counts)} first replies, within 3 segments: "
            f"{sum(c <= 3 for c in counts) / len(counts):.0%}, median {statistics.median(counts):.0f}, "
            f"max {max(counts)}, total {sum(counts)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
