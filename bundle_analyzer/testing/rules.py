"""Pytest-side helpers for rule authors: analyse a rule text against a bundle made on the fly.

>>> report = run_rule_text(RULE_YAML, {"networking/iprule.txt": "0:\\tfrom all lookup local\\n"})  # doctest: +SKIP
>>> report.rule_results[0].status                                                            # doctest: +SKIP
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bundle_analyzer.analysis import analyze
from bundle_analyzer.report.model import Report
from bundle_analyzer.rules.compile import compile_rules
from bundle_analyzer.rules.loader import load_rules
from bundle_analyzer.rules.model import Overlay
from bundle_analyzer.rules.packs import default_rules_dir
from bundle_analyzer.rules.ruleset import RuleSet
from bundle_analyzer.rules.selftest import build_case_bundle


def ruleset_from_text(text: str, overlay: Overlay | None = None) -> RuleSet:
    """Compile rules from YAML text; per-rule compile problems stay on the rules (status error)."""
    with tempfile.TemporaryDirectory(prefix="cnibundle-rule-") as tmp:
        path = Path(tmp) / "rules.yaml"
        path.write_text(text, encoding="utf-8")
        loaded, problems = load_rules([path])
    if problems:
        raise ValueError("; ".join(str(p) for p in problems))
    compiled, set_problems = compile_rules(loaded)
    if set_problems:
        raise ValueError("; ".join(str(p) for p in set_problems))
    return RuleSet(compiled, overlay)


def run_rule_text(text: str, files: dict[str, str] | None = None, *, base: str | None = None,
                  layout: str | None = None, gzip: dict[str, str] | None = None,
                  remove: list[str] | None = None, overlay: Overlay | None = None) -> Report:
    """Build a bundle (optionally from a base of the shipped pack) and analyse it with these rules."""
    case = {"files": files or {}, "gzip": gzip or {}, "remove": remove or []}
    if base:
        case["base"] = base
    if layout:
        case["layout"] = layout
    with tempfile.TemporaryDirectory(prefix="cnibundle-rule-") as tmp:
        archive = build_case_bundle(case, default_rules_dir() / "tests", Path(tmp))
        return analyze(archive, rules=ruleset_from_text(text, overlay))
