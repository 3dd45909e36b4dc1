"""Make the README's gallery: the web map at the sizes reports embed it, offline.

    python scripts/gallery.py [--html outputs/tumen_border_map.html] [--out docs/gallery]

Opens the map in Debian's headless Chromium (through Playwright) with every request
that is not a local file blocked, so no basemap tile loads (the page then draws its
own land, sea and countries), and writes one screenshot per size: a phone iframe
(358×420), a phone (390×844), an article column (720×540) and a desktop (1280×800).
Run it after ``bordermap build`` when the map changes; the tests never write here.
"""

from __future__ import annotations

import argparse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = [(358, 420), (390, 844), (720, 540), (1280, 800)]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main(argv: list[str] | None = None) -> int:
    """Write the gallery's screenshots; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=REPO / "outputs" / "tumen_border_map.html")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "gallery")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        for width, height in SIZES:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(("file:", "data:"))
                    else route.abort()
                ),
            )
            page.goto(args.html.resolve().as_uri())
            page.wait_for_selector("path.bm-feature")
            page.locator(".bm-tile-notice").wait_for(state="visible")
            page.wait_for_timeout(300)
            target = args.out / f"{args.html.stem}.{width}x{height}.png"
            page.screenshot(path=str(target))
            page.close()
            print(f"wrote {target}")
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
