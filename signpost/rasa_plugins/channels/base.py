"""What every channel of ours shares: the settings, the database, the domain's responses,
and one way to do database work without blocking the event loop.

Rasa's own channels (rasa.core.channels) know none of these; each of ours derives from
`ProjectChannel` beside Rasa's InputChannel (or SocketIOInput), so REST, SMS, the widget
and the helpline bridge read a response, or open a transaction, the same way.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, TypeVar

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from signpost.config import Settings, get_settings
from signpost.responses import Responses
from signpost.storage.engine import engine_for

T = TypeVar("T")


class ProjectChannel:
    settings: Settings  # set by each channel's constructor or from_credentials

    @property
    def current_settings(self) -> Settings:
        """The channel's settings, or the environment's where none were given."""
        return getattr(self, "settings", None) or get_settings()

    @property
    def engine(self) -> Engine:
        """The process's one engine for DATABASE_URL."""
        return engine_for(self.current_settings.database_url)

    @staticmethod
    def blueprint_with_health(name: str) -> Blueprint:
        """The channel's blueprint, with the `GET /` health check every channel answers."""
        bp = Blueprint(name, __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        return bp

    @staticmethod
    def responses_of(app: Any) -> Responses:
        """The loaded model's domain responses ({} before a model is loaded)."""
        agent = getattr(getattr(app, "ctx", None), "agent", None)
        domain = getattr(agent, "domain", None)
        return domain.responses if domain is not None else {}

    def in_session(self, work: Callable[..., T], *args: Any) -> T:
        """`work(session, *args)` in one transaction of its own (blocking: call it off the loop)."""
        with Session(self.engine, future=True) as session, session.begin():
            return work(session, *args)

    async def in_database(self, work: Callable[..., T], *args: Any) -> T:
        """`work(session, *args)` in its own transaction on a worker thread, so the event loop
        goes on serving other conversations meanwhile."""
        return await asyncio.to_thread(self.in_session, work, *args)
