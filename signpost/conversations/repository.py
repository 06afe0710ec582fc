"""Reading and writing conversation records. Functions take a Session; callers commit."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from signpost.conversations.models import ContactGiven, ConversationRow, Handoff, TriageRecord
from signpost.dialogue import SEVERITY_ORDER
from signpost.knowledge import repository as knowledge
from signpost.knowledge.content import Contact
from signpost.storage.clock import utcnow

logger = logging.getLogger(__name__)


def record_contacts_given(
    session: Session, conversation_id: str, contact_ids: list[str], now: dt.datetime | None = None
) -> None:
    """Note the contacts a delivered reply showed, each once per conversation (one query for
    those already noted, not one per contact)."""
    wanted = list(dict.fromkeys(contact_ids))
    if not wanted:
        return
    noted = set(
        session.scalars(
            select(ContactGiven.contact_id).where(
                ContactGiven.conversation_id == conversation_id, ContactGiven.contact_id.in_(wanted)
            )
        )
    )
    for contact_id in wanted:
        if contact_id not in noted:
            session.add(
                ContactGiven(conversation_id=conversation_id, contact_id=contact_id, created_at=now or utcnow())
            )


def contacts_given(session: Session, conversation_id: str) -> list[str]:
    """Ids of the contacts this conversation was shown, first shown first."""
    query = (
        select(ContactGiven.contact_id)
        .where(ContactGiven.conversation_id == conversation_id)
        .order_by(ContactGiven.created_at, ContactGiven.contact_id)
    )
    return list(session.scalars(query))


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
    """Regions, symptoms and types over every signposting answer, and the contacts it showed."""
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
        contacts=[c for c in (knowledge.contact(session, i) for i in contacts_given(session, conversation_id)) if c],
    )


# --- conversations and the handoff queue -----------------------------------------

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read out over the phone
CODE_PREFIX = "DYS-"
CODE_LENGTH = 4


def severity(red_flag: str | None) -> int:
    """0 for no red flag, then 1 (urgent) to 3 (emergency)."""
    return SEVERITY_ORDER.index(red_flag) + 1 if red_flag in SEVERITY_ORDER else 0


def touch_conversation(session: Session, conversation_id: str, channel: str | None, now: dt.datetime) -> None:
    """Note that a conversation was active now (creating its row on its first turn)."""
    row = session.get(ConversationRow, conversation_id)
    if row is None:
        session.add(
            ConversationRow(conversation_id=conversation_id, channel=channel, started_at=now, last_active_at=now)
        )
    else:
        row.last_active_at = now
        row.channel = row.channel or channel


def new_code() -> str:
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """'dys 7k3q', 'DYS7K3Q' and '7K3Q' all become 'DYS-7K3Q'."""
    plain = "".join(ch for ch in code.upper() if ch.isalnum())
    plain = plain[3:] if plain.startswith("DYS") else plain
    return CODE_PREFIX + plain


def unused_code(session: Session) -> str:
    """A new reference code that no queue entry has (read only: nothing is written)."""
    code = new_code()
    while session.scalars(select(Handoff.id).where(Handoff.code == code)).first() is not None:
        code = new_code()
    return code


def current_handoff(session: Session, conversation_id: str) -> Handoff | None:
    """The conversation's open queue entry, if it has one (read only)."""
    query = select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.handled_at.is_(None))
    return session.scalars(query.order_by(Handoff.created_at)).first()


def open_handoff(
    session: Session,
    conversation_id: str,
    channel: str | None,
    reason: str,
    red_flag: str | None = None,
    now: dt.datetime | None = None,
    *,
    code: str | None = None,
    suspected_automation: bool = False,
) -> Handoff:
    """The conversation's queue entry, created or brought up to date; it keeps its code.

    Without `code` that is the open entry. With `code` (the one the person was given)
    it is the entry with that code, reopened if staff marked it handled meanwhile, or
    a new entry with that code. Two conversations that drew the same new code at once
    cannot both have it: the later one gets another (and an error is logged).
    """
    now = now or utcnow()
    handoff = find_handoff(session, code) if code else current_handoff(session, conversation_id)
    if handoff is not None and handoff.conversation_id != conversation_id:
        logger.error("reference code drawn twice at once; the later conversation gets a new one")
        handoff, code = None, None
    if handoff is None:
        handoff = Handoff(
            code=code or unused_code(session),
            conversation_id=conversation_id,
            channel=channel,
            reason=reason,
            red_flag=red_flag,
            created_at=now,
            suspected_automation=False,
        )
        session.add(handoff)
    else:
        if severity(red_flag) > severity(handoff.red_flag):
            handoff.reason, handoff.red_flag = "red_flag", red_flag
        handoff.handled_at, handoff.handled_by = None, None
    handoff.suspected_automation = bool(handoff.suspected_automation or suspected_automation)
    handoff.updated_at = now
    session.flush()
    return handoff


def mark_suspected(session: Session, codes: list[str]) -> int:
    """Flag these queue entries as suspected automation for staff; how many were found."""
    rows = list(session.scalars(select(Handoff).where(Handoff.code.in_(codes)))) if codes else []
    for row in rows:
        row.suspected_automation = True
    return len(rows)


def queue(session: Session, include_handled: bool = False) -> list[Handoff]:
    """Open handoffs, red flags first (most serious first), then oldest first."""
    query = select(Handoff)
    if not include_handled:
        query = query.where(Handoff.handled_at.is_(None))
    rows = list(session.scalars(query.order_by(Handoff.created_at)))
    return sorted(rows, key=lambda h: -severity(h.red_flag))


def waiting_handoffs(session: Session) -> dict[str, int]:
    """How many queue entries are not yet handled, by reason (asked_for_person, red_flag)."""
    query = select(Handoff.reason, func.count()).where(Handoff.handled_at.is_(None)).group_by(Handoff.reason)
    return {reason: int(count) for reason, count in session.execute(query)}


def find_handoff(session: Session, code: str) -> Handoff | None:
    return session.scalars(select(Handoff).where(Handoff.code == normalise_code(code))).first()


def mark_handled(session: Session, code: str, by: str, now: dt.datetime | None = None) -> Handoff | None:
    handoff = find_handoff(session, code)
    if handoff is not None and handoff.handled_at is None:
        handoff.handled_at, handoff.handled_by = now or utcnow(), by
    return handoff
