"""The tracker store follows DATABASE_URL."""

from __future__ import annotations

import pytest

from signpost.rasa_plugins.tracker_store import sql_store_arguments


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
    from signpost.rasa_plugins.tracker_store import SignpostTrackerStore

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
    from signpost.rasa_plugins.lock_store import EnvironmentLockStore

    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    assert isinstance(EnvironmentLockStore(endpoint_config=None).store, InMemoryLockStore)
    monkeypatch.setenv("REDIS_URL", "redis://:secret@redis.example:6380/3")
    monkeypatch.setenv("REDIS_KEY_PREFIX", "charityA")
    get_settings.cache_clear()
    try:
        store = EnvironmentLockStore(endpoint_config=None).store
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


@pytest.mark.parametrize("sender", ["a\x00b", "x\ud800"])
async def test_input_a_driver_refuses_fails_the_turn_not_the_process(database_url, monkeypatch, sender):
    """NUL (psycopg2) and lone surrogates (SQLite) raise ValueError in the driver, which Rasa's own
    session scope would answer by exiting the server."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from signpost.config import get_settings
    from signpost.rasa_plugins.tracker_store import SignpostTrackerStore, StoreError

    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        store = SignpostTrackerStore(domain=Domain.empty())
        tracker = DialogueStateTracker.from_events(sender, [UserUttered("hello")])
        try:
            await store.save(tracker)
            await store.retrieve(sender)
        except SystemExit:  # pragma: no cover - the failure this test exists for
            pytest.fail("the tracker store exited the process")
        except (StoreError, Exception) as exc:  # noqa: BLE001 - any ordinary error only fails the turn
            assert not isinstance(exc, SystemExit)
        with pytest.raises(StoreError), store.session_scope():
            raise ValueError("a driver refused the input")
        store.engine.dispose()
    finally:
        get_settings.cache_clear()


def test_entity_and_slot_values_are_redacted_before_storage():
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from signpost.rasa_plugins.tracker_store import redact_user_text

    entity = {"entity": "body_region", "value": "call 07700 900123", "text": "07700 900123"}
    tracker = DialogueStateTracker.from_events(
        "someone",
        [
            UserUttered("my number is 07700 900123", parse_data={"text": "x"}, entities=[entity]),
            SlotSet("body_region", ["neck", "ring me on 07700 900123"]),
            SlotSet("note", {"said": "email me at a.person@example.org"}),
        ],
    )
    redact_user_text(tracker)
    stored = str([e.as_dict() for e in tracker.events])
    assert "07700" not in stored and "a.person@example.org" not in stored
    assert "[phone]" in stored and "[email]" in stored and "neck" in stored


@pytest.fixture
def sqlite_store(sqlite_url, monkeypatch):
    from rasa.shared.core.domain import Domain

    from signpost.config import get_settings
    from signpost.rasa_plugins.tracker_store import SignpostTrackerStore

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    store = SignpostTrackerStore(domain=Domain.empty())
    yield store
    store.engine.dispose()
    get_settings.cache_clear()


def stored_texts(store, sender):
    import json

    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).order_by(store.SQLEvent.id)
        return [json.loads(r.data).get("text") for r in rows if r.type_name == "user"]


async def test_a_saved_tracker_is_lent_again_and_only_new_events_are_stored(sqlite_store):
    """The next turn gets the same tracker (no re-read of every event); each event is stored
    once, and only new ones are redacted."""
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    await sqlite_store.save(DialogueStateTracker.from_events("lent", [UserUttered("hello")]))
    first = await sqlite_store.retrieve("lent")
    first.update(UserUttered("ring 07700 900123"))
    await sqlite_store.save(first)
    second = await sqlite_store.retrieve("lent")
    assert second is first
    second.update(UserUttered("thanks"))
    await sqlite_store.save(second)
    assert stored_texts(sqlite_store, "lent") == ["hello", "ring [phone]", "thanks"]


async def test_a_tracker_is_read_afresh_when_the_database_changed_or_the_turn_was_not_saved(sqlite_store):
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy.orm import Session

    from signpost.conversations.forget_me import erase_conversation

    await sqlite_store.save(DialogueStateTracker.from_events("fresh", [UserUttered("hello")]))
    kept = await sqlite_store.retrieve("fresh")
    await sqlite_store.save(kept)
    unsaved = await sqlite_store.retrieve("fresh")
    unsaved.update(UserUttered("never saved"))  # the turn failed before its save
    again = await sqlite_store.retrieve("fresh")
    assert again is not unsaved and [e.text for e in again.events if isinstance(e, UserUttered)] == ["hello"]
    await sqlite_store.save(again)
    with Session(sqlite_store.engine, future=True) as session, session.begin():
        erase_conversation(session, "fresh")  # e.g. the retention purge, from another process
    assert await sqlite_store.retrieve("fresh") is None
    other = await sqlite_store.retrieve("fresh-elsewhere")
    assert other is None
