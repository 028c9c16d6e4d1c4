#!/usr/bin/env python3
"""Take a PNG screenshot of an HTML report with the system's headless Chromium.

    python scripts/screenshot_report.py REPORT.html OUT.png [--width 1400] [--dark] [--viewport-only]

Uses the Python ``playwright`` package with Debian's ``/usr/bin/chromium`` (never a browser
download). The report is opened from disk; any request that would leave the file is aborted
and listed on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--dark", action="store_true", help="emulate prefers-color-scheme: dark")
    parser.add_argument("--viewport-only", action="store_true", help="only the first screen, not the full page")
    args = parser.parse_args(argv)

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("needs the python package 'playwright' (pip install playwright)", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"needs Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    if not args.report.is_file():
        print(f"no such file: {args.report}", file=sys.stderr)
        return 2

    blocked: list[str] = []

    def route(r):  # type: ignore[no-untyped-def]
        url = r.request.url
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(
                viewport={"width": args.width, "height": args.height},
                color_scheme="dark" if args.dark else "light",
            )
            page.route("**/*", route)
            page.goto(args.report.resolve().as_uri())
            page.screenshot(path=str(args.out), full_page=not args.viewport_only)
        finally:
            browser.close()
    for url in blocked:
        print(f"blocked request: {url}", file=sys.stderr)
    return 1 if blocked else 0


if __name__ == "__main__":
    sys.exit(main())
