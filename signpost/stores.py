"""Rasa tracker store configured from DATABASE_URL.

The embedded default keeps conversations in the same SQLite file as the
knowledge base; a PostgreSQL URL moves both to the shared server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from signpost.config import get_settings
from signpost.conversations.repository import touch_conversation, utcnow
from signpost.knowledge.db import engine_for
from signpost.knowledge.seed import create_schema
from signpost.redaction import redact


def sql_store_arguments(database_url: str) -> dict[str, Any]:
    """SQLTrackerStore keyword arguments for a SQLAlchemy database URL."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return {
        "dialect": url.drivername,
        "host": url.host,
        "port": url.port,
        "db": url.database,
        "username": url.username,
        "password": url.password,
        "query": dict(url.query) or None,
    }


def redact_user_text(tracker: DialogueStateTracker) -> None:
    """Replace identifiers in what the person typed, in place; NLU has already seen the original."""
    for event in tracker.events:
        if isinstance(event, UserUttered) and event.text:
            clean = redact(event.text)
            if clean != event.text:
                event.text = clean
                event.parse_data["text"] = clean


class SignpostTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store that stores no identifiers people type (see signpost.redaction)
    and notes each conversation's channel and activity."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("host", None)
        self.database_url = get_settings().database_url
        arguments = sql_store_arguments(self.database_url)
        super().__init__(domain=domain, event_broker=event_broker, **arguments, **kwargs)
        create_schema(engine_for(self.database_url))  # our conv_ tables, if seeding has not run

    async def save(self, tracker: DialogueStateTracker) -> None:
        redact_user_text(tracker)
        await super().save(tracker)
        with Session(engine_for(self.database_url), future=True) as session, session.begin():
            touch_conversation(session, tracker.sender_id, tracker.get_latest_input_channel(), utcnow())
