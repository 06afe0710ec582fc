"""Region, symptoms and patterns -> ranked dystonia types with reasons.

Pure functions over plain data. The rules themselves are content: each type's
`match` block in data/knowledge/types.yml. Nothing here diagnoses; it ranks
the types whose descriptions share most with what the person said.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

MAX_CANDIDATES = 3
# A candidate far weaker than the best one is noise, not a lead.
RELATIVE_CUTOFF = 0.4
# "Several areas / whole body" counts as this many regions.
WHOLE_BODY = "whole_body"
WHOLE_BODY_REGIONS = 3


@dataclass(frozen=True)
class TypeRule:
    type_id: str
    signals: Mapping[str, int]
    requires_any: frozenset[str] = frozenset()
    requires_all: frozenset[str] = frozenset()
    min_regions: int = 0
    order: int = 0

    @classmethod
    def from_match(cls, type_id: str, match: Mapping[str, Any], order: int = 0) -> TypeRule:
        return cls(
            type_id=type_id,
            signals={str(k): int(v) for k, v in (match.get("signals") or {}).items()},
            requires_any=frozenset(match.get("requires_any") or ()),
            requires_all=frozenset(match.get("requires_all") or ()),
            min_regions=int(match.get("min_regions") or 0),
            order=order,
        )


@dataclass(frozen=True)
class Candidate:
    type_id: str
    score: int
    reasons: tuple[str, ...]  # signal ids, strongest first


def rules_for(types: Iterable[Any]) -> list[TypeRule]:
    """Rules from types that carry an `id` and a `match` block, in their order."""
    return [TypeRule.from_match(t.id, t.match, order=i) for i, t in enumerate(types)]


def implied_regions(symptoms: Iterable[str], implies: Mapping[str, str]) -> tuple[str, ...]:
    """Regions a symptom names by itself: blinking is about the eyes."""
    return tuple(dict.fromkeys(implies[s] for s in symptoms if s in implies))


def region_count(regions: Iterable[str]) -> int:
    regions = set(regions)
    count = len(regions - {WHOLE_BODY})
    return max(count, WHOLE_BODY_REGIONS) if WHOLE_BODY in regions else count


def score(rule: TypeRule, signals: frozenset[str], n_regions: int) -> Candidate | None:
    """Score one type, or None when the description does not fit it at all."""
    if rule.requires_any and not rule.requires_any & signals:
        return None
    if not rule.requires_all <= signals:
        return None
    if n_regions < rule.min_regions:
        return None
    hits = sorted(
        (s for s in signals if rule.signals.get(s, 0) > 0),
        key=lambda s: (-rule.signals[s], s),
    )
    total = sum(rule.signals[s] for s in hits)
    if total <= 0:
        return None
    return Candidate(rule.type_id, total, tuple(hits))


def rank(
    rules: Iterable[TypeRule],
    regions: Iterable[str],
    symptoms: Iterable[str] = (),
    modifiers: Iterable[str] = (),
    limit: int = MAX_CANDIDATES,
) -> list[Candidate]:
    """Up to `limit` types, best first, each with the signals that support it."""
    regions = tuple(regions)
    n_regions = region_count(regions)
    # Three or more parts of the body are "several areas", as "whole body" is three parts.
    several = {WHOLE_BODY} if n_regions >= WHOLE_BODY_REGIONS else set()
    signals = frozenset(regions) | frozenset(symptoms) | frozenset(modifiers) | several
    rules = list(rules)
    order = {rule.type_id: rule.order for rule in rules}
    scored = [c for rule in rules if (c := score(rule, signals, n_regions)) is not None]
    if not scored:
        return []
    scored.sort(key=lambda c: (-c.score, order[c.type_id]))
    best = scored[0].score
    return [c for c in scored if c.score >= best * RELATIVE_CUTOFF][:limit]


def subtype_for(subtypes: Iterable[Any], signals: Iterable[str]) -> list[Any]:
    """The subtypes (e.g. neck directions) whose telling signal was mentioned."""
    present = set(signals)
    return [s for s in subtypes if s.signal in present]
