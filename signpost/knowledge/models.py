"""SQLAlchemy tables for the knowledge base (prefixed kb_ to sit beside Rasa's tables).

One table holds every item, whatever its kind: the kind (the name of its list in
`Content`: types, terms, tips, contacts, topics), its id, its place in the YAML, and its
fields as JSON (`Item.stored`), read back through the same model (`Item.from_stored`).
A field added to a model therefore needs no column, mapper or seeding change here.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, String

from signpost.storage.base import Base


class ItemRow(Base):
    __tablename__ = "kb_items"
    entity = Column(String(32), primary_key=True)  # the kind of item: a key of content.MODELS
    id = Column(String(64), primary_key=True)
    position = Column(Integer, nullable=False)
    data = Column(JSON, nullable=False)


CONTENT_VERSION_ID = "content"  # the id of kb_version's one row


class ContentVersionRow(Base):
    """One row, written by `seed`: a hash of the knowledge items. Processes keep the
    knowledge in memory and read it again only when this changes (signpost.knowledge.repository)."""

    __tablename__ = "kb_version"
    id = Column(String(16), primary_key=True)
    version = Column(String(64), nullable=False)
