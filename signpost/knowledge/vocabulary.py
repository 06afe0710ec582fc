"""Body-region and symptom vocabulary, and the spaCy matcher built from it.

One vocabulary (data/knowledge/vocabulary.yml plus the type names in
types.yml) feeds everything that recognises words: the spaCy pipeline saved to
disk for the Rasa component, the Rasa lookup tables, and the staff triage.

The default pipeline is a blank English one with a lookup lemmatizer and an
entity ruler; `load_pipeline` also accepts an installed package such as
`en_core_web_md`, to which the same ruler is added.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import spacy
from spacy.language import Language

from signpost.dialogue import BODY_REGION, DYSTONIA_TYPE, MODIFIER, PLACE, SYMPTOM
from signpost.knowledge.content import Content
from signpost.language.triage import implied_regions

logger = logging.getLogger(__name__)

RULER_NAME = "signpost_ruler"
LABELS = (BODY_REGION, SYMPTOM, MODIFIER, DYSTONIA_TYPE, PLACE)
_KIND_LABEL = {"region": BODY_REGION, "symptom": SYMPTOM, "modifier": MODIFIER}
# Typographic characters people paste or phones insert, mapped one-to-one so
# character offsets stay valid.
_NORMALISE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
# A body part named right after a negation is the one it is NOT about:
# "it's not my neck, it's my shoulder".
_NEGATED = re.compile(
    r"\b(?:not|isn't|isnt|aren't|wasn't|never)\s+(?:in\s+|just\s+)?(?:my|the|his|her|their|our|your)?\s*$"
)


@dataclass(frozen=True)
class Match:
    label: str
    value: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Findings:
    """What a message says, as vocabulary ids in order of first mention."""

    matches: tuple[Match, ...]
    regions: tuple[str, ...]
    symptoms: tuple[str, ...]
    modifiers: tuple[str, ...]
    types: tuple[str, ...]
    places: tuple[str, ...]
    implied_regions: tuple[str, ...] = ()

    @property
    def signals(self) -> frozenset[str]:
        return frozenset(self.regions + self.symptoms + self.modifiers)

    @property
    def is_description(self) -> bool:
        return bool(self.regions or self.symptoms)


def patterns(content: Content) -> list[dict[str, Any]]:
    """Entity-ruler patterns for every phrase the assistant should recognise."""
    out: list[dict[str, Any]] = []
    for term in content.terms:
        label = _KIND_LABEL[term.kind]
        for phrase in term.phrases:
            out.append({"label": label, "pattern": phrase, "id": term.id})
    for dtype in content.types:
        for alias in {dtype.name.lower(), *dtype.aliases}:
            out.append({"label": DYSTONIA_TYPE, "pattern": alias, "id": dtype.id})
        for sub in dtype.subtypes:
            out.append({"label": DYSTONIA_TYPE, "pattern": sub.name.lower(), "id": sub.id})
    for place in content.places:
        out.append({"label": PLACE, "pattern": place.lower(), "id": place})
    return out


def _add_ruler(nlp: Language, content: Content) -> None:
    attr = "LEMMA" if "lemmatizer" in nlp.pipe_names else "LOWER"
    ruler = nlp.add_pipe(
        "entity_ruler",
        name=RULER_NAME,
        last=True,
        config={"phrase_matcher_attr": attr, "overwrite_ents": True, "validate": True},
    )
    ruler.add_patterns(patterns(content))  # type: ignore[attr-defined]


def build_pipeline(content: Content) -> Language:
    """A blank English pipeline: lookup lemmatizer plus our entity ruler."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    _add_ruler(nlp, content)
    return nlp


def save_pipeline(content: Content, path: Path) -> Path:
    nlp = build_pipeline(content)
    path.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(path)
    return path


def load_pipeline(model: str, content: Content) -> Language:
    """Load the pipeline by path or package name; add our ruler if it lacks one."""
    nlp = spacy.load(model)
    if RULER_NAME not in nlp.pipe_names:
        logger.info("adding the vocabulary ruler to spaCy model %s", model)
        _add_ruler(nlp, content)
    return nlp


def _ordered_unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


class Lexicon:
    """Finds vocabulary terms in a message."""

    def __init__(self, nlp: Language, content: Content):
        self._nlp = nlp
        self._implies = {t.id: t.implies_region for t in content.terms if t.implies_region}
        # One-word region phrases: "head shakes" or "neck stiffness" is a symptom of that part.
        self._region_words = {p: t.id for t in content.terms if t.kind == "region" for p in t.phrases if " " not in p}

    def analyse(self, text: str) -> Findings:
        prepared = text.translate(_NORMALISE)
        lowered = prepared.lower()
        if len(lowered) == len(prepared):
            prepared = lowered
        doc = self._nlp(prepared)
        found = [
            Match(ent.label_, ent.ent_id_, ent.start_char, ent.end_char, text[ent.start_char : ent.end_char])
            for ent in doc.ents
            if ent.label_ in LABELS and ent.ent_id_ and not _negated(ent.label_, prepared, ent.start_char)
        ]
        # The body part inside a symptom phrase is named too: "head tremor", "neck stiffness".
        for ent in doc.ents:
            if ent.label_ != SYMPTOM or ent.ent_id_ in self._implies:
                continue
            for token in ent:
                region = self._region_words.get(token.lemma_) or self._region_words.get(token.lower_)
                if region:
                    end = token.idx + len(token.text)
                    found.append(Match(BODY_REGION, region, token.idx, end, text[token.idx : end]))
        matches = tuple(sorted(found, key=lambda m: (m.start, m.end)))

        def ids(label: str) -> tuple[str, ...]:
            return _ordered_unique(m.value for m in matches if m.label == label)

        regions, symptoms = ids(BODY_REGION), ids(SYMPTOM)
        implied = tuple(r for r in implied_regions(symptoms, self._implies) if r not in regions)
        return Findings(
            matches=matches,
            regions=regions + implied,
            symptoms=symptoms,
            modifiers=ids(MODIFIER),
            types=ids(DYSTONIA_TYPE),
            places=ids(PLACE),
            implied_regions=implied,
        )


def _negated(label: str, text: str, start: int) -> bool:
    """A region named straight after "not": "it's not my neck" is not about the neck."""
    return label == BODY_REGION and bool(_NEGATED.search(text[max(0, start - 30) : start].lower()))


def lookup_tables(content: Content) -> dict[str, list[str]]:
    """Lookup tables for Rasa's RegexFeaturizer, derived from the vocabulary."""
    tables: dict[str, list[str]] = {label: [] for label in LABELS}
    for pattern in patterns(content):
        tables[pattern["label"]].append(pattern["pattern"])
    return {label: sorted(set(values)) for label, values in tables.items()}
