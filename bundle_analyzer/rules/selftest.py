"""``cnibundle rules test``: run the data fixtures shipped beside each rule.

A rule pack directory holds ``tests/<rule-id>.yaml``::

    rule: pod-egress-rule-missing
    cases:
      - name: secondary-ENI pod without its 1536 rule
        expect: fired                  # fired | passed | skipped
        base: eks-v1-20-healthy        # optional: tests/_bases/<name>.yaml supplies files
        layout: eks                    # eks (default) | legacy | nma
        files: {networking/iprule.txt: "..."}   # added or replacing the base's
        gzip: {var_log/aws-routed-eni/ipamd-2024-01-10T20-46-28.541.log.gz: "..."}
        remove: [ipamd/ipam.json]
        message_contains: "10.0.41.7"
        evidence: [{path: networking/iprule.txt}]

Each case builds a real bundle archive with :class:`~bundle_analyzer.testing.builder.BundleBuilder`
and analyses it with that one rule, exactly as ``cnibundle analyze`` would.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bundle_analyzer.rules.compile import compile_rules
from bundle_analyzer.rules.loader import load_rules, read_yaml, _plain
from bundle_analyzer.rules.ruleset import RuleSet


@dataclass
class SelfTestOutcome:
    passed: int = 0
    failed: int = 0
    lines: list[str] = field(default_factory=list)
    untested: list[str] = field(default_factory=list)


def test_dirs(sources: list[Path]) -> list[Path]:
    dirs = []
    for source in sources:
        base = source if source.is_dir() else source.parent
        if (base / "tests").is_dir():
            dirs.append(base / "tests")
    return dirs


def run_rule_tests(sources: list[Path], only: set[str] | None = None) -> SelfTestOutcome:
    loaded, problems = load_rules(sources)
    compiled, set_problems = compile_rules(loaded)
    outcome = SelfTestOutcome()
    for problem in problems + set_problems:
        outcome.failed += 1
        outcome.lines.append(f"FAIL load: {problem}")
    by_id = {rule.id: rule for rule in compiled}
    tested: set[str] = set()
    for directory in test_dirs(sources):
        for case_file in sorted(directory.glob("*.y*ml")):
            tree, file_problems = read_yaml(case_file)
            if tree is None:
                outcome.failed += 1
                outcome.lines.extend(f"FAIL {p}" for p in file_problems)
                continue
            spec = _plain(tree)
            rule_id = spec.get("rule")
            if only and rule_id not in only:
                continue
            rule = by_id.get(rule_id)
            if rule is None:
                outcome.failed += 1
                outcome.lines.append(f"FAIL {case_file}: no rule {rule_id!r}")
                continue
            tested.add(rule_id)
            for case in spec.get("cases", []):
                ok, message = run_case(rule, case, directory)
                outcome.passed += ok
                outcome.failed += not ok
                outcome.lines.append(f"{'ok  ' if ok else 'FAIL'} {rule_id}: {case.get('name', '?')}"
                                     + ("" if ok else f" — {message}"))
    outcome.untested = sorted(r for r in by_id if r not in tested and (not only or r in only))
    return outcome


def build_case_bundle(case: dict[str, Any], tests_dir: Path, out_dir: Path) -> Path:
    from bundle_analyzer.testing.builder import BundleBuilder

    files: dict[str, str] = {}
    gzipped: dict[str, str] = {}
    base: dict[str, Any] = {}
    layout = case.get("layout", "eks")
    if case.get("base"):
        tree, problems = read_yaml(tests_dir / "_bases" / f"{case['base']}.yaml")
        if tree is None:
            raise ValueError(f"base {case['base']}: {'; '.join(map(str, problems))}")
        base = _plain(tree)
        files.update(base.get("files", {}))
        gzipped.update(base.get("gzip", {}))
        layout = case.get("layout", base.get("layout", layout))
    files.update(case.get("files", {}))
    gzipped.update(case.get("gzip", {}))
    for path in case.get("remove", []):
        files.pop(path, None)
        gzipped.pop(path, None)
    collected_at = case.get("collected_at") or (base.get("collected_at") if case.get("base") else None)
    builder = BundleBuilder(layout, **({"collected_at": _as_datetime(collected_at)} if collected_at else {}))
    for path, content in files.items():
        builder.add(path, content)
    for path, content in gzipped.items():
        builder.add_gzip(path, content)
    return builder.write_tar_gz(out_dir)


def run_case(rule, case: dict[str, Any], tests_dir: Path) -> tuple[bool, str]:
    from bundle_analyzer.analysis import analyze

    expected = case.get("expect")
    with tempfile.TemporaryDirectory(prefix="cnibundle-ruletest-") as tmp:
        try:
            archive = build_case_bundle(case, tests_dir, Path(tmp))
            report = analyze(archive, rules=RuleSet([rule]))
        except Exception as exc:  # noqa: BLE001 - a broken case is a failed case, not a crash
            return False, f"{type(exc).__name__}: {exc}"
    result = next((r for r in report.rule_results if r.rule_id == rule.id), None)
    if result is None or result.status.value != expected:
        got = f"{result.status.value} ({result.reason})" if result else "no result"
        return False, f"expected {expected}, got {got}"
    finding = next((f for f in report.findings if f.rule_id == rule.id), None)
    wanted = case.get("message_contains")
    if wanted and (finding is None or wanted not in finding.message):
        return False, f"message lacks {wanted!r}: {finding.message if finding else None!r}"
    for evidence in case.get("evidence", []):
        if finding is None or not any(e.path.endswith(evidence["path"])
                                      and evidence.get("line") in (None, e.line) for e in finding.evidence):
            cited = [(e.path, e.line) for e in finding.evidence] if finding else []
            return False, f"no evidence at {evidence} (cited {cited})"
    return True, ""


def _as_datetime(value):
    from datetime import UTC, datetime

    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
