"""The staff console's HTTP surface: sign-in, lockout, CSRF, triage card, queue, overview."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.orm import Session

from signpost.config import get_settings
from signpost.conversations import repository as conversations
from signpost.knowledge.seed import seed
from signpost.schema import create_schema
from signpost.staff import accounts
from signpost.storage.engine import make_engine
from signpost.web import staff
from signpost.web.app import create_app

PASSWORD = "correct horse battery staple"


@pytest.fixture(params=["sqlite", "postgresql"])
def staff_engine(request, content):
    """A seeded database with one staff user, on SQLite and on PostgreSQL."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    engine = make_engine(url)
    create_schema(engine)
    seed(engine, content)
    with Session(engine, future=True) as s, s.begin():
        accounts.add_user(s, "alice", PASSWORD)
    yield engine
    engine.dispose()


@pytest.fixture
async def client(staff_engine) -> TestClient:
    async with TestClient(TestServer(create_app(get_settings(), engine=staff_engine))) as c:
        yield c


async def sign_in(client: TestClient, username: str = "alice", password: str = PASSWORD):
    return await client.post("/staff/login", data={"username": username, "password": password}, allow_redirects=False)


async def csrf_token(client: TestClient) -> str:
    html = await (await client.get("/staff/")).text()
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
async def signed_in(client) -> TestClient:
    response = await sign_in(client)
    assert response.status == 303
    return client


def staff_routes(app) -> list[tuple[str, str]]:
    out = []
    for route in app.router.routes():
        info = route.get_info()
        path = info.get("path") or info.get("formatter") or ""
        if path.startswith("/staff") and route.method != "HEAD" and path != staff.LOGIN_PATH:
            out.append((route.method, path.replace("{code}", "DYS-AAAA")))
    return out


async def test_every_staff_route_needs_a_session(client):
    routes = staff_routes(client.server.app)
    assert len(routes) >= 9
    for method, path in routes:
        response = await client.request(method, path, json={}, allow_redirects=False)
        if path.startswith("/staff/api/"):
            assert response.status == 401, (method, path)
        else:
            assert response.status in (303, 401), (method, path)
            if response.status == 303:
                assert response.headers["Location"] == staff.LOGIN_PATH


async def test_sign_in_sets_a_safe_expiring_cookie(client):
    response = await sign_in(client)
    assert response.status == 303 and response.headers["Location"] == "/staff/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/staff" in cookie
    assert re.search(r"Max-Age=\d+", cookie)
    page = await client.get("/staff/")
    assert page.status == 200 and "Signed in as alice" in await page.text()


@pytest.mark.parametrize(("username", "password"), [("alice", "wrong password!!"), ("nobody", PASSWORD), ("", "")])
async def test_wrong_credentials_are_refused(client, username, password):
    response = await sign_in(client, username, password)
    assert response.status in (400, 401)
    assert "Set-Cookie" not in response.headers
    assert (await client.get("/staff/api/queue")).status == 401


async def test_ten_failures_for_a_user_lock_them_out_even_with_the_right_password(client):
    for _ in range(accounts.MAX_FAILURES):
        assert (await sign_in(client, "alice", "not the password")).status == 401
    locked = await sign_in(client, "alice", PASSWORD)
    assert locked.status == 429
    assert int(locked.headers["Retry-After"]) > 0


async def test_ten_failures_from_one_address_lock_it_out(client):
    for n in range(accounts.MAX_FAILURES):
        assert (await sign_in(client, f"guess{n}", "not the password")).status == 401
    assert (await sign_in(client, "alice", PASSWORD)).status == 429


def test_lockout_ends_when_the_window_has_passed(staff_engine):
    start = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.timezone.utc)
    keys = accounts.failure_keys("a server secret", "alice", "10.0.0.1")
    with Session(staff_engine, future=True) as s, s.begin():
        for minute in range(accounts.MAX_FAILURES):
            accounts.begin_attempt(s, keys, "alice", now=start + dt.timedelta(minutes=minute))
    with Session(staff_engine, future=True) as s:
        assert accounts.locked_for(s, keys, now=start + dt.timedelta(minutes=10)) is not None
        assert accounts.locked_for(s, keys, now=start + dt.timedelta(minutes=9 + 15, seconds=1)) is None


async def test_sessions_expire(client, staff_engine):
    with Session(staff_engine, future=True) as s, s.begin():
        user = s.scalars(accounts.select(accounts.StaffUser)).first()
        token = accounts.start_session(s, user.id, now=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=9))
    client.session.cookie_jar.update_cookies({staff.COOKIE: token})
    assert (await client.get("/staff/api/queue")).status == 401


async def test_sign_out_ends_the_session(signed_in):
    token = await csrf_token(signed_in)
    response = await signed_in.post("/staff/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 303
    assert (await signed_in.get("/staff/api/queue")).status == 401


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"data": {"x": "1"}}, 403),  # a form post without the token
        ({"data": {"csrf_token": "forged"}}, 403),
        ({"json": {}, "headers": {"Origin": "https://attacker.example"}}, 403),
        ({"json": {}, "headers": {"X-CSRF-Token": "forged"}}, 403),
        ({"json": {}}, 404),  # JSON from our own page gets through (404: no such code)
    ],
)
async def test_state_changing_requests_need_csrf_protection(signed_in, kwargs, expected):
    response = await signed_in.post("/staff/api/queue/DYS-AAAA/handled", **kwargs)
    assert response.status == expected


async def test_form_post_with_the_token_is_accepted(signed_in):
    token = await csrf_token(signed_in)
    response = await signed_in.post("/staff/api/queue/DYS-AAAA/handled", data={"csrf_token": token})
    assert response.status == 404


async def test_sign_in_from_another_site_is_refused(client):
    response = await client.post(
        "/staff/login", data={"username": "alice", "password": PASSWORD}, headers={"Origin": "https://attacker.example"}
    )
    assert response.status == 403


CALLERS = [
    # (what the caller says, a region, a symptom or None, a type among the candidates, red flag category)
    ("her eyes keep clamping shut and she can't read", "eyes", None, "blepharospasm", None),
    ("his head keeps pulling round to the left", "neck", "head_turning", "cervical", None),
    ("my husband's hand cramps up when he writes", "hand_arm", "hand_cramp", "writers_cramp", None),
    ("her voice sounds strained and breaks up", "voice", None, "spasmodic_dysphonia", None),
    ("she says her neck twists and now she can't swallow", "neck", None, "cervical", "emergency"),
    ("he's been talking about ending his life", None, None, None, "crisis"),
]


@pytest.mark.parametrize(("text", "region", "symptom", "type_id", "flag"), CALLERS)
async def test_triage_card_for_caller_descriptions(signed_in, text, region, symptom, type_id, flag):
    response = await signed_in.post("/staff/api/triage", json={"text": text})
    card = await response.json()
    assert response.status == 200
    assert set(card) >= {"regions", "symptoms", "modifiers", "candidates", "red_flags", "contacts", "disclaimer"}
    if region:
        assert region in [r["id"] for r in card["regions"]]
    if symptom:
        assert symptom in [s["id"] for s in card["symptoms"]]
    assert len(card["candidates"]) <= 3
    if type_id:
        assert type_id in [c["id"] for c in card["candidates"]]
        assert all(c["name"] and c["reasons"] for c in card["candidates"])
    assert [f["category"] for f in card["red_flags"]] == ([flag] if flag else [])
    if flag:
        assert card["red_flags"][0]["what_to_do"]
        assert "999" in card["red_flags"][0]["what_to_do"]
    assert any(c["phone"] == "020 7793 3650" for c in card["contacts"])
    assert "not a diagnosis" in card["disclaimer"]


async def test_a_crisis_puts_crisis_lines_first(signed_in):
    card = await (await signed_in.post("/staff/api/triage", json={"text": "she wants to kill herself"})).json()
    first_two = " ".join(c["name"] for c in card["contacts"][:2])
    assert "Samaritans" in first_two and "Shout" in first_two.title()


@pytest.mark.parametrize("body", [{"text": 5}, {"words": "x"}, [], "text"])
async def test_triage_rejects_bad_input(signed_in, body):
    response = await signed_in.post("/staff/api/triage", json=body)
    assert response.status == 400 and "error" in await response.json()


async def test_queue_lookup_and_mark_handled(signed_in, staff_engine):
    with Session(staff_engine, future=True) as s, s.begin():
        conversations.record_triage(s, "web-1", "socketio", ["neck"], ["head_turning"], [], ["cervical"])
        asked = conversations.open_handoff(s, "web-1", "socketio", "asked_for_person")
        flagged = conversations.open_handoff(s, "sms-2", "sms", "red_flag", "crisis")
        codes = asked.code, flagged.code
    queue = (await (await signed_in.get("/staff/api/queue")).json())["entries"]
    assert [e["code"] for e in queue] == [codes[1], codes[0]]  # red flags first
    first = queue[1]
    assert first["channel"] == "socketio" and first["reason"] == "asked_for_person"
    assert first["summary"]["regions"] == ["Neck"] and first["summary"]["types"][0].startswith("Cervical")
    assert re.fullmatch(r"DYS-[A-Z2-9]{4}", first["code"])

    typed = codes[0].lower().replace("-", " ")  # as a caller might read it out
    found = await signed_in.get(f"/staff/api/queue/{typed}")
    assert found.status == 200 and (await found.json())["code"] == codes[0]
    assert (await signed_in.get("/staff/api/queue/DYS-ZZZZ")).status == 404

    done = await signed_in.post(f"/staff/api/queue/{codes[0]}/handled", json={})
    assert done.status == 200 and (await done.json())["handled_by"] == "alice"
    open_codes = [e["code"] for e in (await (await signed_in.get("/staff/api/queue")).json())["entries"]]
    assert open_codes == [codes[1]]
    all_codes = [e["code"] for e in (await (await signed_in.get("/staff/api/queue?all=1")).json())["entries"]]
    assert set(all_codes) == set(codes)


def test_a_conversation_keeps_one_code_and_escalates(staff_engine):
    with Session(staff_engine, future=True) as s, s.begin():
        first = conversations.open_handoff(s, "c", "rest", "asked_for_person")
        again = conversations.open_handoff(s, "c", "rest", "red_flag", "urgent")
        worse = conversations.open_handoff(s, "c", "rest", "red_flag", "emergency")
        milder = conversations.open_handoff(s, "c", "rest", "red_flag", "crisis")
        assert first.code == again.code == worse.code == milder.code
        assert milder.red_flag == "emergency"


async def test_overview_counts_by_week(signed_in, staff_engine):
    now = dt.datetime.now(dt.timezone.utc)
    last_week = now - dt.timedelta(days=7)
    with Session(staff_engine, future=True) as s, s.begin():
        conversations.touch_conversation(s, "a", "socketio", now)
        conversations.touch_conversation(s, "b", "sms", now)
        conversations.touch_conversation(s, "c", "sms", last_week)
        conversations.record_triage(s, "a", "socketio", ["neck"], [], [], ["cervical"], now=now)
        conversations.open_handoff(s, "b", "sms", "red_flag", "crisis", now=now)
    data = await (await signed_in.get("/staff/api/overview")).json()
    charts = {c["title"]: {s["name"]: s["counts"] for s in c["series"]} for c in data["charts"]}
    assert charts["Conversations by channel"]["SMS"][-2:] == [1, 1]
    assert charts["Conversations by channel"]["Website"][-1] == 1
    assert charts["Conversations by body region"]["Neck"][-1] == 1
    assert charts["Conversations with a red flag"]["crisis"][-1] == 1
    page = await signed_in.get("/staff/overview")
    html = await page.text()
    assert page.status == 200 and html.count('<svg role="img"') == 4 and "<rect" in html
