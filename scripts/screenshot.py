"""`make screenshot`: docs/widget.png and docs/widget-phone.png, the widget mid-conversation.

Drives Debian's chromium against the running web front (http://localhost:8080/). The
widget itself scrolls each answer into view from its start, so the pictures show what
a reader sees; they are taken with reduced motion, so nothing is caught mid-scroll.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

DOCS = Path(__file__).resolve().parent.parent / "docs"
SHOTS = {  # file name: (viewport, device scale factor, large text)
    "widget.png": ({"width": 1280, "height": 900}, 1, False),
    "widget-phone.png": ({"width": 375, "height": 740}, 2, False),
}
LARGE_SHOT = {"widget-phone-large.png": ({"width": 360, "height": 740}, 2, True)}


def converse(page: Page) -> None:
    page.get_by_role("button", name="Ask about dystonia").click()
    expect(page.locator(".sp-bot").first).to_contain_text("Hello")
    page.get_by_role("button", name="Neck").click()
    expect(page.get_by_role("button", name="Twisting or pulling")).to_be_visible()
    page.get_by_label("Your message").fill("my head keeps turning to the left")
    page.get_by_label("Your message").press("Enter")
    expect(page.locator(".sp-log")).to_contain_text("not a diagnosis")
    expect(page.locator(".sp-typing")).to_be_hidden()
    page.wait_for_timeout(1000)  # the answer's last bubbles and buttons


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://localhost:8080/")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--out", type=Path, default=DOCS, help="folder for the pictures (default docs/)")
    parser.add_argument("--large", action="store_true", help="also a phone in large-text mode (for review)")
    args = parser.parse_args()
    shots = {**SHOTS, **(LARGE_SHOT if args.large else {})}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"])
        for name, (viewport, scale, large) in shots.items():
            context = browser.new_context(viewport=viewport, device_scale_factor=scale, reduced_motion="reduce")
            if large:
                context.add_init_script(
                    "localStorage.setItem('dystonia-signpost.preferences', JSON.stringify({large: true}))"
                )
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto(args.url)
            converse(page)
            page.screenshot(path=str(args.out / name))
            print(f"wrote {args.out / name}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
