"""A PNG of a run's HTML report, as Chromium draws it from file:// with the network blocked.

    python scripts/report_screenshot.py reports/<run-id>/index.html docs/report.png [--width 1400]

Used for the README's picture of a real phase-73 report.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Route, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from regress.proc.browser import launch_args  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1600, help="clip the page to this height")
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_args({"headless": True}))
        try:
            page = browser.new_page(viewport={"width": args.width, "height": args.height})

            def only_files(route: Route) -> None:
                if route.request.url.startswith("file://"):
                    route.continue_()
                else:
                    route.abort()

            page.route("**/*", only_files)
            page.goto(args.report.resolve().as_uri())
            args.png.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=args.png, full_page=False)
        finally:
            browser.close()
    print(f"wrote {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
