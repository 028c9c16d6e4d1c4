"""The HTML report in a real browser: Debian's headless Chromium driven by Playwright.

Skipped when /usr/bin/chromium or the ``playwright`` package is missing (the package alone is
enough: its own browser download is never used).
"""

from pathlib import Path

import pytest
from sample_reports import broken_report, two_node_report

from bundle_analyzer.report.html import render_html

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def opened(browser, tmp_path):
    """Open a rendered report from disk; record console errors and every outside request."""

    def open_report(report, **context_options):
        path = tmp_path / "report.html"
        path.write_text(render_html(report), encoding="utf-8")
        context = browser.new_context(**context_options)
        page = context.new_page()
        errors: list[str] = []
        outside: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def route(r):
            url = r.request.url
            if url.startswith(("file:", "data:")):
                r.continue_()
            else:
                outside.append(url)
                r.abort()

        page.route("**/*", route)
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        return page, errors, outside

    return open_report


def _visible_findings(page) -> int:
    return page.locator("li.finding:visible").count()


def test_loads_offline_without_errors_and_payload_does_not_run(opened):
    page, errors, outside = opened(two_node_report())
    assert errors == []  # includes CSP violations: our own nonce'd style and script were allowed
    assert outside == []
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # The payload is on the page as text.
    assert "window.__pwned=2" in page.locator("li.finding").nth(3).inner_text()
    assert page.locator("img").count() == 0


def test_filters_hide_and_show_findings(opened):
    page, errors, _ = opened(broken_report())
    assert _visible_findings(page) == 6
    page.get_by_role("checkbox", name="warning").uncheck()
    assert _visible_findings(page) == 4
    assert page.locator("#filter-status").inner_text() == "Showing 4 of 6 findings"
    page.get_by_role("checkbox", name="ip-exhaustion").uncheck()
    assert _visible_findings(page) == 2
    page.get_by_role("button", name="Show all").click()
    assert _visible_findings(page) == 6
    assert errors == []


def test_filters_work_from_the_keyboard(opened):
    page, _, _ = opened(broken_report())
    box = page.get_by_role("checkbox", name="critical")
    box.focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    page.keyboard.press("Space")
    assert not box.is_checked()
    assert _visible_findings(page) == 5
    page.keyboard.press("Space")
    assert _visible_findings(page) == 6
    assert outline in ("solid", "auto", "none")  # focus styling is :focus-visible, checked below
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches(':focus-visible')")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"


def test_evidence_collapses_and_expands(opened):
    page, _, _ = opened(broken_report())
    first = page.locator("details.evidence").first
    assert not first.locator("td.ln").first.is_visible()
    first.locator("summary").click()
    assert first.locator("td.ln").first.inner_text() == "31"
    page.get_by_role("button", name="Expand evidence").click()
    assert page.locator("details.evidence[open]").count() == 5


def test_network_picture_has_nodes_and_broken_links(opened):
    page, _, _ = opened(broken_report())
    svg = page.locator("svg.network-view").first
    assert svg.is_visible()
    assert svg.locator("g.nv-node").count() == 19
    assert svg.locator("path.nv-link.nv-bad").count() == 2
    box = svg.bounding_box()
    assert box["height"] > 150 and box["width"] > 800
    stroke = page.evaluate("getComputedStyle(document.querySelector('path.nv-link.nv-bad')).stroke")
    assert stroke == "rgb(198, 40, 40)"


def test_print_shows_every_finding_and_hides_filters(opened):
    page, _, _ = opened(broken_report())
    page.get_by_role("checkbox", name="info").uncheck()
    assert _visible_findings(page) == 5
    page.emulate_media(media="print")
    assert not page.locator(".filters").is_visible()
    assert _visible_findings(page) == 6


def test_dark_mode(opened):
    page, errors, _ = opened(broken_report(), color_scheme="dark")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 19, 24)"
    assert errors == []
