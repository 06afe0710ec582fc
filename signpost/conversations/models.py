"""Tables for conversation records (prefixed conv_), beside the knowledge tables."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, String

from signpost.knowledge.models import Base


class TriageRecord(Base):
    """One signposting answer: what the person described and which types were named."""

    __tablename__ = "conv_triage"
    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(32))
    created_at = Column(DateTime(timezone=True), nullable=False)
    regions = Column(JSON, nullable=False)
    symptoms = Column(JSON, nullable=False)
    modifiers = Column(JSON, nullable=False)
    types = Column(JSON, nullable=False)


class ConversationRow(Base):
    """One conversation on one channel: when it started and when it was last active."""

    __tablename__ = "conv_conversations"
    conversation_id = Column(String(128), primary_key=True)
    channel = Column(String(32))
    started_at = Column(DateTime(timezone=True), nullable=False, index=True)
    last_active_at = Column(DateTime(timezone=True), nullable=False)


class Handoff(Base):
    """A conversation waiting for a person: the user asked for one, or a red flag fired."""

    __tablename__ = "conv_handoffs"
    id = Column(Integer, primary_key=True, autoincrement=True)
    code = Column(String(16), nullable=False, unique=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(32))
    reason = Column(String(32), nullable=False)  # asked_for_person | red_flag
    red_flag = Column(String(32))  # emergency | crisis | urgent, when reason is red_flag
    created_at = Column(DateTime(timezone=True), nullable=False, index=True)
    updated_at = Column(DateTime(timezone=True), nullable=False)
    handled_at = Column(DateTime(timezone=True))
    handled_by = Column(String(64))
