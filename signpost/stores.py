"""Rasa tracker store configured from DATABASE_URL.

The embedded default keeps conversations in the same SQLite file as the
knowledge base; a PostgreSQL URL moves both to the shared server.

Forget-me happens here rather than in a custom action: Rasa saves a tracker
by appending the events the database does not have yet, so events deleted by
anyone else during a turn would be written back when the turn is saved. When
a turn ends with the `utter_forgotten` response, this store erases the
conversation (see signpost.privacy) instead of saving it, so that reply is
not stored either.

Records about a conversation (the GP summary's triage rows, the helpline
queue's entries) are written here too, from the records the actions attach to
the messages they send (signpost.conversations.delivered): only what is saved
was delivered, so a reply Rasa gave up waiting for leaves no record.

The metrics for red flags and fallbacks are counted here too, from the events a save
adds (each is saved once): a red-flag answer given, by category; a message NLU did
not understand (`nlu_fallback`) or a turn with no confident next action
(`action_default_fallback`).

Bad input cannot stop the server from here: Rasa's `session_scope` treats any
ValueError as "PostgreSQL schema missing" and exits the process, and a
database driver raises ValueError for text it cannot store (a NUL for
psycopg2, a lone surrogate for SQLite). This store's `session_scope` turns
those into `StoreError`, which fails only that turn (the channel apologises).
What people type is also redacted in entity and slot values, not only in the
message text.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any, Generator, Iterable, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from signpost import metrics
from signpost.config import get_settings
from signpost.conversations.delivered import record_delivered
from signpost.conversations.repository import touch_conversation, utcnow
from signpost.knowledge.db import engine_for
from signpost.knowledge.seed import create_schema_retrying
from signpost.policy import RESPONSE_FOR_INTENT
from signpost.privacy import erase_conversation
from signpost.redaction import redact

logger = logging.getLogger(__name__)

FORGET_RESPONSE = "utter_forgotten"
RED_FLAG_CATEGORY = {response: intent.removeprefix("red_flag_") for intent, response in RESPONSE_FOR_INTENT.items()}
NLU_FALLBACK_INTENT = "nlu_fallback"
CORE_FALLBACK_ACTION = "action_default_fallback"


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


class StoreError(RuntimeError):
    """The tracker store could not take this input; the turn fails, the server does not."""


def _redacted(value: Any) -> Any:
    """`value` with identifiers redacted in every string it holds (lists and dicts too)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    return value


def redact_user_text(tracker: DialogueStateTracker) -> None:
    """Replace identifiers in what the person typed, and in entity and slot values, in place;
    NLU has already seen the original."""
    redact_events(tracker.events)


def redact_events(events: Iterable[Any]) -> None:
    """`redact_user_text` for some of a tracker's events (those a save adds)."""
    for event in events:
        if isinstance(event, UserUttered):
            if event.text:
                clean = redact(event.text)
                if clean != event.text:
                    event.text = clean
                    event.parse_data["text"] = clean
            for entity in event.entities or []:
                for key in ("value", "text"):
                    if key in entity:
                        entity[key] = _redacted(entity[key])
        elif isinstance(event, SlotSet) and event.value is not None:
            event.value = _redacted(event.value)


def count_events(events: Iterable[Any]) -> None:
    """Count the red-flag answers and fallbacks among a turn's new events (signpost.metrics)."""
    for event in events:
        if isinstance(event, ActionExecuted):
            if event.action_name in RED_FLAG_CATEGORY:
                metrics.count_red_flag(RED_FLAG_CATEGORY[event.action_name])
            elif event.action_name == CORE_FALLBACK_ACTION:
                metrics.count_fallback("core")
        elif isinstance(event, UserUttered) and (event.intent or {}).get("name") == NLU_FALLBACK_INTENT:
            metrics.count_fallback("nlu")


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

    @contextlib.contextmanager
    def session_scope(self) -> Generator[Session, None, None]:
        """Rasa's session scope without its exit: a ValueError fails the turn, not the server."""
        session = self.sessionmaker()
        try:
            ensure_schema_exists(session)
            yield session
        except ValueError as exc:
            raise StoreError(f"the tracker store could not take this input ({type(exc).__name__})") from exc
        finally:
            session.close()

    async def save(self, tracker: DialogueStateTracker) -> None:
        if forget_requested(tracker):
            with Session(engine_for(self.database_url), future=True) as session, session.begin():
                counts = erase_conversation(session, tracker.sender_id)
            logger.info("conversation erased on request: %d rows", sum(counts.values()))
            return
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
        redact_events(new_events)  # the stored ones were redacted when they were saved
        await super().save(tracker)
        count_events(new_events)
        channel = tracker.get_latest_input_channel()
        with Session(engine_for(self.database_url), future=True) as session, session.begin():
            touch_conversation(session, tracker.sender_id, channel, utcnow())
            record_delivered(session, tracker.sender_id, channel, new_events)
