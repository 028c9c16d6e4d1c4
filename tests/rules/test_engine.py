"""The rule engine: statuses, locations of broken rules, thresholds, overlays, root-cause order."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_analyzer.rules.loader import load_rules
from bundle_analyzer.rules.model import Overlay
from bundle_analyzer.testing.rules import ruleset_from_text, run_rule_text

HEAD = "rules:\n"


def rule(body: str) -> str:
    return HEAD + body


LOG_RULE = rule("""
  - id: no-ip
    title: no IP
    category: ip-exhaustion
    severity: error
    log:
      sources: [ipamd-log]
      any:
        - regex: 'DataStore has no available IP(?:/Prefix)? addresses on (?P<eni>eni-[0-9a-f]+)'
      min_count: 3
      within: 10m
    message: "{{ count }} on {{ captures.eni | join_some }}"
""")


def zap(ts: str, msg: str, level: str = "error") -> str:
    return f'{{"level":"{level}","ts":"{ts}","caller":"x/y.go:1","msg":"{msg}"}}\n'


def status(report, rule_id: str) -> str:
    return next(r for r in report.rule_results if r.rule_id == rule_id).status.value


def test_window_threshold_fires_only_with_enough_events_close_together():
    near = "".join(zap(f"2026-03-18T20:0{i}:00.000Z", "DataStore has no available IP/Prefix addresses on eni-0abc")
                   for i in range(3))
    far = "".join(zap(f"2026-03-18T{10 + 3 * i}:00:00.000Z", "DataStore has no available IP addresses on eni-0def")
                  for i in range(3))
    fired = run_rule_text(LOG_RULE, {"var_log/aws-routed-eni/ipamd.log": near}, base="eks-v1-20-healthy")
    passed = run_rule_text(LOG_RULE, {"var_log/aws-routed-eni/ipamd.log": far}, base="eks-v1-20-healthy")
    assert status(fired, "no-ip") == "fired"
    assert fired.findings[0].message == "3 on eni-0abc"
    assert fired.findings[0].evidence[0].line == 1
    assert status(passed, "no-ip") == "passed"
    assert "below the rule's threshold" in passed.rule_results[0].reason


def test_missing_input_is_skipped_with_its_name():
    text = rule("""
  - id: needs-iptables
    title: t
    category: c
    severity: warning
    requires: [iptables-save]
    check: {expect: "size(iptables) > 0"}
    message: m
""")
    report = run_rule_text(text, base="eks-v1-20-healthy", remove=["networking/iptables-save.txt"])
    result = report.rule_results[0]
    assert result.status.value == "skipped"
    assert "networking/iptables-save.txt" in result.reason


def test_version_range_skips_outside_and_unsupported_says_why():
    text = rule("""
  - id: old-only
    title: t
    category: c
    severity: warning
    cni_versions: "<1.7.0"
    check: {expect: "false"}
    message: m
  - id: not-decidable
    title: t
    category: c
    severity: info
    unsupported: "needs the pod's events from the API server"
    message: m
""")
    report = run_rule_text(text, base="eks-v1-20-healthy")
    results = {r.rule_id: r for r in report.rule_results}
    assert results["old-only"].status.value == "skipped"
    assert "v1.20.4" in results["old-only"].reason
    assert results["not-decidable"].status.value == "skipped"
    assert "API server" in results["not-decidable"].reason


def test_broken_rules_are_errors_with_locations_and_do_not_stop_others(tmp_path):
    text = rule("""
  - id: bad-regex
    title: t
    category: c
    severity: error
    log:
      sources: [ipamd-log]
      any:
        - regex: '(a)\\1'
    message: m
  - id: bad-cel
    title: t
    category: c
    severity: error
    check: {expect: "rules.exists(r, "}
    message: m
  - id: bad-template
    title: t
    category: c
    severity: error
    check: {expect: "false"}
    message: "{{ nope.missing }"
  - id: runtime-undefined
    title: t
    category: c
    severity: error
    check: {expect: "false"}
    message: "{{ no_such_value }}"
  - id: good
    title: t
    category: c
    severity: error
    check: {expect: "true"}
    message: m
""")
    report = run_rule_text(text, base="eks-v1-20-healthy")
    results = {r.rule_id: r for r in report.rule_results}
    assert results["bad-regex"].status.value == "error" and "rules.yaml:10:" in results["bad-regex"].reason
    assert "RE2" in results["bad-regex"].reason
    assert results["bad-cel"].status.value == "error" and "CEL" in results["bad-cel"].reason
    assert results["bad-template"].status.value == "error" and "template" in results["bad-template"].reason
    assert results["runtime-undefined"].status.value == "error"
    assert results["good"].status.value == "passed"
    assert report.summary.rules_errored == 4


def test_loader_refuses_tags_and_reports_locations(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text(rule("""
  - id: evil
    title: !!python/object/apply:os.system ["touch /tmp/pwned"]
    category: c
    severity: error
    check: {expect: "true"}
    message: m
  - id: typo
    title: t
    category: c
    severity: fatal
    chekc: {expect: "true"}
    message: m
"""))
    loaded, problems = load_rules([path])
    text = "\n".join(map(str, problems))
    assert f"{path}:4:12:" in text and "tag" in text
    assert not Path("/tmp/pwned").exists()
    assert not loaded


def test_schema_problems_point_at_the_field(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text(rule("""
  - id: typo
    title: t
    category: c
    severity: fatal
    check: {expect: "true"}
    message: m
"""))
    loaded, problems = load_rules([path])
    assert not loaded
    assert any(f"{path}:6:15" in str(p) and "severity" in str(p) for p in problems), problems


def test_duplicate_ids_are_reported():
    text = rule("""
  - id: twice
    title: t
    category: c
    severity: info
    check: {expect: "true"}
    message: m
  - id: twice
    title: t
    category: c
    severity: info
    check: {expect: "true"}
    message: m
""")
    with pytest.raises(ValueError, match="duplicate rule id"):
        ruleset_from_text(text)


def test_overlay_disables_and_relevels_with_reasons():
    text = rule("""
  - id: always
    title: t
    category: c
    severity: error
    check: {expect: "false"}
    message: m
  - id: loud
    title: t
    category: c
    severity: critical
    check: {expect: "false"}
    message: m
""")
    overlay = Overlay.model_validate({"overrides": [
        {"id": "always", "disable": True, "reason": "known on this fleet"},
        {"id": "loud", "severity": "info", "reason": "tracked elsewhere"}]})
    report = run_rule_text(text, base="eks-v1-20-healthy", overlay=overlay)
    findings = {f.rule_id: f for f in report.findings}
    assert findings["always"].suppressed == "disabled by overlay: known on this fleet"
    assert findings["loud"].severity.value == "info"
    assert report.summary.suppressed == 1 and report.summary.critical == 0 and report.summary.info == 1


def test_root_cause_leads():
    text = rule("""
  - id: symptom
    title: t
    category: c
    severity: critical
    check: {expect: "false"}
    message: symptom
  - id: cause
    title: t
    category: c
    severity: warning
    explains: [symptom]
    check: {expect: "false"}
    message: cause
""")
    report = run_rule_text(text, base="eks-v1-20-healthy")
    assert [f.rule_id for f in report.findings] == ["cause", "symptom"]
    assert report.findings[1].caused_by == ["cause"]


def test_check_violations_carry_evidence_lines():
    text = rule("""
  - id: every-pod-routed
    title: t
    category: routing
    severity: error
    check:
      over: ips
      as: ip
      where: ip.assigned
      expect: ip.route_dev == ip.veth
      evidence: ["routes.filter(r, r.dst == ip.ip).map(r, r.ref)"]
    message: "{{ violations }}: {{ item.ip }} via {{ item.route_dev }}"
""")
    route = open_base_route().replace("10.0.41.7 dev enic53f0b34fe9", "10.0.41.7 dev eniffffffffff0")
    report = run_rule_text(text, {"networking/iproute.txt": route}, base="eks-v1-20-healthy")
    finding = report.findings[0]
    assert finding.message == "1: 10.0.41.7 via eniffffffffff0"
    assert any(e.path == "networking/iproute.txt" and e.line == 7 for e in finding.evidence)


def open_base_route() -> str:
    from ruamel.yaml import YAML

    from bundle_analyzer.rules.packs import default_rules_dir

    base = YAML(typ="safe").load((default_rules_dir() / "tests/_bases/eks-v1-20-healthy.yaml").read_text())
    return base["files"]["networking/iproute.txt"]


def test_an_all_rule_names_the_signature_that_never_matched():
    text = rule("""
  - id: both-needed
    title: t
    category: c
    severity: warning
    log:
      sources: [ipamd-log]
      all:
        - regex: 'DataStore has no available IP'
        - regex: 'CooldownIPs: [0-9]+/[1-9]'
    message: m
""")
    lines = zap("2026-03-18T20:00:00.000Z", "DataStore has no available IP/Prefix addresses")
    report = run_rule_text(text, {"var_log/aws-routed-eni/ipamd.log": lines}, base="eks-v1-20-healthy")
    result = report.rule_results[0]
    assert result.status.value == "passed"
    assert "never matched" in result.reason and "CooldownIPs" in result.reason
