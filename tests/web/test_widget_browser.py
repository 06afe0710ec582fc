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
    ask_about_neck(page)


def ask_about_neck(page: Page) -> None:
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


def test_start_again_asks_first_and_only_then_begins_a_new_conversation(page):
    describe_neck(page)
    before = stored_conversation(page)["session"]
    shown = page.locator(".sp-msg").count()
    restart = page.get_by_role("button", name="Start again")
    question = page.get_by_role("alertdialog", name="Start a new conversation?")

    restart.click()  # a mis-tap: "No" keeps everything, and the focus goes back
    expect(question).to_be_visible()
    assert focused(page)["text"] == "No, keep it", "the focus starts on the safe choice"
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Yes, start again"
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "No, keep it", "Tab stays inside the question"
    question.get_by_role("button", name="No, keep it").click()
    expect(question).to_be_hidden()
    assert focused(page)["text"] == "Start again"
    expect(page.locator(".sp-msg")).to_have_count(shown)
    assert stored_conversation(page)["session"] == before

    restart.click()  # Escape answers "no" too, and leaves the panel open
    expect(question).to_be_visible()
    page.keyboard.press("Escape")
    expect(question).to_be_hidden()
    expect(page.get_by_role("dialog", name="Ask about dystonia")).to_be_visible()
    expect(log(page)).to_contain_text("Cervical dystonia")

    restart.click()
    question.get_by_role("button", name="Yes, start again").click()
    expect(page.locator(".sp-msg")).to_have_count(2)  # a new conversation: the greeting and the privacy notice
    expect(page.locator(".sp-bot").first).to_contain_text("Hello")
    expect(page.locator(".sp-bot").last).to_contain_text("Privacy:")
    assert stored_conversation(page)["session"] != before


def test_start_again_stands_apart_from_the_gp_summary(page):
    open_widget(page)
    summary = page.get_by_role("button", name="Summary for my GP").bounding_box()
    restart = page.get_by_role("button", name="Start again").bounding_box()
    assert summary and restart
    apart_x = max(restart["x"] - (summary["x"] + summary["width"]), summary["x"] - (restart["x"] + restart["width"]))
    apart_y = max(restart["y"] - (summary["y"] + summary["height"]), summary["y"] - (restart["y"] + restart["height"]))
    assert max(apart_x, apart_y) >= 12, (summary, restart)


def test_a_page_on_an_origin_not_allowed_cannot_chat(browser, servers):
    """127.0.0.2 reaches the same web front, but it is not in WEB_ALLOWED_ORIGINS."""
    page = open_page(browser, f"http://127.0.0.2:{WEB_PORT}/", [])
    try:
        page.get_by_role("button", name="Ask about dystonia").click()
        expect(page.locator(".sp-status")).to_contain_text("020 7793 3650")
        assert page.locator(".sp-msg").count() == 0
    finally:
        page.context.close()


# ---------- reading comfort: scrolling, motion, tap targets, the large-text toggle ----------

WIDGET = "document.querySelector('#dystonia-signpost-widget').shadowRoot"
PHONE = {"width": 360, "height": 740}
SMALL_PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
MIN_TARGET = 44  # CSS px, WCAG 2.5.5


def comfort_page(browser, servers, errors, viewport, large=False, **options) -> Page:
    """The demo page at `viewport`, for a reader who chose large text on an earlier visit."""
    page = open_page(browser, servers.web + "/", errors, viewport=viewport, **options)
    if large:
        page.evaluate("() => localStorage.setItem('dystonia-signpost.preferences', JSON.stringify({large: true}))")
        page.reload()
    return page


def wait_for_answer(page: Page, quiet_ms: int = 800) -> None:
    """Until the newest answer is complete: the typing indicator gone and no new bubble for a while."""
    page.wait_for_function(
        f"""() => {{
            const root = {WIDGET};
            const msgs = root.querySelectorAll('.sp-msg');
            const now = Date.now();
            if (msgs.length !== window.__spCount) {{ window.__spCount = msgs.length; window.__spSince = now; }}
            return msgs.length && msgs[msgs.length - 1].classList.contains('sp-bot')
                && root.querySelector('.sp-typing').hidden && now - window.__spSince >= {quiet_ms};
        }}""",
        polling=100,
    )


def settle_scroll(page: Page) -> None:
    """Until a smooth scroll has come to rest."""
    page.wait_for_function(
        f"""() => {{
            const top = {WIDGET}.querySelector('.sp-log').scrollTop, now = Date.now();
            if (top !== window.__spTop) {{ window.__spTop = top; window.__spTopSince = now; }}
            return now - window.__spTopSince >= 400;
        }}""",
        polling=50,
    )


def newest_answer(page: Page) -> dict:
    """Where the bubbles after the reader's last message sit, relative to the log's visible area."""
    return page.evaluate(
        f"""() => {{
            const log = {WIDGET}.querySelector('.sp-log');
            const msgs = [...log.querySelectorAll('.sp-msg')];
            let i = msgs.length - 1;
            while (i >= 0 && !msgs[i].classList.contains('sp-user')) i--;
            const answer = msgs.slice(i + 1), view = log.getBoundingClientRect();
            const first = answer[0].getBoundingClientRect(), last = answer[answer.length - 1].getBoundingClientRect();
            return {{bubbles: answer.length, height: log.clientHeight, first_top: first.top - view.top,
                     first_height: first.height, last_bottom: last.bottom - view.top,
                     below_view: log.scrollHeight - log.clientHeight - log.scrollTop}};
        }}"""
    )


def assert_start_in_view(where: dict) -> None:
    assert where["first_top"] >= -1, f"the first bubble of the answer is cut off at the top: {where}"
    assert where["first_top"] + min(where["first_height"], 60) <= where["height"], (
        f"its first lines are hidden: {where}"
    )
    if where["last_bottom"] > where["height"]:  # longer than the view: its start should be near the top
        assert where["first_top"] <= where["height"] / 3, f"the answer starts low in the view: {where}"


def test_each_answer_is_shown_from_its_start(browser, servers, browser_errors):
    page = comfort_page(browser, servers, browser_errors, SMALL_PHONE, large=True)
    try:
        describe_neck(page)
        wait_for_answer(page)
        settle_scroll(page)
        first = newest_answer(page)
        assert first["last_bottom"] > first["height"], f"a long answer is needed for this test: {first}"
        assert first["below_view"] > 0
        assert_start_in_view(first)

        page.get_by_role("button", name="More tips").click()
        expect(page.locator(".sp-user").last).to_have_text("You: More tips")
        wait_for_answer(page)
        settle_scroll(page)
        assert_start_in_view(newest_answer(page))
    finally:
        page.context.close()


@pytest.mark.parametrize(("viewport", "large"), [(PHONE, True), (PHONE, False), (DESKTOP, True)])
def test_the_greeting_is_not_cut_off_when_the_panel_opens(browser, servers, browser_errors, viewport, large):
    page = comfort_page(browser, servers, browser_errors, viewport, large=large)
    try:
        open_widget(page)
        expect(page.locator(".sp-bot", has_text="Privacy:")).to_have_count(1)
        wait_for_answer(page)
        settle_scroll(page)
        greeting = page.evaluate(
            f"""() => {{
                const log = {WIDGET}.querySelector('.sp-log'), first = log.querySelector('.sp-msg');
                const top = first.getBoundingClientRect().top - log.getBoundingClientRect().top;
                return {{top: top, scroll: log.scrollTop}};
            }}"""
        )
        assert greeting["top"] >= 0 and greeting["scroll"] == 0, greeting
    finally:
        page.context.close()


def test_reduced_motion_means_no_smooth_scrolling(browser, servers, browser_errors):
    behaviour = "el => getComputedStyle(el).scrollBehavior"
    page = comfort_page(browser, servers, browser_errors, SMALL_PHONE, large=True, reduced_motion="reduce")
    try:
        open_widget(page)
        assert log(page).evaluate(behaviour) == "auto"
        log(page).evaluate(
            "el => { window.__spScrolls = 0; el.addEventListener('scroll', () => window.__spScrolls++); }"
        )
        ask_about_neck(page)
        wait_for_answer(page)
        # No glide: the answer's start is in place at once, and each move was one jump.
        assert_start_in_view(newest_answer(page))
        moves = page.evaluate("() => window.__spScrolls")
        bubbles = page.locator(".sp-msg").count()
        assert moves <= bubbles, f"{moves} scroll events for {bubbles} bubbles: the log glided"
    finally:
        page.context.close()
    page = comfort_page(browser, servers, browser_errors, DESKTOP, reduced_motion="no-preference")
    try:
        open_widget(page)
        assert log(page).evaluate(behaviour) == "smooth", "without the preference, the log may glide"
    finally:
        page.context.close()


def small_controls(page: Page) -> list[str]:
    """Every visible button and text box in the widget smaller than MIN_TARGET either way.

    Links inside a bubble's text are left out: they are words in a sentence (WCAG's inline exception)."""
    return page.evaluate(
        f"""() => [...{WIDGET}.querySelectorAll('button, textarea, input, select, [role=button]')]
            .filter(el => el.getClientRects().length)
            .map(el => [(el.textContent || el.getAttribute('aria-label') || el.tagName).trim(),
                        el.getBoundingClientRect()])
            .filter(([, r]) => r.width < {MIN_TARGET} || r.height < {MIN_TARGET})
            .map(([name, r]) => `${{name}}: ${{r.width.toFixed(1)}} x ${{r.height.toFixed(1)}}`)"""
    )


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360x740", "1280x900"])
def test_every_control_is_at_least_44_px_square(browser, servers, browser_errors, viewport, large):
    page = comfort_page(browser, servers, browser_errors, viewport, large=large)
    try:
        assert small_controls(page) == [], "the launcher"
        open_widget(page)
        expect(page.get_by_role("button", name="Neck")).to_be_visible()
        assert page.locator(".sp-reply").count() >= 3
        assert small_controls(page) == [], "the panel, with the greeting's reply buttons"
        page.get_by_role("button", name="Start again").click()
        expect(page.get_by_role("button", name="Yes, start again")).to_be_visible()
        assert small_controls(page) == [], "the start-again question"
        page.get_by_role("button", name="No, keep it").click()
    finally:
        page.context.close()


def contrast(colours: list[str]) -> float:
    """WCAG contrast ratio of a computed `color` on a computed `background-color` (over white)."""

    def rgb(css: str) -> tuple[float, float, float]:
        parts = [float(x) for x in re.findall(r"[\d.]+", css)]
        r, g, b, a = (parts + [1.0])[:4]
        return tuple(c * a + 255 * (1 - a) for c in (r, g, b))  # type: ignore[return-value]

    def luminance(c: tuple[float, float, float]) -> float:
        linear = [(v / 255 / 12.92) if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    fg, bg = sorted((luminance(rgb(c)) for c in colours), reverse=True)
    return (fg + 0.05) / (bg + 0.05)


def label_contrast(page: Page) -> float:
    button = page.get_by_role("button", name="Large text")
    return contrast(button.evaluate("el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"))


@pytest.mark.parametrize("pointer", ["mouse", "touch"])
def test_the_large_text_label_stays_readable_on_hover_focus_and_after_a_tap(browser, servers, browser_errors, pointer):
    touch = pointer == "touch"
    page = comfort_page(browser, servers, browser_errors, PHONE if touch else DESKTOP, has_touch=touch, is_mobile=touch)
    try:
        open_widget(page)
        toggle = page.get_by_role("button", name="Large text")
        expect(toggle).to_have_attribute("aria-pressed", "false")
        toggle.hover()
        assert label_contrast(page) >= 4.5, "hovered, off"
        for pressed in ("true", "false", "true"):
            # The pointer stays on it: a mouse keeps hovering, a phone leaves a tapped button in :hover.
            toggle.tap() if touch else toggle.click()
            expect(toggle).to_have_attribute("aria-pressed", pressed)
            assert label_contrast(page) >= 4.5, f"{pointer} on it, aria-pressed={pressed}"
        page.mouse.move(0, 0)
        assert label_contrast(page) >= 4.5, "on, pointer away"
        toggle.focus()
        assert label_contrast(page) >= 4.5, "on, focused"
    finally:
        page.context.close()


def test_a_helpline_workers_reply_appears_in_the_widget_and_survives_a_reload(page, servers):
    """In Chromium: ask for a person, a signed-in worker takes the case and replies (through
    the staff routes); the reply is shown from "Helpline" within 2 s, the assistant stays
    quiet, a red flag still gets 999 first, and after hand-back the assistant answers."""
    import time
    import uuid

    import requests
    from sqlalchemy.orm import Session

    from signpost.staff import accounts
    from signpost.storage.engine import make_engine

    open_widget(page)
    say(page, "I want to talk to a real person")
    expect(log(page)).to_contain_text("reference")
    code = re.search(r"DYS-[A-Z2-9]{4}", log(page).inner_text()).group(0)
    name, password = f"worker{uuid.uuid4().hex[:6]}", "a helpline password for tests"
    engine = make_engine(servers.database_url)
    with Session(engine, future=True) as s, s.begin():
        accounts.add_user(s, name, password)
    engine.dispose()
    console = requests.Session()
    console.post(f"{servers.web}/staff/login", data={"username": name, "password": password})
    assert console.post(f"{servers.web}/staff/api/queue/{code}/take", json={}).status_code == 200
    expect(log(page)).to_contain_text("joined this chat")
    started = time.monotonic()
    assert console.post(f"{servers.web}/staff/api/queue/{code}/reply", json={"text": "Hi, I'm Sam."}).ok
    helpline = page.locator(".sp-helpline")
    expect(helpline).to_contain_text("Helpline: Hi, I'm Sam.", timeout=2000)
    assert time.monotonic() - started < 2.5
    bubbles = page.locator(".sp-msg").count()
    say(page, "my hand shakes when I write")
    page.wait_for_timeout(2500)
    assert page.locator(".sp-msg").count() == bubbles + 1, "only the person's own message: the assistant is quiet"
    say(page, "I can't breathe")
    # the first bubble after it (index: the earlier ones, the two messages typed since)
    expect(page.locator(".sp-msg").nth(bubbles + 2)).to_contain_text("Call 999")
    page.reload()
    open_widget_if_closed = page.get_by_role("button", name="Ask about dystonia")
    if open_widget_if_closed.is_visible():
        open_widget_if_closed.click()
    expect(page.locator(".sp-helpline")).to_contain_text("Hi, I'm Sam.")
    assert console.post(f"{servers.web}/staff/api/queue/{code}/release", json={}).status_code == 200
    expect(log(page)).to_contain_text("handed you back")
