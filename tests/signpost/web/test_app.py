"""The web front's HTTP surface, on a seeded SQLite database (no Rasa needed)."""

from __future__ import annotations

import uuid

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import generate_latest
from sqlalchemy.orm import Session

from signpost import metrics
from signpost.config import get_settings
from signpost.conversations import access
from signpost.conversations.repository import record_contacts_given, record_triage
from signpost.web.app import MAX_BODY_BYTES, create_app


@pytest.fixture
async def client(engine) -> TestClient:
    app = create_app(get_settings(), engine=engine)
    async with TestClient(TestServer(app)) as c:
        yield c


async def test_demo_page_embeds_the_widget_with_one_script_tag(client):
    response = await client.get("/")
    html = await response.text()
    assert response.status == 200
    assert html.count("<script") == 1
    assert 'src="/widget/widget.js"' in html
    assert f'data-server="{get_settings().rasa_url}"' in html
    assert "What is dystonia?" in html  # topics come from the knowledge base
    assert "/living-with-dystonia" in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/widget/widget.js", "javascript"),
        ("/widget/widget.css", "text/css"),
        ("/vendor/socket.io.min.js", "javascript"),
        ("/summary", "text/html"),
        ("/living-with-dystonia", "text/html"),
        ("/static/summary.js", "javascript"),
        ("/health", "application/json"),
    ],
)
async def test_assets_are_served_from_our_own_server(client, path, kind):
    response = await client.get(path)
    assert response.status == 200
    assert kind in response.headers["Content-Type"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_unknown_path_is_404(client):
    assert (await client.get("/nothing-here")).status == 404


def widget_conversation(engine) -> tuple[str, str]:
    """A widget conversation's id and the secret the channel issued for it."""
    conversation = uuid.uuid4().hex
    with Session(engine, future=True) as s, s.begin():
        return conversation, access.issue_widget_token(s, conversation)


async def summary_link(client, conversation: str, token: str) -> str:
    response = await client.post("/api/summary-link", json={"session_id": conversation, "token": token})
    assert response.status == 200
    return (await response.json())["link"]


async def test_summary_lists_what_was_discussed_with_contacts_and_disclaimer(client, engine):
    conversation, token = widget_conversation(engine)
    with Session(engine, future=True) as s:
        record_triage(s, conversation, "socketio", ["neck"], ["twisting"], [], ["cervical"])
        record_triage(s, "someone-else", "rest", ["eyes"], ["blinking"], [], ["blepharospasm"])
        record_contacts_given(s, conversation, ["dystonia_uk"])
        record_contacts_given(s, "someone-else", ["samaritans"])
        s.commit()
    link = await summary_link(client, str(uuid.UUID(conversation)), token)
    assert conversation not in link
    response = await client.post("/api/summary", json={"link": link})
    data = await response.json()
    assert response.status == 200
    assert data["discussed_symptoms"] is True
    assert data["regions"] == ["Neck"]
    assert [t["name"] for t in data["types"]] == ["Cervical dystonia (neck dystonia)"]
    assert [c["name"] for c in data["contacts"]] == ["Dystonia UK helpline"], "only the contacts it gave"
    assert "not a diagnosis" in data["disclaimer"]
    assert "Eyes" not in data["regions"]


async def test_summary_of_a_conversation_that_was_given_no_contacts_lists_none(client, engine):
    link = await summary_link(client, *widget_conversation(engine))
    response = await client.post("/api/summary", json={"link": link})
    data = await response.json()
    assert response.status == 200
    assert data["discussed_symptoms"] is False
    assert data["types"] == [] and data["contacts"] == []


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"link": 5}', b'{"link": ""}', b"{}", b'{"link": null}', b'{"session_id": "x"}'],
)
async def test_bad_summary_requests_get_a_clear_400(client, body):
    response = await client.post("/api/summary", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert "error" in await response.json()


async def test_oversized_request_gets_413(client):
    response = await client.post(
        "/api/summary", data=b"{" + b" " * MAX_BODY_BYTES + b"}", headers={"Content-Type": "application/json"}
    )
    assert response.status == 413


async def test_ready_while_the_database_answers(client):
    response = await client.get("/ready")
    assert response.status == 200 and await response.json() == {"status": "ready", "checks": {"database": "ok"}}


async def test_not_ready_without_the_database_though_still_alive():
    from sqlalchemy import create_engine

    unreachable = create_engine("postgresql://nobody@127.0.0.1:9/nothing", future=True)
    async with TestClient(TestServer(create_app(get_settings(), engine=unreachable))) as c:
        response = await c.get("/ready")
        assert response.status == 503 and (await response.json())["checks"] == {"database": "failing"}
        assert (await c.get("/health")).status == 200


async def test_requests_are_counted_by_route_pattern_and_status(client):
    def count(route: str, status: str) -> float:
        return metrics.WEB.get_sample_value("signpost_web_requests_total", {"route": route, "status": status}) or 0.0

    before = (count("/health", "200"), count("unmatched", "404"), count("/api/summary", "400"))
    await client.get("/health")
    await client.get(f"/nothing-here-{uuid.uuid4().hex}")
    await client.post("/api/summary", json={"link": 5})
    assert (count("/health", "200"), count("unmatched", "404"), count("/api/summary", "400")) == (
        before[0] + 1,
        before[1] + 1,
        before[2] + 1,
    )
    assert b"nothing-here" not in generate_latest(metrics.WEB)
