"""`make screenshot`: docs/widget.png and docs/widget-phone.png, the widget mid-conversation.

Drives Debian's chromium against the running web front (http://localhost:8080/).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

DOCS = Path(__file__).resolve().parent.parent / "docs"


def converse(page: Page) -> None:
    page.get_by_role("button", name="Ask about dystonia").click()
    expect(page.locator(".sp-bot").first).to_contain_text("Hello")
    page.get_by_role("button", name="Neck").click()
    expect(page.get_by_role("button", name="Twisting or pulling")).to_be_visible()
    page.get_by_label("Your message").fill("my head keeps turning to the left")
    page.get_by_label("Your message").press("Enter")
    expect(page.locator(".sp-log")).to_contain_text("not a diagnosis")
    # Show the answer from its start: the types named, with their reasons.
    page.locator(".sp-bot", has_text="sometimes seen in").evaluate(
        "el => { const log = el.parentElement; log.style.scrollBehavior = 'auto';"
        " log.scrollTop = el.offsetTop - log.offsetTop - 8; }"
    )
    page.wait_for_timeout(300)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://localhost:8080/")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"])
        for name, viewport in (("widget.png", {"width": 1280, "height": 900}), ("widget-phone.png", None)):
            context = browser.new_context(
                viewport=viewport or {"width": 375, "height": 740}, device_scale_factor=1 if viewport else 2
            )
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto(args.url)
            converse(page)
            page.screenshot(path=str(DOCS / name))
            print(f"wrote {DOCS / name}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
