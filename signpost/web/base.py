"""What the web front's modules share: its configuration, page rendering, JSON errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class FrontConfig:
    rasa_url: str
    engine: Engine
    responses: dict[str, Any]
    retention: str  # how long conversations are kept, e.g. '30 days'


def json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


CONFIG_KEY = web.AppKey("config", FrontConfig)
CSP_KEY = web.AppKey("csp", str)
TEMPLATES_KEY = web.AppKey("templates", jinja2.Environment)


def render(request: web.Request, name: str, **context: Any) -> web.Response:
    html = request.app[TEMPLATES_KEY].get_template(name).render(**context)
    return web.Response(text=html, content_type="text/html")
