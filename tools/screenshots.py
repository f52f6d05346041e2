"""Screenshots of the seeded demo for the README: `python tools/screenshots.py http://localhost:8000`.

Needs a running demo (`python3 dev.py demo`), Playwright and Debian's chromium. Writes
docs/screenshots/<page>-<width>.png at 390 px (a phone) and 1280 px, reduced to a 256-colour palette
so they stay small.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image
from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PASSWORD = "forecourt-demo-1"
WIDTHS = {390: 844, 1280: 860}


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


VISIBLE_IMAGES_LOADED = """() => [...document.images]
    .filter(i => i.getBoundingClientRect().top < window.innerHeight)
    .every(i => i.complete && i.naturalWidth > 0)"""


def _save(page, name: str, width: int) -> None:
    page.wait_for_function(VISIBLE_IMAGES_LOADED)
    png = page.screenshot(full_page=False)
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    image.save(OUT / f"{name}-{width}.png", optimize=True)


def _car_with_a_price_drop(page, base: str) -> None:
    """Open the first car of the search whose page shows a price history."""
    page.goto(f"{base}/?sort=-price")
    links = [a.get_attribute("href") for a in page.locator(".car-card a").all()]
    for href in links:
        page.goto(base + href)
        if page.locator("#price-history").count():
            return
    raise SystemExit("no car on the first page has a price history; seed the demo first")


def main(base: str) -> None:
    parts = urlsplit(base)
    dealer = f"{parts.scheme}://dealer1.{parts.netloc}"
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"], headless=True)
        for width, height in WIDTHS.items():
            shopper = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
            page = shopper.new_page()
            _sign_in(page, base, "buyer")
            page.goto(f"{base}/")
            _save(page, "marketplace", width)
            _car_with_a_price_drop(page, base)
            _save(page, "car", width)
            page.goto(f"{base}/me/wallet/")
            page.evaluate("document.getElementById('st-h').scrollIntoView()")
            _save(page, "wallet-statement", width)
            shopper.close()
            agent = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
            page = agent.new_page()
            _sign_in(page, dealer, "dealer1-sales-agent")
            page.goto(f"{dealer}/leads/")
            _save(page, "leads-board", width)
            agent.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8000")
