"""The shipped rule pack: lints clean, every rule has a firing and a passing case, every case passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bundle_analyzer.rules.compile import compile_rules
from bundle_analyzer.rules.loader import load_rules
from bundle_analyzer.rules.packs import default_rules_dir
from bundle_analyzer.rules.selftest import run_rule_tests

RULES = default_rules_dir()
CATALOG = Path(__file__).resolve().parents[3] / "shared" / "spec" / "failure-catalog.yaml"


def test_pack_lints_clean():
    loaded, problems = load_rules([RULES])
    compiled, set_problems = compile_rules(loaded)
    all_problems = problems + set_problems + [p for rule in compiled for p in rule.problems]
    assert not all_problems, "\n".join(map(str, all_problems))
    assert loaded


def test_every_case_passes():
    outcome = run_rule_tests([RULES])
    failures = [line for line in outcome.lines if not line.startswith("ok")]
    assert not failures, "\n".join(failures)
    assert outcome.passed > 0


def test_every_rule_has_a_firing_and_a_passing_case():
    loaded, _ = load_rules([RULES])
    yaml = YAML(typ="safe")
    expectations: dict[str, set[str]] = {}
    for case_file in (RULES / "tests").glob("*.yaml"):
        spec = yaml.load(case_file.read_text())
        expectations.setdefault(spec["rule"], set()).update(c["expect"] for c in spec.get("cases", []))
    missing = []
    for item in loaded:
        rule = item.rule
        wanted = {"skipped"} if rule.unsupported else {"fired", "passed"}
        if not wanted <= expectations.get(rule.id, set()):
            missing.append(f"{rule.id}: has {sorted(expectations.get(rule.id, set()))}, needs {sorted(wanted)}")
    assert not missing, "\n".join(missing)


@pytest.mark.skipif(not CATALOG.exists(), reason="the shared failure catalog is not beside this checkout")
def test_catalog_ids_are_rules_or_not_yet_listed():
    """Each rule id that looks like a catalog id is spelled exactly as in the catalog."""
    catalog_ids = {p["id"] for p in YAML(typ="safe").load(CATALOG.read_text())}
    loaded, _ = load_rules([RULES])
    unknown = [r.rule.id for r in loaded if r.rule.id not in catalog_ids and "catalog" not in r.rule.tags]
    assert not unknown, f"rule ids not in failure-catalog.yaml: {unknown}"


@pytest.mark.skipif(not CATALOG.exists(), reason="the shared failure catalog is not beside this checkout")
def test_every_catalog_pattern_has_a_rule():
    catalog_ids = {p["id"] for p in YAML(typ="safe").load(CATALOG.read_text())}
    loaded, _ = load_rules([RULES])
    missing = sorted(catalog_ids - {r.rule.id for r in loaded})
    assert not missing, f"catalog patterns without a rule: {missing}"
