"""Rasa lock store chosen by REDIS_URL: in memory by default, Redis for several replicas.

endpoints.yml names `signpost.rasa_plugins.lock_store.EnvironmentLockStore`; Rasa makes one
(calling the class with `endpoint_config=`, as for any custom lock store), which picks
Rasa's InMemoryLockStore or our AtomicRedisLockStore then and hands every call to it, so
switching needs no YAML edit. REDIS_KEY_PREFIX (default "signpost") keeps several deployments,
or test runs, apart on one Redis server.

Rasa's Redis lock store reads a conversation's ticket lock, changes it and
writes it back in separate steps. Two replicas doing that at once can drop a
ticket or bring back a finished one, and a message then waits for the lock's
60-second lifetime. AtomicRedisLockStore runs each of those steps under a
short Redis mutex per conversation.
"""

from __future__ import annotations

from typing import Any, Optional

from rasa.core.lock import TicketLock
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
    """The lock store REDIS_URL asks for (in memory without it), behind Rasa's LockStore interface."""

    def __init__(self, endpoint_config: Any = None, **_: Any) -> None:
        settings = get_settings()
        self.store: LockStore = (
            redis_lock_store(settings.redis_url, settings.redis_key_prefix)
            if settings.redis_url
            else InMemoryLockStore()
        )

    def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> Any:  # (Rasa's is an asynccontextmanager: this returns the chosen store's)
        return self.store.lock(conversation_id, lock_lifetime, wait_time_in_seconds)

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        return self.store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.store.save_lock(lock)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self.store.issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        self.store.update_lock(conversation_id)

    def get_or_create_lock(self, conversation_id: str) -> TicketLock:
        return self.store.get_or_create_lock(conversation_id)

    def is_someone_waiting(self, conversation_id: str) -> bool:
        return self.store.is_someone_waiting(conversation_id)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self.store.finish_serving(conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self.store.cleanup(conversation_id, ticket_number)
