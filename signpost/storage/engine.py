"""Engine factory. Engines are made on first use, never at import time."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.pool import QueuePool, SingletonThreadPool


def make_engine(url: str) -> Engine:
    """An engine for SQLite (one local file) or PostgreSQL, written for SQLAlchemy 2.0."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Pooled connections, as SQLAlchemy 2.0 gives file databases by default: 1.4 opens and
        # closes a connection per session, running the pragmas below each time, several times a
        # turn (docs/performance.md).
        memory = parsed.database in (None, "", ":memory:")
        engine = create_engine(
            url,
            future=True,
            connect_args={"timeout": 5, "check_same_thread": False},
            poolclass=SingletonThreadPool if memory else QueuePool,
            **({} if memory else {"pool_size": 5, "max_overflow": 20}),
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True, connect_args={"connect_timeout": 5})


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    """One engine per database URL per process."""
    return make_engine(url)


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database that `url` names if it does not exist; True if it was made.

    Connects to the server's `postgres` database to do so. Other databases are left alone.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return False
    admin = create_engine(parsed.set(database="postgres"), future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            query = text("SELECT 1 FROM pg_database WHERE datname = :name")
            if conn.execute(query, {"name": parsed.database}).first() is not None:
                return False
            quoted = parsed.database.replace('"', '""')
            conn.execute(text(f'CREATE DATABASE "{quoted}"'))
            return True
    finally:
        admin.dispose()
