"""Seed the knowledge table from the reviewed YAML, idempotently.

Items are upserted by kind and id and items no longer in the YAML are deleted,
so running it twice, or after an edit, leaves exactly the content.

Databases seeded before the items shared one table (kb_types, kb_terms, kb_tips,
kb_contacts, kb_topics: a column per field) are left as they are: those tables are no
longer read or written, and a process of the previous release still running while the
new one is seeded keeps reading them. They can be dropped once no such process is left.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from signpost.knowledge.content import MODELS, Content
from signpost.knowledge.models import CONTENT_VERSION_ID, Base, ContentVersionRow, ItemRow

logger = logging.getLogger(__name__)

KNOWLEDGE_MODELS = (ItemRow, ContentVersionRow)


def _rows(content: Content) -> list[dict[str, Any]]:
    return [
        {"entity": entity, "id": item.id, "position": position, "data": item.stored()}
        for entity in MODELS
        for position, item in enumerate(getattr(content, entity))
    ]


def content_version(rows: list[dict[str, Any]]) -> str:
    """A hash of what the knowledge table holds: equal for equal content, whatever the run."""
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()


def seed(engine: Engine, content: Content) -> dict[str, int]:
    """Make the knowledge table (made if missing) hold exactly `content`, with its version (which tells every
    process's in-memory copy to reload); return the number of items of each kind."""
    Base.metadata.create_all(engine, tables=[model.__table__ for model in KNOWLEDGE_MODELS])
    rows = _rows(content)
    with Session(engine, future=True) as session, session.begin():
        version = session.get(ContentVersionRow, CONTENT_VERSION_ID)
        if version is None:
            session.add(ContentVersionRow(id=CONTENT_VERSION_ID, version=content_version(rows)))
        else:
            version.version = content_version(rows)
        existing = {(obj.entity, obj.id): obj for obj in session.scalars(select(ItemRow))}
        wanted = {(row["entity"], row["id"]) for row in rows}
        for item_key, obj in existing.items():
            if item_key not in wanted:
                session.delete(obj)
        for row in rows:
            obj = existing.get((row["entity"], row["id"]))
            if obj is None:
                session.add(ItemRow(**row))
            else:
                for key in ("position", "data"):
                    if getattr(obj, key) != row[key]:
                        setattr(obj, key, row[key])
    # Named as the tables were before the items shared one: `seed` prints these.
    return {f"kb_{entity}": len(getattr(content, entity)) for entity in MODELS}
