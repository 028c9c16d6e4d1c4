"""``analyze()``: bundles in, a :class:`~bundle_analyzer.report.model.Report` out.

Pure with respect to the outside world: no printing, no exit, no network, nothing written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from os import PathLike
from pathlib import Path

from bundle_analyzer import __version__
from bundle_analyzer.artifacts import Kind
from bundle_analyzer.bundle import Bundle, LoadedArtifact
from bundle_analyzer.load import early_scan_pool, load_bundle
from bundle_analyzer.parsers.aws_cli import parse_aws_json
from bundle_analyzer.report.build import bundle_report
from bundle_analyzer.report.model import Report, RuleStatus, Summary, ToolInfo
from bundle_analyzer.rules.engine import run_rules
from bundle_analyzer.rules.linking import link_findings
from bundle_analyzer.rules.overlay import apply_overlay
from bundle_analyzer.rules.ruleset import RuleSet, load_ruleset
from bundle_analyzer.source.archive import sniff
from bundle_analyzer.source.limits import Limits

PathArg = str | PathLike[str]


def analyze(path: PathArg | Sequence[PathArg], *, rules: RuleSet | None = None,
            rules_dirs: Sequence[PathArg] = (), default_rules: bool = True, overlay: PathArg | None = None,
            aws_json: Sequence[PathArg] = (), limits: Limits | None = None,
            progress: Callable[[str, int], None] | None = None) -> Report:
    """Analyse one bundle, or several (each archive or directory is a bundle; loose files form one)."""
    groups = group_inputs(path)
    pool = early_scan_pool([p for group in groups for p in group])
    try:
        ruleset = rules or load_ruleset([Path(p) for p in rules_dirs], default=default_rules,
                                        overlay_path=Path(overlay) if overlay else None)
        plan = ruleset.scan_plan()
        if pool is not None:
            plan.prepare(pool)
        report = Report(tool=ToolInfo(version=__version__))
        extra = [_aws_artifact(Path(p)) for p in aws_json]
        for number, group in enumerate(groups, 1):
            bundle = load_bundle(group, limits=limits, plan=plan, progress=progress, scan_pool=pool)
            if pool is not None and number == len(groups):
                pool.close()  # before the rules fork their CEL worker, which would inherit its pipes
                pool = None
            attach_aws_json(bundle, extra)
            outcomes = apply_overlay(run_rules(ruleset.rules, bundle), ruleset.overlay)
            findings = [o.finding for o in outcomes if o.finding is not None]
            report.rule_results.extend(o.result for o in outcomes)
            report.findings.extend(findings)
            report.bundles.append(bundle_report(bundle, findings))
    finally:
        if pool is not None:
            pool.close()
    report.findings = link_findings(report.findings, ruleset.rules)
    report.summary = summarise(report)
    return report


def group_inputs(path: PathArg | Sequence[PathArg]) -> list[list[Path]]:
    """Each archive or directory is its own bundle; loose files given together make one."""
    paths = [Path(p) for p in ([path] if isinstance(path, str | PathLike) else path)]
    groups: list[list[Path]] = []
    loose: list[Path] = []
    for item in paths:
        if item.is_dir() or (item.is_file() and item.stat().st_size and sniff(item) in ("gzip", "tar", "zip")):
            groups.append([item])
        else:
            loose.append(item)
    if loose:
        groups.append(loose)
    return groups


def _aws_artifact(path: Path) -> LoadedArtifact:
    from bundle_analyzer.errors import BundleRefused

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BundleRefused(f"cannot read --aws-json file {path}: {exc.strerror}") from exc
    return LoadedArtifact(path=str(path), kind=Kind.ec2_json, parsed=parse_aws_json(data, str(path)))


def attach_aws_json(bundle: Bundle, extra: list[LoadedArtifact]) -> None:
    """AWS CLI output the analyst kept beside the bundle joins it as if it were inside."""
    if not extra:
        return
    from bundle_analyzer.report.model import InventoryEntry
    from bundle_analyzer.state.node import build_node_state

    bundle.artifacts.extend(extra)
    bundle.inventory.extend(InventoryEntry(path=a.path, kind=a.kind.value, status=a.parsed.status,
                                           detail=a.parsed.detail or "given with --aws-json") for a in extra)
    bundle.state = build_node_state(bundle)


def summarise(report: Report) -> Summary:
    summary = Summary()
    for finding in report.findings:
        if finding.suppressed:
            summary.suppressed += 1
            continue
        setattr(summary, finding.severity.value, getattr(summary, finding.severity.value) + 1)
    summary.rules_run = sum(1 for r in report.rule_results if r.status in (RuleStatus.fired, RuleStatus.passed))
    summary.rules_skipped = sum(1 for r in report.rule_results if r.status is RuleStatus.skipped)
    summary.rules_errored = sum(1 for r in report.rule_results if r.status is RuleStatus.error)
    return summary
