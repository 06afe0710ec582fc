"""SQLAlchemy tables for the knowledge base (prefixed kb_ to sit beside Rasa's tables)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Integer, String, Text

from signpost.storage.base import Base


class TypeRow(Base):
    __tablename__ = "kb_types"
    id = Column(String(64), primary_key=True)
    position = Column(Integer, nullable=False)
    name = Column(String(200), nullable=False)
    aliases = Column(JSON, nullable=False)
    summary = Column(Text, nullable=False)
    details = Column(Text, nullable=False)
    subtypes = Column(JSON, nullable=False)
    match = Column(JSON, nullable=False)
    source = Column(String(300), nullable=False)
    reviewed = Column(Date, nullable=False)


class TermRow(Base):
    __tablename__ = "kb_terms"
    id = Column(String(64), primary_key=True)
    position = Column(Integer, nullable=False)
    kind = Column(String(16), nullable=False)
    label = Column(String(200), nullable=False)
    mention = Column(String(300), nullable=False)
    phrases = Column(JSON, nullable=False)
    implies_region = Column(String(64))
    button = Column(String(100))


class TipRow(Base):
    __tablename__ = "kb_tips"
    id = Column(String(64), primary_key=True)
    position = Column(Integer, nullable=False)
    kind = Column(String(32), nullable=False)
    text = Column(Text, nullable=False)
    types = Column(JSON, nullable=False)
    source = Column(String(300), nullable=False)
    reviewed = Column(Date, nullable=False)


class ContactRow(Base):
    __tablename__ = "kb_contacts"
    id = Column(String(64), primary_key=True)
    position = Column(Integer, nullable=False)
    name = Column(String(200), nullable=False)
    kind = Column(String(32), nullable=False)
    description = Column(Text, nullable=False)
    phone = Column(String(40))
    email = Column(String(200))
    website = Column(String(300))
    meets = Column(Text)
    places = Column(JSON, nullable=False)
    topics = Column(JSON, nullable=False)
    for_types = Column(JSON, nullable=False)
    source = Column(String(300), nullable=False)
    reviewed = Column(Date, nullable=False)


class TopicRow(Base):
    __tablename__ = "kb_topics"
    id = Column(String(64), primary_key=True)
    position = Column(Integer, nullable=False)
    intent = Column(String(64), index=True)
    title = Column(String(200), nullable=False)
    summary = Column(Text, nullable=False)
    details = Column(Text, nullable=False)
    source = Column(String(300), nullable=False)
    reviewed = Column(Date, nullable=False)


CONTENT_VERSION_ID = "content"  # the id of kb_version's one row


class ContentVersionRow(Base):
    """One row, written by `seed`: a hash of the knowledge tables' content. Processes keep the
    knowledge in memory and read it again only when this changes (signpost.knowledge.repository)."""

    __tablename__ = "kb_version"
    id = Column(String(16), primary_key=True)
    version = Column(String(64), nullable=False)
