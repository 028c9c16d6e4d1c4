"""Hostile and broken archives: refused with one clear line, or read up to the break; never written out."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from corpus import ARCHIVE_CASES, ArchiveCase, WriteWatch

from bundle_analyzer import load_bundle
from bundle_analyzer.errors import BundleRefused

CASES = [case for case in ARCHIVE_CASES if not case.big]
REFUSED = [case for case in CASES if case.outcome == "refused"]
ANALYSED = [case for case in CASES if case.outcome == "analysed"]
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e]")


def _paths(case: ArchiveCase, inputs):
    built = case.build(inputs)
    return built if isinstance(built, list) else [built]


@pytest.mark.parametrize("case", REFUSED, ids=[c.name for c in REFUSED])
def test_refused(case, inputs, empty_cwd):
    paths = _paths(case, inputs)
    watch = WriteWatch(inputs, empty_cwd)
    with pytest.raises(BundleRefused) as refused:
        load_bundle(paths, limits=case.limits)
    message = str(refused.value)
    assert re.search(case.expect, message), message
    assert "\n" not in message and not _CONTROL.search(message), "one printable line"
    assert len(message) < 600
    assert watch.new_files() == []


@pytest.mark.parametrize("case", ANALYSED, ids=[c.name for c in ANALYSED])
def test_analysed_up_to_the_break(case, inputs, empty_cwd):
    paths = _paths(case, inputs)
    watch = WriteWatch(inputs, empty_cwd)
    bundle = load_bundle(paths, limits=case.limits)
    assert bundle.inventory, "something was read"
    assert any(entry.status.value == "parsed" for entry in bundle.inventory)
    if case.member is not None:
        entry = next(e for e in bundle.inventory if e.path == case.member)
        assert re.search(case.expect, entry.detail or ""), entry
    elif case.expect:
        assert any(re.search(case.expect, problem) for problem in bundle.archive_problems), bundle.archive_problems
    assert watch.new_files() == []


def test_refusal_on_the_command_line_is_one_line_and_exit_2(inputs, empty_cwd):
    case = next(c for c in CASES if c.name == "tar-control-characters-in-refused-name")
    path = _paths(case, inputs)[0]
    done = subprocess.run([sys.executable, "-m", "bundle_analyzer", "analyze", str(path)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cnibundle: refused:")
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr


def test_limits_can_be_raised_from_the_command_line(inputs, empty_cwd):
    case = next(c for c in CASES if c.name == "tar-too-many-members")
    path = _paths(case, inputs)[0]
    base = [sys.executable, "-m", "bundle_analyzer", "analyze", "--format", "json", "--fail-on", "never"]
    refused = subprocess.run([*base, "--max-members", "50", str(path)], check=False, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "--max-members" in refused.stderr
    raised = subprocess.run([*base, "--max-members", "500", str(path)], check=False, capture_output=True, text=True, timeout=120)
    assert raised.returncode == 0, raised.stderr
