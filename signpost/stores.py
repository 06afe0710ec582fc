"""Rasa tracker store configured from DATABASE_URL.

The embedded default keeps conversations in the same SQLite file as the
knowledge base; a PostgreSQL URL moves both to the shared server.

Forget-me happens here rather than in a custom action: Rasa saves a tracker
by appending the events the database does not have yet, so events deleted by
anyone else during a turn would be written back when the turn is saved. When
a turn ends with the `utter_forgotten` response, this store erases the
conversation (see signpost.privacy) instead of saving it, so that reply is
not stored either.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from signpost.config import get_settings
from signpost.conversations.repository import touch_conversation, utcnow
from signpost.knowledge.db import engine_for
from signpost.knowledge.seed import create_schema_retrying
from signpost.privacy import erase_conversation
from signpost.redaction import redact

logger = logging.getLogger(__name__)

FORGET_RESPONSE = "utter_forgotten"


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


def forget_requested(tracker: DialogueStateTracker) -> bool:
    """Whether this turn (the events since the latest user message) gave the forget-me reply."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == FORGET_RESPONSE:
            return True
    return False


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
        # Our engine instead of Rasa's: it checks pooled connections before use (so the
        # store recovers by itself after a database restart), gives up connecting after
        # 5 s, and waits for SQLite's lock instead of failing at once.
        self.engine.dispose()  # type: ignore[has-type]  # (Rasa's attribute is untyped)
        engine = engine_for(self.database_url)
        self.engine = engine
        self.sessionmaker = sessionmaker(bind=engine)
        create_schema_retrying(engine)  # our conv_ tables, if seeding has not run

    async def save(self, tracker: DialogueStateTracker) -> None:
        if forget_requested(tracker):
            with Session(engine_for(self.database_url), future=True) as session, session.begin():
                counts = erase_conversation(session, tracker.sender_id)
            logger.info("conversation erased on request: %d rows", sum(counts.values()))
            return
        redact_user_text(tracker)
        await super().save(tracker)
        with Session(engine_for(self.database_url), future=True) as session, session.begin():
            touch_conversation(session, tracker.sender_id, tracker.get_latest_input_channel(), utcnow())
