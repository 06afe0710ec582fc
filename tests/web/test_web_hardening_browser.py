"""The GP summary page in chromium: it reads a short-lived link token from the address's
fragment, never the conversation id."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from signpost.conversations import access
from signpost.conversations.repository import record_triage
from signpost.storage.engine import make_engine
from tests.web.conftest import open_page

pytestmark = pytest.mark.servers


def summary_link(database_url: str) -> tuple[str, str]:
    conversation = uuid.uuid4().hex
    engine = make_engine(database_url)
    with Session(engine, future=True) as s, s.begin():
        record_triage(s, conversation, "socketio", ["neck"], ["twisting"], [], ["cervical"])
        link = access.issue_summary_link(s, conversation)
    engine.dispose()
    return conversation, link


def test_the_summary_page_shows_what_a_link_reads(browser, servers, browser_errors):
    conversation, link = summary_link(servers.database_url)
    page = open_page(browser, f"{servers.web}/summary#{link}", browser_errors)
    try:
        expect(page.locator("#summary-body")).to_be_visible()
        expect(page.locator("#summary-regions")).to_have_text("Neck")
        expect(page.locator("#summary-types")).to_contain_text("Cervical dystonia")
    finally:
        page.context.close()


def test_a_conversation_id_in_the_address_reads_nothing(browser, servers):
    conversation, _ = summary_link(servers.database_url)
    errors: list[str] = []  # the refused fetch is logged by the browser as a 404
    page = open_page(browser, f"{servers.web}/summary#{conversation}", errors)
    try:
        expect(page.locator("#summary-status")).to_contain_text("expired")
        expect(page.locator("#summary-body")).to_be_hidden()
    finally:
        page.context.close()
