"""The website widget in a real browser: Debian's chromium, driven by Playwright.

Every test opens the demo page of the web front under test, which embeds the
widget with one script tag and talks to the Rasa server under test.
"""

from __future__ import annotations

import re
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from signpost.config import ROOT
from tests.conftest import WEB_PORT
from tests.tables import tables_mentioning
from tests.web.conftest import open_page

pytestmark = pytest.mark.servers

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
REPLY_MS = 20_000
DISCLAIMER = "not a diagnosis"


@pytest.fixture
def page(browser, servers, browser_errors) -> Iterator[Page]:
    page = open_page(browser, servers.web + "/", browser_errors)
    yield page
    page.context.close()


def log(page: Page):
    return page.locator(".sp-log")


def open_widget(page: Page) -> None:
    page.get_by_role("button", name="Ask about dystonia").click()
    expect(page.locator(".sp-bot").first).to_contain_text("Hello")


def say(page: Page, text: str) -> None:
    box = page.get_by_label("Your message")
    box.fill(text)
    box.press("Enter")


def describe_neck(page: Page) -> None:
    open_widget(page)
    page.get_by_role("button", name="Neck").click()
    expect(page.get_by_role("button", name="Twisting or pulling")).to_be_visible()
    say(page, "my head keeps twisting to the left")
    expect(log(page)).to_contain_text("Cervical dystonia")
    expect(log(page)).to_contain_text(DISCLAIMER)


def test_region_button_then_typed_symptom_gives_type_information_and_disclaimer(page):
    describe_neck(page)
    text = log(page).inner_text()
    assert "sometimes seen in" in text
    assert re.search(r"020 7793 3650", text)
    helpline = log(page).get_by_role("link", name="020 7793 3650").first
    assert helpline.get_attribute("href") == "tel:02077933650"


def test_conversation_survives_a_reload_and_another_page(page):
    describe_neck(page)
    before = log(page).inner_text()
    page.reload()
    expect(page.get_by_role("dialog", name="Ask about dystonia")).to_be_visible()
    expect(log(page)).to_contain_text("Cervical dystonia")
    assert log(page).inner_text() == before
    page.get_by_role("link", name="Living with dystonia").click()
    page.wait_for_url("**/living-with-dystonia")
    expect(log(page)).to_contain_text("Cervical dystonia")
    # The conversation carries on: the server still knows the region and types.
    page.get_by_role("button", name="More tips").click()
    expect(log(page)).to_contain_text("You: More tips")


@pytest.mark.parametrize(
    "attack",
    [
        '<img src=x onerror="window.__pwned = 1">',
        "<script>window.__pwned = 2</script><b>bold</b>",
        'see https://example.org/"><img src=x onerror="window.__pwned=3">',
        "javascript:window.__pwned=4",
    ],
)
def test_user_text_is_shown_as_text_and_never_runs(page, attack):
    open_widget(page)
    say(page, attack)
    bubble = page.locator(".sp-user").last
    expect(page.locator(".sp-bot").nth(2)).to_be_visible()  # the greeting, the privacy notice, then an answer
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator(".sp-log img, .sp-log script, .sp-log b").count() == 0
    assert bubble.text_content() == "You: " + attack
    for href in page.locator(".sp-log a").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert href.split(":", 1)[0] in {"https", "http", "tel", "mailto"}, href


def stored_conversation(page: Page) -> dict:
    return page.evaluate("() => JSON.parse(sessionStorage.getItem('dystonia-signpost.conversation'))")


def test_privacy_notice_links_to_the_privacy_page_and_forget_me_clears_the_widget(page, servers):
    describe_neck(page)
    notice = page.locator(".sp-bot", has_text="Privacy:")
    expect(notice).to_have_count(1)
    assert notice.get_by_role("link").get_attribute("href") == f"{servers.web}/privacy"
    before = stored_conversation(page)["session"]
    assert tables_mentioning(servers.database_url, before)

    say(page, "forget me")
    page.get_by_role("button", name="Yes, delete it").click()
    expect(log(page)).to_contain_text("I have deleted this conversation")
    expect(log(page)).not_to_contain_text("Cervical dystonia")
    after = stored_conversation(page)
    assert after["session"] != before and after["messages"] == []
    assert tables_mentioning(servers.database_url, before) == {}

    say(page, "what is dystonia?")  # carries on as a new conversation
    expect(page.locator(".sp-bot", has_text="Privacy:")).to_have_count(1)
    renewed = stored_conversation(page)
    assert renewed["session"] not in (None, before) and renewed["token"]
    assert tables_mentioning(servers.database_url, renewed["session"])


def focused(page: Page) -> dict:
    """What has the keyboard focus, looking inside the widget's shadow root."""
    return page.evaluate(
        """() => {
            let el = document.activeElement;
            while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
            const style = getComputedStyle(el);
            return {tag: el.tagName, text: (el.innerText || el.getAttribute('aria-label') || '').trim(),
                    cls: el.className, outline: style.outlineStyle, outlineWidth: style.outlineWidth};
        }"""
    )


def tab_to(page: Page, text: str, limit: int = 40, key: str = "Tab") -> dict:
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now["text"] == text:
            return now
    raise AssertionError(f"could not reach {text!r} with {key}")


def test_keyboard_only(page):
    launcher = tab_to(page, "Ask about dystonia")
    assert launcher["outline"] != "none" and launcher["outlineWidth"] != "0px", "focus must be visible"
    page.keyboard.press("Enter")
    expect(page.locator(".sp-bot").first).to_contain_text("Hello")
    assert focused(page)["tag"] == "TEXTAREA"
    page.keyboard.type("my eyes keep blinking and shutting")
    page.keyboard.press("Enter")
    expect(log(page)).to_contain_text("Blepharospasm")
    expect(log(page)).to_contain_text(DISCLAIMER)
    tips = tab_to(page, "More tips", key="Shift+Tab")
    assert tips["outline"] != "none"
    page.keyboard.press("Enter")
    expect(page.locator(".sp-user").last).to_have_text("You: More tips")
    expect(page.locator(".sp-bot").last).to_contain_text(DISCLAIMER)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert focused(page)["text"] == "Ask about dystonia", "closing returns focus to the launcher"


def test_phone_screen_has_no_sideways_scrolling(browser, servers, browser_errors):
    page = open_page(browser, servers.web + "/", browser_errors, viewport={"width": 375, "height": 667})
    try:
        open_widget(page)
        say(page, "my hand cramps when I write " + "x" * 120 + " https://example.org/" + "a" * 100)
        expect(page.locator(".sp-bot").nth(1)).to_be_visible()
        box = page.get_by_role("dialog").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
        widths = page.evaluate(
            """() => {
                const log = document.querySelector('#dystonia-signpost-widget').shadowRoot.querySelector('.sp-log');
                return {page: document.documentElement.scrollWidth, log: log.scrollWidth, logView: log.clientWidth};
            }"""
        )
        assert widths["page"] <= 375
        assert widths["log"] <= widths["logView"]
    finally:
        page.context.close()


def serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_no_serious_accessibility_violations(browser, servers, browser_errors):
    assert AXE.exists(), "axe-core missing: run `make build` (npm ci)"
    # bypass_csp lets the test inject axe-core; the page's own scripts are all files.
    page = open_page(browser, servers.web + "/", browser_errors, bypass_csp=True)
    try:
        assert serious_violations(page) == [], "page with the widget closed"
        describe_neck(page)
        assert serious_violations(page) == [], "widget mid-conversation"
        page.get_by_role("button", name="Large text").click()
        assert serious_violations(page) == [], "large text and high contrast"
    finally:
        page.context.close()


def test_large_text_and_high_contrast_is_remembered(page):
    open_widget(page)
    toggle = page.get_by_role("button", name="Large text")
    size = page.locator(".sp-msg").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    larger = page.locator(".sp-msg").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert larger >= size * 1.2
    page.reload()
    expect(page.get_by_role("button", name="Large text")).to_have_attribute("aria-pressed", "true")


def test_live_region_announces_new_messages(page):
    open_widget(page)
    region = page.get_by_role("log", name="Conversation")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_contain_text("Hello")


def test_gp_summary_is_a_printable_page_of_what_was_discussed(page):
    describe_neck(page)
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Summary for my GP").click()
    summary = opened.value
    summary.wait_for_load_state()
    body = summary.locator("#summary-body")
    expect(body).to_be_visible()
    expect(summary.locator("#summary-regions")).to_have_text("Neck")
    expect(summary.locator("#summary-symptoms")).to_contain_text("Twisting")
    expect(summary.locator("#summary-types")).to_contain_text("Cervical dystonia")
    expect(summary.locator("#summary-contacts")).to_contain_text("Dystonia UK helpline")
    expect(summary.locator("#summary-disclaimer")).to_contain_text(DISCLAIMER)
    summary.emulate_media(media="print")
    expect(summary.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    summary.pdf()  # prints without error


def test_start_again_begins_a_new_conversation(page):
    describe_neck(page)
    before = stored_conversation(page)["session"]
    page.get_by_role("button", name="Start again").click()
    expect(page.locator(".sp-msg")).to_have_count(2)  # a new conversation: the greeting and the privacy notice
    expect(page.locator(".sp-bot").first).to_contain_text("Hello")
    expect(page.locator(".sp-bot").last).to_contain_text("Privacy:")
    assert stored_conversation(page)["session"] != before


def test_a_page_on_an_origin_not_allowed_cannot_chat(browser, servers):
    """127.0.0.2 reaches the same web front, but it is not in WEB_ALLOWED_ORIGINS."""
    page = open_page(browser, f"http://127.0.0.2:{WEB_PORT}/", [])
    try:
        page.get_by_role("button", name="Ask about dystonia").click()
        expect(page.locator(".sp-status")).to_contain_text("020 7793 3650")
        assert page.locator(".sp-msg").count() == 0
    finally:
        page.context.close()
