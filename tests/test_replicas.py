"""Two Rasa replicas and one action server on the real PostgreSQL and Redis, as
`make run-replicas` starts them: shared state, ordering, and surviving outages.

The servers reach PostgreSQL and Redis through TCP proxies (tests/proxy.py) that
the tests cut and restore, so an outage is real for them while the servers that
other tests use keep running.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import redis
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from scripts.runner import services, start_all, stop_all
from signpost.conversations.ids import rest_conversation_id
from signpost.conversations.transcript import EVENTS
from signpost.knowledge.seed import seed
from signpost.schema import create_schema
from signpost.storage.engine import ensure_database, make_engine
from tests.conftest import PORT_OFFSET, POSTGRES_URL, skip_or_fail
from tests.http import post_rest
from tests.proxy import TcpProxy

pytestmark = pytest.mark.servers

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PORTS = (5205 + PORT_OFFSET, 5206 + PORT_OFFSET)
ACTION_PORT = 5255 + PORT_OFFSET
HELPLINE = "020 7793 3650"
BRIDGE_TOKEN = "replicas-bridge-token"
WIDGET_ORIGIN = "http://localhost:8080"


@dataclass
class Replicas:
    bases: list[str]
    database_url: str  # direct, not through the proxy
    postgres: TcpProxy
    redis: TcpProxy
    log_dir: Path


def post(base: str, sender: str, message: str) -> tuple[int, list[dict], float]:
    """(status, messages, seconds) for one REST message."""
    reply = post_rest(base, json.dumps({"sender": sender, "message": message}).encode())
    messages = reply.json() if reply.status == 200 else [{"text": reply.text}]
    return reply.status, messages, reply.seconds


def joined(messages: list[dict]) -> str:
    return " ".join(m.get("text") or "" for m in messages)


def _reachable() -> None:
    try:
        engine = make_engine(POSTGRES_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        skip_or_fail(f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis not reachable at {REDIS_URL}: {type(exc).__name__}")


@pytest.fixture(scope="module")
def replicas(content, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    _reachable()
    name = f"signpost_replicas_{uuid.uuid4().hex[:10]}"
    database_url = str(make_url(POSTGRES_URL).set(database=name))
    assert ensure_database(database_url) and not ensure_database(database_url)
    engine = make_engine(database_url)
    create_schema(engine)
    seed(engine, content)
    engine.dispose()
    pg, rd = make_url(POSTGRES_URL), make_url(REDIS_URL)
    postgres = TcpProxy(pg.host or "127.0.0.1", pg.port or 5432)
    redis_proxy = TcpProxy(rd.host or "127.0.0.1", rd.port or 6379)
    prefix = f"test{uuid.uuid4().hex[:10]}"
    env = {
        "DATABASE_URL": str(pg.set(port=postgres.port, database=name)),
        "REDIS_URL": f"redis://127.0.0.1:{redis_proxy.port}/{rd.database or 0}",
        "REDIS_KEY_PREFIX": prefix,
        "ACTION_CIRCUIT_OPEN_S": "1",
        "HELPLINE_BRIDGE_TOKEN": BRIDGE_TOKEN,
        "WEB_ALLOWED_ORIGINS": WIDGET_ORIGIN,
    }
    log_dir = tmp_path_factory.mktemp("replicas")
    svcs = services(PORTS[0], ACTION_PORT, log_dir=log_dir, env=env, web_port=None, replica_ports=PORTS[1:])
    try:
        start_all(svcs)
        yield Replicas([f"http://localhost:{p}" for p in PORTS], database_url, postgres, redis_proxy, log_dir)
    except Exception:
        for log in log_dir.glob("*.log"):
            print(log.name, log.read_text()[-3000:])
        raise
    finally:
        stop_all(svcs)
        postgres.close()
        redis_proxy.close()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        admin = make_engine(POSTGRES_URL)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def user_turns(database_url: str, sender: str) -> list[list[str]]:
    """The stored events of a conversation, split into turns that each start with a user message."""
    engine = make_engine(database_url)
    with Session(engine, future=True) as s:
        rows = s.execute(
            select(EVENTS.c.type_name, EVENTS.c.data)
            .where(EVENTS.c.sender_id == rest_conversation_id(sender))
            .order_by(EVENTS.c.id)
        ).all()
    engine.dispose()
    turns: list[list[str]] = []
    for type_name, data in rows:
        event = json.loads(data)
        label = event.get("text") if type_name == "user" else event.get("name") or type_name
        if type_name == "user":
            turns.append([label])
        elif turns:
            turns[-1].append(label)
    return turns


def test_a_conversation_alternating_between_replicas_keeps_its_state(replicas):
    sender = uuid.uuid4().hex
    status, asked, _ = post(replicas.bases[0], sender, "my neck")
    assert status == 200 and joined(asked).startswith("What happens there?")
    status, answer, _ = post(replicas.bases[1], sender, "twisting or pulling")
    assert status == 200 and "Cervical dystonia" in joined(answer)
    status, known, _ = post(replicas.bases[0], sender, "what do you know about me")
    assert "Neck" in joined(known)


async def test_a_workers_reply_through_one_replica_reaches_a_widget_on_the_other(replicas):
    import asyncio

    import requests

    from tests.web.test_socketio_channel import Chat

    chat = Chat()
    try:
        await chat.connect(replicas.bases[0], origin=WIDGET_ORIGIN)
        session_id = await chat.session()
        await chat.say("I want to talk to a person")
        assert "DYS-" in joined(await chat.replies())
        bridge = f"{replicas.bases[1]}/webhooks/helpline/webhook"
        headers = {"Authorization": f"Bearer {BRIDGE_TOKEN}"}
        for body in (
            {"conversation_id": session_id, "event": "take"},
            {"conversation_id": session_id, "event": "reply", "reply_id": 7, "text": "Hello from the helpline."},
        ):
            answer = await asyncio.to_thread(requests.post, bridge, json=body, headers=headers, timeout=30)
            assert answer.status_code == 200 and answer.json()["delivered"] == "pushed"
        got = await chat.replies(first_s=3)
        assert "joined this chat" in joined(got) and "Hello from the helpline." in joined(got)
        await chat.say("are you there?")  # the "quiet" state is in the tracker, seen by both replicas
        try:
            extra = await asyncio.wait_for(chat.messages.get(), 3)
        except asyncio.TimeoutError:
            extra = None
        assert extra is None
        refused = await asyncio.to_thread(requests.post, bridge, json={"conversation_id": session_id}, timeout=30)
        assert refused.status_code == 401
    finally:
        await chat.client.disconnect()


def test_concurrent_messages_to_one_conversation_are_processed_one_at_a_time_in_order(replicas):
    sender = uuid.uuid4().hex
    messages = ["hello", "my hand", "it cramps when I write", "tips", "contacts", "what is dystonia?"]

    def send(n: int) -> int:
        time.sleep(n * 0.05)  # arrival order = list order; each turn takes longer than the gap
        return post(replicas.bases[n % 2], sender, messages[n])[0]

    with ThreadPoolExecutor(len(messages)) as pool:
        assert list(pool.map(send, range(len(messages)))) == [200] * len(messages)
    turns = [t for t in user_turns(replicas.database_url, sender) if t[0] in messages]
    assert [t[0] for t in turns] == messages
    for turn in turns:  # no turn interleaved with another: each ends by listening again
        assert turn[-1] == "action_listen", turn
    assert any("action_signpost" in t for t in turns)


def test_database_outage_is_answered_then_recovered_without_losing_acknowledged_turns(replicas):
    sender = uuid.uuid4().hex
    assert post(replicas.bases[0], sender, "my neck")[0] == 200  # acknowledged before the outage
    replicas.postgres.cut()
    try:
        for base in replicas.bases:
            status, messages, seconds = post(base, sender, "twisting or pulling")
            assert status == 200 and seconds < 5, (status, seconds)
            reply = joined(messages)
            assert HELPLINE in reply and "999" in reply and "Traceback" not in reply
    finally:
        replicas.postgres.restore()
    started = time.monotonic()
    while True:  # recovers by itself: no restart
        status, messages, _ = post(replicas.bases[1], sender, "twisting or pulling")
        if "Cervical dystonia" in joined(messages):  # the region from before the outage is remembered
            break
        assert time.monotonic() - started < 30, joined(messages)
        time.sleep(1)
    assert user_turns(replicas.database_url, sender)[0][0] == "my neck"
    log = (replicas.log_dir / "rasa.log").read_text(errors="replace")
    assert "turn failed (OperationalError)" in log and "Traceback" not in log


def test_redis_outage_is_answered_then_recovered(replicas):
    sender = uuid.uuid4().hex
    replicas.redis.cut()
    try:
        status, messages, seconds = post(replicas.bases[0], sender, "my eyes keep blinking")
        assert status == 200 and seconds < 5, (status, seconds)
        assert HELPLINE in joined(messages) and "999" in joined(messages)
    finally:
        replicas.redis.restore()
    started = time.monotonic()
    while "Blepharospasm" not in joined(post(replicas.bases[0], sender, "my eyes keep blinking")[1]):
        assert time.monotonic() - started < 30
        time.sleep(1)
    log = (replicas.log_dir / "rasa.log").read_text(errors="replace")
    assert "turn failed (LockError)" in log  # one clear line, not a traceback
