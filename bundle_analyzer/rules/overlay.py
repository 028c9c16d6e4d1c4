"""Local tuning applied to outcomes: disabled rules are skipped, re-levelled ones change severity.

The rules themselves are never mutated; the report keeps what was suppressed and why.
"""

from __future__ import annotations

from bundle_analyzer.report.model import RuleStatus
from bundle_analyzer.rules.engine import Outcome
from bundle_analyzer.rules.model import Overlay


def apply_overlay(outcomes: list[Outcome], overlay: Overlay | None) -> list[Outcome]:
    if overlay is None:
        return outcomes
    overrides = {o.id: o for o in overlay.overrides}
    for outcome in outcomes:
        override = overrides.get(outcome.result.rule_id)
        if override is None:
            continue
        if override.disable:
            if outcome.finding is not None:
                outcome.finding.suppressed = f"disabled by overlay: {override.reason}"
            outcome.result.reason = f"disabled by overlay: {override.reason} (would be {outcome.result.status})"
            outcome.result.status = RuleStatus.skipped
        elif override.severity is not None and outcome.finding is not None:
            outcome.finding.message += f" [severity {outcome.finding.severity} → {override.severity}: {override.reason}]"
            outcome.finding.severity = override.severity
    return outcomes
