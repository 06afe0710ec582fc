"""Seed the knowledge tables from the reviewed YAML, idempotently.

Rows are upserted by id and rows whose id is no longer in the YAML are
deleted, so running it twice, or after an edit, leaves exactly the content.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
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


def create_schema(engine: Engine) -> None:
    """Create every table we own: knowledge base, conversation records, SMS state, staff accounts."""
    from signpost.channels import sms_state as _sms  # noqa: F401 - registers the sms_ tables
    from signpost.conversations import models as _conversations  # noqa: F401 - registers the conv_ tables
    from signpost.staff import models as _staff  # noqa: F401 - registers the staff_ tables

    Base.metadata.create_all(engine)


def create_schema_retrying(engine: Engine, attempts: int = 3) -> None:
    """Create our tables; replicas starting together may race to create the same one."""
    for attempt in range(1, attempts + 1):
        try:
            create_schema(engine)
            return
        except SQLAlchemyError as exc:
            if attempt == attempts:
                raise
            logger.warning("creating tables failed (%s); trying again", type(exc).__name__)
            time.sleep(attempt)


def content_version(rows: dict[Any, list[dict[str, Any]]]) -> str:
    """A hash of what the knowledge tables hold: equal for equal content, whatever the run."""
    plain = {model.__tablename__: table for model, table in rows.items()}
    return hashlib.sha256(json.dumps(plain, sort_keys=True, default=str).encode()).hexdigest()


def seed(engine: Engine, content: Content) -> dict[str, int]:
    """Make the knowledge tables hold exactly `content`, with its version (which tells every
    process's in-memory copy to reload); return row counts per table."""
    create_schema(engine)
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
