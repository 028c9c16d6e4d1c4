import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from sample_reports import HOSTILE_LINE, broken_report, healthy_report, two_node_report

from bundle_analyzer.report.markdown import code_block, md_text, render_markdown


def _html(md: str) -> str:
    # CommonMark with GFM tables and raw HTML allowed: the strictest test of our escaping.
    return MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough").render(md)


def _findings_table(md: str) -> list[str]:
    lines = md.splitlines()
    start = lines.index("| Severity | Rule | Message |")
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_header_names_node_cni_version_and_layout():
    md = render_markdown(broken_report())
    assert md.startswith("# cnibundle report\n")
    assert "## Node i-0a1b2c3d4e5f60718" in md
    assert "| CNI version | v1.18.3 (from ipamd.log: Starting L-IPAMD v1.18.3) |" in md
    assert "| Layout | eks-log-collector |" in md
    assert "| Collector version | 0.7.9 |" in md


def test_findings_table_has_one_row_per_active_finding_in_rank_order():
    report = broken_report()
    rows = _findings_table(render_markdown(report))
    active = [f for f in report.findings if f.suppressed is None]
    assert len(rows) == len(active) == 6
    assert "pod-egress-rule-missing" in rows[0] and "critical" in rows[0]
    assert "subnet-out-of-ip-addresses" in rows[1]
    assert "↳ ipamd-datastore-no-free-ip" in rows[2]
    # Every row has exactly three cells: the "| col |" in the hostile message was escaped.
    html = _html(render_markdown(report))
    table = html.split("<table>")[2].split("</table>")[0]  # [1] is the first node table
    body_rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    assert len(body_rows) == 6
    assert all(row.count("<td>") == 3 for row in body_rows)


def test_evidence_in_fences_that_no_excerpt_can_close():
    md = render_markdown(broken_report())
    # The hostile excerpt holds a run of four backticks, so its fence has five.
    assert "`````text\n<script>alert(1)</script>" in md
    html = _html(md)
    codes = re.findall(r"<pre><code class=\"language-text\">(.*?)</code></pre>", html, re.S)
    assert len(codes) == 7  # every evidence line of every active finding
    assert any("&lt;script&gt;window.__pwned=2&lt;/script&gt;" in c and "```` fence" in c for c in codes)


def test_no_markup_html_or_links_injected_from_bundle_text():
    md = render_markdown(broken_report())
    html = _html(md)
    assert "<script" not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert "javascript:" not in "".join(re.findall(r'href="([^"]*)"', html))
    hrefs = re.findall(r'<a href="([^"]*)"', html)
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    # Bold/italic written in a log line stays literal text.
    assert "<strong>bold</strong>" not in html and "<em>it</em>" not in html
    assert "**bold**" in html and "[click me](javascript:alert(3))" in html
    # Outside code blocks the raw text never carries an unescaped '<'.
    outside = re.sub(r"(`{3,})text\n.*?\n\1", "", md, flags=re.S)
    assert re.search(r"(?<!\\)<", outside.replace("](<https://", "")) is None


def test_references_link_only_web_addresses():
    md = render_markdown(broken_report())
    assert "(<https://github.com/aws/amazon-vpc-cni-k8s/issues/2749>)" in md  # catalog short form
    assert "- javascript:alert(4)" in md  # shown, not linked
    assert "(<https://example.invalid/ref?a=1&b=%3Cx%3E>)" in md


def test_inventory_config_rules_and_suppressed_sections():
    md = render_markdown(broken_report())
    assert (
        "| damaged | ipamd/metrics.json | ipamd-metrics | line 1: curl error body instead of JSON: 'Not Found' |" in md
    )
    assert "| empty | ipamd/eni-configs.json | ipamd-eniconfigs |   |" in md
    assert "4 parsed, 2 damaged, 1 empty, 1 unrecognised, 1 skipped." in md
    assert "| WARM\\_IP\\_TARGET | 0 | aws-node env |" in md
    assert "| skipped | snat-rules-missing | needs networking/iptables-save.txt (damaged) |" in md
    assert "- warm-target-misconfiguration: accepted: set by platform team" in md
    assert "Archive problems:" in md


def test_healthy_and_two_node_reports():
    assert "No findings." in render_markdown(healthy_report())
    md = render_markdown(two_node_report())
    assert md.count("## Node ") == 2
    assert "### Inventory: i-0f1e2d3c4b5a69788" in md


def test_autolinks_mentions_and_emails_are_defused():
    html = _html("x " + md_text("see https://evil.example/a www.evil.example ops@example.com @octocat #12"))
    assert "<a" not in html
    assert "https://evil.example/a" in html.replace("\\", "")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(max_size=80))
def test_md_text_never_produces_markup(text):
    for html in (_html("x " + md_text(text)), _html(md_text(text, line_start=True))):
        _assert_plain_paragraph(text, html)


def _assert_plain_paragraph(text, html):
    assert html.startswith("<p>") or html.strip() == "", (text, html)
    for tag in ("<a", "<img", "<script", "<em", "<strong", "<code", "<h1", "<ul", "<ol", "<blockquote", "<del", "<pre"):
        assert tag not in html, (text, html)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from("`~a \n<>"), max_size=60))
def test_code_block_keeps_its_content(text):
    block = code_block(text)
    html = _html(block)
    assert html.count("<pre>") == 1
    body = re.search(r"<pre><code[^>]*>(.*)</code></pre>", html, re.S).group(1)
    assert body.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text + "\n"


def test_hostile_line_constant_really_is_hostile():
    # Guard against the fixture being defanged by accident.
    assert "<script>" in HOSTILE_LINE and "\x1b[" in HOSTILE_LINE and "](javascript:" in HOSTILE_LINE
