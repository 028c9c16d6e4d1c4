import json

import pytest
from sample_reports import broken_report

from bundle_analyzer.report.links import reference_url
from bundle_analyzer.report.model import Finding
from bundle_analyzer.report.ranking import ranked_findings
from bundle_analyzer.report.render import FORMATS, format_for_output, render
from bundle_analyzer.report.text import one_line, strip_controls


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("report.html", "html"),
        ("out/REPORT.HTM", "html"),
        ("r.md", "markdown"),
        ("r.markdown", "markdown"),
        ("/tmp/r.json", "json"),
        ("report.txt", None),
        ("report", None),
        ("archive.tar.gz", None),
    ],
)
def test_format_for_output(path, fmt):
    assert format_for_output(path) == fmt


def test_render_dispatches_every_format():
    report = broken_report()
    assert FORMATS == ("markdown", "html", "json")
    assert render(report, "markdown").startswith("# cnibundle report")
    assert render(report, "html").startswith("<!DOCTYPE html>")
    assert json.loads(render(report, "json"))["schema_version"] == "1"
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        render(report, "pdf")


def test_reference_url():
    assert (
        reference_url("https://github.com/aws/amazon-vpc-cni-k8s/issues/1791")
        == "https://github.com/aws/amazon-vpc-cni-k8s/issues/1791"
    )
    assert reference_url("aws/amazon-vpc-cni-k8s#59") == "https://github.com/aws/amazon-vpc-cni-k8s/issues/59"
    assert (
        reference_url("aws/amazon-vpc-cni-k8s:cmd/routed-eni-cni-plugin/driver/driver.go:553@b521881")
        == "https://github.com/aws/amazon-vpc-cni-k8s/blob/b521881/cmd/routed-eni-cni-plugin/driver/driver.go#L553"
    )
    assert reference_url("https://x.example/a\"<c>'") == "https://x.example/a%22%3Cc%3E%27"
    for bad in (
        "https://x.example/a b",
        "javascript:alert(1)",
        "data:text/html,<b>",
        "ftp://x/y",
        "//evil.example/x",
        "aws/eks-node-monitoring-agent reason MissingIPRules",
        "https://",
    ):
        assert reference_url(bad) is None, bad


def test_text_cleaning():
    assert one_line("a\x1b[31mb\x9b2J\u202ec\r\nd\te") == "a[31mb2Jc d e"
    assert one_line("x" * 50, 10) == "xxxxxxxxx…"
    assert strip_controls("l1\r\nl2\x07\x1b") == "l1\nl2"


def _finding(rule, severity, caused_by=(), bundle="b"):
    return Finding(
        rule_id=rule,
        title=rule,
        severity=severity,
        category="c",
        message=rule,
        bundle=bundle,
        caused_by=list(caused_by),
    )


def test_ranking_puts_a_low_severity_cause_above_its_critical_symptom():
    report = broken_report().model_copy(
        update={
            "findings": [
                _finding("other-error", "error"),
                _finding("symptom", "critical", ["cause"]),
                _finding("cause", "warning"),
                _finding("loop-a", "info", ["loop-b"]),
                _finding("loop-b", "info", ["loop-a"]),
                _finding("symptom", "critical", ["cause"], bundle="elsewhere"),  # its cause is not in that bundle
            ]
        }
    )
    ranked = [(r.finding.rule_id, r.finding.bundle, r.depth) for r in ranked_findings(report)]
    # Groups rank by their worst finding, then by their leader's own severity.
    assert ranked == [
        ("symptom", "elsewhere", 0),
        ("cause", "b", 0),
        ("symptom", "b", 1),
        ("other-error", "b", 0),
        ("loop-a", "b", 0),
        ("loop-b", "b", 1),
    ]
