"""The web front (port 8080): the widget's files, a demo page, the GP summary.

One aiohttp application, built by `create_app`, hosts everything a browser
loads from us. The staff console joins it under /staff/. Handlers never block
the event loop: database work runs on the front's own worker threads
(signpost.web.base), so the widget's files are served while queries wait.

The GP summary never sees the conversation id: the widget trades its id and
secret for a short-lived, read-only link token (`POST /api/summary-link`) and
opens `/summary#<link>`; the page posts the link to `/api/summary`.
"""

from __future__ import annotations

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

from signpost import metrics
from signpost.config import BUILD_DIR, ROOT, Settings, describe_duration
from signpost.conversations import access
from signpost.conversations.ids import session_id_or_none
from signpost.conversations.repository import ConversationSummary, summarise, waiting_handoffs
from signpost.health import READY_PATH, database_reachable, readiness
from signpost.knowledge import repository as knowledge
from signpost.knowledge.content import Contact, Topic, load_content
from signpost.knowledge.vocabulary import Lexicon, load_pipeline
from signpost.language.red_flags import default_detector
from signpost.logs import start_request
from signpost.responses import variant_text
from signpost.staff.card import CardTools
from signpost.storage.engine import engine_for
from signpost.web import staff
from signpost.web.base import (
    CONFIG_KEY,
    CSP_KEY,
    TEMPLATES_KEY,
    WORKERS_KEY,
    FrontConfig,
    Workers,
    in_database_thread,
    json_error,
    render,
)
from signpost.web.bodies import BadBody, read_json
from signpost.web.proxies import TrustedProxies

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
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every answer counted for the metrics by its route's pattern and status."""
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else None
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        metrics.count_web_request(route, exc.status)
        raise
    except BaseException:
        metrics.count_web_request(route, 500)
        raise
    metrics.count_web_request(route, response.status)
    return response


async def _drain(request: web.Request) -> bool:
    """Read what the handler left of the body, at most the size limit more. aiohttp stops
    reading a connection while a request's unread body fills its buffer, and it leaves a
    body that has fully arrived unread, so without this the next request on a kept-alive
    connection would never be read (its client waits for ever). False when the rest is over
    the limit: the answer then closes the connection."""
    content, left = request.content, MAX_BODY_BYTES
    while not content.at_eof():  # at_eof: all arrived and all read; is_eof: only arrived
        chunk = await content.readany()
        left -= len(chunk)
        if not chunk or left < 0:
            return content.at_eof()
    return True


@web.middleware
async def errors_and_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on every response; errors as short JSON or text, never a traceback."""
    request_id = start_request(request.headers.get("X-Request-ID"))
    try:
        response = await handler(request)
    except web.HTTPRequestEntityTooLarge:
        response = json_error(413, "The request is too large.")
        response.force_close()  # the rest of the body is not worth reading
    except BadBody as exc:
        response = json_error(400, str(exc))
    except web.HTTPException as exc:
        if exc.status >= 400 and request.path.startswith("/api/"):
            response = json_error(exc.status, exc.reason)
        else:
            if not await _drain(request) and callable(getattr(exc, "force_close", None)):
                exc.force_close()
            raise
    except SQLAlchemyError as exc:
        logger.error("database unavailable for %s: %s", request.path, type(exc).__name__)
        response = json_error(503, "This service is unavailable for a moment. Please try again.")
    except Exception as exc:  # noqa: BLE001 - a short answer, never a traceback
        logger.error("%s failed: %s", request.path, type(exc).__name__)
        logger.debug("the failure", exc_info=True)
        response = json_error(500, "Something went wrong. Please try again.")
    if response.keep_alive is not False and not await _drain(request):
        response.force_close()
    response.headers.setdefault("X-Request-ID", request_id)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.content_type == "text/html":
        response.headers.setdefault("Content-Security-Policy", request.app[CSP_KEY])
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _demo_content(engine: Engine, topic_ids: tuple[str, ...]) -> tuple[list[Topic], Contact | None]:
    with Session(engine, future=True) as session:
        topics = [t for t in (knowledge.topic(session, tid) for tid in topic_ids) if t]
        return topics, knowledge.contact(session, HELPLINE_ID)


def _helpline(engine: Engine) -> Contact | None:
    with Session(engine, future=True) as session:
        return knowledge.contact(session, HELPLINE_ID)


async def demo_page(request: web.Request) -> web.Response:
    config = request.app[CONFIG_KEY]
    title, topic_ids = DEMO_PAGES[request.path]
    topics, helpline = await in_database_thread(request, _demo_content, config.engine, topic_ids)
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
    helpline = await in_database_thread(request, _helpline, config.engine)
    return render(request, "privacy.html", retention=config.retention.capitalize(), helpline=helpline)


async def summary_page(request: web.Request) -> web.Response:
    return render(request, "summary.html")


def _issue_link(engine: Engine, session_id: str, token: object) -> str | None:
    with Session(engine, future=True) as session, session.begin():
        if not access.widget_token_ok(session, session_id, token):
            return None
        return access.issue_summary_link(session, session_id)


async def summary_link_api(request: web.Request) -> web.Response:
    """POST {"session_id": "<widget id>", "token": "<widget secret>"}: a read-only link token."""
    body = await read_json(request)
    if not isinstance(body, dict):
        return json_error(400, 'Send JSON like {"session_id": "...", "token": "..."}.')
    session_id = session_id_or_none(body.get("session_id"))
    if session_id is None or not isinstance(body.get("token"), str):
        return json_error(400, "session_id and token must be the conversation's id and secret.")
    link = await in_database_thread(request, _issue_link, request.app[CONFIG_KEY].engine, session_id, body["token"])
    if link is None:
        return json_error(403, "That is not this conversation's secret.")
    return web.json_response({"link": link})


def _summary_for_link(engine: Engine, link: str) -> ConversationSummary | None:
    with Session(engine, future=True) as session:
        conversation_id = access.summary_link_conversation(session, link)
        return summarise(session, conversation_id) if conversation_id else None


async def summary_api(request: web.Request) -> web.Response:
    """POST {"link": "<summary link token>"}: what the conversation covered, for a GP."""
    body = await read_json(request)
    link = body.get("link") if isinstance(body, dict) else None
    if not isinstance(link, str) or not link:
        return json_error(400, 'Send JSON like {"link": "..."}.')
    config = request.app[CONFIG_KEY]
    summary = await in_database_thread(request, _summary_for_link, config.engine, link)
    if summary is None:
        return json_error(404, "This summary link is unknown or has expired. Open the summary again from the chat.")
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


async def ready(request: web.Request) -> web.Response:
    """200 when the database answers, else 503 (signpost.health)."""
    engine = request.app[CONFIG_KEY].engine
    result = await readiness({"database": lambda: database_reachable(engine)})
    return web.json_response(result.body(), status=result.status)


def handoffs_waiting(engine: Engine) -> metrics.HandoffsWaiting:
    """The metrics collector for the helpline queue, reading `engine` at each scrape."""

    def count() -> dict[str, int]:
        with Session(engine, future=True) as session:
            return waiting_handoffs(session)

    return metrics.HandoffsWaiting(count)


def load_responses(domain_path: Path = ROOT / "domain.yml") -> dict[str, Any]:
    return dict(yaml.safe_load(domain_path.read_text(encoding="utf-8"))["responses"])


def create_app(settings: Settings, engine: Engine | None = None) -> web.Application:
    proxies = TrustedProxies(settings.trusted_proxies)
    app = web.Application(
        middlewares=[count_requests, errors_and_headers, proxies.middleware, staff.staff_guard],
        client_max_size=MAX_BODY_BYTES,
    )
    responses = load_responses()
    app[CONFIG_KEY] = FrontConfig(
        rasa_url=settings.rasa_url.rstrip("/"),
        engine=engine or engine_for(settings.database_url),
        responses=responses,
        retention=describe_duration(settings.retention),
        staff_secret=settings.staff_secret,
        bridge_url=f"{settings.helpline_bridge_url}/webhooks/helpline/webhook",
        bridge_token=settings.helpline_bridge_token,
    )
    app[WORKERS_KEY] = Workers.start()

    async def stop_workers(app: web.Application) -> None:
        app[WORKERS_KEY].shutdown()

    app.on_cleanup.append(stop_workers)  # type: ignore[arg-type]  # aiohttp 3.9's Signal typing
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
    app.router.add_post("/api/summary-link", summary_link_api)
    app.router.add_get("/health", health)
    app.router.add_get(READY_PATH, ready)
    if not (VENDOR_DIR / "socket.io.min.js").is_file():
        raise RuntimeError(f"{VENDOR_DIR} has no socket.io client: run `make build`")
    app.router.add_static("/vendor/", VENDOR_DIR)
    staff.add_routes(app)
    app.router.add_static("/widget/", STATIC_DIR / "widget")
    app.router.add_static("/static/", STATIC_DIR / "pages")
    return app
