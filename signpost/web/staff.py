"""The helpline staff console under /staff/: sign-in, caller triage, handoff queue, overview.

Every /staff/ route except the sign-in page needs a session: pages redirect to
the sign-in page, APIs answer 401. State-changing requests must come from our
own origin and carry the session's CSRF token (header `X-CSRF-Token` or form
field `csrf_token`) or be JSON (a cross-site form cannot send JSON, and we
allow no cross-origin requests). The session cookie is HttpOnly and
SameSite=Strict and expires after eight hours.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from signpost.conversations import repository as conversations
from signpost.conversations.models import Handoff
from signpost.conversations.overview import CHANNEL_NAMES, weekly_overview
from signpost.conversations.transcript import transcript
from signpost.staff import accounts
from signpost.staff.card import MAX_TEXT_CHARS, CardTools, triage_card
from signpost.web.base import CONFIG_KEY, FrontConfig, json_error, render
from signpost.web.charts import layout

logger = logging.getLogger(__name__)

COOKIE = "signpost_staff"
LOGIN_PATH = "/staff/login"
USER_KEY = "staff_user"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
QUEUE_TRANSCRIPT_LINES = 50


def _config(request: web.Request) -> FrontConfig:
    return request.app[CONFIG_KEY]


def _render(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    response = render(request, name, user=request.get(USER_KEY), **context)
    response.set_status(status)
    return response


def _own_origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    return origin is None or origin == _own_origin(request)


async def _csrf_ok(request: web.Request, user: accounts.SignedIn) -> bool:
    if not _same_origin(request):
        return False
    token = request.headers.get("X-CSRF-Token")
    if token is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        token = str((await request.post()).get("csrf_token") or "")
    if token is not None:
        return hmac.compare_digest(token.encode(), user.csrf_token.encode())
    return request.content_type == "application/json"


@web.middleware
async def staff_guard(request: web.Request, handler: Any) -> web.StreamResponse:
    """Sessions and CSRF for everything under /staff except the sign-in page."""
    if not (request.path == "/staff" or request.path.startswith("/staff/")) or request.path == LOGIN_PATH:
        return await handler(request)
    with Session(_config(request).engine, future=True) as session, session.begin():
        user = accounts.signed_in(session, request.cookies.get(COOKIE))
    if user is None:
        if request.path.startswith("/staff/api/"):
            return json_error(401, "Sign in first.")
        raise web.HTTPSeeOther(LOGIN_PATH)
    if request.method not in SAFE_METHODS and not await _csrf_ok(request, user):
        return json_error(403, "This request did not come from the staff console.")
    request[USER_KEY] = user
    return await handler(request)


# --- signing in and out ----------------------------------------------------------


async def login_page(request: web.Request) -> web.Response:
    return _render(request, "staff_login.html", error=None)


async def login(request: web.Request) -> web.Response:
    if not _same_origin(request):
        return json_error(403, "Sign in from the staff console's own page.")
    form = await request.post()
    username, password = form.get("username"), form.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return _render(request, "staff_login.html", status=400, error="Enter your username and password.")
    keys = accounts.failure_keys(username, request.remote)
    with Session(_config(request).engine, future=True) as session, session.begin():
        wait = accounts.locked_for(session, keys)
        if wait is None:
            user = accounts.authenticate(session, username, password, request.remote)
            token = accounts.start_session(session, user) if user else None
    if wait is not None:
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        response = _render(
            request,
            "staff_login.html",
            status=429,
            error=f"Too many failed attempts. Try again in {minutes} minutes.",
        )
        response.headers["Retry-After"] = str(int(wait.total_seconds()) + 1)
        return response
    if token is None:
        logger.info("staff sign-in failed")
        return _render(request, "staff_login.html", status=401, error="Wrong username or password.")
    response = web.HTTPSeeOther("/staff/")
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        path="/staff",
        httponly=True,
        samesite="Strict",
        secure=request.secure,
    )
    raise response


async def logout(request: web.Request) -> web.Response:
    with Session(_config(request).engine, future=True) as session, session.begin():
        accounts.end_session(session, request.cookies.get(COOKIE))
    response = web.HTTPSeeOther(LOGIN_PATH)
    response.del_cookie(COOKIE, path="/staff")
    raise response


# --- pages -----------------------------------------------------------------------


async def to_console(_: web.Request) -> web.Response:
    raise web.HTTPSeeOther("/staff/")


async def console_page(request: web.Request) -> web.Response:
    return _render(request, "staff_console.html", csrf_token=request[USER_KEY].csrf_token)


async def overview_page(request: web.Request) -> web.Response:
    with Session(_config(request).engine, future=True) as session:
        charts = [layout(chart) for chart in weekly_overview(session)]
    return _render(request, "staff_overview.html", charts=charts, csrf_token=request[USER_KEY].csrf_token)


# --- APIs ------------------------------------------------------------------------


async def _json_body(request: web.Request) -> Any:
    try:
        return await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


async def triage_api(request: web.Request) -> web.Response:
    body = await _json_body(request)
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        return json_error(400, 'Send JSON like {"text": "her eyes keep clamping shut"}.')
    if len(text) > MAX_TEXT_CHARS:
        return json_error(413, f"Keep the caller's words under {MAX_TEXT_CHARS} characters.")
    tools: CardTools = request.app[CARD_TOOLS_KEY]
    with Session(_config(request).engine, future=True) as session:
        return web.json_response(triage_card(session, tools, text))


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).isoformat()


def _entry(session: Session, handoff: Handoff, lines: int) -> dict[str, Any]:
    summary = conversations.summarise(session, handoff.conversation_id)
    return {
        "code": handoff.code,
        "channel": handoff.channel,
        "channel_name": CHANNEL_NAMES.get(handoff.channel or "", handoff.channel or "unknown channel"),
        "reason": handoff.reason,
        "red_flag": handoff.red_flag,
        "created_at": _iso(handoff.created_at),
        "updated_at": _iso(handoff.updated_at),
        "handled_at": _iso(handoff.handled_at),
        "handled_by": handoff.handled_by,
        "summary": {
            "regions": summary.regions,
            "symptoms": summary.symptoms,
            "types": [t.name for t in summary.types],
        },
        "transcript": [
            {"speaker": line.speaker, "text": line.text, "at": _iso(line.at)}
            for line in transcript(session, handoff.conversation_id, lines)
        ],
    }


async def queue_api(request: web.Request) -> web.Response:
    include_handled = request.query.get("all") in ("1", "true")
    with Session(_config(request).engine, future=True) as session:
        entries = [_entry(session, h, QUEUE_TRANSCRIPT_LINES) for h in conversations.queue(session, include_handled)]
    return web.json_response({"entries": entries})


async def queue_entry_api(request: web.Request) -> web.Response:
    with Session(_config(request).engine, future=True) as session:
        handoff = conversations.find_handoff(session, request.match_info["code"])
        if handoff is None:
            return json_error(404, "No conversation has that reference code.")
        return web.json_response(_entry(session, handoff, 500))


async def mark_handled_api(request: web.Request) -> web.Response:
    user: accounts.SignedIn = request[USER_KEY]
    with Session(_config(request).engine, future=True) as session, session.begin():
        handoff = conversations.mark_handled(session, request.match_info["code"], by=user.username)
        if handoff is None:
            return json_error(404, "No conversation has that reference code.")
        return web.json_response(_entry(session, handoff, QUEUE_TRANSCRIPT_LINES))


async def overview_api(request: web.Request) -> web.Response:
    with Session(_config(request).engine, future=True) as session:
        charts = weekly_overview(session)
    return web.json_response(
        {
            "charts": [
                {
                    "title": c.title,
                    "weeks": [w.isoformat() for w in c.weeks],
                    "series": [{"name": s.name, "counts": s.counts} for s in c.series],
                }
                for c in charts
            ]
        }
    )


CARD_TOOLS_KEY = web.AppKey("card_tools", CardTools)


def add_routes(app: web.Application) -> None:
    app.router.add_get(LOGIN_PATH, login_page)
    app.router.add_post(LOGIN_PATH, login)
    app.router.add_post("/staff/logout", logout)
    app.router.add_get("/staff", to_console)
    app.router.add_get("/staff/", console_page)
    app.router.add_get("/staff/overview", overview_page)
    app.router.add_post("/staff/api/triage", triage_api)
    app.router.add_get("/staff/api/queue", queue_api)
    app.router.add_get("/staff/api/queue/{code}", queue_entry_api)
    app.router.add_post("/staff/api/queue/{code}/handled", mark_handled_api)
    app.router.add_get("/staff/api/overview", overview_api)
