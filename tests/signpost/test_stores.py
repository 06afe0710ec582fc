"""The tracker store follows DATABASE_URL."""

from __future__ import annotations

import pytest

from signpost.stores import sql_store_arguments


def test_sqlite_file_and_its_folder(tmp_path):
    args = sql_store_arguments(f"sqlite:///{tmp_path / 'new' / 'signpost.db'}")
    assert args["dialect"] == "sqlite" and args["db"].endswith("new/signpost.db")
    assert (tmp_path / "new").is_dir()


def test_postgresql_url_is_split():
    args = sql_store_arguments("postgresql://bot:secret@db.example:6543/signpost?sslmode=require")
    assert args == {
        "dialect": "postgresql",
        "host": "db.example",
        "port": 6543,
        "db": "signpost",
        "username": "bot",
        "password": "secret",
        "query": {"sslmode": "require"},
    }


async def test_tracker_store_writes_conversations_to_postgresql(postgres_url, monkeypatch):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from signpost.config import get_settings
    from signpost.stores import SignpostTrackerStore

    monkeypatch.setenv("DATABASE_URL", postgres_url)
    get_settings.cache_clear()
    try:
        store = SignpostTrackerStore(domain=Domain.empty())
        tracker = DialogueStateTracker.from_events("someone", [UserUttered("hello")])
        await store.save(tracker)
        loaded = await store.retrieve("someone")
        assert loaded is not None and loaded.latest_message.text == "hello"
        store.engine.dispose()
    finally:
        get_settings.cache_clear()


def test_lock_store_follows_redis_url(monkeypatch):
    from rasa.core.lock_store import InMemoryLockStore, RedisLockStore

    from signpost.config import get_settings
    from signpost.locks import EnvironmentLockStore

    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    assert isinstance(EnvironmentLockStore(endpoint_config=None), InMemoryLockStore)
    monkeypatch.setenv("REDIS_URL", "redis://:secret@redis.example:6380/3")
    monkeypatch.setenv("REDIS_KEY_PREFIX", "charityA")
    get_settings.cache_clear()
    try:
        store = EnvironmentLockStore(endpoint_config=None)
        assert isinstance(store, RedisLockStore)
        kwargs = store.red.connection_pool.connection_kwargs
        assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["password"]) == (
            "redis.example",
            6380,
            3,
            "secret",
        )
        assert store.key_prefix.startswith("charityA:")
        monkeypatch.setenv("REDIS_KEY_PREFIX", "charity-a")
        get_settings.cache_clear()
        with pytest.raises(ValueError, match="letters and digits"):
            get_settings()
    finally:
        get_settings.cache_clear()
