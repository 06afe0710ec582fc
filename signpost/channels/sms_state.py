"""What the SMS channel remembers per conversation: numbered options and opt-outs.

Keyed by the hashed conversation id; no phone number is stored.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, DateTime, String, delete
from sqlalchemy.orm import Session

from signpost.knowledge.models import Base


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class SmsOptions(Base):
    __tablename__ = "sms_options"
    conversation_id = Column(String(64), primary_key=True)
    options = Column(JSON, nullable=False)
    updated_at = Column(DateTime, nullable=False, default=_now)


class SmsOptOut(Base):
    __tablename__ = "sms_opt_outs"
    conversation_id = Column(String(64), primary_key=True)
    since = Column(DateTime, nullable=False, default=_now)


def save_options(session: Session, conversation_id: str, options: dict[str, str]) -> None:
    row = session.get(SmsOptions, conversation_id)
    if not options:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(SmsOptions(conversation_id=conversation_id, options=options, updated_at=_now()))
    else:
        row.options, row.updated_at = options, _now()


def option_payload(session: Session, conversation_id: str, reply: str) -> str | None:
    row = session.get(SmsOptions, conversation_id)
    return (row.options or {}).get(reply.strip()) if row else None


def is_opted_out(session: Session, conversation_id: str) -> bool:
    return session.get(SmsOptOut, conversation_id) is not None


def opt_out(session: Session, conversation_id: str) -> None:
    if not is_opted_out(session, conversation_id):
        session.add(SmsOptOut(conversation_id=conversation_id, since=_now()))
    session.execute(delete(SmsOptions).where(SmsOptions.conversation_id == conversation_id))


def opt_in(session: Session, conversation_id: str) -> None:
    session.execute(delete(SmsOptOut).where(SmsOptOut.conversation_id == conversation_id))
