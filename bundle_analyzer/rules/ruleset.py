"""A loaded, compiled rule set and the log scan plan derived from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bundle_analyzer.artifacts import Kind
from bundle_analyzer.errors import RulesInvalid
from bundle_analyzer.load import ScanPlan
from bundle_analyzer.logs import PatternSetError, ScanPattern
from bundle_analyzer.rules.compile import CompiledRule, compile_rules
from bundle_analyzer.rules.loader import RuleProblem, load_overlay, load_rules
from bundle_analyzer.rules.model import Overlay
from bundle_analyzer.rules.packs import rule_sources


@dataclass
class RuleSet:
    rules: list[CompiledRule]
    overlay: Overlay | None = None
    problems: list[RuleProblem] = field(default_factory=list)  # per-rule compile problems (rules still listed)

    def scan_plan(self) -> ScanPlan:
        """The log scanners for these rules, compiled now: each pattern compiled alone, but the
        set of one log kind can still be too big for RE2 together, and that must stop the
        analysis here (invalid rules) rather than in the middle of reading a bundle."""
        patterns: dict[Kind, list[ScanPattern]] = {}
        for rule in self.rules:
            if rule.problems:
                continue
            for signature in rule.signatures:
                for kind in signature.sources:
                    patterns.setdefault(kind, []).append(ScanPattern(signature.key, signature.regex))
        plan = ScanPlan(patterns)
        for kind in patterns:
            try:
                plan.scanner(kind)
            except PatternSetError as exc:
                raise RulesInvalid([f"log patterns for {kind.value}: {exc}"]) from None
        return plan

    def by_id(self, rule_id: str) -> CompiledRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def load_ruleset(extra_dirs: list[Path] | None = None, *, default: bool = True, packs: bool = True,
                 overlay_path: Path | None = None, only: set[str] | None = None) -> RuleSet:
    """Load and compile rules. Files that cannot be read as rules at all raise RulesInvalid."""
    loaded, problems = load_rules(rule_sources(extra_dirs, default=default, packs=packs))
    overlay = None
    if overlay_path is not None:
        overlay, overlay_problems = load_overlay(overlay_path)
        problems.extend(overlay_problems)
    if only is not None:
        loaded = [item for item in loaded if item.rule.id in only]
    compiled, set_problems = compile_rules(loaded)
    problems.extend(set_problems)
    if problems:
        raise RulesInvalid([str(p) for p in problems])
    return RuleSet(compiled, overlay, [p for rule in compiled for p in rule.problems])
