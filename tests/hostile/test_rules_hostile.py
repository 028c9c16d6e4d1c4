"""Hostile rule packs: refused at lint and load with file:line, never executed; and rules whose
cost depends on the bundle are stopped at their time limit while the others run."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from corpus import RULE_CASES, SENTINEL, healthy_builder

from bundle_analyzer import analyze
from bundle_analyzer.errors import RulesInvalid
from bundle_analyzer.rules import cel_runner
from bundle_analyzer.rules.compile import compile_rules
from bundle_analyzer.rules.loader import load_rules
from bundle_analyzer.rules.ruleset import load_ruleset

LOAD = [case for case in RULE_CASES if case.stage == "load"]
COMPILE = [case for case in RULE_CASES if case.stage == "compile"]
HONEST = """rules:
  - id: honest-rule
    title: an honest rule
    category: test
    severity: info
    check:
      over: rules
      as: r
      expect: r.priority >= 0
    message: "{{ violations }} rule(s)"
"""


def _write(case, directory: Path) -> Path:
    path = directory / f"{case.name}.yaml"
    path.write_bytes(case.content())
    return path


def _problems(path: Path) -> list[str]:
    loaded, problems = load_rules([path])
    compiled, set_problems = compile_rules(loaded)
    return [str(p) for p in problems + set_problems + [p for rule in compiled for p in rule.problems]]


@pytest.mark.parametrize("case", RULE_CASES, ids=[c.name for c in RULE_CASES])
def test_refused_with_its_location(case, tmp_path):
    path = _write(case, tmp_path)
    problems = _problems(path)
    matching = [p for p in problems if re.search(case.expect, p)]
    assert matching, problems
    location = re.match(rf"{re.escape(str(path))}:(\d+):(\d+): ", matching[0])
    assert location, matching[0]
    if case.line is not None:
        assert int(location.group(1)) == case.line, matching[0]
    assert not (Path("/tmp") / SENTINEL).exists()


@pytest.mark.parametrize("case", LOAD, ids=[c.name for c in LOAD])
def test_unloadable_files_stop_the_analysis_before_it_starts(case, tmp_path):
    _write(case, tmp_path)
    with pytest.raises(RulesInvalid) as invalid:
        load_ruleset([tmp_path], default=False)
    assert any(re.search(case.expect, p) for p in invalid.value.problems)


def test_broken_rules_never_run_and_the_others_do(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    for case in COMPILE:
        _write(case, rules)
    (rules / "honest.yaml").write_text(HONEST)
    bundle = healthy_builder().write_tar_gz(tmp_path)
    report = analyze(bundle, rules_dirs=[rules], default_rules=False)
    results = {r.rule_id: r for r in report.rule_results}
    assert results["honest-rule"].status.value == "passed"
    errored = [r for r in report.rule_results if r.status.value == "error"]
    assert len(errored) == len(COMPILE)
    for result in errored:
        assert re.search(r"\.yaml:\d+:\d+:", result.reason), result.reason
    assert not report.findings


def test_lint_and_analyze_on_the_command_line(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    for case in RULE_CASES:
        _write(case, rules)
    lint = subprocess.run([sys.executable, "-m", "bundle_analyzer", "rules", "lint", str(rules)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert lint.returncode == 2
    for case in RULE_CASES:
        assert re.search(rf"{re.escape(case.name)}\.yaml:\d+:\d+: .*?{case.expect}", lint.stdout), case.name
    bundle = healthy_builder().write_tar_gz(tmp_path)
    run = subprocess.run([sys.executable, "-m", "bundle_analyzer", "analyze", str(bundle), "--rules", str(rules),
                          "--no-default-rules"], check=False, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and run.stdout == ""
    assert all(line.startswith("cnibundle: invalid rules: ") for line in run.stderr.strip().splitlines())
    assert not (Path("/tmp") / SENTINEL).exists()


SLOW = """rules:
  - id: cubic-over-the-bundle
    title: passes the static check, but cubic in the number of ip rules
    category: test
    severity: info
    check:
      expect: rules.map(a, rules.map(b, rules.map(c, a.priority + b.priority + c.priority))).size() == 0
    message: never
"""


def test_a_rule_too_slow_for_this_bundle_is_stopped_and_the_rest_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(cel_runner, "PROGRAM_SECONDS", 1.0)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "slow.yaml").write_text(SLOW)
    (rules / "honest.yaml").write_text(HONEST)
    many = "".join(f"{1000 + i}:\tfrom 10.1.{i >> 8}.{i & 255} lookup main\n" for i in range(2000))
    bundle = healthy_builder({"networking/iprule.txt": many}).write_tar_gz(tmp_path)
    report = analyze(bundle, rules_dirs=[rules], default_rules=False)
    results = {r.rule_id: r for r in report.rule_results}
    assert results["cubic-over-the-bundle"].status.value == "error"
    assert "time limit" in results["cubic-over-the-bundle"].reason
    assert results["honest-rule"].status.value == "passed"


def test_the_bundle_budget_stops_later_rules(tmp_path, monkeypatch):
    monkeypatch.setattr(cel_runner, "PROGRAM_SECONDS", 1.0)
    monkeypatch.setattr(cel_runner, "BUNDLE_SECONDS", 1.5)
    rules = tmp_path / "rules"
    rules.mkdir()
    for n in range(3):
        (rules / f"slow{n}.yaml").write_text(SLOW.replace("cubic-over-the-bundle", f"cubic-{n}"))
    many = "".join(f"{1000 + i}:\tfrom 10.1.{i >> 8}.{i & 255} lookup main\n" for i in range(2000))
    bundle = healthy_builder({"networking/iprule.txt": many}).write_tar_gz(tmp_path)
    report = analyze(bundle, rules_dirs=[rules], default_rules=False)
    reasons = [r.reason for r in report.rule_results]
    assert all(r.status.value == "error" for r in report.rule_results)
    assert any("budget for this bundle is used up" in reason for reason in reasons)


def test_the_worker_memory_limit_and_a_crashed_worker(monkeypatch, capfd):
    import cel

    monkeypatch.setattr(cel_runner, "WORKER_EXTRA_BYTES", 64 << 20)
    hungry = cel.compile("size(s + s + s + s + s + s + s + s) > 0")
    small = cel.compile("size(s) > 0")
    runner = cel_runner.CelRunner({"s": "x" * (30 << 20)}, [hungry, small])
    try:
        with pytest.raises(cel_runner.CelLimitExceeded, match="out of memory or crashed"):
            runner.execute(hungry)
        assert runner.execute(small) is True, "a fresh worker serves the next program"
        os.kill(runner._worker.pid, signal.SIGKILL)
        with pytest.raises(cel_runner.CelLimitExceeded, match="crashed"):
            runner.execute(small)
        assert runner.execute(small) is True
    finally:
        runner.close()
    captured = capfd.readouterr()
    assert "memory allocation" not in captured.err, "the worker's dying words stay out of the terminal"
