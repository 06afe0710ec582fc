"""A conversation's messages, read from the tracker store's `events` table.

Rasa's SQL tracker store keeps one row per event with its JSON in `data`; user
messages have type_name "user" and the bot's "bot". This module names only the
columns it reads, so it works on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, inspect, select
from sqlalchemy.orm import Session

EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("data", Text),
)
MAX_LINES = 200


@dataclass(frozen=True)
class Line:
    speaker: str  # "user", "bot", or "helpline" for a worker's reply
    text: str
    at: dt.datetime


def transcript(session: Session, conversation_id: str, limit: int = MAX_LINES) -> list[Line]:
    """The last `limit` messages of a conversation, oldest first ([] before Rasa made its table)."""
    if not inspect(session.connection()).has_table("events"):
        return []
    query = (
        select(EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
        .where(EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name.in_(("user", "bot")))
        .order_by(EVENTS.c.id.desc())
        .limit(limit)
    )
    lines = []
    for type_name, timestamp, data in session.execute(query):
        try:
            event = json.loads(data or "{}")
        except json.JSONDecodeError:
            continue
        text = event.get("text") or "" if isinstance(event, dict) else ""
        if text:
            at = dt.datetime.fromtimestamp(timestamp or 0, dt.timezone.utc)
            helpline = type_name == "bot" and "helpline_reply" in (event.get("metadata") or {})
            lines.append(Line("helpline" if helpline else type_name, text, at))
    return lines[::-1]
