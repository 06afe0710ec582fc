"""Reading age of a reply: Flesch-Kincaid grade (textstat) + 5, as UK reading ages count.

Flesch-Kincaid counts syllables, so it scores "dystonia", "neurologist" or
"botulinum" as hard however often a reader meets them, and a reply cannot avoid
naming the condition, the doctor or the treatment. Those names (the condition's
types, the professions, the treatments, and the names of services) are scored as
one short word; everything around them must be plain. Links count as one short
word; a template's placeholders are left out (what fills them is scored itself).

    python -m signpost.language.readability     # every response and knowledge text over the limit
"""

from __future__ import annotations

import re
import sys
from typing import Iterator

import textstat

LIMIT = 11.0  # reading age: about the level of a 10 to 11-year-old
_NAMES = re.compile(
    r"\b(?:dystonias?|dystonic|neurologists?|neurology|neurological|diagnos\w*|botulinum|botox|physiotherap\w*|"
    r"occupational|therapists?|therapy|therapies|blepharospasm|spasmodic|dysphonia|oromandibular|cervical|"
    r"torticollis|generali[sz]ed|segmental|multifocal|hemidystonia|paroxysmal|dopa-responsive|paediatric|"
    r"medicines?|medications?|samaritans|conductive|education|institute|national|emergency|specialis\w*|"
    r"movement|disorders?|deep brain stimulation|stimulation|tremors?|antecollis|retrocollis|laterocollis|"
    r"meige|musician'?s|writer'?s|focal|symptoms?|tardive|functional|dvla|pip|nhs|a&e|liverpool|manchester|"
    r"birmingham|charity|helpline|neuro-physiotherapist|injections?|levodopa|anticholinergic)\b",
    re.IGNORECASE,
)
_LINKS = re.compile(r"https?://\S+|\S+@\S+")
_PLACEHOLDERS = re.compile(r"\{[a-z_]+\}")  # filled with texts that are scored on their own


def plain(text: str) -> str:
    """The text as scored: names and links replaced by one short word, placeholders left out."""
    return _NAMES.sub("word", _LINKS.sub("link", _PLACEHOLDERS.sub("", text)))


def reading_age(text: str) -> float:
    """Flesch-Kincaid grade + 5 of `text`, names scored as short words (0 for no words)."""
    scored = plain(" ".join(text.split()))
    return float(textstat.flesch_kincaid_grade(scored)) + 5 if scored.strip() else 0.0


def every_text() -> Iterator[tuple[str, str]]:
    """(where, text) for every domain response and every knowledge text a reply can show."""
    import yaml

    from signpost.config import ROOT

    for name, variants in yaml.safe_load((ROOT / "domain.yml").read_text())["responses"].items():
        for variant in variants:
            channel = variant.get("channel")
            yield (f"domain {name}" + (f" ({channel})" if channel else "")), str(variant.get("text") or "")
    fields = {"types": "summary", "topics": "summary", "answers": "answer", "tips": "text", "contacts": "description"}
    for kind, field in fields.items():
        data = yaml.safe_load((ROOT / "data" / "knowledge" / f"{kind}.yml").read_text())
        for item in data[kind]:
            yield f"{kind}.yml {item['id']}", str(item.get(field) or "")


MIN_WORDS = 8  # below this the grade says little (a heading, a line template)


def over_limit() -> list[tuple[float, str]]:
    """(reading age, where) of every text above LIMIT, hardest first."""
    over = [
        (age, where)
        for where, text in every_text()
        if len(plain(text).split()) >= MIN_WORDS and (age := reading_age(text)) > LIMIT
    ]
    return sorted(over, reverse=True)


def main() -> int:
    over = over_limit()
    for age, where in over:
        print(f"{age:5.1f}  {where}")
    print(f"{len(over)} text(s) above reading age {LIMIT:g}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
