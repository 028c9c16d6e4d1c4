import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from sample_reports import broken_report, healthy_report, two_node_report

from bundle_analyzer.report.json_report import render_json, report_json_schema
from bundle_analyzer.report.model import Report
from bundle_analyzer.report.redact import redact_report

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = [ROOT / "bundle_analyzer" / "report" / "report-schema.json", ROOT / "docs" / "report-schema.json"]


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_schema_equals_generated(path):
    assert path.exists(), "run scripts/export_report_schema.py"
    assert json.loads(path.read_text(encoding="utf-8")) == report_json_schema()


def test_export_script_check_mode_agrees():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "export_report_schema.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("make", [healthy_report, broken_report, two_node_report])
def test_json_validates_against_exported_schema(make):
    schema = json.loads(COMMITTED[1].read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(render_json(make()))
    jsonschema.Draft202012Validator(schema).validate(document)


def test_redacted_json_validates_too():
    schema = report_json_schema()
    document = json.loads(render_json(redact_report(broken_report(), key=b"k" * 32)))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["redacted"] is True


def test_schema_rejects_a_wrong_document():
    validator = jsonschema.Draft202012Validator(report_json_schema())
    document = json.loads(render_json(broken_report()))
    document["findings"][0]["severity"] = "fatal"
    del document["tool"]
    errors = {e.validator for e in validator.iter_errors(document)}
    assert {"enum", "required"} <= errors


def test_json_round_trips_to_the_same_report():
    report = broken_report()
    text = render_json(report)
    assert Report.model_validate_json(text) == report
    document = json.loads(text)
    assert document["schema_version"] == "1"
    assert document["tool"] == {"name": "cnibundle", "version": "0.1.0"}
    assert document["summary"]["critical"] == 1
    assert document["bundles"][0]["network"]["links"][11]["broken"] is True
    # The contract's field names.
    assert set(document["findings"][0]) >= {
        "rule_id",
        "title",
        "severity",
        "category",
        "message",
        "bundle",
        "evidence",
        "count",
        "remediation",
        "references",
    }
