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
