"""Rasa lock store chosen by REDIS_URL: in memory by default, Redis for several replicas.

endpoints.yml names `signpost.locks.EnvironmentLockStore`; Rasa instantiates it
and gets Rasa's own InMemoryLockStore or RedisLockStore back, so switching needs
no YAML edit. REDIS_KEY_PREFIX (default "signpost") keeps several deployments,
or test runs, apart on one Redis server.
"""

from __future__ import annotations

from typing import Any

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from redis.connection import parse_url

from signpost.config import get_settings

SOCKET_TIMEOUT_S = 2.0  # a Redis that does not answer fails the turn quickly (the channel apologises)


def redis_lock_store(url: str, key_prefix: str) -> RedisLockStore:
    """Rasa's Redis lock store for a redis:// or rediss:// URL."""
    options = parse_url(url)
    return RedisLockStore(
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
