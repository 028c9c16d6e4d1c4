"""The terminal summary: what an engineer reads first after ``cnibundle analyze``.

Every bundle-derived string goes through :func:`one_line` (control characters and ESC removed)
and is printed inside a ``rich.text.Text``, so neither an ANSI sequence nor ``[bold]`` rich
markup written into a log line can style, move or retitle the terminal.
"""

from __future__ import annotations

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from bundle_analyzer.models.common import ArtifactStatus, Severity
from bundle_analyzer.report.model import BundleReport, Report, RuleStatus
from bundle_analyzer.report.ranking import ranked_findings
from bundle_analyzer.report.text import location, one_line

SEVERITY_STYLE = {
    Severity.critical: "bold white on red",
    Severity.error: "bold red",
    Severity.warning: "yellow",
    Severity.info: "cyan",
}
STATUS_STYLE = {
    ArtifactStatus.damaged: "red",
    ArtifactStatus.empty: "yellow",
    ArtifactStatus.unrecognised: "magenta",
    ArtifactStatus.skipped: "dim",
}
_SEVERITIES = (Severity.critical, Severity.error, Severity.warning, Severity.info)
_MESSAGE_LIMIT = 300
_EXCERPT_LIMIT = 160
# A bundle with thousands of unreadable members should not scroll the findings away.
_INVENTORY_LIMIT = 40


def _node_header(bundle: BundleReport) -> Text:
    node = bundle.node
    title = Text("Node ", style="bold")
    title.append(one_line(node.instance_id, 40) or "unknown instance", style="bold")
    if node.instance_type:
        title.append(f" ({one_line(node.instance_type, 40)})")
    if node.hostname or node.primary_ip:
        title.append("  " + " ".join(one_line(x, 80) for x in (node.hostname, node.primary_ip) if x), style="dim")
    return title


def _bundle_facts(bundle: BundleReport) -> Text:
    facts = Text("  ")
    facts.append("CNI ", style="dim")
    if bundle.cni_version:
        facts.append(one_line(bundle.cni_version, 40), style="bold")
        if bundle.cni_version_source:
            facts.append(f" (from {one_line(bundle.cni_version_source, 80)})", style="dim")
    else:
        facts.append("unknown")
    facts.append("   layout ", style="dim")
    facts.append(bundle.layout.value)
    facts.append("   collector ", style="dim")
    facts.append(one_line(bundle.collector_version, 40) or "n/a")
    if bundle.node.region or bundle.node.az:
        facts.append("   ", style="dim")
        facts.append(one_line(bundle.node.az or bundle.node.region, 40))
    facts.append("\n  bundle ", style="dim")
    facts.append(one_line(bundle.path, 200))
    return facts


def _bundle_names(report: Report) -> dict[str, str]:
    """Short names to tell bundles apart on a finding line: the instance id, else the file name."""
    names: dict[str, str] = {}
    for b in report.bundles:
        name = one_line(b.node.instance_id, 40) or one_line(b.path.rsplit("/", 1)[-1], 60)
        if name in names.values():
            name = one_line(b.path, 80)
        names[b.path] = name
    return names


def _summary_line(report: Report) -> Text:
    s = report.summary
    line = Text("Summary: ")
    counts = {
        Severity.critical: s.critical,
        Severity.error: s.error,
        Severity.warning: s.warning,
        Severity.info: s.info,
    }
    for i, sev in enumerate(_SEVERITIES):
        if i:
            line.append(", ")
        line.append(f"{counts[sev]} {sev.value}", style=SEVERITY_STYLE[sev] if counts[sev] else "dim")
    line.append(f"   rules: {s.rules_run} run, {s.rules_skipped} skipped, {s.rules_errored} errored")
    if s.suppressed:
        line.append(f", {s.suppressed} suppressed", style="dim")
    return line


def render_console(report: Report, console: Console) -> None:
    """Print the report for a terminal: nodes, summary, ranked findings, what could not be read."""
    if report.redacted:
        console.print(Text("(redacted: addresses and ids are replaced consistently)", style="dim"))
    for bundle in report.bundles:
        console.rule(_node_header(bundle), align="left")
        console.print(_bundle_facts(bundle))
    console.print()
    console.print(_summary_line(report))

    ranked = ranked_findings(report)
    console.print()
    if not ranked:
        console.print(Text("No findings.", style="green"))
    names = _bundle_names(report)
    for item in ranked:
        f = item.finding
        indent = 2 + 4 * item.depth
        head = Text()
        if item.depth:
            head.append("└─ ", style="dim")
        head.append(f"{f.severity.value.upper():<8}", style=SEVERITY_STYLE[f.severity])
        head.append(" ")
        head.append(one_line(f.rule_id, 80), style="bold")
        if f.count > 1:
            head.append(f" ×{f.count}", style="dim")
        if len(names) > 1:
            head.append(f"  [{names.get(f.bundle) or one_line(f.bundle, 60)}]", style="dim")
        console.print(Padding(head, (0, 0, 0, indent), expand=False))
        body = Text(one_line(f.message, _MESSAGE_LIMIT))
        if f.evidence:
            ev = f.evidence[0]
            body.append("\n")
            body.append(location(ev.path, ev.line), style="cyan")
            if ev.excerpt:
                body.append("  ")
                body.append(one_line(ev.excerpt, _EXCERPT_LIMIT), style="dim")
            if len(f.evidence) > 1:
                body.append(f"  (+{len(f.evidence) - 1} more)", style="dim")
        console.print(Padding(body, (0, 0, 0, indent + (3 if item.depth else 0) + 9), expand=False))

    suppressed = sum(1 for f in report.findings if f.suppressed is not None)
    if suppressed:
        console.print(Text(f"\n{suppressed} finding(s) suppressed.", style="dim"))

    _print_inventory_problems(report, console)
    _print_rule_problems(report, console)


def _print_inventory_problems(report: Report, console: Console) -> None:
    names = _bundle_names(report)
    rows = [(b, e) for b in report.bundles for e in b.inventory if e.status != ArtifactStatus.parsed]
    problems = [(b, p) for b in report.bundles for p in b.archive_problems]
    if not rows and not problems:
        return
    console.print()
    console.print(Text("Damaged, empty or unread inputs", style="bold"))
    for bundle, entry in rows[:_INVENTORY_LIMIT]:
        line = Text("  ")
        line.append(f"{entry.status.value:<13}", style=STATUS_STYLE.get(entry.status, ""))
        line.append(one_line(entry.path, 160))
        if entry.detail:
            line.append("  ")
            line.append(one_line(entry.detail, 160), style="dim")
        if len(names) > 1:
            line.append(f"  [{names[bundle.path]}]", style="dim")
        console.print(line)
    if len(rows) > _INVENTORY_LIMIT:
        console.print(Text(f"  … and {len(rows) - _INVENTORY_LIMIT} more (see the HTML or JSON report)", style="dim"))
    for _bundle, problem in problems[:_INVENTORY_LIMIT]:
        line = Text("  ")
        line.append(f"{'archive':<13}", style="red")
        line.append(one_line(problem, 200))
        console.print(line)


def _print_rule_problems(report: Report, console: Console) -> None:
    skipped = [r for r in report.rule_results if r.status == RuleStatus.skipped]
    errored = [r for r in report.rule_results if r.status == RuleStatus.error]
    if not skipped and not errored:
        return
    console.print()
    console.print(Text(f"Rules: {len(skipped)} skipped (missing inputs), {len(errored)} errored", style="bold"))
    for r in errored:
        line = Text("  ")
        line.append("error    ", style="red")
        line.append(one_line(r.rule_id, 80))
        if r.reason:
            line.append("  ")
            line.append(one_line(r.reason, 200), style="dim")
        console.print(line)
