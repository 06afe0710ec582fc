"""Who a story is about and how the writer feels: for the first sentence of an answer.

People often say how they feel before or after what they notice ("I'm scared",
"I'm exhausted", "we're so worried about our son", "I was just diagnosed"), and
often write about someone else ("my wife", "our 9-year-old"). An answer
acknowledges a feeling in one short sentence before the information, and a child's
case gets the children's note (a paediatric neurologist) rather than adult wording.

Pure and small on purpose: a few word patterns, no model. A missed feeling costs a
kind sentence; a wrong one costs more, so only plain statements count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

_CHILD_WORDS = (
    r"son|daughter|child|kid|baby|toddler|boy|girl|little one|teenager|teen|grandson|granddaughter|"
    r"grandchild|stepson|stepdaughter"
)
_ADULT_WORDS = (
    r"wife|husband|partner|mum|mom|mother|dad|father|sister|brother|friend|nan|gran|grandma|grandmother|"
    r"grandad|granddad|grandpa|grandfather|aunt|uncle|fiancee?|boyfriend|girlfriend|colleague|neighbour"
)
_OWNER = r"\b(?:my|our)\s+(?:(?:\d{1,2}|little|young|eldest|youngest|teenage|baby)[- ](?:year[- ]old[- ]?|yo\s+)?)?"
_CHILD = re.compile(_OWNER + rf"(?:{_CHILD_WORDS})s?\b", re.IGNORECASE)
_AGED = re.compile(r"\b(?:my|our)\s+(\d{1,2})[- ](?:year|yr)s?[- ]old\b", re.IGNORECASE)
_ADULT = re.compile(_OWNER + rf"(?:{_ADULT_WORDS})\b", re.IGNORECASE)
_SELF = re.compile(r"\b(?:i\s+(?:have|had|was diagnosed|got diagnosed|suffer|live with)|i'?ve\s+(?:had|got))\b", re.I)
_NOT_ME = re.compile(r"\bi\s+(?:do\s+not|don'?t)\s+have\s+(?:it|dystonia)\b", re.IGNORECASE)

_FEELINGS = (
    ("new_diagnosis", re.compile(r"\b(?:just|recently|newly|only just)\s+(?:been\s+|got\s+|was\s+|were\s+)?diagnosed\b"
                                 r"|\bnew(?:ly)?\s+diagnos", re.I)),
    ("frightened", re.compile(r"\b(?:scared|frightened|terrified|afraid|panick(?:ed|ing)|scary|frightening|"
                              r"freaking out|petrified)\b", re.I)),
    ("exhausted", re.compile(r"\b(?:exhausted|exhausting|worn out|so tired|drained|can'?t cope|cannot cope|"
                             r"at my wits'? end|fed up)\b", re.I)),
    ("worried", re.compile(r"\b(?:worried|worrying|anxious|concerned|worry)\b", re.I)),
)  # fmt: skip


@dataclass(frozen=True)
class Framing:
    about: str  # "self", "adult" (someone else) or "child"
    feeling: Optional[str]  # "new_diagnosis", "frightened", "exhausted", "worried", "worried_child" or None


def about_whom(text: str) -> str:
    """ "child" when the writer speaks of their child (or a relative under 18), "adult" for
    another grown-up, else "self"."""
    aged = _AGED.search(text)
    if aged and int(aged.group(1)) < 18:
        return "child"
    if _CHILD.search(text):
        return "child"
    if _ADULT.search(text) and (_NOT_ME.search(text) or not _SELF.search(text)):
        return "adult"
    return "self"


def feeling_in(text: str) -> Optional[str]:
    for name, pattern in _FEELINGS:
        if pattern.search(text):
            return name
    return None


def frame(texts: Iterable[str]) -> Framing:
    """The framing of what a person wrote (their messages, in order)."""
    joined = "\n".join(t for t in texts if t)
    about = about_whom(joined)
    feeling = feeling_in(joined)
    if about == "child" and feeling in ("worried", "frightened"):
        feeling = "worried_child"
    return Framing(about, feeling)
