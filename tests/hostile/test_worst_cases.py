"""The biggest hostile inputs, each measured in a fresh process: time and peak memory are bounded.

These still run in CI, once (``-m worst_case`` selects them, ``-m "not worst_case"`` skips them).
Inputs are written to disk by this process; a child process that has only imported cnibundle
then loads or analyses them, and reports its wall time and how far its peak RSS grew
(``getrusage``), plus the peak RSS of the CEL worker it forked. docs/hostile-input.md quotes
these numbers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from corpus import (
    ARCHIVE_CASES,
    CONTENT_CASES,
    MiB,
    bomb_tar_gz,
    extended_header_bomb,
    healthy_builder,
    write,
    zeros_gzip,
    zip_bomb,
)

pytestmark = pytest.mark.worst_case

MAX_SECONDS = 30
MAX_GROWTH_MB = 300

_MEASURE = r"""
import json, resource, sys, time
from bundle_analyzer import analyze
from bundle_analyzer.errors import BundleRefused
from bundle_analyzer.rules.ruleset import load_ruleset
rules = load_ruleset()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for path in sys.argv[1:]:
    started = time.perf_counter()
    try:
        report = analyze(path, rules=rules)
        bundle = report.bundles[0]
        outcome = {"outcome": "analysed",
                   "inventory": {e.path: [e.status.value, e.detail] for e in bundle.inventory},
                   "rule_errors": [r.reason for r in report.rule_results if r.status.value == "error"]}
    except BundleRefused as exc:
        outcome = {"outcome": "refused", "message": str(exc)}
    outcome["seconds"] = time.perf_counter() - started
    # ru_maxrss is a high-water mark: with several paths, this is the growth so far.
    outcome["growth_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
    outcome["worker_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(outcome), flush=True)
"""


def measure_all(paths: list[Path], labels: list[str]) -> list[dict]:
    done = subprocess.run([sys.executable, "-c", _MEASURE, *map(str, paths)], check=False, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    results = [json.loads(line) for line in done.stdout.strip().splitlines()[-len(paths):]]
    for label, result in zip(labels, results, strict=True):
        print(f"\n{label}: {result['outcome']} in {result['seconds']:.1f} s, peak RSS +{result['growth_mb']:.0f} MB, "
              f"child processes' peak {result['worker_mb']:.0f} MB")
    return results


def measure(path: Path, label: str) -> dict:
    return measure_all([path], [label])[0]


def _within_bounds(result: dict) -> None:
    assert result["seconds"] < MAX_SECONDS, result["seconds"]
    assert result["growth_mb"] < MAX_GROWTH_MB, result["growth_mb"]


BIG_CONTENT = [case for case in CONTENT_CASES if case.big]


@pytest.mark.parametrize("case", BIG_CONTENT, ids=[c.name for c in BIG_CONTENT])
def test_big_content_is_analysed_within_bounds(case, tmp_path):
    # A plain tar: the point is the parsers and the engine, not inflating 100 MB again.
    path = tmp_path / "eks_i-0a1b2c3d4e5f60718_2026-03-18_2046-UTC_0.7.9.tar"
    path.write_bytes(healthy_builder({case.member: case.content()}).to_tar_bytes())
    result = measure(path, case.name)
    assert result["outcome"] == "analysed"
    status, detail = result["inventory"][case.member]
    assert status == case.status
    assert case.detail in detail or __import__("re").search(case.detail, detail), detail
    _within_bounds(result)


BOMBS = {
    "tar-gz-bomb-10gib": lambda d: bomb_tar_gz(d, "var_log/messages", 10 * 1024 * MiB),
    "nested-log-gz-bomb-4gib": lambda d: healthy_builder({
        "var_log/aws-routed-eni/ipamd-2026-03-18T20-40-00.000.log.gz": zeros_gzip(4 * 1024 * MiB)}).write_tar_gz(d),
    "zip-bomb-3.9gib": lambda d: zip_bomb(d, 3990 * MiB),
    "pax-header-bomb-2gib": lambda d: extended_header_bomb(d, tarfile.XHDTYPE, 2 * 1024 * MiB),
    "loose-gz-bomb-4gib": lambda d: write(d, "ipamd-2026-03-18T20-40-00.000.log.gz", zeros_gzip(4 * 1024 * MiB)),
}


def test_bombs_are_refused_before_they_inflate(tmp_path):
    """The bombs above and the corpus' own, in one fresh process: each refused within seconds,
    the process never growing by more than it needs to read a healthy bundle."""
    paths, labels = [], []
    for name, build in sorted(BOMBS.items()):
        directory = tmp_path / name
        directory.mkdir()
        paths.append(build(directory))
        labels.append(name)
    for case in [c for c in ARCHIVE_CASES if "bomb" in c.name]:
        directory = tmp_path / case.name
        directory.mkdir()
        paths.append(case.build(directory))
        labels.append(case.name)
    for label, result in zip(labels, measure_all(paths, labels), strict=True):
        assert result["outcome"] == "refused", (label, result)
        assert any(word in result["message"] for word in ("bomb", "extended tar header", "expands beyond")), label
        assert result["seconds"] < 5, label
        assert result["growth_mb"] < 150, label
