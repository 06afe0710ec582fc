"""Live handoff records: who has taken a case, private notes, the worker's replies, the audit log.

A worker takes a queued case (others see who has it), replies, writes private notes,
and releases it back to the assistant. Replies are kept until delivered: pushed to
an open widget, sent by SMS when the person agreed to be texted back, or added to
the answer to their next text. The audit log says who did what to which case, and
never holds message text. Functions take a Session; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from signpost.conversations.models import AuditEntry, CaseNote, CaseOwner, Handoff, HelplineReply
from signpost.conversations.repository import find_handoff
from signpost.storage.clock import utcnow

MAX_REPLY_CHARS = 1000
MAX_NOTE_CHARS = 4000
AUDIT_ACTIONS = ("open", "take", "reply", "release", "note", "handled", "reopen")


class CaseError(Exception):
    """A case action that cannot be done, with a message for the worker."""


@dataclass(frozen=True)
class Reply:
    id: int
    text: str
    created_at: dt.datetime


def audit(session: Session, staff: str, action: str, code: str, now: dt.datetime | None = None) -> None:
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(AuditEntry(at=now or utcnow(), staff=staff, action=action, code=code))


def owner(session: Session, code: str) -> str | None:
    row = session.get(CaseOwner, code)
    return row.staff if row else None


def owners(session: Session, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return {r.code: r.staff for r in session.scalars(select(CaseOwner).where(CaseOwner.code.in_(codes)))}


def _open_case(session: Session, code: str) -> Handoff:
    handoff = find_handoff(session, code)
    if handoff is None:
        raise CaseError("No conversation has that reference code.")
    return handoff


def take(session: Session, code: str, staff: str, now: dt.datetime | None = None) -> Handoff:
    """Take a case; taking one already yours is fine, someone else's is refused."""
    handoff = _open_case(session, code)
    if handoff.handled_at is not None:
        raise CaseError("That case is marked handled. Undo that first.")
    current = session.get(CaseOwner, handoff.code)
    if current is not None and current.staff != staff:
        raise CaseError(f"{current.staff} has taken this case.")
    if current is None:
        session.add(
            CaseOwner(code=handoff.code, conversation_id=handoff.conversation_id, staff=staff, taken_at=now or utcnow())
        )
        audit(session, staff, "take", handoff.code, now)
    return handoff


def must_own(session: Session, code: str, staff: str) -> Handoff:
    handoff = _open_case(session, code)
    if owner(session, handoff.code) != staff:
        raise CaseError("Take the case before you reply or release it.")
    return handoff


def release(session: Session, code: str, staff: str, now: dt.datetime | None = None) -> Handoff:
    handoff = must_own(session, code, staff)
    row = session.get(CaseOwner, handoff.code)
    if row is not None:
        session.delete(row)
        session.flush()
    audit(session, staff, "release", handoff.code, now)
    return handoff


def add_reply(session: Session, code: str, staff: str, text: str, now: dt.datetime | None = None) -> HelplineReply:
    handoff = must_own(session, code, staff)
    text = " ".join(text.split())
    if not text:
        raise CaseError("Write a reply first.")
    if len(text) > MAX_REPLY_CHARS:
        raise CaseError(f"A reply can be at most {MAX_REPLY_CHARS} characters.")
    reply = HelplineReply(
        conversation_id=handoff.conversation_id, code=handoff.code, text=text, created_at=now or utcnow()
    )
    session.add(reply)
    audit(session, staff, "reply", handoff.code, now)
    session.flush()
    return reply


def add_note(session: Session, code: str, staff: str, text: str, now: dt.datetime | None = None) -> CaseNote:
    handoff = _open_case(session, code)
    text = text.strip()
    if not text:
        raise CaseError("Write a note first.")
    if len(text) > MAX_NOTE_CHARS:
        raise CaseError(f"A note can be at most {MAX_NOTE_CHARS} characters.")
    note = CaseNote(
        conversation_id=handoff.conversation_id, code=handoff.code, staff=staff, text=text, created_at=now or utcnow()
    )
    session.add(note)
    audit(session, staff, "note", handoff.code, now)
    return note


def notes(session: Session, code: str) -> list[CaseNote]:
    return list(session.scalars(select(CaseNote).where(CaseNote.code == code).order_by(CaseNote.created_at)))


def undelivered(session: Session, conversation_id: str) -> list[HelplineReply]:
    query = select(HelplineReply).where(
        HelplineReply.conversation_id == conversation_id, HelplineReply.delivered_at.is_(None)
    )
    return list(session.scalars(query.order_by(HelplineReply.id)))


def replies_after(session: Session, conversation_id: str, after_id: int) -> list[HelplineReply]:
    """Replies newer than the last one a widget says it has (for a widget coming back)."""
    query = select(HelplineReply).where(HelplineReply.conversation_id == conversation_id, HelplineReply.id > after_id)
    return list(session.scalars(query.order_by(HelplineReply.id)))


def mark_delivered(session: Session, reply_ids: list[int], now: dt.datetime | None = None) -> None:
    for reply_id in reply_ids:
        row = session.get(HelplineReply, reply_id)
        if row is not None and row.delivered_at is None:
            row.delivered_at = now or utcnow()
