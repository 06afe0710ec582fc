"""Attacks on the web front and the staff console, each reproduced against the real app.

One app (and one seeded SQLite database) serves the whole module (`front`); a second
app, `direct_front`, trusts no local proxy and shows what a client talking to the
front directly can do (fixtures in conftest.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import re
import subprocess
import sys
import time
import uuid
from typing import Any, Iterator

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from signpost.config import ROOT
from signpost.conversations import access
from signpost.conversations import repository as conversations
from signpost.conversations.models import Handoff, SummaryLink
from signpost.conversations.transcript import EVENTS
from signpost.staff import accounts
from signpost.staff.models import LoginFailure
from signpost.web import staff
from tests.signpost.web.conftest import STAFF_PASSWORD as PASSWORD

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.usefixtures("fresh_lockout")]

FORM = "application/x-www-form-urlencoded"


def host(client: TestClient) -> str:
    return f"{client.server.host}:{client.server.port}"


async def sign_in(client: TestClient, username: str = "alice", password: str = PASSWORD, **headers: str):
    return await client.post(
        "/staff/login", data={"username": username, "password": password}, headers=headers, allow_redirects=False
    )


def cookie_token(response) -> str:
    return response.cookies[staff.COOKIE].value


# --- 1. behind the TLS ingress ---------------------------------------------------------


async def test_sign_in_through_the_tls_proxy_gets_a_secure_cookie(front):
    response = await sign_in(front, **{"X-Forwarded-Proto": "https", "Origin": f"https://{host(front)}"})
    assert response.status == 303, await response.text()
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # The console then works through the proxy: the origin check sees https as well.
    through_proxy = {"X-Forwarded-Proto": "https", "Origin": f"https://{host(front)}"}
    headers = {**through_proxy, "Cookie": f"{staff.COOKIE}={cookie_token(response)}"}
    assert (await front.post("/staff/api/triage", json={"text": "my neck twists"}, headers=headers)).status == 200


async def test_the_proxys_host_is_the_origin(front):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "staff.example.org"}
    ok = await sign_in(front, **headers, Origin="https://staff.example.org")
    assert ok.status == 303 and "Secure" in ok.headers["Set-Cookie"]
    assert (await sign_in(front, **headers, Origin=f"https://{host(front)}")).status == 403


async def test_plain_http_sign_in_gets_no_secure_cookie(front):
    response = await sign_in(front, Origin=f"http://{host(front)}")
    assert response.status == 303
    assert "Secure" not in response.headers["Set-Cookie"]


async def test_a_client_that_is_not_a_proxy_cannot_claim_https(direct_front):
    spoofed = await sign_in(direct_front, **{"X-Forwarded-Proto": "https", "Origin": f"https://{host(direct_front)}"})
    assert spoofed.status == 403
    plain = await sign_in(direct_front, **{"X-Forwarded-Proto": "https"})
    assert plain.status == 303 and "Secure" not in plain.headers["Set-Cookie"]


async def test_the_lockout_keys_on_the_address_the_proxy_saw(front):
    for n in range(accounts.MAX_FAILURES):
        failed = await sign_in(front, f"guess{n}", "not the password", **{"X-Forwarded-For": "203.0.113.5"})
        assert failed.status == 401
    assert (await sign_in(front, **{"X-Forwarded-For": "203.0.113.5"})).status == 429
    # Someone else behind the same proxy is not locked out...
    assert (await sign_in(front, **{"X-Forwarded-For": "203.0.113.6"})).status == 303
    # ...and the locked-out client cannot escape by adding addresses of its own in front.
    assert (await sign_in(front, **{"X-Forwarded-For": "198.51.100.1, 203.0.113.5"})).status == 429


async def test_a_direct_client_cannot_escape_the_lockout_with_made_up_addresses(direct_front):
    for n in range(accounts.MAX_FAILURES):
        spoof = {"X-Forwarded-For": f"198.51.100.{n}"}
        assert (await sign_in(direct_front, f"guess{n}", "not the password", **spoof)).status == 401
    assert (await sign_in(direct_front, **{"X-Forwarded-For": "198.51.100.200"})).status == 429


@pytest.mark.parametrize("value", ["not an address", "1.2.3.4, <script>", "::::", "1.2.3.4,,5.6.7.8"])
async def test_a_malformed_forwarded_header_is_a_400(front, value):
    response = await front.get("/health", headers={"X-Forwarded-For": value})
    assert response.status == 400


# --- 2. lockout keys and passwords -----------------------------------------------------


async def test_the_lockout_table_cannot_be_reversed_without_the_secret(front, front_engine, front_settings):
    assert (await sign_in(front, "alice", "not the password")).status == 401
    with Session(front_engine, future=True) as s:
        stored = set(s.scalars(select(LoginFailure.key)))
    plain = {hashlib.sha256(v.encode()).hexdigest() for v in ("user:alice", "addr:127.0.0.1")}
    assert stored and not stored & plain
    keyed = {
        hmac.new(front_settings.staff_secret.encode(), v.encode(), hashlib.sha256).hexdigest()
        for v in ("user:alice", "addr:127.0.0.1")
    }
    assert stored == keyed
    assert not set(accounts.failure_keys("another secret", "alice", "127.0.0.1")) & keyed


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("bob", "password1234"),
        ("bob", "qwertyuiop123"),
        ("bob", "Password123!"),
        ("bob", "iloveyou12345"),
        ("bob", "aaaaaaaaaaaaaaaa"),
        ("bob", "123456789012"),
        ("bob", "abcdefghijklmn"),
        ("carol", "carolcarol12"),
        ("dave", "dystonia2024!"),
        ("erin", "helpline1234"),
    ],
)
def test_common_and_guessable_passwords_are_refused(front_engine, username, password):
    with Session(front_engine, future=True) as s, pytest.raises(accounts.AccountError, match="too easy to guess"):
        accounts.add_user(s, username, password)


@pytest.mark.parametrize("password", [PASSWORD, "trombone-lantern-quietly-87", "a long enough password"])
def test_hard_to_guess_passwords_are_accepted(password):
    assert accounts.check_password(password, "frank") == password


def test_importing_accounts_computes_no_hash():
    script = (
        "import argon2\n"
        "def refuse(*a, **k): raise SystemExit('hashed at import')\n"
        "argon2.PasswordHasher.hash = refuse\n"
        "import signpost.staff.accounts\n"
        "import signpost.web.app\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


# --- 3. nothing blocks the event loop --------------------------------------------------


SLOW = 2.0  # seconds each slow call holds its thread (or, before the fix, the event loop)


async def served_after(client: TestClient, path: str, slow_calls: list[Any]) -> tuple[float, list[Any]]:
    """Seconds from sending `slow_calls` until `path` has been served, and the slow calls' responses."""
    start = time.perf_counter()
    pending = [asyncio.ensure_future(call) for call in slow_calls]
    await asyncio.sleep(0.1)  # the slow calls are in the server now
    response = await client.get(path)
    assert response.status == 200
    await response.read()
    delay = time.perf_counter() - start
    return delay, list(await asyncio.gather(*pending))


async def test_slow_queue_polls_do_not_delay_the_widget(front, console, monkeypatch):
    real = accounts.signed_in

    def slow_signed_in(*args: Any, **kwargs: Any):  # every console request checks its session first
        time.sleep(SLOW)
        return real(*args, **kwargs)

    monkeypatch.setattr(accounts, "signed_in", slow_signed_in)
    for path in ("/widget/widget.js", "/health"):
        polls = [front.get("/staff/api/queue", headers=console) for _ in range(8)]  # eight consoles
        start = time.perf_counter()
        delay, responses = await served_after(front, path, polls)
        assert [r.status for r in responses] == [200] * 8
        assert delay < SLOW / 2, f"{path} took {delay:.2f}s behind slow queue polls"
        assert time.perf_counter() - start < 3 * SLOW, "the polls ran one after another"


async def test_password_hashing_does_not_delay_the_widget(front, monkeypatch):
    real = accounts._hasher

    class SlowHasher:
        def verify(self, *args: Any) -> bool:
            time.sleep(SLOW)
            return real.verify(*args)

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(accounts, "_hasher", SlowHasher())
    attempts = [sign_in(front, f"user{n}", "not the password") for n in range(3)]
    delay, responses = await served_after(front, "/widget/widget.js", attempts)
    assert [r.status for r in responses] == [401] * 3
    assert delay < SLOW / 2, f"widget.js took {delay:.2f}s behind sign-ins"


@pytest.fixture
def queue_of(front_engine) -> Iterator[Any]:
    """Make `n` open handoffs (every third a red flag); removed afterwards."""
    made: list[str] = []

    def make(n: int, automated: bool = False) -> list[str]:
        start = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone.utc)
        with Session(front_engine, future=True) as s, s.begin():
            for i in range(n):
                conversation = f"queue-{uuid.uuid4().hex}"
                conversations.record_triage(s, conversation, "rest", ["neck"], ["head_turning"], [], ["cervical"])
                flag = "crisis" if i % 3 == 0 else None
                handoff = conversations.open_handoff(
                    s, conversation, "rest", "red_flag" if flag else "asked_for_person", flag, now=start
                )
                start += dt.timedelta(minutes=1)
                if automated:
                    handoff.suspected_automation = True
                made.append(conversation)
        return made

    yield make
    with Session(front_engine, future=True) as s, s.begin():
        s.execute(delete(Handoff).where(Handoff.conversation_id.in_(made)))


async def queue(client: TestClient, headers: dict[str, str], query: str = "") -> Any:
    response = await client.get("/staff/api/queue" + query, headers=headers)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_the_queue_comes_a_page_at_a_time_in_order(front, console, queue_of):
    queue_of(7)
    everything = await queue(front, console, "?limit=100")
    assert everything["total"] == 7 and everything["next_page"] is None
    codes = [e["code"] for e in everything["entries"]]
    assert [e["red_flag"] for e in everything["entries"]][:3] == ["crisis"] * 3  # red flags first
    pages, page = [], 1
    while page:
        data = await queue(front, console, f"?limit=3&page={page}")
        assert len(data["entries"]) <= 3 and data["limit"] == 3
        pages += [e["code"] for e in data["entries"]]
        page = data["next_page"]
    assert pages == codes
    default = await queue(front, console)
    assert default["page"] == 1 and default["limit"] == 25


@pytest.mark.parametrize(
    "query", ["?page=0", "?page=-1", "?page=abc", "?limit=0", "?limit=101", "?limit=1e3", "?page=\u0663", "?limit= 5"]
)
async def test_bad_queue_pages_are_a_400(front, console, query):
    response = await front.get("/staff/api/queue" + query, headers=console)
    assert response.status == 400 and "error" in await response.json()


@pytest.fixture
def statements(front_engine) -> Iterator[list[str]]:
    """Every SQL statement the front sends while the test runs."""
    seen: list[str] = []

    def note(*args: Any) -> None:
        seen.append(args[2])

    event.listen(front_engine, "before_cursor_execute", note)
    yield seen
    event.remove(front_engine, "before_cursor_execute", note)


async def test_a_queue_page_costs_the_same_queries_however_long(front, console, queue_of, statements):
    queue_of(2)
    statements.clear()
    await queue(front, console)
    short = len(statements)
    queue_of(12)
    statements.clear()
    data = await queue(front, console)
    assert len(data["entries"]) >= 14
    assert len(statements) == short, statements
    assert all("transcript" not in e for e in data["entries"])
    assert not any("events" in s for s in statements)


async def test_one_entry_brings_its_transcript(front, console, queue_of, front_engine):
    conversation = queue_of(1)[0]
    with Session(front_engine, future=True) as s, s.begin():
        s.execute(
            insert(EVENTS),
            [
                {"sender_id": conversation, "type_name": "user", "timestamp": 1.0, "data": '{"text": "help me"}'},
                {"sender_id": conversation, "type_name": "bot", "timestamp": 2.0, "data": '{"text": "DYS code"}'},
            ],
        )
        code = s.scalars(select(Handoff.code).where(Handoff.conversation_id == conversation)).one()
    listed = next(e for e in (await queue(front, console, "?limit=100"))["entries"] if e["code"] == code)
    assert "transcript" not in listed
    entry = await (await front.get(f"/staff/api/queue/{code.lower()}", headers=console)).json()
    assert [(line["speaker"], line["text"]) for line in entry["transcript"]] == [
        ("user", "help me"),
        ("bot", "DYS code"),
    ]


async def test_suspected_automation_reaches_the_console(front, console, queue_of, front_engine):
    flagged = queue_of(1, automated=True)[0]
    ordinary = queue_of(1)[-1]
    with Session(front_engine, future=True) as s:
        codes = dict(s.execute(select(Handoff.conversation_id, Handoff.code)).all())
    entries = {e["code"]: e for e in (await queue(front, console, "?limit=100"))["entries"]}
    assert entries[codes[flagged]]["suspected_automation"] is True
    assert entries[codes[ordinary]]["suspected_automation"] is False
    script = (ROOT / "signpost/web/static/pages/staff.js").read_text()
    assert "entry.suspected_automation" in script and "Suspected automation" in script


# --- 4. malformed bodies ---------------------------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_IN_FIELD = b'{"text": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"


@pytest.mark.parametrize("route", ["/api/summary", "/api/summary-link", "/staff/api/triage"])
@pytest.mark.parametrize(
    "body",
    [
        DEEP[:60_000],
        DEEP_IN_FIELD,
        b'{"a":' * 5000 + b"1" + b"}" * 5000,
        b'{"text": "a\\ud800b", "link": "\\udfff", "session_id": "\\ud800", "token": "x"}',
        b'{"text": "a\\u0000b", "link": "a\\u0000b"}',
        b'{"text": "\xff\xfe"}',
        b"\xef\xbb\xbf{}",
        b"NaN",
    ],
)
async def test_malformed_json_gets_a_400(front, console, route, body):
    response = await front.post(route, data=body, headers={**console, "Content-Type": "application/json"})
    text = await response.text()
    assert response.status == 400, text
    assert "Traceback" not in text and "error" in await response.json()


@pytest.mark.parametrize(
    "body",
    [
        {"text": ["my neck"]},
        {"text": {"t": "x"}},
        {"text": None},
        {"text": 1e308},
        {"link": ["x"]},
        {"link": {"a": 1}},
        {"session_id": 7, "token": "x"},
        {"session_id": uuid.uuid4().hex, "token": ["x"]},
        [["text"]],
        "text",
        12,
    ],
)
@pytest.mark.parametrize("route", ["/api/summary", "/api/summary-link", "/staff/api/triage"])
async def test_wrong_types_get_a_400(front, console, route, body):
    response = await front.post(route, json=body, headers=console)
    assert response.status == 400, await response.text()


@pytest.mark.parametrize(
    "body",
    [
        b"username=\xff\xfe&password=\xc3\x28",
        b"username=alice&password=\xed\xa0\x80",  # a surrogate written as UTF-8
        b"username=a%00b&password=secret-secret",
        b"username=alice&password=a%00b",
    ],
)
async def test_malformed_sign_in_forms_get_a_400(front, body):
    response = await front.post("/staff/login", data=body, headers={"Content-Type": FORM}, allow_redirects=False)
    assert response.status == 400, await response.text()


@pytest.mark.parametrize(
    "content_type",
    [f"{FORM}; charset=nonsense", "multipart/form-data", "multipart/form-data; boundary=xyz"],
)
async def test_unreadable_sign_in_forms_get_a_4xx(front, content_type):
    body = b"--xyz\r\nContent-Disposition: form-data; name=\xff\r\n\r\nx\r\n--xyz--\r\n"
    response = await front.post("/staff/login", data=body, headers={"Content-Type": content_type})
    assert 400 <= response.status < 500, await response.text()


async def test_a_lone_surrogate_in_the_callers_words_is_refused_not_a_crash(front, console):
    response = await front.post(
        "/staff/api/triage",
        data=b'{"text": "her neck \\ud83d twists"}',
        headers={**console, "Content-Type": "application/json"},
    )
    assert response.status == 400


# --- 5. the GP summary link ------------------------------------------------------------


def widget_conversation(engine: Engine) -> tuple[str, str]:
    conversation = uuid.uuid4().hex
    with Session(engine, future=True) as s, s.begin():
        conversations.record_triage(s, conversation, "socketio", ["neck"], ["twisting"], [], ["cervical"])
        return conversation, access.issue_widget_token(s, conversation)


async def test_the_summary_is_read_with_a_link_not_the_conversation_id(front, front_engine):
    conversation, token = widget_conversation(front_engine)
    made = await front.post("/api/summary-link", json={"session_id": conversation, "token": token})
    assert made.status == 200
    link = (await made.json())["link"]
    assert conversation not in link and token not in link and len(link) >= 24
    summary = await front.post("/api/summary", json={"link": link})
    assert summary.status == 200 and (await summary.json())["regions"] == ["Neck"]
    # Knowing the conversation id is not enough any more.
    assert (await front.post("/api/summary", json={"session_id": conversation})).status == 400
    assert (await front.post("/api/summary", json={"link": conversation})).status == 404


@pytest.mark.parametrize("token", ["wrong", "", "x" * 500])
async def test_a_summary_link_needs_the_widgets_secret(front, front_engine, token):
    conversation, _ = widget_conversation(front_engine)
    response = await front.post("/api/summary-link", json={"session_id": conversation, "token": token})
    assert response.status == 403
    unknown = await front.post("/api/summary-link", json={"session_id": uuid.uuid4().hex, "token": "anything"})
    assert unknown.status == 403


async def test_an_expired_summary_link_is_refused(front, front_engine):
    conversation, token = widget_conversation(front_engine)
    link = (await (await front.post("/api/summary-link", json={"session_id": conversation, "token": token})).json())[
        "link"
    ]
    with Session(front_engine, future=True) as s, s.begin():
        past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
        s.execute(update(SummaryLink).where(SummaryLink.token_hash == access.digest(link)).values(expires_at=past))
    assert (await front.post("/api/summary", json={"link": link})).status == 404


def test_the_summary_page_reads_the_link_from_the_fragment():
    script = (ROOT / "signpost/web/static/pages/summary.js").read_text()
    assert re.search(r"JSON\.stringify\(\{\s*link:", script) and "location.hash" in script
    assert "session_id" not in script


async def _exchange(stream: tuple[asyncio.StreamReader, asyncio.StreamWriter], method: str, path: str,
                    body: bytes = b"", headers: str = "") -> tuple[int, dict[str, str]]:  # fmt: skip
    """One request on an open connection and its answer's status and headers (body read)."""
    reader, writer = stream
    head = f"{method} {path} HTTP/1.1\r\nHost: front\r\nContent-Type: application/json\r\n"
    writer.write(f"{head}Content-Length: {len(body)}\r\n{headers}\r\n".encode() + body)
    await writer.drain()
    lines = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)).decode().split("\r\n")
    answer = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    await asyncio.wait_for(reader.readexactly(int(answer.get("Content-Length", 0))), 5)
    return int(lines[0].split()[1]), answer


@pytest.mark.parametrize(
    ("method", "path", "size"),
    [
        ("POST", "/nothing-here", 250_000),  # a 404 that never reads its body
        ("GET", "/health", 200_000),  # a body where none is expected
        ("POST", "/staff/api/queue//notes", 100_000),  # an unmatched console path
        ("POST", "/api/summary", 60_000),  # read, refused as bad JSON
        ("POST", "/api/summary", 250_000),  # over the size limit
    ],
)
async def test_a_body_left_unread_never_stalls_the_next_request_on_the_connection(front, console, method, path, size):
    """aiohttp stops reading a connection whose request body nobody read; the next request on
    it then waited until the client gave up. Every answer either reads what is left of the
    body or closes the connection, so the next request is answered at once."""
    stream = await asyncio.open_connection(front.host, front.port)
    try:
        body = b'{"text": "' + b"a" * size + b'"}'
        status, answer = await _exchange(stream, method, path, body, f"Cookie: {console['Cookie']}\r\n")
        assert status < 500
        if answer.get("Connection", "").lower() == "close":
            assert status == 413 or size > 64 * 1024
            return
        assert (await _exchange(stream, "GET", "/health"))[0] == 200
    finally:
        stream[1].close()
