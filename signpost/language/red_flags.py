"""Deterministic red-flag detection from data/knowledge/red_flags.yml.

Pure functions: no model, no network. The Rasa component, the staff triage
and the tests all call `RedFlagDetector.detect`. A rule either matches or it
does not; categories are checked most serious first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from signpost.config import KNOWLEDGE_DIR
from signpost.dialogue import DETECTOR_CATEGORIES, RED_FLAG_CATEGORIES

RED_FLAGS_FILE = KNOWLEDGE_DIR / "red_flags.yml"
NEGATION_WINDOW = 3
# Groups that `hedged: true` rules consult (see _Rule).
HEDGE_GROUP = "about_risk_or_past"
PRESENT_GROUP = "happening_now"
_NEGATIONS = re.compile(
    r"\b(not|no|never|isn'?t|wasn'?t|aren'?t|don'?t|doesn'?t|didn'?t|dont|doesnt|didnt|isnt|wasnt|without|nothing|n't)\b"
)
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text: str) -> str:
    """Lower case, plain apostrophes, no zero-width characters, single spaces."""
    return " ".join(text.translate(_ZERO_WIDTH).translate(_QUOTES).lower().split())


@dataclass(frozen=True)
class Detection:
    category: str
    rule_id: str
    matched: str

    @property
    def is_red_flag(self) -> bool:
        return self.category in RED_FLAG_CATEGORIES


@dataclass(frozen=True)
class _Rule:
    id: str
    category: str
    patterns: tuple[re.Pattern[str], ...]  # all must match (one for sequence/any rules)
    negatable: bool
    unless: tuple[re.Pattern[str], ...] = ()  # any of these anywhere in the message cancels the rule
    # `hedged` rules are cancelled by words that make the message about a risk, or about
    # a past event, rather than a report of one ("can cause", "one time I", "years ago"),
    # unless the message also says it is happening now.
    hedge: re.Pattern[str] | None = None
    present: re.Pattern[str] | None = None


def _alternatives(values: list[str]) -> str:
    return r"\b(?:" + "|".join(f"(?:{v})" for v in values) + r")(?!\w)"


def _compile(data: dict[str, Any]) -> list[_Rule]:
    groups = {name: _alternatives(values) for name, values in data["groups"].items()}
    rules = []
    for raw in data["flags"]:
        if raw["category"] not in DETECTOR_CATEGORIES:
            raise ValueError(f"red flag rule {raw['id']}: unknown category {raw['category']!r}")
        if "sequence" in raw:
            window = int(raw.get("window", 3))
            gap = rf"(?:\W+\w+){{0,{window}}}?\W+"
            patterns = [gap.join(groups[g] for g in raw["sequence"])]
        elif "all" in raw:
            patterns = [groups[g] for g in raw["all"]]
        else:
            patterns = ["|".join(groups[g] for g in raw["any"])]
        unless = [*(raw.get("unless") or ()), *(groups[g] for g in raw.get("unless_groups") or ())]
        hedged = bool(raw.get("hedged"))
        rules.append(
            _Rule(
                raw["id"],
                raw["category"],
                tuple(re.compile(p) for p in patterns),
                bool(raw.get("negatable")),
                tuple(re.compile(p) for p in unless),
                re.compile(groups[HEDGE_GROUP]) if hedged else None,
                re.compile(groups[PRESENT_GROUP]) if hedged else None,
            )
        )
    order = {c: i for i, c in enumerate(DETECTOR_CATEGORIES)}
    return sorted(rules, key=lambda r: order[r.category])


class RedFlagDetector:
    def __init__(self, data: dict[str, Any]):
        self._rules = _compile(data)
        groups = {name: _alternatives(values) for name, values in data["groups"].items()}
        self._hedge = re.compile(groups[HEDGE_GROUP])
        self._present = re.compile(groups[PRESENT_GROUP])
        #: What a helpline worker should do, per red-flag category (the staff triage card).
        self.staff_guidance: dict[str, str] = dict(data.get("staff_guidance") or {})

    @classmethod
    def from_file(cls, path: Path = RED_FLAGS_FILE) -> RedFlagDetector:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def is_about_risk_or_past(self, text: str) -> bool:
        """Whether the message reads as a question about a risk, information or a past
        event, and says nothing of it happening now: what cancels a `hedged` rule."""
        prepared = normalise(text)
        return self._hedge.search(prepared) is not None and self._present.search(prepared) is None

    def detect(self, text: str) -> Detection | None:
        """The most serious category the message matches, or None."""
        prepared = normalise(text)
        searched: dict[re.Pattern[str], bool] = {}

        def found(pattern: re.Pattern[str]) -> bool:
            """Whether `pattern` is in the message, searched once per message: the hedges
            are one long pattern that many rules share."""
            if pattern not in searched:
                searched[pattern] = pattern.search(prepared) is not None
            return searched[pattern]

        for rule in self._rules:
            matched = self._match(rule, prepared, found)
            if matched is not None:
                return Detection(rule.category, rule.id, matched)
        return None

    @staticmethod
    def _match(rule: _Rule, text: str, found: Callable[[re.Pattern[str]], bool]) -> str | None:
        """The rule's matched words, or None; its own patterns first, as most rules stop
        there, then what cancels it."""
        spans = []
        for pattern in rule.patterns:
            hit = next((m for m in pattern.finditer(text) if not (rule.negatable and _negated(text, m.start()))), None)
            if hit is None:
                return None
            spans.append(hit.group(0))
        if any(found(u) for u in rule.unless):
            return None
        if rule.hedge is not None and found(rule.hedge) and not (rule.present and found(rule.present)):
            return None
        return " … ".join(spans)


def _negated(text: str, start: int) -> bool:
    before = text[:start].split()[-NEGATION_WINDOW:]
    return bool(_NEGATIONS.search(" ".join(before)))


@lru_cache(maxsize=1)
def default_detector() -> RedFlagDetector:
    """The detector for data/knowledge/red_flags.yml, built once per process."""
    return RedFlagDetector.from_file()
