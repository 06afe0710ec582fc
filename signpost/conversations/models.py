"""Tables for conversation records (prefixed conv_), beside the knowledge tables."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, String, Text

from signpost.storage.base import Base, UtcDateTime


class TriageRecord(Base):
    """One signposting answer: what the person described and which types were named."""

    __tablename__ = "conv_triage"
    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(32))
    created_at = Column(UtcDateTime, nullable=False)
    regions = Column(JSON, nullable=False)
    symptoms = Column(JSON, nullable=False)
    modifiers = Column(JSON, nullable=False)
    types = Column(JSON, nullable=False)


class ContactGiven(Base):
    """A contact a reply showed to the person (one row per contact and conversation)."""

    __tablename__ = "conv_contacts_given"
    conversation_id = Column(String(128), primary_key=True)
    contact_id = Column(String(64), primary_key=True)
    created_at = Column(UtcDateTime, nullable=False, index=True)


class ConversationRow(Base):
    """One conversation on one channel: when it started and when it was last active."""

    __tablename__ = "conv_conversations"
    conversation_id = Column(String(128), primary_key=True)
    channel = Column(String(32))
    started_at = Column(UtcDateTime, nullable=False, index=True)
    last_active_at = Column(UtcDateTime, nullable=False)


class Handoff(Base):
    """A conversation waiting for a person: the user asked for one, or a red flag fired."""

    __tablename__ = "conv_handoffs"
    id = Column(Integer, primary_key=True, autoincrement=True)
    code = Column(String(16), nullable=False, unique=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(32))
    reason = Column(String(32), nullable=False)  # asked_for_person | red_flag
    red_flag = Column(String(32))  # emergency | crisis | urgent, when reason is red_flag
    created_at = Column(UtcDateTime, nullable=False, index=True)
    updated_at = Column(UtcDateTime, nullable=False)
    handled_at = Column(UtcDateTime)
    handled_by = Column(String(64))
    # More handoffs from this conversation or address than a person would ask for (see the caps).
    suspected_automation = Column(Boolean, nullable=False, default=False)


class WidgetSession(Base):
    """A widget conversation's server-issued secret (only its SHA-256 is kept).

    The conversation id alone is not enough to join a conversation: the widget
    keeps the secret beside the id and sends both with every event.
    """

    __tablename__ = "conv_widget_sessions"
    conversation_id = Column(String(128), primary_key=True)
    token_hash = Column(String(64), nullable=False)
    created_at = Column(UtcDateTime, nullable=False)


class SummaryLink(Base):
    """A short-lived, read-only link to one conversation's GP summary (only its SHA-256 is kept)."""

    __tablename__ = "conv_summary_links"
    token_hash = Column(String(64), primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    expires_at = Column(UtcDateTime, nullable=False, index=True)


class CaseOwner(Base):
    """Which helpline worker has taken a queued case (one row while it is taken)."""

    __tablename__ = "conv_case_owners"
    code = Column(String(16), primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    staff = Column(String(64), nullable=False)
    taken_at = Column(UtcDateTime, nullable=False)


class CaseNote(Base):
    """A worker's private note on a case; erased and purged with the conversation."""

    __tablename__ = "conv_case_notes"
    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    code = Column(String(16), nullable=False, index=True)
    staff = Column(String(64), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(UtcDateTime, nullable=False, index=True)


class HelplineReply(Base):
    """A worker's reply to the person, for delivery: `delivered_at` is set once it went out
    (pushed to an open widget, sent by SMS, or added to the answer to the next text)."""

    __tablename__ = "conv_helpline_replies"
    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    code = Column(String(16), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(UtcDateTime, nullable=False, index=True)
    delivered_at = Column(UtcDateTime)


class AuditEntry(Base):
    """Who opened, took, answered, released or closed which case: never any message text."""

    __tablename__ = "conv_audit"
    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(UtcDateTime, nullable=False, index=True)
    staff = Column(String(64), nullable=False)
    action = Column(String(32), nullable=False)
    code = Column(String(16), nullable=False, index=True)
