import re
from html.parser import HTMLParser
from pathlib import Path

from sample_reports import HOSTILE_PWN, broken_report, healthy_report, large_network_report, two_node_report

import bundle_analyzer.report.html as html_module
from bundle_analyzer.report.html import render_html
from bundle_analyzer.report.network_svg import MAX_PER_COLUMN, broken_items, network_svg

TEMPLATES = Path(html_module.__file__).parent / "templates"
VOID = {
    "meta",
    "link",
    "input",
    "br",
    "img",
    "hr",
    "source",
    "area",
    "base",
    "col",
    "embed",
    "wbr",
    "rect",
    "path",
    "line",
}


class Page(HTMLParser):
    """Collects tags, attributes and script/style bodies; checks that tags nest."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self.styles: list[tuple[dict, str]] = []
        self._raw: tuple[str, dict] | None = None
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag in ("script", "style"):
            self._raw = (tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}> with open {self.stack[-3:]}")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        if self._raw:
            kind, attrs = self._raw
            (self.scripts if kind == "script" else self.styles).append((attrs, data))
            self._raw = None


def _parse(doc: str) -> Page:
    page = Page()
    page.feed(doc)
    page.close()
    return page


def test_page_parses_and_tags_balance():
    page = _parse(render_html(two_node_report()))
    assert page.errors == []
    assert page.stack == []
    names = [t for t, _ in page.tags]
    assert names[0] == "html" and "svg" in names and "main" in names


def test_csp_meta_and_per_render_nonce():
    doc = render_html(broken_report())
    page = _parse(doc)
    csp = [
        a["content"]
        for t, a in page.tags
        if t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    assert len(csp) == 1
    m = re.fullmatch(
        r"default-src 'none'; style-src 'nonce-([A-Za-z0-9_-]{20,})'; script-src 'nonce-\1'; img-src data:; base-uri 'none'; form-action 'none'",
        csp[0],
    )
    assert m, csp[0]
    nonce = m.group(1)
    assert [a.get("nonce") for a, _ in page.scripts] == [nonce]
    assert [a.get("nonce") for a, _ in page.styles] == [nonce]
    other = re.search(r"'nonce-([A-Za-z0-9_-]+)'", render_html(broken_report())).group(1)
    assert other != nonce


def test_only_our_script_and_no_injected_elements_or_handlers():
    doc = render_html(broken_report())
    page = _parse(doc)
    assert [t for t, _ in page.tags].count("script") == 1
    assert "img" not in [t for t, _ in page.tags]
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "style" not in attrs, (tag, attrs)  # the CSP would block it; we never emit one
    # The payload is present, as text.
    assert "&lt;script&gt;window.__pwned=2&lt;/script&gt;" in doc
    assert (
        "&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;" in doc
        or "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in doc
    )
    # Control characters from the log line did not reach the page.
    assert "\x1b" not in doc and "\x9b" not in doc and "\x07" not in doc
    js = page.scripts[0][1]
    assert "eval(" not in js and "innerHTML" not in js and "Function(" not in js


def test_no_resource_leaves_the_file():
    doc = render_html(two_node_report())
    page = _parse(doc)
    for tag, attrs in page.tags:
        for name in ("src", "href", "xlink:href", "action", "poster", "data", "srcset"):
            value = (attrs.get(name) or "").strip().lower()
            if not value:
                continue
            if tag == "a" and name == "href":
                assert value.startswith(("#", "https://")), value  # a reader's click, not a load
            elif tag == "svg" and name == "xmlns":
                continue
            else:
                assert value.startswith(("data:", "#")), (tag, name, value)
    css = page.styles[0][1]
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    js = page.scripts[0][1]
    assert "fetch(" not in js and "XMLHttpRequest" not in js and "http" not in js


def test_autoescape_on_and_no_safe_filter_in_template():
    env = html_module._environment()
    assert env.autoescape is True
    template = (TEMPLATES / "report.html.j2").read_text()
    assert "|safe" not in template.replace(" ", "")
    assert "style=" not in template


def test_filters_cover_every_severity_and_category_of_the_findings():
    page = _parse(render_html(broken_report()))
    inputs = [(a.get("data-filter"), a.get("value")) for t, a in page.tags if t == "input"]
    assert sorted(v for k, v in inputs if k == "severity") == ["critical", "error", "info", "warning"]
    assert sorted(v for k, v in inputs if k == "category") == sorted(
        ["ec2-api/iam", "ip-exhaustion", "other <b>x</b>", "routing/rules", "version/upgrade"]
    )
    items = [a for t, a in page.tags if t == "li" and "finding" in (a.get("class") or "").split()]
    assert len(items) == 6
    assert {(a["data-severity"], a["data-category"]) for a in items} >= {
        ("critical", "routing/rules"),
        ("warning", "other <b>x</b>"),
    }
    assert [t for t, a in page.tags if t == "button"] == ["button"] * 3
    assert ("checked" in dict(a) for t, a in page.tags if t == "input")


def test_findings_ranked_with_evidence_line_numbers():
    doc = render_html(broken_report())
    ids = re.findall(r'<li class="finding sev-\w+ depth-(\d)" id="(finding-\d+)"', doc)
    report = broken_report()
    order = [report.findings[int(anchor.split("-")[1])].rule_id for _, anchor in ids]
    assert order[:3] == ["pod-egress-rule-missing", "subnet-out-of-ip-addresses", "ipamd-datastore-no-free-ip"]
    assert ids[2][0] == "1"  # the symptom is indented under its cause
    assert 'Caused by <a href="#finding-1">subnet-out-of-ip-addresses</a>' in doc
    assert doc.count('<details class="evidence">') == 5
    assert '<td class="ln">1834</td>' in doc and '<td class="ln">2210</td>' in doc
    assert '<th colspan="2" scope="colgroup">var_log/aws-routed-eni/ipamd.log</th>' in doc
    assert 'href="https://github.com/aws/amazon-vpc-cni-k8s/issues/2749"' in doc
    assert 'href="javascript' not in doc


def test_timeline_is_time_ordered_and_highlights_rule_events():
    doc = render_html(broken_report())
    section = doc.split('<ol class="timeline">')[1].split("</ol>")[0]
    times = re.findall(r"<time>([^<]+)</time>", section)
    assert times == sorted(times) and len(times) == 6
    items = re.findall(r'<li class="event( linked)?[^"]*">', section)
    assert [bool(x) for x in items] == [False, True, True, True, True, True]
    assert '<a href="#finding-1">subnet-out-of-ip-addresses</a>' in section


def test_config_inventory_and_rule_results():
    doc = render_html(broken_report())
    assert (
        '<td><code>WARM_ENI_TARGET</code></td><td><code>1</code></td><td class="muted">aws-node env (ipamd/env.txt line 12)</td>'
        in doc
    )
    inventory = doc.split('<table class="inventory">')[1].split("</table>")[0]
    statuses = re.findall(r'<tr class="status-row-(\w+)">', inventory)
    assert statuses[:5].count("parsed") == 0 and statuses.count("parsed") == 4
    assert "line 1: curl error body instead of JSON: &#39;Not Found&#39;" in inventory
    rules = doc.split('<section id="rules"')[1]
    assert "needs sysctls/sysctl_all.txt" in rules
    assert "condition failed: no such key &#39;nf_conntrack_max&#39;" in rules
    assert "1 suppressed finding" in doc


def test_print_and_dark_mode_styles():
    css = (TEMPLATES / "report.css").read_text()
    assert "@media print" in css and "prefers-color-scheme: dark" in css
    print_css = css.split("@media print")[1]
    assert ".filters" in print_css and "display: none" in print_css
    assert ":focus-visible" in css
    assert "beforeprint" in (TEMPLATES / "report.js").read_text()


def test_network_svg_draws_columns_broken_parts_and_escapes_labels():
    view = broken_report().bundles[0].network
    svg = str(network_svg(view))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    for column in ("ENIs", "IPs / prefixes", "Pods / veths", "Rules", "Route tables", "Interfaces"):
        assert column in svg
    # Two broken links, one of them to the rule that is missing; plus the legend's sample.
    assert svg.count('<path class="nv-link nv-bad"') == 2
    assert svg.count('stroke="#c62828" stroke-width="2" stroke-dasharray="6 4"') == 3
    assert svg.count('<g class="nv-node nv-') == len(view.nodes) + 1
    assert svg.count('nv-bad" data-id=') == 3  # api-7, table 2, the missing rule
    assert 'data-id="rule-1536-10.0.2.14"' in svg  # the missing rule is drawn as a placeholder
    assert "missing: 1536: from 10.0.2.14 lookup 2" in svg
    assert HOSTILE_PWN not in svg and "&lt;img src=x onerror=" in svg
    page = _parse(svg)
    assert page.errors == [] and "img" not in [t for t, _ in page.tags] and "script" not in [t for t, _ in page.tags]
    assert "pod default/api-7: no from-rule" in broken_items(view)


def _height(svg: str) -> int:
    return int(re.search(r'height="(\d+)"', svg).group(1))


def test_network_svg_grows_with_50_ips_without_overlap():
    small = str(network_svg(healthy_report().bundles[0].network))
    big = str(network_svg(large_network_report(50).bundles[0].network))
    assert _height(big) > _height(small) and _height(big) >= 50 * 28
    boxes = [
        (int(x), int(y))
        for x, y in re.findall(
            r'<g class="nv-node[^>]*><title>[^<]*</title><rect class="nv-box" x="(\d+)" y="(\d+)"', big
        )
    ]
    assert len(boxes) == 2 + 50 * 3 + 4
    assert len(set(boxes)) == len(boxes)  # no two boxes on the same spot


def test_network_svg_caps_huge_columns():
    svg = str(network_svg(large_network_report(MAX_PER_COLUMN + 30).bundles[0].network))
    assert "… 30 more not drawn" in svg


def test_bundle_without_network_state_says_so():
    report = healthy_report()
    report.bundles[0].network.nodes = []
    report.bundles[0].network.links = []
    assert "No network state could be read from this bundle." in render_html(report)
