"""Reading and writing conversation records. Functions take a Session; callers commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from signpost.conversations.models import TriageRecord
from signpost.knowledge import repository as knowledge
from signpost.knowledge.content import Contact


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def record_triage(
    session: Session,
    conversation_id: str,
    channel: str | None,
    regions: list[str],
    symptoms: list[str],
    modifiers: list[str],
    types: list[str],
    now: dt.datetime | None = None,
) -> None:
    session.add(
        TriageRecord(
            conversation_id=conversation_id,
            channel=channel,
            created_at=now or utcnow(),
            regions=regions,
            symptoms=symptoms,
            modifiers=modifiers,
            types=types,
        )
    )


def triage_records(session: Session, conversation_id: str) -> list[TriageRecord]:
    query = select(TriageRecord).where(TriageRecord.conversation_id == conversation_id)
    return list(session.scalars(query.order_by(TriageRecord.id)))


@dataclass(frozen=True)
class NamedType:
    name: str
    summary: str


@dataclass(frozen=True)
class ConversationSummary:
    """What was discussed, in the words the assistant used: for a person to take to their GP."""

    regions: list[str]
    symptoms: list[str]
    types: list[NamedType]
    contacts: list[Contact]

    @property
    def discussed_symptoms(self) -> bool:
        return bool(self.regions or self.symptoms or self.types)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def summarise(session: Session, conversation_id: str) -> ConversationSummary:
    """Regions, symptoms and types over every signposting answer, and the contacts to give."""
    records = triage_records(session, conversation_id)
    terms = knowledge.terms(session)
    types = {t.id: t for t in knowledge.list_types(session)}
    region_ids = _unique([r for rec in records for r in rec.regions])
    symptom_ids = _unique([s for rec in records for s in rec.symptoms])
    type_ids = _unique([t for rec in records for t in rec.types if t in types])
    return ConversationSummary(
        regions=[terms[r].label for r in region_ids if r in terms],
        symptoms=[terms[s].label for s in symptom_ids if s in terms],
        types=[NamedType(types[t].name, types[t].summary) for t in type_ids],
        contacts=knowledge.contacts_to_give(session, type_ids),
    )
