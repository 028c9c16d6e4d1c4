"""Shared set-up of the hostile-input tests: ``corpus`` importable, the ``worst_case`` marker."""

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


def pytest_configure(config):
    config.addinivalue_line("markers", "worst_case: the biggest hostile inputs, measured in a subprocess (run once)")


@pytest.fixture
def empty_cwd(tmp_path, monkeypatch):
    """Run from an empty directory, so that anything written to '.' shows."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


@pytest.fixture
def inputs(tmp_path):
    directory = tmp_path / "in"
    directory.mkdir()
    return directory
