"""Retention: conversations and records older than the limit are deleted (`python -m signpost
purge`, daily). It erases a conversation with forget-me's list of tables, except STOP
records (sms_opt_outs): they are how a number that said STOP keeps getting no replies.
Expired staff sessions and old sign-in failures go too.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from signpost.conversations.forget_me import CONVERSATION_TABLES, delete_conversations, existing_tables
from signpost.conversations.models import (
    CaseNote,
    ContactGiven,
    ConversationRow,
    Handoff,
    HelplineReply,
    SummaryLink,
    TriageRecord,
    WidgetSession,
)
from signpost.conversations.sms_records import REPLAY_TTL, SmsAnswer, SmsCallback, SmsOptions, SmsOptOut, SmsTraffic
from signpost.conversations.transcript import EVENTS
from signpost.staff.models import LoginFailure, StaffSession

CONVERSATIONS: Table = ConversationRow.__table__  # type: ignore[assignment]
SMS_OPT_OUTS: Table = SmsOptOut.__table__  # type: ignore[assignment]


def stale_conversations(session: Session, cutoff: dt.datetime) -> list[str]:
    """Ids of conversations whose last message or record is older than `cutoff`."""
    present = existing_tables(session)
    ids: set[str] = set()
    if EVENTS.name in present:
        last = func.max(EVENTS.c.timestamp)
        query = select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id).having(last < cutoff.timestamp())
        ids.update(session.scalars(query))
    if CONVERSATIONS.name in present:  # conversations with no events left (e.g. only a handoff)
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
    kept_for_stop = tuple((t, c) for t, c in CONVERSATION_TABLES if t is not SMS_OPT_OUTS)
    counts = delete_conversations(session, stale_conversations(session, cutoff), kept_for_stop)
    present = existing_tables(session)
    by_age = (
        (TriageRecord.__table__, TriageRecord.created_at < cutoff),
        (ContactGiven.__table__, ContactGiven.created_at < cutoff),
        (CaseNote.__table__, CaseNote.created_at < cutoff),
        (HelplineReply.__table__, HelplineReply.created_at < cutoff),
        (SmsCallback.__table__, SmsCallback.created_at < cutoff),
        (Handoff.__table__, Handoff.updated_at < cutoff),
        (SmsOptions.__table__, SmsOptions.updated_at < cutoff),
        (SmsTraffic.__table__, SmsTraffic.updated_at < cutoff),
        (SmsAnswer.__table__, SmsAnswer.created_at < max(cutoff, now - REPLAY_TTL)),  # replies: 24 h at most
        # widget sessions that never sent a message; others go with their conversation
        (
            WidgetSession.__table__,
            (WidgetSession.created_at < cutoff)
            & ~WidgetSession.conversation_id.in_(select(ConversationRow.conversation_id)),
        ),
        (SummaryLink.__table__, SummaryLink.expires_at < now),
        (StaffSession.__table__, StaffSession.expires_at < now),
        (LoginFailure.__table__, LoginFailure.at < cutoff),
    )
    for table, older in by_age:
        if table.name in present:
            result = session.execute(delete(table).where(older))
            counts[table.name] = counts.get(table.name, 0) + (result.rowcount or 0)
    return counts
