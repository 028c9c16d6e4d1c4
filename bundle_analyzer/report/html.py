"""The report as one self-contained HTML file: no CDN, no fonts, no request leaves the file.

The page carries a Content-Security-Policy that only allows the inline ``<style>`` and
``<script>`` tags holding this render's random nonce, so markup that slipped into the page
could not run. Nothing should slip in: Jinja2 autoescapes every value, bundle strings are
never marked safe, and a ``finalize`` hook strips control characters from every value before
it is escaped. The only markup built in Python is the network SVG, which escapes its text
itself, and the package's own CSS/JS.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from bundle_analyzer.models.common import ArtifactStatus, Severity
from bundle_analyzer.report.links import reference_url
from bundle_analyzer.report.model import BundleReport, Finding, Report, RuleStatus
from bundle_analyzer.report.network_svg import COLUMNS, broken_items, network_svg
from bundle_analyzer.report.ranking import ranked_findings, suppressed_findings, timeline_order
from bundle_analyzer.report.text import one_line, strip_controls

_SEVERITIES = (Severity.critical, Severity.error, Severity.warning, Severity.info)
_EVIDENCE_LIMIT = 200
_EXCERPT_LIMIT = 4000
_TIMELINE_LIMIT = 2000
_INVENTORY_LIMIT = 5000


@dataclass
class EvidenceRow:
    path: str
    line: int | None
    excerpt: str
    timestamp: str
    new_path: bool


@dataclass
class FindingView:
    anchor: str
    finding: Finding
    depth: int
    cause: str | None
    cause_anchor: str | None
    bundle_name: str
    evidence: list[EvidenceRow]
    more_evidence: int
    references: list[tuple[str, str | None]]
    first_seen: str
    last_seen: str


@dataclass
class TimelineRow:
    time: str
    path: str
    line: int | None
    level: str
    message: str
    rule_id: str | None
    anchor: str | None


@dataclass
class BundleView:
    anchor: str
    name: str
    bundle: BundleReport
    collected_at: str
    svg: Markup | None
    network_counts: list[tuple[str, int]]
    broken: list[str]
    timeline: list[TimelineRow]
    more_timeline: int
    inventory: list[Any]
    more_inventory: int
    inventory_counts: list[tuple[str, int]]
    findings: int = 0
    worst: str = ""


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (
        value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        + (f".{value.microsecond // 1000:03d}" if value.microsecond else "")
        + " UTC"
    )


def _finalize(value: object) -> object:
    """Applied to every ``{{ … }}``: None prints nothing, text loses its control characters."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return strip_controls(value)
    return value


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("bundle_analyzer.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["one_line"] = one_line
    return env


@lru_cache(maxsize=1)
def _static() -> tuple[Markup, Markup]:
    env = _environment()
    assert env.loader is not None
    css = env.loader.get_source(env, "report.css")[0]
    js = env.loader.get_source(env, "report.js")[0]
    # Our own files, inlined verbatim; they must not be able to end their element early.
    if "</style" in css.lower() or "</script" in js.lower():
        raise ValueError("report.css/report.js must not contain a closing tag")
    return Markup(css), Markup(js)


def _bundle_names(report: Report) -> dict[str, str]:
    names: dict[str, str] = {}
    for b in report.bundles:
        name = one_line(b.node.instance_id, 60) or one_line(b.path.rsplit("/", 1)[-1], 80) or "bundle"
        if name in names.values():
            name = one_line(b.path, 120)
        names[b.path] = name
    return names


def _finding_views(report: Report, names: dict[str, str]) -> tuple[list[FindingView], dict[tuple[str, str], str]]:
    ranked = ranked_findings(report)
    anchors: dict[tuple[str, str], str] = {}
    for item in ranked:
        anchors.setdefault((item.finding.bundle, item.finding.rule_id), f"finding-{item.index}")
    views = []
    for item in ranked:
        f = item.finding
        rows: list[EvidenceRow] = []
        previous = None
        for ev in f.evidence[:_EVIDENCE_LIMIT]:
            excerpt = ev.excerpt or ""
            if len(excerpt) > _EXCERPT_LIMIT:
                excerpt = excerpt[:_EXCERPT_LIMIT] + " …"
            rows.append(EvidenceRow(ev.path, ev.line, excerpt, _when(ev.timestamp), ev.path != previous))
            previous = ev.path
        views.append(
            FindingView(
                anchor=f"finding-{item.index}",
                finding=f,
                depth=item.depth,
                cause=item.cause,
                cause_anchor=anchors.get((f.bundle, item.cause)) if item.cause else None,
                bundle_name=names.get(f.bundle, one_line(f.bundle, 80)),
                evidence=rows,
                more_evidence=max(len(f.evidence) - _EVIDENCE_LIMIT, 0),
                references=[(r, reference_url(r)) for r in f.references],
                first_seen=_when(f.first_seen),
                last_seen=_when(f.last_seen) if f.last_seen != f.first_seen else "",
            )
        )
    return views, anchors


def _bundle_view(
    index: int, bundle: BundleReport, name: str, anchors: dict[tuple[str, str], str], report: Report
) -> BundleView:
    events = timeline_order(bundle.timeline)
    timeline = [
        TimelineRow(
            time=_when(e.timestamp),
            path=e.path,
            line=e.line,
            level=e.level or "",
            message=e.message,
            rule_id=e.rule_id,
            anchor=anchors.get((bundle.path, e.rule_id)) if e.rule_id else None,
        )
        for e in events[:_TIMELINE_LIMIT]
    ]
    inventory = sorted(bundle.inventory, key=lambda e: (e.status == ArtifactStatus.parsed, e.path))
    kinds = Counter(n.kind for n in bundle.network.nodes)
    counts = [
        (kind, kinds[kind])
        for kind in ("eni", "ip", "prefix", "pod", "veth", "rule", "table", "interface")
        if kinds[kind]
    ]
    mine = [f for f in report.findings if f.bundle == bundle.path and f.suppressed is None]
    worst = max((f.severity for f in mine), key=lambda s: s.rank, default=None)
    has_network = bool(bundle.network.nodes or bundle.network.links)
    return BundleView(
        anchor=f"bundle-{index}",
        name=name,
        bundle=bundle,
        collected_at=_when(bundle.collected_at),
        svg=network_svg(bundle.network, title=f"Network view of {name}") if has_network else None,
        network_counts=counts,
        broken=broken_items(bundle.network),
        timeline=timeline,
        more_timeline=max(len(events) - _TIMELINE_LIMIT, 0),
        inventory=inventory[:_INVENTORY_LIMIT],
        more_inventory=max(len(inventory) - _INVENTORY_LIMIT, 0),
        inventory_counts=sorted(Counter(e.status.value for e in bundle.inventory).items()),
        findings=len(mine),
        worst=worst.value if worst else "",
    )


def render_html(report: Report) -> str:
    """The whole report as one HTML document (a string to write to a ``.html`` file)."""
    names = _bundle_names(report)
    findings, anchors = _finding_views(report, names)
    bundles = [_bundle_view(i, b, names[b.path], anchors, report) for i, b in enumerate(report.bundles)]
    severity_counts = Counter(v.finding.severity for v in findings)
    category_counts = Counter(v.finding.category for v in findings)
    rule_counts = Counter(r.status for r in report.rule_results)
    css, js = _static()
    context = {
        "report": report,
        "title": "cnibundle report: " + ", ".join(names.values()) if names else "cnibundle report",
        "nonce": secrets.token_urlsafe(18),
        "css": css,
        "js": js,
        "bundles": bundles,
        "findings": findings,
        "suppressed": suppressed_findings(report),
        "severities": [(s.value, severity_counts[s]) for s in _SEVERITIES if severity_counts[s]],
        "summary_counts": [(s.value, getattr(report.summary, s.value)) for s in _SEVERITIES],
        "categories": sorted(category_counts.items()),
        "rule_counts": [(s.value, rule_counts[s]) for s in RuleStatus],
        "rules_errored": [r for r in report.rule_results if r.status == RuleStatus.error],
        "rules_skipped": [r for r in report.rule_results if r.status == RuleStatus.skipped],
        "rules_other": [r for r in report.rule_results if r.status in (RuleStatus.fired, RuleStatus.passed)],
        "columns": COLUMNS,
        "names": names,
        "multi": len(report.bundles) > 1,
    }
    return _environment().get_template("report.html.j2").render(**context)
