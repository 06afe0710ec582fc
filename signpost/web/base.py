"""What the web front's modules share: its configuration, page rendering, JSON errors,
and the worker threads that keep database and hashing work off the event loop."""

from __future__ import annotations

import asyncio
import contextvars
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

T = TypeVar("T")

# Threads for database work: as many queries at once as a default SQLAlchemy pool serves.
DATABASE_WORKERS = 8
# Threads for Argon2 checks (64 MiB and most of a core each): a flood of sign-ins
# waits for these and cannot take the database threads or the event loop.
HASHING_WORKERS = 2
# spaCy makes no promise that one pipeline can be called from two threads at once.
LANGUAGE_WORKERS = 1


@dataclass(frozen=True)
class FrontConfig:
    rasa_url: str
    engine: Engine
    responses: dict[str, Any]
    retention: str  # how long conversations are kept, e.g. '30 days'
    staff_secret: str  # keys the sign-in lockout (HMAC)
    bridge_url: str = ""  # the Rasa server's helpline bridge (signpost.rasa_plugins.channels.helpline)
    bridge_token: str = ""


@dataclass(frozen=True)
class Workers:
    """The front's own thread pools (not the loop's default one, which serves static files)."""

    database: ThreadPoolExecutor
    hashing: ThreadPoolExecutor
    language: ThreadPoolExecutor

    @classmethod
    def start(cls) -> Workers:
        return cls(
            database=ThreadPoolExecutor(DATABASE_WORKERS, thread_name_prefix="web-db"),
            hashing=ThreadPoolExecutor(HASHING_WORKERS, thread_name_prefix="web-hash"),
            language=ThreadPoolExecutor(LANGUAGE_WORKERS, thread_name_prefix="web-nlp"),
        )

    def shutdown(self) -> None:
        for pool in (self.database, self.hashing, self.language):
            pool.shutdown(wait=False, cancel_futures=True)


def json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


CONFIG_KEY = web.AppKey("config", FrontConfig)
CSP_KEY = web.AppKey("csp", str)
TEMPLATES_KEY = web.AppKey("templates", jinja2.Environment)
WORKERS_KEY = web.AppKey("workers", Workers)


async def _run(pool: ThreadPoolExecutor, fn: Callable[..., T], *args: Any) -> T:
    call = functools.partial(contextvars.copy_context().run, fn, *args)  # keeps the request id for logs
    return await asyncio.get_running_loop().run_in_executor(pool, call)


async def in_database_thread(request: web.Request, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` on a database worker thread; the event loop goes on serving others."""
    return await _run(request.app[WORKERS_KEY].database, fn, *args)


async def in_hashing_thread(request: web.Request, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` on a password-hashing worker thread."""
    return await _run(request.app[WORKERS_KEY].hashing, fn, *args)


async def in_language_thread(request: web.Request, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` on the thread that runs the spaCy pipeline (it may query the database too)."""
    return await _run(request.app[WORKERS_KEY].language, fn, *args)


def render(request: web.Request, name: str, **context: Any) -> web.Response:
    html = request.app[TEMPLATES_KEY].get_template(name).render(**context)
    return web.Response(text=html, content_type="text/html")
