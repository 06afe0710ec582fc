"""Fixtures of the fuzz tests: after each test the servers must still be serving."""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Iterator

import pytest
import requests
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from signpost.staff import accounts
from signpost.storage.engine import make_engine
from tests.fuzz.checks import LogWatch, clear_login_failures, rasa_alive
from tests.http import get, post_rest


@pytest.fixture(autouse=True)
def still_serving(servers) -> Iterator[None]:
    """After every fuzz test: the Rasa process is alive and answers a normal message, the web
    front is up, and neither logged a traceback while the test ran. (The logs are checked per
    test, not per example: asyncio logs a failed handler task only when it is collected,
    often during a later example.)"""
    logs = [LogWatch(servers.log_dir / name) for name in ("rasa.log", "web.log")]
    yield
    for log in logs:
        log.assert_clean()
    assert rasa_alive(), "the Rasa server's process has exited"
    hello = json.dumps({"sender": f"fuzz-after-{uuid.uuid4().hex}", "message": "hello"}).encode()
    reply = post_rest(servers.base, hello)
    assert reply.status == 200, f"{reply.status}: {reply.text[:300]}"
    assert any(m.get("text") for m in reply.json()), reply.text[:300]
    assert get(f"{servers.web}/health")[0] == 200


@pytest.fixture(scope="module")
def database(servers) -> Iterator[Engine]:
    """The database the servers under test use."""
    engine = make_engine(servers.database_url)
    yield engine
    engine.dispose()


class Console:
    """A signed-in staff console: a requests session with the cookie, and the session's CSRF token."""

    def __init__(self, http: requests.Session, csrf_token: str) -> None:
        self.http = http
        self.csrf_token = csrf_token


@pytest.fixture(scope="module")
def console(servers, database) -> Iterator[Console]:
    name, password = f"fuzz{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(24)
    with Session(database, future=True) as s, s.begin():
        accounts.add_user(s, name, password)
    clear_login_failures(database)
    http = requests.Session()
    response = http.post(
        f"{servers.web}/staff/login", data={"username": name, "password": password}, allow_redirects=False
    )
    assert response.status_code == 303, response.text[:300]
    with Session(database, future=True) as s, s.begin():
        user = accounts.signed_in(s, http.cookies.get("signpost_staff"))
    assert user is not None
    yield Console(http, user.csrf_token)
    http.close()
