"""Rasa tracker store configured from DATABASE_URL.

The embedded default keeps conversations in the same SQLite file as the
knowledge base; a PostgreSQL URL moves both to the shared server.

Forget-me happens here rather than in a custom action: Rasa saves a tracker
by appending the events the database does not have yet, so events deleted by
anyone else during a turn would be written back when the turn is saved. When
a turn ends with the `utter_forgotten` response, this store erases the
conversation (see signpost.conversations.forget_me) instead of saving it, so that reply is
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

A turn costs the same on the two-hundredth message as on the tenth: the store keeps
the trackers it lent out (`TrackerCache`, the most recent conversations of this
process) and, when the database still holds exactly what it saved (the same count
and last id of the conversation's events, one indexed query), lends the same
tracker again instead of reading and replaying every event. Anything else (another
replica's turn, an erasure, a turn that failed before it was saved) reads it afresh.
A save appends only the events after those the tracker was read or saved with, and
writes them, the conversation's activity and the delivered records in one
transaction.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generator, Iterable, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from signpost import metrics
from signpost.config import get_settings
from signpost.conversations.delivered import record_delivered
from signpost.conversations.forget_me import erase_conversation
from signpost.conversations.repository import touch_conversation
from signpost.dialogue import CATEGORY_FOR_RESPONSE, CORE_FALLBACK_ACTION, FORGET_RESPONSE, NLU_FALLBACK_INTENT
from signpost.language.redaction import redact
from signpost.rasa_plugins.patches import use_engine
from signpost.schema import create_schema_retrying
from signpost.storage.clock import utcnow
from signpost.storage.engine import engine_for

logger = logging.getLogger(__name__)


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
            if event.action_name in CATEGORY_FOR_RESPONSE:
                metrics.count_red_flag(CATEGORY_FOR_RESPONSE[event.action_name])
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


@dataclass
class Lent:
    """A tracker this store handed out: how many of its events are stored, and the
    conversation's (event count, last event id) in the database when they were."""

    tracker: DialogueStateTracker
    stored: int
    mark: tuple[int, int]
    lent: bool = True


class TrackerCache:
    """The trackers of the `size` most recent conversations, by sender id (thread-safe)."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._entries: OrderedDict[str, Lent] = OrderedDict()
        self._lock = threading.Lock()

    def lend(self, sender_id: str, mark: tuple[int, int]) -> Optional[DialogueStateTracker]:
        """The kept tracker, if the database holds just what it was saved with and nobody holds it."""
        with self._lock:
            entry = self._entries.get(sender_id)
            if entry is None or entry.lent or entry.mark != mark or len(entry.tracker.events) != entry.stored:
                return None
            entry.lent = True
            self._entries.move_to_end(sender_id)
            return entry.tracker

    def hold(self, sender_id: str, entry: Lent) -> None:
        with self._lock:
            self._entries[sender_id] = entry
            self._entries.move_to_end(sender_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def entry_for(self, tracker: DialogueStateTracker) -> Optional[Lent]:
        with self._lock:
            entry = self._entries.get(tracker.sender_id)
            return entry if entry is not None and entry.tracker is tracker else None

    def drop(self, sender_id: str) -> None:
        with self._lock:
            self._entries.pop(sender_id, None)


class SignpostTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store that stores no identifiers people type (see signpost.language.redaction)
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
        engine = engine_for(self.database_url)
        use_engine(self, engine)
        create_schema_retrying(engine)  # our conv_ tables, if seeding has not run
        self.trackers = TrackerCache()

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

    def _mark(self, session: Session, sender_id: str) -> tuple[int, int]:
        """(number of events, last event id) stored for a conversation, 0s for none."""
        event = self.SQLEvent
        query = select(func.count(event.id), func.max(event.id)).where(event.sender_id == sender_id)
        count, last = session.execute(query).one()
        return int(count or 0), int(last or 0)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The latest session's tracker: the kept one while the database has nothing new for it,
        else read from the database (and kept, for this conversation's next turn)."""
        with self.session_scope() as session:
            mark = self._mark(session, sender_id)
        kept = self.trackers.lend(sender_id, mark)
        if kept is not None:
            return kept
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self.trackers.hold(sender_id, Lent(tracker, len(tracker.events), mark))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        if forget_requested(tracker):
            self.trackers.drop(tracker.sender_id)
            with Session(engine_for(self.database_url), future=True) as session, session.begin():
                counts = erase_conversation(session, tracker.sender_id)
            logger.info("conversation erased on request: %d rows", sum(counts.values()))
            return
        entry = self.trackers.entry_for(tracker)
        try:
            new_events, mark = self._append(tracker, entry)
        except BaseException:
            self.trackers.drop(tracker.sender_id)
            raise
        if entry is not None and not any(isinstance(e, SessionStarted) for e in new_events):
            self.trackers.hold(tracker.sender_id, Lent(tracker, len(tracker.events), mark, lent=False))
        else:  # a new session: a read from the database would start there, so read it next time
            self.trackers.drop(tracker.sender_id)
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
        count_events(new_events)

    def _append(self, tracker: DialogueStateTracker, entry: Optional[Lent]) -> tuple[list[Any], tuple[int, int]]:
        """Store the events after those stored (redacted), the activity and the delivered
        records in one transaction; the new events and the conversation's new mark."""
        channel = tracker.get_latest_input_channel()
        with self.session_scope() as session:
            if entry is not None:
                new_events = list(tracker.events)[entry.stored :]
            else:  # a tracker this store did not lend: count what is stored, as Rasa does
                new_events = list(self._additional_events(session, tracker))
            redact_events(new_events)  # the stored ones were redacted when they were saved
            rows = [self._row(tracker.sender_id, event) for event in new_events]
            if rows:
                # One statement for all of them (executemany): the ORM would insert them one
                # at a time to learn each id, and a signposting turn stores about twenty.
                session.execute(insert(self.SQLEvent.__table__), rows)
            touch_conversation(session, tracker.sender_id, channel, utcnow())
            record_delivered(session, tracker.sender_id, channel, new_events)
            session.flush()
            if entry is not None:
                # The count this store expects, and the newest id now stored: a row anyone
                # else stored meanwhile makes the count differ, so the next turn reads afresh.
                mark = (entry.mark[0] + len(rows), self._last_id(session, tracker.sender_id) if rows else entry.mark[1])
            else:
                mark = (0, 0)
            session.commit()
        logger.debug("tracker stored: %d new event(s)", len(rows))
        return new_events, mark

    def _last_id(self, session: Session, sender_id: str) -> int:
        event = self.SQLEvent
        return int(session.scalar(select(func.max(event.id)).where(event.sender_id == sender_id)) or 0)

    def _row(self, sender_id: str, event: Any) -> dict[str, Any]:
        """An event as Rasa's SQLTrackerStore stores it (the columns of its `events` table)."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }
