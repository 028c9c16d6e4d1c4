"""The shipped sample bundles: each planted problem is found, at the lines fixtures/README.md names."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_analyzer import analyze

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EKS = FIXTURES / "eks_i-0a1b2c3d4e5f60718_2026-03-18_2047-UTC_0.7.9.tar.gz"
NMA = FIXTURES / "ip-10-0-1-42.ec2.internal-logs.tar.gz"
BACKUP = "var_log/aws-routed-eni/ipamd-2026-03-17T10-00-00.000.log.gz"


@pytest.fixture(scope="module")
def eks_report():
    return analyze(EKS)


def cited(finding) -> set[tuple[str, int | None]]:
    return {(e.path, e.line) for e in finding.evidence}


def test_eks_fixture_yields_exactly_the_planted_problems(eks_report):
    assert {f.rule_id for f in eks_report.findings} == {
        "pod-egress-rule-missing", "subnet-out-of-ip-addresses", "ipamd-datastore-no-free-ip"}
    assert eks_report.summary.rules_errored == 0


def test_p1_missing_pod_rule_evidence(eks_report):
    finding = next(f for f in eks_report.findings if f.rule_id == "pod-egress-rule-missing")
    assert "10.0.22.9" in finding.message and "default/api-6f8d9b7c5-t7wpl" in finding.message
    assert {("ipamd/enis.json", 1), ("networking/iprule.txt", 8)} <= cited(finding)


def test_p2_subnet_exhaustion_inside_the_gzipped_backup_leads(eks_report):
    ordered = [f.rule_id for f in eks_report.findings]
    assert ordered.index("subnet-out-of-ip-addresses") < ordered.index("ipamd-datastore-no-free-ip")
    cause = next(f for f in eks_report.findings if f.rule_id == "subnet-out-of-ip-addresses")
    assert (BACKUP, 78) in cited(cause)
    assert "subnet-0123456789abcdef0" in cause.message and cause.count == 18
    effect = next(f for f in eks_report.findings if f.rule_id == "ipamd-datastore-no-free-ip")
    assert effect.caused_by == ["subnet-out-of-ip-addresses"]
    planted = {(BACKUP, 95), ("var_log/aws-routed-eni/plugin.log", 87), ("kubelet/kubelet.log", 6),
               ("containerd/containerd-log.txt", 2)}
    assert cited(effect) & planted


def test_nma_fixture_is_healthy():
    report = analyze(NMA)
    assert report.bundles[0].layout.value == "eks-node-monitoring-agent"
    assert not report.findings
