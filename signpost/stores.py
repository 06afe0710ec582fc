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
from sqlalchemy.engine import make_url

from signpost.config import get_settings


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


class SignpostTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("host", None)
        arguments = sql_store_arguments(get_settings().database_url)
        super().__init__(domain=domain, event_broker=event_broker, **arguments, **kwargs)
