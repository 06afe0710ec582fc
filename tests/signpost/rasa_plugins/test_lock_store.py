"""The Redis lock store shared by Rasa replicas, on the real Redis with a key prefix per test."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import pytest
import redis

from signpost.rasa_plugins.lock_store import redis_lock_store
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
