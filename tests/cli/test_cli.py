"""The command line as a user meets it: exit codes, stdout purity, output files, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bundle_analyzer.rules.packs import default_rules_dir
from bundle_analyzer.rules.selftest import build_case_bundle

BASES = default_rules_dir() / "tests"
NO_RULE = "0:\tfrom all lookup local\n512:\tfrom all to 10.0.41.7 lookup main\n32766:\tfrom all lookup main\n"


def cnibundle(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bundle_analyzer", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


@pytest.fixture(scope="module")
def broken_bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("broken")
    return build_case_bundle({"base": "eks-v1-20-healthy", "files": {"networking/iprule.txt": NO_RULE}}, BASES, out)


@pytest.fixture(scope="module")
def healthy_bundle(tmp_path_factory) -> Path:
    return build_case_bundle({"base": "eks-v1-20-healthy"}, BASES, tmp_path_factory.mktemp("healthy"))


def test_json_goes_alone_to_stdout_and_findings_exit_1(broken_bundle):
    done = cnibundle("analyze", broken_bundle, "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["schema_version"] == "1"
    assert report["bundles"][0]["layout"] == "eks-log-collector"
    assert "pod-egress-rule-missing" in {f["rule_id"] for f in report["findings"]}
    assert len(report["rule_results"]) == len({r["rule_id"] for r in report["rule_results"]})


@pytest.mark.parametrize("fail_on,code", [("never", 0), ("critical", 0), ("error", 1), ("info", 1)])
def test_fail_on(broken_bundle, fail_on, code):
    assert cnibundle("analyze", broken_bundle, "--format", "json", "--fail-on", fail_on).returncode == code


def test_healthy_bundle_exits_0(healthy_bundle):
    done = cnibundle("analyze", healthy_bundle)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("suffix,probe", [(".html", "<!DOCTYPE html>"), (".md", "# "), (".json", '"schema_version"')])
def test_output_format_follows_the_extension(broken_bundle, tmp_path, suffix, probe):
    target = tmp_path / f"report{suffix}"
    done = cnibundle("analyze", broken_bundle, "--output", target)
    assert done.returncode == 1
    assert done.stdout == ""
    assert probe.lower() in target.read_text().lower()
    assert sorted(os.listdir(tmp_path)) == [target.name]


def test_output_never_writes_through_a_symlink(broken_bundle, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "report.json"
    link.symlink_to(victim)
    done = cnibundle("analyze", broken_bundle, "--output", link)
    assert done.returncode == 2
    assert victim.read_text() == "keep me"


def test_not_a_bundle_is_one_clear_line(tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("the customer says pods are stuck\n")
    done = cnibundle("analyze", junk)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "not a bundle" in done.stderr and "Traceback" not in done.stderr


def test_invalid_rules_exit_2_with_location(healthy_bundle, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: x\n    title: t\n")
    done = cnibundle("analyze", healthy_bundle, "--rules", bad)
    assert done.returncode == 2
    assert f"{bad}:2:" in done.stderr


def test_rules_lint_and_test_of_the_shipped_pack():
    assert cnibundle("rules", "lint", default_rules_dir()).returncode == 0
    done = cnibundle("rules", "test", default_rules_dir())
    assert done.returncode == 0, done.stdout
    assert " 0 failed" in done.stdout


def test_rules_schema_is_json():
    schema = json.loads(cnibundle("rules", "schema").stdout)
    assert "rules" in schema["properties"]
