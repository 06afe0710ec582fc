"""Rasa lock store chosen by REDIS_URL: in memory by default, Redis for several replicas.

endpoints.yml names `signpost.rasa_plugins.lock_store.EnvironmentLockStore`; Rasa instantiates it
and gets Rasa's own InMemoryLockStore or RedisLockStore back, so switching needs
no YAML edit. REDIS_KEY_PREFIX (default "signpost") keeps several deployments,
or test runs, apart on one Redis server.

Rasa's Redis lock store reads a conversation's ticket lock, changes it and
writes it back in separate steps. Two replicas doing that at once can drop a
ticket or bring back a finished one, and a message then waits for the lock's
60-second lifetime. AtomicRedisLockStore runs each of those steps under a
short Redis mutex per conversation.
"""

from __future__ import annotations

from typing import Any

from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from redis.connection import parse_url
from redis.exceptions import RedisError
from redis.lock import Lock

from signpost.config import get_settings

SOCKET_TIMEOUT_S = 2.0  # a Redis that does not answer fails the turn quickly (the channel apologises)
MUTEX_TIMEOUT_S = 5.0  # a mutex left by a crashed process expires after this


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store with each read-modify-write of a ticket lock made atomic."""

    def _mutex(self, conversation_id: str) -> Lock:
        name = f"{self.key_prefix}mutex:{conversation_id}"
        return self.red.lock(name, timeout=MUTEX_TIMEOUT_S, sleep=0.005, blocking_timeout=MUTEX_TIMEOUT_S)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            with self._mutex(conversation_id):
                return super().issue_ticket(conversation_id, lock_lifetime)
        except RedisError as exc:
            raise LockError(f"Error while acquiring lock: {type(exc).__name__}") from exc

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)


def redis_lock_store(url: str, key_prefix: str) -> RedisLockStore:
    """The Redis lock store for a redis:// or rediss:// URL."""
    options = parse_url(url)
    return AtomicRedisLockStore(
        host=options.get("host", "localhost"),
        port=int(options.get("port", 6379)),
        db=int(options.get("db", 0)),
        username=options.get("username"),
        password=options.get("password"),
        use_ssl=url.startswith("rediss://"),
        key_prefix=key_prefix,
        socket_timeout=SOCKET_TIMEOUT_S,
    )


class EnvironmentLockStore(LockStore):
    def __new__(cls, *args: Any, **kwargs: Any) -> LockStore:  # type: ignore[misc]
        settings = get_settings()
        if not settings.redis_url:
            return InMemoryLockStore()
        return redis_lock_store(settings.redis_url, settings.redis_key_prefix)
