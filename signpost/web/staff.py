"""The helpline staff console under /staff/: sign-in, caller triage, handoff queue, overview.

Every /staff/ route except the sign-in page needs a session: pages redirect to
the sign-in page, APIs answer 401. State-changing requests must come from our
own origin and carry the session's CSRF token (header `X-CSRF-Token` or form
field `csrf_token`) or be JSON (a cross-site form cannot send JSON, and we
allow no cross-origin requests). "Our own origin" is the scheme and host the
browser used, as the trusted proxy reports them (signpost.web.proxies). The
session cookie is HttpOnly and SameSite=Strict, Secure whenever the browser
reached us over https, and expires after eight hours.

Database, Argon2 and spaCy work runs on worker threads (signpost.web.base). The
queue comes a page at a time without transcripts; one entry brings its transcript.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import logging
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from signpost.conversations import callbacks, live
from signpost.conversations import repository as conversations
from signpost.conversations.models import CaseOwner
from signpost.conversations.overview import Chart, weekly_overview
from signpost.conversations.transcript import transcript
from signpost.staff import accounts
from signpost.staff import queue as staff_queue
from signpost.staff.card import MAX_TEXT_CHARS, CardTools, triage_card
from signpost.web.base import (
    CONFIG_KEY,
    WORKERS_KEY,
    FrontConfig,
    in_database_thread,
    in_hashing_thread,
    in_language_thread,
    json_error,
    render,
)
from signpost.web.bodies import read_form, read_json
from signpost.web.charts import layout

logger = logging.getLogger(__name__)

COOKIE = "signpost_staff"
LOGIN_PATH = "/staff/login"
USER_KEY = "staff_user"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_CODE_CHARS = 32


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
        token = str((await read_form(request)).get("csrf_token") or "")
    if token is not None:
        return hmac.compare_digest(token.encode("utf-8", "surrogatepass"), user.csrf_token.encode())
    return request.content_type == "application/json"


def _signed_in(engine: Engine, token: str | None) -> accounts.SignedIn | None:
    with Session(engine, future=True) as session, session.begin():
        return accounts.signed_in(session, token)


@web.middleware
async def staff_guard(request: web.Request, handler: Any) -> web.StreamResponse:
    """Sessions and CSRF for everything under /staff except the sign-in page."""
    if not (request.path == "/staff" or request.path.startswith("/staff/")) or request.path == LOGIN_PATH:
        return await handler(request)
    user = await in_database_thread(request, _signed_in, _config(request).engine, request.cookies.get(COOKIE))
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


def _begin_sign_in(
    engine: Engine, keys: list[str], username: str
) -> tuple[dt.timedelta | None, accounts.Attempt | None]:
    """How long sign-in is refused for, or the attempt, counted before its password is checked."""
    with Session(engine, future=True) as session, session.begin():
        wait = accounts.locked_for(session, keys)
        return (wait, None) if wait is not None else (None, accounts.begin_attempt(session, keys, username))


def _finish_sign_in(engine: Engine, attempt: accounts.Attempt, user_id: int) -> str:
    with Session(engine, future=True) as session, session.begin():
        accounts.succeeded(session, attempt)
        return accounts.start_session(session, user_id)


async def login(request: web.Request) -> web.Response:
    if not _same_origin(request):
        return json_error(403, "Sign in from the staff console's own page.")
    form = await read_form(request)
    username, password = form.get("username"), form.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return _render(request, "staff_login.html", status=400, error="Enter your username and password.")
    config = _config(request)
    keys = accounts.failure_keys(config.staff_secret, username, request.remote)
    wait, attempt = await in_database_thread(request, _begin_sign_in, config.engine, keys, username)
    if wait is not None or attempt is None:
        wait = wait or accounts.FAILURE_WINDOW
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        response = _render(
            request,
            "staff_login.html",
            status=429,
            error=f"Too many failed attempts. Try again in {minutes} minutes.",
        )
        response.headers["Retry-After"] = str(int(wait.total_seconds()) + 1)
        return response
    right = await in_hashing_thread(request, accounts.password_matches, attempt.password_hash, password)
    if not right or attempt.user_id is None:
        logger.info("staff sign-in failed")
        return _render(request, "staff_login.html", status=401, error="Wrong username or password.")
    token = await in_database_thread(request, _finish_sign_in, config.engine, attempt, attempt.user_id)
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


def _end_session(engine: Engine, token: str | None) -> None:
    with Session(engine, future=True) as session, session.begin():
        accounts.end_session(session, token)


async def logout(request: web.Request) -> web.Response:
    await in_database_thread(request, _end_session, _config(request).engine, request.cookies.get(COOKIE))
    response = web.HTTPSeeOther(LOGIN_PATH)
    response.del_cookie(COOKIE, path="/staff")
    raise response


# --- pages -----------------------------------------------------------------------


async def to_console(_: web.Request) -> web.Response:
    raise web.HTTPSeeOther("/staff/")


async def console_page(request: web.Request) -> web.Response:
    return _render(request, "staff_console.html", csrf_token=request[USER_KEY].csrf_token)


def _overview(engine: Engine) -> list[Chart]:
    with Session(engine, future=True) as session:
        return weekly_overview(session)


async def overview_page(request: web.Request) -> web.Response:
    charts = await in_database_thread(request, _overview, _config(request).engine)
    return _render(
        request, "staff_overview.html", charts=[layout(c) for c in charts], csrf_token=request[USER_KEY].csrf_token
    )


# --- APIs ------------------------------------------------------------------------


def _triage(engine: Engine, tools: CardTools, text: str) -> dict[str, Any]:
    with Session(engine, future=True) as session:
        return triage_card(session, tools, text)


async def triage_api(request: web.Request) -> web.Response:
    body = await read_json(request)
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        return json_error(400, 'Send JSON like {"text": "her eyes keep clamping shut"}.')
    if len(text) > MAX_TEXT_CHARS:
        return json_error(413, f"Keep the caller's words under {MAX_TEXT_CHARS} characters.")
    card = await in_language_thread(request, _triage, _config(request).engine, request.app[CARD_TOOLS_KEY], text)
    return web.json_response(card)


def _whole_number(value: str | None, default: int, lowest: int, highest: int) -> int | None:
    """`value` as a whole number in [lowest, highest], `default` if absent, None if not one."""
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        return None
    number = int(value)
    return number if lowest <= number <= highest else None


def _queue_page(
    engine: Engine, include_handled: bool, page: int, limit: int, day: dt.date | None
) -> staff_queue.QueuePage:
    with Session(engine, future=True) as session:
        return staff_queue.queue_page(session, include_handled, page, limit, day)


def _day(value: str | None) -> dt.date | None | bool:
    """A YYYY-MM-DD day, None when absent, False when it is not a day."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else False
    except ValueError:
        return False


async def queue_api(request: web.Request) -> web.Response:
    """GET ?page=1&limit=25 (at most 100), ?all=1 to include handled entries, ?day=YYYY-MM-DD
    for the cases opened that day; no transcripts."""
    include_handled = request.query.get("all") in ("1", "true")
    day = _day(request.query.get("day"))
    if day is False:
        return json_error(400, "day is a date: YYYY-MM-DD.")
    page = _whole_number(request.query.get("page"), 1, 1, staff_queue.MAX_PAGE)
    limit = _whole_number(request.query.get("limit"), staff_queue.DEFAULT_PAGE_SIZE, 1, staff_queue.MAX_PAGE_SIZE)
    if page is None or limit is None:
        return json_error(400, f"page is a whole number from 1; limit from 1 to {staff_queue.MAX_PAGE_SIZE}.")
    result = await in_database_thread(
        request, _queue_page, _config(request).engine, include_handled, page, limit, day or None
    )
    return web.json_response(result.as_json())


async def queue_entry_api(request: web.Request) -> web.Response:
    """One entry by its code (as read out, e.g. "dys 7k3q"), with its live transcript, who
    has taken it and its notes."""
    code = request.match_info["code"]
    found = None
    if len(code) <= MAX_CODE_CHARS:
        detector = request.app[CARD_TOOLS_KEY].detector
        found = await in_language_thread(
            request, _case_view, _config(request).engine, code, request[USER_KEY].username, detector
        )
    if found is None:
        return json_error(404, "No conversation has that reference code.")
    return web.json_response(found)


def _mark_handled(engine: Engine, code: str, by: str) -> dict[str, Any] | None:
    """Close a case: its owner row goes, and so does any number kept to text the person back."""
    with Session(engine, future=True) as session, session.begin():
        handoff = conversations.mark_handled(session, code, by=by)
        if handoff is None:
            return None
        owner = session.get(CaseOwner, handoff.code)
        if owner is not None:
            session.delete(owner)
        callbacks.forget_number(session, str(handoff.conversation_id))
        live.audit(session, by, "handled", handoff.code)
        return staff_queue.entry(session, handoff, transcript_lines=None)


async def mark_handled_api(request: web.Request) -> web.Response:
    user: accounts.SignedIn = request[USER_KEY]
    code = request.match_info["code"]
    done = None
    if len(code) <= MAX_CODE_CHARS:
        done = await in_database_thread(request, _mark_handled, _config(request).engine, code, user.username)
    if done is None:
        return json_error(404, "No conversation has that reference code.")
    return web.json_response(done)


# --- live handoff: take, reply, release, notes, undo (signpost.conversations.live) ----------

BRIDGE_TIMEOUT_S = 10.0
LIVE_POLL_S = 1.0
LIVE_MAX_S = 15 * 60  # an event stream ends after this; the console reconnects


def _flag_words(detector: Any, lines: list[dict[str, Any]]) -> list[str]:
    """The words of the person's messages that raised a red flag, as the detector matched them."""
    found = []
    for line in lines:
        if line["speaker"] == "user":
            detection = detector.detect(line["text"])
            if detection is not None and detection.is_red_flag:
                found.append(f"{detection.category}: {detection.matched}")
    return list(dict.fromkeys(found))


def _case_view(engine: Engine, code: str, staff: str, detector: Any = None) -> dict[str, Any] | None:
    """One case as the console shows it: the entry with its transcript, who has it, the notes,
    and the words that raised a red flag. Opening a case is audited."""
    with Session(engine, future=True) as session, session.begin():
        handoff = conversations.find_handoff(session, code)
        if handoff is None:
            return None
        out = staff_queue.entry(session, handoff)
        out["taken_by"] = live.owner(session, handoff.code)
        out["notes"] = [
            {"staff": n.staff, "text": n.text, "at": n.created_at.isoformat()}
            for n in live.notes(session, handoff.code)
        ]
        if detector is not None and handoff.red_flag:
            out["flag_words"] = _flag_words(detector, out.get("transcript", []))
        live.audit(session, staff, "open", handoff.code)
        return out


async def _bridge(request: web.Request, payload: dict[str, Any]) -> str | None:
    """Tell the Rasa server's helpline bridge; how it delivered, or None when it could not."""
    config = _config(request)
    headers = {"Authorization": f"Bearer {config.bridge_token}"}
    try:
        timeout = aiohttp.ClientTimeout(total=BRIDGE_TIMEOUT_S)
        async with (
            aiohttp.ClientSession(timeout=timeout) as client,
            client.post(config.bridge_url, json=payload, headers=headers) as answer,
        ):
            if answer.status != 200:
                logger.warning("helpline bridge answered %d", answer.status)
                return None
            body = await answer.json()
            return str(body.get("delivered") or "")
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        logger.warning("helpline bridge unreachable (%s)", type(exc).__name__)
        return None


def _in_case(engine: Engine, work: Any, *args: Any) -> Any:
    with Session(engine, future=True) as session, session.begin():
        return work(session, *args)


def _ids_of(work: Any) -> Any:
    """`work(session, code, staff)` returning the case's (code, conversation id), which
    outlive the session."""

    def run(session: Session, code: str, staff: str) -> tuple[str, str]:
        handoff = work(session, code, staff)
        return str(handoff.code), str(handoff.conversation_id)

    return run


async def _case_action(request: web.Request, work: Any, *args: Any) -> tuple[Any, web.Response | None]:
    user: accounts.SignedIn = request[USER_KEY]
    code = request.match_info["code"]
    if len(code) > MAX_CODE_CHARS:
        return None, json_error(404, "No conversation has that reference code.")
    try:
        result = await in_database_thread(request, _in_case, _config(request).engine, work, code, user.username, *args)
    except live.CaseError as exc:
        return None, json_error(409 if "taken" in str(exc) else 404 if "No conversation" in str(exc) else 400, str(exc))
    return result, None


async def _json_text(request: web.Request, field: str = "text") -> str | None:
    try:
        body = await read_json(request)
    except web.HTTPException:
        return None
    value = body.get(field) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


async def _take_or_release(request: web.Request, event: str) -> web.Response:
    done, error = await _case_action(request, _ids_of(live.take if event == "take" else live.release))
    if error is not None:
        return error
    code, conversation_id = done
    delivered = await _bridge(request, {"conversation_id": conversation_id, "event": event})
    owner = request[USER_KEY].username if event == "take" else None
    return web.json_response({"code": code, "taken_by": owner, "delivered": delivered})


async def take_api(request: web.Request) -> web.Response:
    """Take a case: the person is told a worker has joined, and the assistant goes quiet."""
    return await _take_or_release(request, "take")


async def release_api(request: web.Request) -> web.Response:
    """Hand the conversation back to the assistant, which says so in one line."""
    return await _take_or_release(request, "release")


async def reply_api(request: web.Request) -> web.Response:
    text = await _json_text(request)
    if text is None:
        return json_error(400, 'Send JSON: {"text": "..."}.')

    def add(session: Session, code: str, staff: str) -> tuple[str, int, str]:
        reply = live.add_reply(session, code, staff, text)
        return str(reply.conversation_id), int(reply.id), str(reply.text)

    added, error = await _case_action(request, add)
    if error is not None:
        return error
    conversation_id, reply_id, cleaned = added
    delivered = await _bridge(
        request, {"conversation_id": conversation_id, "event": "reply", "reply_id": reply_id, "text": cleaned}
    )
    if delivered is None:
        return json_error(502, "Saved, but the assistant could not be reached to deliver it yet.")
    return web.json_response({"reply_id": reply_id, "delivered": delivered})


async def notes_api(request: web.Request) -> web.Response:
    text = await _json_text(request)
    if text is None:
        return json_error(400, 'Send JSON: {"text": "..."}.')

    def add(session: Session, code: str, staff: str) -> dict[str, Any]:
        note = live.add_note(session, code, staff, text)
        return {"staff": note.staff, "text": note.text, "at": note.created_at.isoformat()}

    note, error = await _case_action(request, add)
    return error if error is not None else web.json_response(note)


def _reopen(session: Session, code: str, staff: str) -> dict[str, Any]:
    handoff = conversations.find_handoff(session, code)
    if handoff is None:
        raise live.CaseError("No conversation has that reference code.")
    handoff.handled_at, handoff.handled_by = None, None
    live.audit(session, staff, "reopen", handoff.code)
    return staff_queue.entry(session, handoff, transcript_lines=None)


async def reopen_api(request: web.Request) -> web.Response:
    entry, error = await _case_action(request, _reopen)
    return error if error is not None else web.json_response(entry)


def _live_state(engine: Engine, code: str) -> dict[str, Any] | None:
    with Session(engine, future=True) as session:
        handoff = conversations.find_handoff(session, code)
        if handoff is None:
            return None
        lines = transcript(session, str(handoff.conversation_id), staff_queue.ENTRY_TRANSCRIPT_LINES)
        return {
            "taken_by": live.owner(session, handoff.code),
            "red_flag": handoff.red_flag,
            "transcript": [{"speaker": ln.speaker, "text": ln.text, "at": ln.at.isoformat()} for ln in lines],
        }


async def live_events_api(request: web.Request) -> web.StreamResponse:
    """Server-sent events: the case's transcript and owner whenever they change."""
    code = request.match_info["code"]
    engine = _config(request).engine
    if len(code) > MAX_CODE_CHARS or await in_database_thread(request, _live_state, engine, code) is None:
        return json_error(404, "No conversation has that reference code.")
    stream = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
    await stream.prepare(request)
    last: dict[str, Any] | None = None
    loop = asyncio.get_running_loop()
    ends = loop.time() + LIVE_MAX_S
    try:
        while loop.time() < ends:
            state = await in_database_thread(request, _live_state, engine, code)
            if state is None:
                break
            if state != last:
                await stream.write(f"data: {json.dumps(state)}\n\n".encode())
                last = state
            await asyncio.sleep(LIVE_POLL_S)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return stream


async def overview_api(request: web.Request) -> web.Response:
    charts = await in_database_thread(request, _overview, _config(request).engine)
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


async def _prepare_dummy_hash(app: web.Application) -> None:
    """Make the unknown-user hash now, off the loop, so no sign-in pays for it."""
    app[WORKERS_KEY].hashing.submit(accounts.password_matches, None, "")


def add_routes(app: web.Application) -> None:
    app.on_startup.append(_prepare_dummy_hash)  # type: ignore[arg-type]  # aiohttp 3.9's Signal typing
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
    app.router.add_post("/staff/api/queue/{code}/take", take_api)
    app.router.add_post("/staff/api/queue/{code}/reply", reply_api)
    app.router.add_post("/staff/api/queue/{code}/release", release_api)
    app.router.add_post("/staff/api/queue/{code}/notes", notes_api)
    app.router.add_post("/staff/api/queue/{code}/reopen", reopen_api)
    app.router.add_get("/staff/api/queue/{code}/events", live_events_api)
    app.router.add_get("/staff/api/overview", overview_api)
