"""The caller triage card: a helpline worker types what the caller says, the card shows
what it matches. The same vocabulary, rules and red flags as the assistant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from signpost.dialogue import CRISIS
from signpost.knowledge import repository as knowledge
from signpost.knowledge.vocabulary import Lexicon
from signpost.language import triage
from signpost.language.red_flags import RedFlagDetector

MAX_CANDIDATES = 3
MAX_TEXT_CHARS = 5000


@dataclass(frozen=True)
class CardTools:
    lexicon: Lexicon
    detector: RedFlagDetector
    disclaimer: str


def triage_card(session: Session, tools: CardTools, text: str) -> dict[str, Any]:
    """Regions, symptoms, modifiers, up to three candidate types with reasons, red flags, contacts."""
    text = text[:MAX_TEXT_CHARS]
    findings = tools.lexicon.analyse(text)
    terms = knowledge.terms(session)
    listed = knowledge.list_types(session)
    types = {t.id: t for t in listed}
    candidates = triage.rank(triage.rules_for(listed), findings.regions, findings.symptoms, findings.modifiers)
    candidates = candidates[:MAX_CANDIDATES]
    detection = tools.detector.detect(text)
    red_flags = (
        [
            {
                "category": detection.category,
                "matched": detection.matched,
                "what_to_do": tools.detector.staff_guidance.get(detection.category, ""),
            }
        ]
        if detection and detection.is_red_flag
        else []
    )
    crisis = any(flag["category"] == CRISIS for flag in red_flags)
    # The contacts the assistant itself would list for this description (the card's "Contacts given").
    contacts = knowledge.contacts_to_list(session, [c.type_id for c in candidates], crisis=crisis)

    def labelled(ids: tuple[str, ...]) -> list[dict[str, str]]:
        return [{"id": i, "label": terms[i].label} for i in ids if i in terms]

    return {
        "regions": labelled(findings.regions),
        "symptoms": labelled(findings.symptoms),
        "modifiers": labelled(findings.modifiers),
        "candidates": [
            {
                "id": c.type_id,
                "name": types[c.type_id].name,
                "summary": types[c.type_id].summary,
                "reasons": [terms[s].label for s in c.reasons if s in terms],
            }
            for c in candidates
        ],
        "red_flags": red_flags,
        "contacts": [c.as_json() for c in contacts],
        "disclaimer": tools.disclaimer,
    }
