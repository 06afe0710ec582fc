"""The web front (port 8080): the widget's files, a demo page, the GP summary.

One aiohttp application, built by `create_app`, hosts everything a browser
loads from us. The staff console joins it under /staff/.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

import jinja2
import yaml
from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from signpost.config import BUILD_DIR, ROOT, Settings, describe_duration
from signpost.conversations.ids import session_id_or_none
from signpost.conversations.repository import summarise
from signpost.knowledge import repository as knowledge
from signpost.knowledge.content import load_content
from signpost.knowledge.db import engine_for
from signpost.lexicon import Lexicon, load_pipeline
from signpost.logs import start_request
from signpost.responses import variant_text
from signpost.safety import default_detector
from signpost.staff.card import CardTools
from signpost.web import staff
from signpost.web.base import CONFIG_KEY, CSP_KEY, TEMPLATES_KEY, FrontConfig, json_error, render

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"
VENDOR_DIR = BUILD_DIR / "web" / "vendor"
MAX_BODY_BYTES = 64 * 1024
WIDGET_CHANNEL = "socketio"
# The demo site: two information pages, so the widget can be seen keeping its
# conversation from one page to the next.
DEMO_PAGES = {
    "/": ("About dystonia", ("what_is_dystonia", "treatments", "cure")),
    "/living-with-dystonia": ("Living with dystonia", ("managing", "pain", "support_groups", "carers")),
}
HELPLINE_ID = "dystonia_uk"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _content_security_policy(rasa_url: str) -> str:
    rasa = _origin(rasa_url)
    socket = rasa.replace("https://", "wss://").replace("http://", "ws://")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {rasa} {socket}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )


@web.middleware
async def errors_and_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on every response; errors as short JSON or text, never a traceback."""
    request_id = start_request(request.headers.get("X-Request-ID"))
    try:
        response = await handler(request)
    except web.HTTPRequestEntityTooLarge:
        response = json_error(413, "The request is too large.")
    except web.HTTPException as exc:
        if exc.status >= 400 and request.path.startswith("/api/"):
            response = json_error(exc.status, exc.reason)
        else:
            raise
    except SQLAlchemyError as exc:
        logger.error("database unavailable for %s: %s", request.path, type(exc).__name__)
        response = json_error(503, "This service is unavailable for a moment. Please try again.")
    response.headers.setdefault("X-Request-ID", request_id)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.content_type == "text/html":
        response.headers.setdefault("Content-Security-Policy", request.app[CSP_KEY])
        response.headers.setdefault("Cache-Control", "no-store")
    return response


async def demo_page(request: web.Request) -> web.Response:
    config = request.app[CONFIG_KEY]
    title, topic_ids = DEMO_PAGES[request.path]
    with Session(config.engine, future=True) as session:
        topics = [t for t in (knowledge.topic(session, tid) for tid in topic_ids) if t]
        helpline = knowledge.contact(session, HELPLINE_ID)
    return render(
        request,
        "demo.html",
        title=title,
        path=request.path,
        pages=[(path, page_title) for path, (page_title, _) in DEMO_PAGES.items()],
        topics=topics,
        helpline=helpline,
        rasa_url=config.rasa_url,
        offline_text=variant_text(config.responses, "utter_service_problem", WIDGET_CHANNEL),
    )


async def privacy_page(request: web.Request) -> web.Response:
    config = request.app[CONFIG_KEY]
    with Session(config.engine, future=True) as session:
        helpline = knowledge.contact(session, HELPLINE_ID)
    return render(request, "privacy.html", retention=config.retention.capitalize(), helpline=helpline)


async def summary_page(request: web.Request) -> web.Response:
    return render(request, "summary.html")


async def summary_api(request: web.Request) -> web.Response:
    """POST {"session_id": "<uuid>"}: what this widget conversation covered, for a GP."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return json_error(400, 'Send JSON like {"session_id": "..."}.')
    session_id = session_id_or_none(body.get("session_id") if isinstance(body, dict) else None)
    if session_id is None:
        return json_error(400, "session_id must be the conversation's id.")
    config = request.app[CONFIG_KEY]
    with Session(config.engine, future=True) as session:
        summary = summarise(session, session_id)
    return web.json_response(
        {
            "discussed_symptoms": summary.discussed_symptoms,
            "regions": summary.regions,
            "symptoms": summary.symptoms,
            "types": [{"name": t.name, "summary": t.summary} for t in summary.types],
            "contacts": [c.as_json() for c in summary.contacts],
            "disclaimer": variant_text(config.responses, "utter_disclaimer"),
        }
    )


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def load_responses(domain_path: Path = ROOT / "domain.yml") -> dict[str, Any]:
    return dict(yaml.safe_load(domain_path.read_text(encoding="utf-8"))["responses"])


def create_app(settings: Settings, engine: Engine | None = None) -> web.Application:
    app = web.Application(middlewares=[errors_and_headers, staff.staff_guard], client_max_size=MAX_BODY_BYTES)
    responses = load_responses()
    app[CONFIG_KEY] = FrontConfig(
        rasa_url=settings.rasa_url.rstrip("/"),
        engine=engine or engine_for(settings.database_url),
        responses=responses,
        retention=describe_duration(settings.retention),
    )
    content = load_content()
    app[staff.CARD_TOOLS_KEY] = CardTools(
        lexicon=Lexicon(load_pipeline(settings.spacy_model, content), content),
        detector=default_detector(),
        disclaimer=variant_text(responses, "utter_disclaimer"),
    )
    app[CSP_KEY] = _content_security_policy(settings.rasa_url)
    app[TEMPLATES_KEY] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True, undefined=jinja2.StrictUndefined
    )
    for path in DEMO_PAGES:
        app.router.add_get(path, demo_page)
    app.router.add_get("/privacy", privacy_page)
    app.router.add_get("/summary", summary_page)
    app.router.add_post("/api/summary", summary_api)
    app.router.add_get("/health", health)
    if not (VENDOR_DIR / "socket.io.min.js").is_file():
        raise RuntimeError(f"{VENDOR_DIR} has no socket.io client: run `make build`")
    app.router.add_static("/vendor/", VENDOR_DIR)
    staff.add_routes(app)
    app.router.add_static("/widget/", STATIC_DIR / "widget")
    app.router.add_static("/static/", STATIC_DIR / "pages")
    return app
