"""The hardening tests' front: one app on one seeded SQLite database per module.

`front` trusts the default proxies (loopback, where the test client is), as deployed;
`direct_front` trusts only an ingress network, so the test client is an ordinary
client talking to the front directly.
"""

from __future__ import annotations

import dataclasses
from typing import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from signpost.config import Settings, get_settings
from signpost.conversations.transcript import EVENTS
from signpost.knowledge.seed import seed
from signpost.schema import create_schema
from signpost.staff import accounts
from signpost.staff.models import LoginFailure
from signpost.storage.engine import make_engine
from signpost.web import staff
from signpost.web.app import create_app

STAFF_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def front_engine(tmp_path_factory, content) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('front') / 'signpost.db'}")
    create_schema(engine)
    seed(engine, content)
    EVENTS.metadata.create_all(engine)  # the tracker store's table, for transcripts
    with Session(engine, future=True) as s, s.begin():
        accounts.add_user(s, "alice", STAFF_PASSWORD)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def front_settings() -> Settings:
    return get_settings()


async def _serve(settings: Settings, engine: Engine) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app(settings, engine=engine))) as client:
        yield client


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def front(front_settings, front_engine) -> AsyncIterator[TestClient]:
    assert "127.0.0.1" in front_settings.trusted_proxies
    async for client in _serve(front_settings, front_engine):
        yield client


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def direct_front(front_settings, front_engine) -> AsyncIterator[TestClient]:
    async for client in _serve(dataclasses.replace(front_settings, trusted_proxies=("10.0.0.0/8",)), front_engine):
        yield client


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def console(front) -> dict[str, str]:
    """Headers of a signed-in console (the cookie set by hand, so it also goes with https)."""
    response = await front.post(
        "/staff/login", data={"username": "alice", "password": STAFF_PASSWORD}, allow_redirects=False
    )
    assert response.status == 303
    return {"Cookie": f"{staff.COOKIE}={response.cookies[staff.COOKIE].value}"}


@pytest.fixture
def fresh_lockout(front_engine) -> Iterator[None]:
    """No failed sign-ins before or after the test."""

    def clear() -> None:
        with Session(front_engine, future=True) as s, s.begin():
            s.execute(delete(LoginFailure))

    clear()
    yield
    clear()
