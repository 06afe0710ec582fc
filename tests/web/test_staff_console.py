"""The staff console against the running assistant: handoffs from conversations reach the
queue, and the console and overview pages work in chromium."""

from __future__ import annotations

import re
import uuid
from typing import Iterator

import pytest
import requests
from playwright.sync_api import Page, expect
from sqlalchemy import update
from sqlalchemy.orm import Session

from signpost.conversations.models import Handoff
from signpost.staff import accounts
from signpost.storage.engine import make_engine
from tests.http import say
from tests.web.conftest import open_page

pytestmark = pytest.mark.servers

PASSWORD = "a helpline password for tests"
CODE = re.compile(r"DYS-[A-Z2-9]{4}")


@pytest.fixture(scope="module")
def staff_user(servers) -> str:
    name = f"staff{uuid.uuid4().hex[:6]}"
    engine = make_engine(servers.database_url)
    with Session(engine, future=True) as s, s.begin():
        accounts.add_user(s, name, PASSWORD)
    engine.dispose()
    return name


@pytest.fixture
def console(servers, staff_user) -> Iterator[requests.Session]:
    http = requests.Session()
    response = http.post(
        f"{servers.web}/staff/login", data={"username": staff_user, "password": PASSWORD}, allow_redirects=False
    )
    assert response.status_code == 303
    yield http
    http.close()


def reply_text(replies: list[dict]) -> str:
    return " ".join(r.get("text") or "" for r in replies)


def queued(console, servers) -> list[dict]:
    """Every entry of the queue, walking its pages as the console does."""
    entries, page = [], 1
    while page:
        answer = console.get(f"{servers.web}/staff/api/queue", params={"limit": 100, "page": page}).json()
        entries += answer["entries"]
        page = answer.get("next_page")
    return entries


def test_asking_for_a_person_over_rest_gives_a_code_and_queues_the_conversation(servers, console):
    sender = f"handoff-{uuid.uuid4().hex[:8]}"
    say(servers.base, sender, "my hand cramps when I write")
    text = reply_text(say(servers.base, sender, "can I talk to a real person please"))
    code = CODE.search(text)
    assert code, text
    assert "020 7793 3650" in text and "not a diagnosis" in text

    entry = next(e for e in queued(console, servers) if e["code"] == code.group())
    assert entry["channel"] == "rest" and entry["reason"] == "asked_for_person"
    assert entry["summary"]["regions"] and entry["summary"]["types"]
    assert entry["suspected_automation"] is False
    assert "transcript" not in entry  # the list is light: one entry brings its transcript

    found = console.get(f"{servers.web}/staff/api/queue/{code.group().lower()}")
    assert found.status_code == 200 and found.json()["code"] == code.group()
    lines = found.json()["transcript"]
    said = [line["text"] for line in lines if line["speaker"] == "user"]
    assert said == ["my hand cramps when I write", "can I talk to a real person please"]
    assert any(code.group() in line["text"] for line in lines if line["speaker"] == "bot")


def test_a_red_flag_is_answered_first_then_queued_with_its_category(servers, console):
    sender = f"flag-{uuid.uuid4().hex[:8]}"
    replies = say(servers.base, sender, "my dad is choking and can't breathe")
    assert replies[0]["text"].startswith("Call 999 now")
    code = CODE.search(reply_text(replies))
    assert code
    entry = console.get(f"{servers.web}/staff/api/queue/{code.group()}").json()
    assert entry["reason"] == "red_flag" and entry["red_flag"] == "emergency"
    queue = console.get(f"{servers.web}/staff/api/queue").json()
    assert queue["page"] == 1 and queue["total"] >= 1
    assert queue["entries"][0]["red_flag"] == "emergency"  # the most serious first
    assert code.group() in [e["code"] for e in queued(console, servers)]


def sign_in(page: Page, servers, staff_user: str) -> None:
    page.goto(f"{servers.web}/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login$"))
    page.get_by_label("Username").fill(staff_user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Triage and queue")).to_be_visible()


def test_console_card_follows_the_callers_words(browser, servers, staff_user, browser_errors):
    page = open_page(browser, f"{servers.web}/staff/login", browser_errors)
    try:
        sign_in(page, servers, staff_user)
        page.get_by_label("What the caller says").fill("her eyes keep clamping shut")
        expect(page.locator("#card-candidates")).to_contain_text("Blepharospasm")
        expect(page.locator("#card-regions")).to_contain_text("Eyes")
        page.get_by_label("What the caller says").fill("her eyes keep clamping shut and now she can't swallow")
        expect(page.get_by_role("alert")).to_contain_text("999")
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.get_by_role("button", name="Copy case note").click()
        expect(page.locator("#copy-status")).to_have_text("Case note copied.")
        note = page.evaluate("() => navigator.clipboard.readText()")
        assert "RED FLAG (emergency)" in note and "Blepharospasm" in note
    finally:
        page.context.close()


def test_overview_chart_renders(browser, servers, staff_user, browser_errors):
    say(servers.base, f"chart-{uuid.uuid4().hex[:8]}", "my neck keeps twisting to the right")
    page = open_page(browser, f"{servers.web}/staff/login", browser_errors)
    try:
        sign_in(page, servers, staff_user)
        page.get_by_role("link", name="Overview").click()
        expect(page.get_by_role("heading", name="Conversations by channel")).to_be_visible()
        charts = page.locator("svg[role=img]")
        expect(charts).to_have_count(4)
        box = charts.first.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 80
        assert page.locator("svg[role=img] rect").count() >= 2  # REST conversations and a region at least
        expect(page.locator(".legend").first).to_contain_text("REST API")
    finally:
        page.context.close()


def test_asking_for_a_person_by_sms_queues_the_conversation_without_the_number(servers, console):
    from tests.test_sms_channel import new_number, text

    number = new_number()
    reply = text(servers, number, "can I speak to a real person")
    code = CODE.search(reply)
    assert code and "020 7793 3650" in reply
    entry = console.get(f"{servers.web}/staff/api/queue/{code.group()}").json()
    assert entry["channel"] == "sms" and entry["reason"] == "asked_for_person"
    digits = number.replace(" ", "")
    assert digits not in console.get(f"{servers.web}/staff/api/queue").text


def test_sign_in_through_the_tls_proxy_succeeds_with_a_secure_cookie(servers, staff_user):
    """The ingress terminates TLS and forwards over loopback (a trusted proxy by default)."""
    host = servers.web.split("://", 1)[1]
    response = requests.post(
        f"{servers.web}/staff/login",
        data={"username": staff_user, "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https", "Origin": f"https://{host}"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303, response.text
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_the_console_marks_suspected_automation_and_loads_a_transcript_when_opened(
    browser, servers, staff_user, browser_errors
):
    sender = f"automation-{uuid.uuid4().hex[:8]}"
    code = CODE.search(reply_text(say(servers.base, sender, "can I talk to a real person please")))
    assert code
    engine = make_engine(servers.database_url)
    with Session(engine, future=True) as s, s.begin():
        s.execute(update(Handoff).where(Handoff.code == code.group()).values(suspected_automation=True))
    engine.dispose()
    page = open_page(browser, f"{servers.web}/staff/login", browser_errors)
    try:
        sign_in(page, servers, staff_user)
        entry = page.get_by_role("article", name=re.compile(code.group()))
        for _ in range(200):  # the queue comes a page at a time (the suite leaves hundreds of entries)
            page.wait_for_selector("#queue-list article, #queue-list p")
            if entry.count() or page.locator("#queue-next").is_disabled() or page.locator("#queue-pages").is_hidden():
                break
            page.get_by_role("button", name="Next page").click()
            page.wait_for_timeout(300)
        expect(entry).to_contain_text("Suspected automation")
        expect(entry).to_have_attribute("aria-label", re.compile("suspected automation"))
        transcript = entry.locator(".transcript")
        expect(transcript).to_be_empty()  # not fetched until the staff member opens it
        entry.get_by_text("Transcript").click()
        expect(transcript).to_contain_text("can I talk to a real person please")
        expect(entry.locator("summary").first).to_contain_text("messages")
    finally:
        page.context.close()


def test_a_worker_takes_replies_and_follows_the_conversation_live(browser, servers, staff_user, browser_errors):
    sender = f"live-{uuid.uuid4().hex[:8]}"
    code = CODE.search(reply_text(say(servers.base, sender, "can I talk to a real person please"))).group()
    page = open_page(browser, f"{servers.web}/staff/login", browser_errors)
    try:
        sign_in(page, servers, staff_user)
        page.get_by_label("Find by reference code").fill(code)
        page.get_by_role("button", name="Find").click()
        case = page.get_by_role("article", name=f"Conversation {code}")
        case.get_by_text("Talk to this person").click()
        case.get_by_role("button", name="Take").click()
        expect(case.get_by_role("status")).to_contain_text(f"Taken by {staff_user}")
        case.get_by_label("Reply to the person").fill("Hello, this is the helpline.")
        case.get_by_role("button", name="Send reply").click()
        expect(case.get_by_role("status")).to_contain_text("Reply sent")
        live_log = case.locator(".live-log")
        expect(live_log).to_contain_text("Helpline: Hello, this is the helpline.", timeout=5000)
        say(servers.base, sender, "thank you, my neck has been twisting for weeks")
        expect(live_log).to_contain_text("Person: thank you, my neck has been twisting", timeout=5000)
        case.get_by_label("Private case note").fill("Call back tomorrow morning.")
        case.get_by_role("button", name="Save note").click()
        expect(case.get_by_role("status")).to_contain_text("Note saved")
        case.get_by_role("button", name="Hand back to the assistant").click()
        expect(case.get_by_role("status")).to_contain_text("Handed back")
    finally:
        page.context.close()
    assert "neurologist" in reply_text(say(servers.base, sender, "what is dystonia?")).lower()
