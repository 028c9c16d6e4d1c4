"""Damaged files inside an otherwise healthy bundle: each is listed as damaged with where, and the
analysis of the rest goes on (every rule ends with a result, the report renders)."""

from __future__ import annotations

import re

import pytest
from corpus import CONTENT_CASES, WriteWatch, healthy_builder

from bundle_analyzer import analyze
from bundle_analyzer.report.render import render
from bundle_analyzer.rules.ruleset import load_ruleset

CASES = [case for case in CONTENT_CASES if not case.big]


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset()


@pytest.fixture(scope="module")
def healthy_report(ruleset, tmp_path_factory):
    return analyze(healthy_builder().write_tar_gz(tmp_path_factory.mktemp("healthy")), rules=ruleset)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_damaged_member_is_located_and_the_rest_is_analysed(case, ruleset, healthy_report, inputs, empty_cwd):
    path = healthy_builder({case.member: case.content()}).write_tar_gz(inputs)
    watch = WriteWatch(inputs, empty_cwd)
    report = analyze(path, rules=ruleset)
    (bundle,) = report.bundles
    entry = next(e for e in bundle.inventory if e.path == case.member)
    assert entry.status.value == case.status, entry
    assert re.search(case.detail, entry.detail or ""), entry.detail
    others = {e.path: e.status for e in bundle.inventory if e.path != case.member}
    healthy = {e.path: e.status for e in healthy_report.bundles[0].inventory if e.path != case.member}
    assert others == healthy, "the other members are read as in the healthy bundle"
    assert len(report.rule_results) == len(healthy_report.rule_results)
    for fmt in ("json", "markdown", "html"):
        assert render(report, fmt)
    assert watch.new_files() == []
