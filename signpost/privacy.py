"""What is kept about a conversation: erasing it on request, purging it by age, and describing it.

A conversation's id is the only key. Every table that holds anything of a
conversation is in CONVERSATION_TABLES; the tests look through every table
after a forget-me, so a table missing from this list shows up there.

STOP records (sms_opt_outs) survive the age purge: they are how a number that
said STOP keeps getting no replies. Forget-me erases them with the rest, since
only someone still texting can ask for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Table, delete, func, inspect, select
from sqlalchemy.orm import Session

from signpost.channels.sms_state import REPLAY_TTL, SmsAnswer, SmsCallback, SmsOptions, SmsOptOut, SmsTraffic
from signpost.conversations.models import (
    CaseNote,
    CaseOwner,
    ContactGiven,
    ConversationRow,
    Handoff,
    HelplineReply,
    SummaryLink,
    TriageRecord,
    WidgetSession,
)
from signpost.conversations.repository import ConversationSummary, summarise
from signpost.conversations.transcript import EVENTS
from signpost.staff.models import LoginFailure, StaffSession

_TRIAGE: Table = TriageRecord.__table__  # type: ignore[assignment]
_CONTACTS_GIVEN: Table = ContactGiven.__table__  # type: ignore[assignment]
_CASE_OWNERS: Table = CaseOwner.__table__  # type: ignore[assignment]
_CASE_NOTES: Table = CaseNote.__table__  # type: ignore[assignment]
_HELPLINE_REPLIES: Table = HelplineReply.__table__  # type: ignore[assignment]
_SMS_CALLBACKS: Table = SmsCallback.__table__  # type: ignore[assignment]
_CONVERSATIONS: Table = ConversationRow.__table__  # type: ignore[assignment]
_HANDOFFS: Table = Handoff.__table__  # type: ignore[assignment]
_SMS_OPTIONS: Table = SmsOptions.__table__  # type: ignore[assignment]
_SMS_OPT_OUTS: Table = SmsOptOut.__table__  # type: ignore[assignment]
_SMS_TRAFFIC: Table = SmsTraffic.__table__  # type: ignore[assignment]
_SMS_ANSWERS: Table = SmsAnswer.__table__  # type: ignore[assignment]
_WIDGET_SESSIONS: Table = WidgetSession.__table__  # type: ignore[assignment]
_SUMMARY_LINKS: Table = SummaryLink.__table__  # type: ignore[assignment]

#: (table, column holding the conversation id)
CONVERSATION_TABLES: tuple[tuple[Table, str], ...] = (
    (EVENTS, "sender_id"),
    (_TRIAGE, "conversation_id"),
    (_CONTACTS_GIVEN, "conversation_id"),
    (_CASE_OWNERS, "conversation_id"),
    (_CASE_NOTES, "conversation_id"),
    (_HELPLINE_REPLIES, "conversation_id"),
    (_SMS_CALLBACKS, "conversation_id"),
    (_CONVERSATIONS, "conversation_id"),
    (_HANDOFFS, "conversation_id"),
    (_SMS_OPTIONS, "conversation_id"),
    (_SMS_OPT_OUTS, "conversation_id"),
    (_SMS_TRAFFIC, "conversation_id"),
    (_SMS_ANSWERS, "conversation_id"),
    (_WIDGET_SESSIONS, "conversation_id"),
    (_SUMMARY_LINKS, "conversation_id"),
)
_BATCH = 500


def _existing(session: Session) -> set[str]:
    return set(inspect(session.connection()).get_table_names())


def erase_conversation(session: Session, conversation_id: str) -> dict[str, int]:
    """Delete every row of one conversation from every table; rows deleted per table."""
    return _delete_ids(session, [conversation_id], CONVERSATION_TABLES)


def _delete_ids(session: Session, ids: list[str], tables: tuple[tuple[Table, str], ...]) -> dict[str, int]:
    present = _existing(session)
    counts = {table.name: 0 for table, _ in tables}
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        for table, column in tables:
            if table.name in present:
                result = session.execute(delete(table).where(table.c[column].in_(batch)))
                counts[table.name] += result.rowcount or 0
    return counts


def _naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def stale_conversations(session: Session, cutoff: dt.datetime) -> list[str]:
    """Ids of conversations whose last message or record is older than `cutoff`."""
    present = _existing(session)
    ids: set[str] = set()
    if EVENTS.name in present:
        last = func.max(EVENTS.c.timestamp)
        query = select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id).having(last < cutoff.timestamp())
        ids.update(session.scalars(query))
    if _CONVERSATIONS.name in present:  # conversations with no events left (e.g. only a handoff)
        query = select(ConversationRow.conversation_id).where(ConversationRow.last_active_at < cutoff)
        if EVENTS.name in present:
            has_events = select(EVENTS.c.id).where(EVENTS.c.sender_id == ConversationRow.conversation_id).exists()
            query = query.where(~has_events)
        ids.update(session.scalars(query))
    return sorted(ids)


def purge(session: Session, older_than: dt.timedelta, now: dt.datetime) -> dict[str, int]:
    """Delete conversations last active before `now - older_than`, and records older than that.

    Returns the number of rows deleted per table. STOP records are kept (see the module docstring).
    """
    cutoff = now - older_than
    kept_for_stop = tuple((t, c) for t, c in CONVERSATION_TABLES if t is not _SMS_OPT_OUTS)
    counts = _delete_ids(session, stale_conversations(session, cutoff), kept_for_stop)
    present = _existing(session)
    by_age = (
        (_TRIAGE, TriageRecord.created_at < cutoff),
        (_CONTACTS_GIVEN, ContactGiven.created_at < cutoff),
        (_CASE_NOTES, CaseNote.created_at < cutoff),
        (_HELPLINE_REPLIES, HelplineReply.created_at < cutoff),
        (_SMS_CALLBACKS, SmsCallback.created_at < cutoff),
        (_HANDOFFS, Handoff.updated_at < cutoff),
        (_SMS_OPTIONS, SmsOptions.updated_at < _naive(cutoff)),
        (_SMS_TRAFFIC, SmsTraffic.updated_at < _naive(cutoff)),
        (_SMS_ANSWERS, SmsAnswer.created_at < _naive(max(cutoff, now - REPLAY_TTL))),  # replies: 24 h at most
        # widget sessions that never sent a message; others go with their conversation
        (
            _WIDGET_SESSIONS,
            (WidgetSession.created_at < cutoff)
            & ~WidgetSession.conversation_id.in_(select(ConversationRow.conversation_id)),
        ),
        (_SUMMARY_LINKS, SummaryLink.expires_at < now),
        (StaffSession.__table__, StaffSession.expires_at < now),
        (LoginFailure.__table__, LoginFailure.at < cutoff),
    )
    for table, older in by_age:
        if table.name in present:
            result = session.execute(delete(table).where(older))
            counts[table.name] = counts.get(table.name, 0) + (result.rowcount or 0)
    return counts


@dataclass(frozen=True)
class StoredData:
    """What is kept about one conversation, for the person to see."""

    messages: int  # messages the person sent
    first_at: dt.datetime | None
    summary: ConversationSummary
    codes: list[str]  # helpline reference codes

    @property
    def anything(self) -> bool:
        return bool(self.messages or self.summary.discussed_symptoms or self.codes)


def stored_data(session: Session, conversation_id: str) -> StoredData:
    messages, first = 0, None
    if EVENTS.name in _existing(session):
        query = select(func.count(), func.min(EVENTS.c.timestamp)).where(
            EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name == "user"
        )
        messages, first_ts = session.execute(query).one()
        first = dt.datetime.fromtimestamp(first_ts, dt.timezone.utc) if first_ts else None
    codes = session.scalars(
        select(Handoff.code).where(Handoff.conversation_id == conversation_id).order_by(Handoff.created_at)
    )
    return StoredData(int(messages or 0), first, summarise(session, conversation_id), list(codes))
