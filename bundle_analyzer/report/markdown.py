"""The report as GitHub-flavoured Markdown, to paste into a ticket.

Bundle text is data, never markup: outside code blocks every string is escaped so that a log
line cannot open a link, an image, HTML, a table cell or a heading, and cannot be auto-linked
(``https\\://``, ``www\\.``). Evidence goes into fenced code blocks whose fence is longer than
any backtick run inside, so no excerpt can close its block.
"""

from __future__ import annotations

import re
from datetime import datetime

from bundle_analyzer.models.common import ArtifactStatus, Severity
from bundle_analyzer.report.links import reference_url
from bundle_analyzer.report.model import BundleReport, Finding, Report, RuleStatus
from bundle_analyzer.report.ranking import RankedFinding, ranked_findings, suppressed_findings, timeline_order
from bundle_analyzer.report.text import location, one_line, strip_controls

# Every character CommonMark gives a meaning inline; a backslash makes each one literal.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$&{}!])")
# GFM auto-links these even without markup; a backslash in the middle stops it.
_AUTOLINK_SCHEME = re.compile(r"://")
_AUTOLINK_WWW = re.compile(r"(?i)\bwww\.")
# Email autolinks, @mentions and #123 issue links are made after parsing, so escaping does not
# stop them; an invisible word joiner after the sigil does.
_SIGIL = re.compile(r"([@#])(?=[A-Za-z0-9])")
_BLOCK_START = re.compile(r"^([#>+=-]|\d+[.)])")
_BACKTICK_RUN = re.compile(r"`+")
_WORD_JOINER = "\u2060"

_MESSAGE_LIMIT = 1000
_CELL_LIMIT = 300
_EVIDENCE_LIMIT = 20
_EXCERPT_LIMIT = 2000
_TIMELINE_LIMIT = 50
_SEVERITY_MARK = {Severity.critical: "🟥", Severity.error: "🟧", Severity.warning: "🟨", Severity.info: "🟦"}


def md_text(value: object, limit: int | None = None, *, line_start: bool = False) -> str:
    """Inline Markdown for untrusted text: one line, every markup character escaped.

    ``line_start`` also escapes what would open a block (``#``, ``>``, ``-``, ``1.``) when the
    text begins a line of the document.
    """
    text = one_line(str(value) if value is not None else "", limit)
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = _AUTOLINK_SCHEME.sub(r"\\://", text)
    text = _AUTOLINK_WWW.sub(lambda m: m.group()[:-1] + "\\.", text)
    text = _SIGIL.sub(lambda m: m.group(1) + _WORD_JOINER, text)
    if line_start:
        text = _BLOCK_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], text)
    return text


def code_block(text: str, info: str = "text") -> str:
    """A fenced block that nothing inside can close: the fence outgrows every backtick run."""
    body = strip_controls(text)
    longest = max((len(run) for run in _BACKTICK_RUN.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"


def _when(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


def _link(reference: str) -> str:
    url = reference_url(reference)
    if url is None:
        return md_text(reference, _CELL_LIMIT)
    label = md_text(reference, _CELL_LIMIT)
    # An autolink target cannot hold spaces or <>; reference_url percent-encoded those.
    return f"[{label}](<{url}>)"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return lines


def _node_section(bundle: BundleReport) -> list[str]:
    node = bundle.node
    title = md_text(node.instance_id or bundle.path.rsplit("/", 1)[-1], 120)
    out = [f"## Node {title}", ""]
    cni = md_text(bundle.cni_version) or "unknown"
    if bundle.cni_version_source:
        cni += f" (from {md_text(bundle.cni_version_source, 200)})"
    rows = [
        ["Bundle", md_text(bundle.path, _CELL_LIMIT)],
        ["Layout", md_text(bundle.layout.value)],
        ["CNI version", cni],
        ["Collector version", md_text(bundle.collector_version) or "n/a"],
        ["Instance", " ".join(md_text(x) for x in (node.instance_id, node.instance_type) if x) or "unknown"],
        ["Region / AZ", " / ".join(md_text(x) for x in (node.region, node.az) if x) or "unknown"],
        ["Host", " ".join(md_text(x) for x in (node.hostname, node.primary_ip) if x) or "unknown"],
    ]
    if bundle.collected_at:
        rows.append(["Collected", _when(bundle.collected_at)])
    out += _table(["Field", "Value"], rows)
    return out


def _summary(report: Report) -> list[str]:
    s = report.summary
    sev = ", ".join(
        f"**{n}** {name}"
        for name, n in (("critical", s.critical), ("error", s.error), ("warning", s.warning), ("info", s.info))
    )
    rules = f"rules: {s.rules_run} run, {s.rules_skipped} skipped, {s.rules_errored} errored"
    suppressed = f", {s.suppressed} suppressed" if s.suppressed else ""
    return ["## Summary", "", f"{sev}; {rules}{suppressed}."]


def _anchor_title(number: int, f: Finding) -> str:
    return f"### {number}. {f.severity.value.upper()}: {md_text(f.rule_id, 120)}"


def _finding_details(number: int, item: RankedFinding, multi: bool) -> list[str]:
    f = item.finding
    out = [_anchor_title(number, f), ""]
    if f.title:
        out += [f"**{md_text(f.title, 300)}**", ""]
    out += [md_text(f.message, _MESSAGE_LIMIT, line_start=True), ""]
    facts = [f"- Category: {md_text(f.category, 120)}"]
    if multi:
        facts.append(f"- Bundle: {md_text(f.bundle, _CELL_LIMIT)}")
    if f.caused_by:
        facts.append("- Caused by: " + ", ".join(md_text(c, 120) for c in f.caused_by))
    if f.explains:
        facts.append("- Explains: " + ", ".join(md_text(c, 120) for c in f.explains))
    if f.count > 1 or f.first_seen:
        seen = f"- Seen {f.count} time(s)"
        if f.first_seen:
            seen += f", first {_when(f.first_seen)}"
        if f.last_seen and f.last_seen != f.first_seen:
            seen += f", last {_when(f.last_seen)}"
        facts.append(seen)
    out += facts + [""]
    if f.evidence:
        out += ["**Evidence**", ""]
        for ev in f.evidence[:_EVIDENCE_LIMIT]:
            where = md_text(location(ev.path, ev.line), _CELL_LIMIT, line_start=True)
            stamp = f" ({_when(ev.timestamp)})" if ev.timestamp else ""
            out += [f"{where}{stamp}", ""]
            if ev.excerpt:
                excerpt = ev.excerpt if len(ev.excerpt) <= _EXCERPT_LIMIT else ev.excerpt[:_EXCERPT_LIMIT] + " …"
                out += [code_block(excerpt), ""]
        if len(f.evidence) > _EVIDENCE_LIMIT:
            out += [f"… and {len(f.evidence) - _EVIDENCE_LIMIT} more evidence lines (see the JSON report).", ""]
    if f.remediation:
        out += [f"**Remediation:** {md_text(f.remediation, _MESSAGE_LIMIT)}", ""]
    if f.references:
        out += ["**References:**", ""] + [f"- {_link(r)}" for r in f.references] + [""]
    return out


def _inventory(bundle: BundleReport, multi: bool) -> list[str]:
    if not bundle.inventory and not bundle.archive_problems:
        return []
    heading = "### Inventory" + (f": {md_text(bundle.node.instance_id or bundle.path, 120)}" if multi else "")
    counts: dict[str, int] = {}
    for e in bundle.inventory:
        counts[e.status.value] = counts.get(e.status.value, 0) + 1
    out = [heading, "", ", ".join(f"{n} {status}" for status, n in counts.items()) + ".", ""]
    # What could not be read comes first: that is what the reader must know about.
    entries = sorted(bundle.inventory, key=lambda e: (e.status == ArtifactStatus.parsed, e.path))
    rows = [
        [md_text(e.status.value), md_text(e.path, _CELL_LIMIT), md_text(e.kind or ""), md_text(e.detail, _CELL_LIMIT)]
        for e in entries
    ]
    out += _table(["Status", "Path", "Kind", "Detail"], rows)
    if bundle.archive_problems:
        out += ["", "Archive problems:", ""] + [f"- {md_text(p, _CELL_LIMIT)}" for p in bundle.archive_problems]
    return out + [""]


def _config(bundle: BundleReport, multi: bool) -> list[str]:
    if not bundle.config:
        return []
    heading = "### Configuration in effect" + (
        f": {md_text(bundle.node.instance_id or bundle.path, 120)}" if multi else ""
    )
    rows = [[md_text(c.name, 120), md_text(c.value, _CELL_LIMIT), md_text(c.source, 200)] for c in bundle.config]
    return [heading, ""] + _table(["Setting", "Value", "Source"], rows) + [""]


def _timeline(bundle: BundleReport, multi: bool) -> list[str]:
    linked = timeline_order([e for e in bundle.timeline if e.rule_id])
    if not linked:
        return []
    heading = "### Timeline of events behind findings" + (
        f": {md_text(bundle.node.instance_id or bundle.path, 120)}" if multi else ""
    )
    rows = [
        [
            _when(e.timestamp),
            md_text(e.rule_id, 120),
            md_text(location(e.path, e.line), 200),
            md_text(e.message, _CELL_LIMIT),
        ]
        for e in linked[:_TIMELINE_LIMIT]
    ]
    out = [heading, ""] + _table(["Time", "Rule", "Where", "Event"], rows)
    if len(linked) > _TIMELINE_LIMIT:
        out += ["", f"… and {len(linked) - _TIMELINE_LIMIT} more events (see the HTML report)."]
    return out + [""]


def _rule_results(report: Report) -> list[str]:
    skipped = [r for r in report.rule_results if r.status == RuleStatus.skipped]
    errored = [r for r in report.rule_results if r.status == RuleStatus.error]
    if not skipped and not errored:
        return []
    rows = [
        [md_text(r.status.value), md_text(r.rule_id, 120), md_text(r.reason, _CELL_LIMIT)] for r in errored + skipped
    ]
    return ["## Rules not evaluated", ""] + _table(["Status", "Rule", "Reason"], rows) + [""]


def render_markdown(report: Report) -> str:
    """The whole report as one GFM document."""
    multi = len(report.bundles) > 1
    out = ["# cnibundle report", ""]
    version = md_text(report.tool.version)
    note = f"Generated by cnibundle {version}."
    if report.redacted:
        note += " Addresses, account and resource ids are redacted (replaced consistently)."
    out += [note, ""]
    for bundle in report.bundles:
        out += _node_section(bundle) + [""]
    out += _summary(report) + [""]

    ranked = ranked_findings(report)
    out += ["## Findings", ""]
    if ranked:
        rows = []
        for item in ranked:
            f = item.finding
            rule = ("↳ " * item.depth) + md_text(f.rule_id, 120)
            rows.append([f"{_SEVERITY_MARK[f.severity]} {f.severity.value}", rule, md_text(f.message, _CELL_LIMIT)])
        out += _table(["Severity", "Rule", "Message"], rows) + [""]
        for number, item in enumerate(ranked, 1):
            out += _finding_details(number, item, multi)
    else:
        out += ["No findings.", ""]
    suppressed = suppressed_findings(report)
    if suppressed:
        out += ["### Suppressed", ""]
        out += [f"- {md_text(f.rule_id, 120)}: {md_text(f.suppressed, 200)}" for f in suppressed] + [""]

    out += _rule_results(report)
    for bundle in report.bundles:
        out += _config(bundle, multi)
        out += _timeline(bundle, multi)
    out += ["## Inventory", ""]
    for bundle in report.bundles:
        out += _inventory(bundle, multi)
    return "\n".join(out).rstrip("\n") + "\n"
