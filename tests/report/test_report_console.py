import io
import re

from rich.console import Console
from sample_reports import HOSTILE_MARKUP, broken_report, healthy_report, two_node_report

from bundle_analyzer.report.console import render_console


def _render(report, *, terminal: bool) -> str:
    console = Console(
        file=io.StringIO(), force_terminal=terminal, width=400, color_system="truecolor" if terminal else None
    )
    render_console(report, console)
    return console.file.getvalue()


def test_plain_output_has_no_escape_bytes_and_shows_markup_literally():
    out = _render(broken_report(), terminal=False)
    assert "\x1b" not in out
    assert "\x9b" not in out and "\x07" not in out
    assert HOSTILE_MARKUP in out  # "[bold red]boom[/bold red]" printed as text, not styled
    assert "<script>alert(1)</script>" in out  # shown as text; a terminal does not run it


def test_terminal_output_only_carries_rich_sgr_sequences():
    out = _render(broken_report(), terminal=True)
    assert "\x1b[" in out  # rich did colour the severities
    sgr = re.compile(r"\x1b\[[0-9;]*m")
    without_styles = sgr.sub("", out)
    # No ESC is left once rich's own styling is removed: the log line's OSC title, cursor and
    # C1 CSI sequences were stripped, and its "\x1b[31m" lost its ESC (only "[31m" text remains).
    assert "\x1b" not in without_styles
    assert "\x9b" not in without_styles
    assert "\x07" not in without_styles
    assert "[31mred[0m" in without_styles
    assert "]0;pwned-title" in without_styles
    assert HOSTILE_MARKUP in without_styles


def test_node_header_and_summary():
    out = _render(broken_report(), terminal=False)
    assert "Node i-0a1b2c3d4e5f60718 (m7i-flex.large)" in out
    assert "CNI v1.18.3 (from ipamd.log: Starting L-IPAMD v1.18.3)" in out
    assert "layout eks-log-collector" in out
    assert "collector 0.7.9" in out
    assert "Summary: 1 critical, 2 error, 2 warning, 1 info" in out
    assert "11 run, 2 skipped, 1 errored, 1 suppressed" in out


def test_findings_ranked_with_cause_first_and_top_evidence():
    out = _render(broken_report(), terminal=False)
    order = [m.group(1) for m in re.finditer(r"(?:CRITICAL|ERROR|WARNING|INFO)\s+([a-z0-9-]+)", out)]
    assert order == [
        "pod-egress-rule-missing",
        "subnet-out-of-ip-addresses",
        "ipamd-datastore-no-free-ip",
        "hostile-log-line",
        "iam-unauthorized-ec2-call",
        "unknown-instance-type-limits",
    ]
    # The symptom is drawn under its cause.
    assert re.search(r"└─ ERROR\s+ipamd-datastore-no-free-ip ×17", out)
    assert 'var_log/aws-routed-eni/ipamd.log:1834  {"level":"error"' in out
    assert "warm-target-misconfiguration" not in out  # suppressed: only counted
    assert "1 finding(s) suppressed." in out


def test_damaged_inputs_and_rule_problems_listed():
    out = _render(broken_report(), terminal=False)
    assert re.search(r"damaged\s+ipamd/metrics\.json  line 1: curl error body", out)
    assert re.search(r"empty\s+ipamd/eni-configs\.json", out)
    assert re.search(r"unrecognised\s+system/odd-file\.bin", out)
    assert "archive      member ../../etc/passwd refused: path escape" in out
    assert "Rules: 2 skipped (missing inputs), 1 errored" in out
    assert "conntrack-table-exhausted" in out
    # Parsed files are not listed as problems.
    assert not re.search(r"parsed\s+ipamd/enis\.json", out)


def test_healthy_node_says_no_findings():
    out = _render(healthy_report(), terminal=False)
    assert "No findings." in out
    assert "Damaged" not in out


def test_two_bundles_name_the_node_on_each_finding():
    out = _render(two_node_report(), terminal=False)
    assert "Node i-0f1e2d3c4b5a69788 (m5.large)" in out
    assert "pod-egress-rule-missing  [i-0a1b2c3d4e5f60718]" in out
