"""The lock store endpoints.yml names, and the Redis lock store shared by Rasa replicas (on the
real Redis with a key prefix per test)."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import pytest
import redis

from signpost.config import ROOT, get_settings
from signpost.rasa_plugins.lock_store import EnvironmentLockStore, redis_lock_store
from tests.conftest import skip_or_fail

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def prefix() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis not reachable at {REDIS_URL}: {type(exc).__name__}")
    name = f"test{uuid.uuid4().hex[:12]}"
    yield name
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)


def test_two_replicas_issuing_tickets_at_once_lose_none(prefix):
    replicas = [redis_lock_store(REDIS_URL, prefix) for _ in range(2)]
    with ThreadPoolExecutor(8) as pool:
        tickets = list(pool.map(lambda n: replicas[n % 2].issue_ticket("conversation"), range(40)))
    assert sorted(tickets) == list(range(40))
    lock = replicas[0].get_lock("conversation")
    assert lock is not None and sorted(t.number for t in lock.tickets) == list(range(40))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda t: replicas[t % 2].cleanup("conversation", t), tickets))
    assert replicas[1].get_lock("conversation") is None  # every ticket finished: the lock is gone


async def test_messages_are_served_in_ticket_order(prefix):
    replicas = [redis_lock_store(REDIS_URL, prefix) for _ in range(2)]
    first = replicas[0].issue_ticket("c")
    second = replicas[1].issue_ticket("c")
    lock = replicas[1].get_lock("c")
    assert lock is not None and lock.is_locked(second) and not lock.is_locked(first)
    replicas[0].cleanup("c", first)
    lock = replicas[1].get_lock("c")
    assert lock is not None and not lock.is_locked(second)


async def test_rasa_makes_the_lock_store_endpoints_yml_names_and_locks_with_it(monkeypatch):
    """Rasa 3.6 calls a custom lock store's class with `endpoint_config=` and uses what it gets."""
    from rasa.core.lock_store import InMemoryLockStore, LockStore
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")  # endpoints.yml's other entry
    get_settings.cache_clear()
    try:
        store = LockStore.create(read_endpoint_config(str(ROOT / "endpoints.yml"), "lock_store"))
    finally:
        get_settings.cache_clear()
    assert isinstance(store, EnvironmentLockStore) and isinstance(store.store, InMemoryLockStore)
    async with store.lock("c") as lock:
        assert lock.conversation_id == "c" and store.store.get_lock("c") is not None
    assert store.get_lock("c") is None


def test_every_lock_store_method_goes_to_the_chosen_store():
    """A method Rasa adds to LockStore would otherwise run LockStore's own code around the chosen store's."""
    import inspect

    from rasa.core.lock_store import LockStore

    methods = {name for name, value in vars(LockStore).items() if inspect.isfunction(value) and name[0] != "_"}
    assert "lock" in methods and "issue_ticket" in methods  # (static methods need no store)
    assert methods - set(vars(EnvironmentLockStore)) == set()


async def test_with_redis_url_the_lock_store_endpoints_yml_names_locks_on_redis(prefix, monkeypatch):
    from signpost.rasa_plugins.lock_store import AtomicRedisLockStore

    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("REDIS_KEY_PREFIX", prefix)
    get_settings.cache_clear()
    try:
        store = EnvironmentLockStore(endpoint_config=None)
    finally:
        get_settings.cache_clear()
    assert isinstance(store.store, AtomicRedisLockStore)
    other_replica = redis_lock_store(REDIS_URL, prefix)
    async with store.lock("c"):
        lock = other_replica.get_lock("c")
        assert lock is not None and len(lock.tickets) == 1
    assert other_replica.get_lock("c") is None
