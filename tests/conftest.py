"""Shared fixtures: content, a seeded database per test, Rasa-SDK tracker and dispatcher."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from scripts.runner import MODEL, services, start_all, stop_all
from signpost.config import ROOT, get_settings
from signpost.knowledge.content import Content, load_content
from signpost.knowledge.seed import seed
from signpost.schema import create_schema
from signpost.storage.engine import engine_for, make_engine

# SIGNPOST_TEST_PORT_OFFSET moves every test server's port, so two test runs can share a machine.
PORT_OFFSET = int(os.environ.get("SIGNPOST_TEST_PORT_OFFSET") or 0)
RASA_PORT, ACTION_PORT, WEB_PORT = 5105 + PORT_OFFSET, 5155 + PORT_OFFSET, 8180 + PORT_OFFSET
TWILIO_TOKEN = "test-twilio-auth-token"
TWILIO_SID = "ACtest0000000000000000000000000000"
SMS_FROM = "+447700900999"
BRIDGE_TOKEN = "test-helpline-bridge-token"
FAKE_TWILIO_PORT = 5190 + PORT_OFFSET
SMS_SECRET = b"test-secret-for-hashing-phone-numbers"


@dataclass(frozen=True)
class RunningServers:
    base: str  # the Rasa server's URL
    web: str  # the web front's URL
    database_url: str
    log_dir: Path


POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("SIGNPOST_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip a test whose server is missing; in CI (SIGNPOST_REQUIRE_SERVICES=1) fail instead."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (SIGNPOST_REQUIRE_SERVICES=1 makes this a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def socketio_client_on_rasas_aiohttp() -> Iterator[None]:
    """python-engineio 4.13+ (which python-socketio 5.16.2+ needs) gives its asyncio client's
    websocket aiohttp 3.10's `ClientWSTimeout`; Rasa holds aiohttp at 3.9, whose `ws_connect`
    takes the same close timeout as a number. Only the tests' socket.io client meets this:
    the Rasa server's socket.io side does not use aiohttp, and the web front has a current one."""
    import aiohttp

    if hasattr(aiohttp, "ClientWSTimeout"):
        yield
        return
    aiohttp.ClientWSTimeout = lambda ws_close=10.0, ws_receive=None: ws_close  # type: ignore[attr-defined]
    yield
    del aiohttp.ClientWSTimeout


class FakeMessagesApi:
    """A local stand-in for Twilio's Messages API: checks HTTP basic auth, records To and Body."""

    def __init__(self, port: int) -> None:
        import base64
        import threading
        import urllib.parse
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.sent: list[dict[str, str]] = []
        self.refused = 0
        expected = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                path_ok = self.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
                if self.headers.get("Authorization") != expected or not path_ok:
                    api.refused += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                form = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
                api.sent.append({"To": form.get("To", ""), "From": form.get("From", ""), "Body": form.get("Body", "")})
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"sid": "SMfake", "status": "queued"}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def fake_twilio() -> Iterator[FakeMessagesApi]:
    api = FakeMessagesApi(FAKE_TWILIO_PORT)
    yield api
    api.close()


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text())


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'signpost.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    admin_url = make_url(POSTGRES_URL)
    try:
        admin = make_engine(str(admin_url))
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any connection problem means "no server here"
        skip_or_fail(f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}")
    name = f"signpost_test_{uuid.uuid4().hex[:12]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(admin_url.set(database=name))
    finally:
        engine_for.cache_clear()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(fixture)


@pytest.fixture
def engine(sqlite_url: str, content: Content) -> Iterator[Engine]:
    eng = make_engine(sqlite_url)
    create_schema(eng)
    seed(eng, content)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, future=True) as s:
        yield s


@pytest.fixture
def knowledge_db(sqlite_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the actions at a freshly seeded SQLite database."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    engine_for.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()
    engine_for.cache_clear()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def tracker() -> Callable[..., Tracker]:
    """Build a Tracker from slots, the latest intent, entities and the channel.

    `new_slots` are slots set by this turn's extraction (what a form validation sees).
    """

    def build(
        slots: dict[str, Any] | None = None,
        intent: str = "describe_symptoms",
        entities: list[dict[str, Any]] | None = None,
        text: str = "",
        channel: str = "rest",
        active_loop: str | None = None,
        new_slots: dict[str, Any] | None = None,
    ) -> Tracker:
        latest = {
            "intent": {"name": intent, "confidence": 1.0},
            "intent_ranking": [{"name": intent, "confidence": 1.0}],
            "entities": entities or [],
            "text": text,
        }
        return Tracker.from_dict(
            {
                "sender_id": "test-user",
                "slots": {**(slots or {}), **(new_slots or {})},
                "latest_message": latest,
                "latest_input_channel": channel,
                "events": [
                    {"event": "user", "text": text, "parse_data": latest, "input_channel": channel},
                    *({"event": "slot", "name": k, "value": v} for k, v in (new_slots or {}).items()),
                ],
                "paused": False,
                "followup_action": None,
                "active_loop": {"name": active_loop} if active_loop else {},
                "latest_action_name": "action_listen",
            }
        )

    return build


def server_workspace(factory: pytest.TempPathFactory, name: str, content: Content) -> tuple[Path, str]:
    """A folder for server logs and a freshly seeded SQLite database, for a server under test."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does)")
    tmp = factory.mktemp(name)
    url = f"sqlite:///{tmp / 'signpost.db'}"
    engine = make_engine(url)
    create_schema(engine)
    seed(engine, content)
    engine.dispose()
    return tmp, url


@pytest.fixture(scope="session")
def servers(
    content: Content, tmp_path_factory: pytest.TempPathFactory, fake_twilio: FakeMessagesApi
) -> Iterator[RunningServers]:
    tmp, url = server_workspace(tmp_path_factory, "servers", content)
    base = f"http://localhost:{RASA_PORT}"
    env = {
        "DATABASE_URL": url,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "SMS_PUBLIC_URL": f"{base}/webhooks/sms/webhook",
        "SMS_ID_SECRET": SMS_SECRET.decode(),
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "SMS_FROM_NUMBER": SMS_FROM,
        "TWILIO_API_BASE": fake_twilio.base,
        "HELPLINE_BRIDGE_TOKEN": BRIDGE_TOKEN,
        "RASA_URL": base,
        "WEB_URL": f"http://localhost:{WEB_PORT}",
        "WEB_ALLOWED_ORIGINS": f"http://localhost:{WEB_PORT},http://127.0.0.1:{WEB_PORT}",
    }
    svcs = services(RASA_PORT, ACTION_PORT, log_dir=tmp, env=env, web_port=WEB_PORT)
    try:
        start_all(svcs)
        yield RunningServers(base, f"http://localhost:{WEB_PORT}", url, Path(tmp))
    except Exception:
        for log in Path(tmp).glob("*.log"):
            print(log.name, log.read_text()[-3000:])
        raise
    finally:
        stop_all(svcs)
