"""Seed the knowledge tables from the reviewed YAML, idempotently.

Rows are upserted by id and rows whose id is no longer in the YAML are
deleted, so running it twice, or after an edit, leaves exactly the content.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from signpost.knowledge.content import Content
from signpost.knowledge.models import (
    CONTENT_VERSION_ID,
    Base,
    ContactRow,
    ContentVersionRow,
    TermRow,
    TipRow,
    TopicRow,
    TypeRow,
)

logger = logging.getLogger(__name__)

KNOWLEDGE_MODELS = (TypeRow, TermRow, TipRow, ContactRow, TopicRow, ContentVersionRow)


def _rows(content: Content) -> dict[Any, list[dict[str, Any]]]:
    def plain(item: Any, position: int, **extra: Any) -> dict[str, Any]:
        data = dataclasses.asdict(item)
        data.update(position=position, **extra)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    return {
        TypeRow: [
            plain(t, i, subtypes=[dataclasses.asdict(s) for s in t.subtypes]) for i, t in enumerate(content.types)
        ],
        TermRow: [plain(t, i) for i, t in enumerate(content.terms)],
        TipRow: [plain(t, i) for i, t in enumerate(content.tips)],
        ContactRow: [plain(c, i) for i, c in enumerate(content.contacts)],
        TopicRow: [plain(t, i) for i, t in enumerate(content.topics)],
    }


def content_version(rows: dict[Any, list[dict[str, Any]]]) -> str:
    """A hash of what the knowledge tables hold: equal for equal content, whatever the run."""
    plain = {model.__tablename__: table for model, table in rows.items()}
    return hashlib.sha256(json.dumps(plain, sort_keys=True, default=str).encode()).hexdigest()


def seed(engine: Engine, content: Content) -> dict[str, int]:
    """Make the knowledge tables (made if missing) hold exactly `content`, with its version (which tells every
    process's in-memory copy to reload); return row counts per table."""
    Base.metadata.create_all(engine, tables=[model.__table__ for model in KNOWLEDGE_MODELS])
    counts: dict[str, int] = {}
    all_rows = _rows(content)
    with Session(engine, future=True) as session, session.begin():
        version = session.get(ContentVersionRow, CONTENT_VERSION_ID)
        if version is None:
            session.add(ContentVersionRow(id=CONTENT_VERSION_ID, version=content_version(all_rows)))
        else:
            version.version = content_version(all_rows)
        for model, rows in all_rows.items():
            ids = [row["id"] for row in rows]
            session.execute(delete(model).where(model.id.not_in(ids)))
            existing = {obj.id: obj for obj in session.scalars(select(model))}
            for row in rows:
                obj = existing.get(row["id"])
                if obj is None:
                    session.add(model(**row))
                else:
                    for key, value in row.items():
                        if getattr(obj, key) != value:
                            setattr(obj, key, value)
            counts[model.__tablename__] = len(rows)
    return counts
