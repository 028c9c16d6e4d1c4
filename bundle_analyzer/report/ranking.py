"""The order every renderer lists findings in: worst first, each symptom right under its cause.

A finding names its causes by rule id in ``caused_by`` (within the same bundle). A cause leads
its group; the group ranks by the worst severity in it, so a warning-level root cause that
explains a critical symptom is listed first, not buried below unrelated errors.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from bundle_analyzer.report.model import Finding, Report, TimelineEvent

# Deeper chains than this are drawn flat; a cycle in caused_by must not recurse forever.
_MAX_DEPTH = 8


@dataclass(frozen=True)
class RankedFinding:
    finding: Finding
    index: int  # position in report.findings: a stable anchor for links
    depth: int  # 0 for a root cause or a standalone finding, 1 for what it explains, ...
    cause: str | None  # rule id of the finding this one is listed under


def _key(index: int, finding: Finding, bundle_order: dict[str, int]) -> tuple[int, int, str, int]:
    return (-finding.severity.rank, bundle_order.get(finding.bundle, len(bundle_order)), finding.rule_id, index)


def ranked_findings(report: Report, *, include_suppressed: bool = False) -> list[RankedFinding]:
    """Findings ordered worst first, each followed by the findings it explains."""
    bundle_order = {b.path: i for i, b in enumerate(report.bundles)}
    items = [(i, f) for i, f in enumerate(report.findings) if include_suppressed or f.suppressed is None]
    by_rule: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, f in items:
        by_rule[(f.bundle, f.rule_id)].append(i)
    present = {i for i, _ in items}

    children: dict[int, list[int]] = defaultdict(list)
    has_cause: set[int] = set()
    for i, f in items:
        for cause_id in f.caused_by:
            for cause_index in by_rule.get((f.bundle, cause_id), []):
                if cause_index != i and cause_index in present:
                    children[cause_index].append(i)
                    has_cause.add(i)

    findings = report.findings
    worst: dict[int, int] = {}

    def subtree_worst(root: int) -> int:
        # Iterative walk: caused_by comes from rule files and may form cycles.
        best, seen, stack = 0, {root}, [root]
        while stack:
            node = stack.pop()
            best = max(best, findings[node].severity.rank)
            for child in children.get(node, []):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return best

    def group_key(i: int) -> tuple[int, tuple[int, int, str, int]]:
        if i not in worst:
            worst[i] = subtree_worst(i)
        return (-worst[i], _key(i, findings[i], bundle_order))

    out: list[RankedFinding] = []
    placed: set[int] = set()

    def place(root: int) -> None:
        stack: list[tuple[int, int, str | None]] = [(root, 0, None)]
        while stack:
            node, depth, cause = stack.pop()
            if node in placed:
                continue
            placed.add(node)
            out.append(RankedFinding(findings[node], node, min(depth, _MAX_DEPTH), cause))
            kids = sorted((c for c in children.get(node, []) if c not in placed), key=group_key, reverse=True)
            for child in kids:
                stack.append((child, depth + 1, findings[node].rule_id))

    roots = sorted((i for i, _ in items if i not in has_cause), key=group_key)
    for root in roots:
        place(root)
    # Whatever is left sits on a caused_by cycle with no outside root: list it anyway.
    for i in sorted((i for i, _ in items if i not in placed), key=group_key):
        place(i)
    return out


def suppressed_findings(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.suppressed is not None]


def _utc(value: datetime) -> datetime:
    # Collectors mix zone-less and UTC stamps; comparing them would raise.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def timeline_order(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """Events oldest first; events at the same instant keep the order they were reported in."""
    return sorted(events, key=lambda e: _utc(e.timestamp))
