"""Forget-me and "what do you know about me": erasing one conversation on request, and
describing what is kept of it. The age purge (signpost/retention.py) erases with the same list.

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
from signpost.conversations.sms_records import SmsAnswer, SmsCallback, SmsOptions, SmsOptOut, SmsTraffic
from signpost.conversations.transcript import EVENTS

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


def existing_tables(session: Session) -> set[str]:
    return set(inspect(session.connection()).get_table_names())


def erase_conversation(session: Session, conversation_id: str) -> dict[str, int]:
    """Delete every row of one conversation from every table; rows deleted per table."""
    return delete_conversations(session, [conversation_id], CONVERSATION_TABLES)


def delete_conversations(session: Session, ids: list[str], tables: tuple[tuple[Table, str], ...]) -> dict[str, int]:
    present = existing_tables(session)
    counts = {table.name: 0 for table, _ in tables}
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        for table, column in tables:
            if table.name in present:
                result = session.execute(delete(table).where(table.c[column].in_(batch)))
                counts[table.name] += result.rowcount or 0
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
    if EVENTS.name in existing_tables(session):
        query = select(func.count(), func.min(EVENTS.c.timestamp)).where(
            EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name == "user"
        )
        messages, first_ts = session.execute(query).one()
        first = dt.datetime.fromtimestamp(first_ts, dt.timezone.utc) if first_ts else None
    codes = session.scalars(
        select(Handoff.code).where(Handoff.conversation_id == conversation_id).order_by(Handoff.created_at)
    )
    return StoredData(int(messages or 0), first, summarise(session, conversation_id), list(codes))
