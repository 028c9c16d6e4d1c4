"""The NET410 workshop node, rebuilt as a 2018 legacy bundle: its joined state must match the seed exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bundle_analyzer import analyze, load_bundle
from bundle_analyzer.report.model import Layout

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEED = FIXTURES / "seed-net410-aws-cni-support.tar.gz"


@pytest.fixture(scope="module")
def seed():
    return load_bundle(SEED)


def test_layout_and_version(seed):
    assert seed.layout is Layout.aws_cni_support_legacy
    assert seed.state.cni_version == "v1.2.1"


def test_enis_ips_and_tables(seed):
    enis = {e.id: e for e in seed.state.enis}
    assert set(enis) == {"eni-001197a0eeab79df8", "eni-0d7778f429dda454f"}
    primary, secondary = enis["eni-001197a0eeab79df8"], enis["eni-0d7778f429dda454f"]
    assert primary.primary and primary.table == "main" and primary.assigned == ["192.168.141.2"]
    assert sorted(secondary.assigned) == ["192.168.130.206", "192.168.157.205"]
    assert secondary.device_number == 3 and secondary.table == "3"
    assert secondary.interface == "eth2" and secondary.gateway == "192.168.128.1"
    assert len(primary.ips) == len(secondary.ips) == 5


def test_pod_rules_and_veths_match_the_workshop(seed):
    pods = {p.ip: p for p in seed.state.ips if p.assigned}
    assert {ip: p.route_dev for ip, p in pods.items()} == {
        "192.168.130.206": "eni61b9c53e3d2", "192.168.141.2": "eni3fd21969a5d", "192.168.157.205": "enid01321d94b0"}
    assert pods["192.168.130.206"].from_rule_tables == ["3"]
    assert pods["192.168.157.205"].from_rule_tables == ["3"]
    assert pods["192.168.141.2"].from_rule_tables == []
    assert all(p.to_rule is not None for p in pods.values())
    assert seed.state.vpc_cidrs == ["192.168.0.0/16"]
    assert seed.state.primary_ip == "192.168.167.201"


def test_veth_mac_matches_the_pods_arp_entry(seed):
    from bundle_analyzer.artifacts import Kind

    links = seed.first(Kind.ifconfig)
    assert links.get("eni61b9c53e3d2").mac == "26:50:08:03:3e:a6"


def test_healthy_seed_has_no_error_finding_and_reports_its_enis():
    report = analyze(SEED)
    document = json.loads(report.model_dump_json())
    bundle = document["bundles"][0]
    assert bundle["layout"] == "aws-cni-support-legacy"
    assert len(bundle["enis"]) == 2
    assert sum(len(e["assigned"]) for e in bundle["enis"]) == 3
    assert not [f for f in report.findings if f.severity.value in ("critical", "error")]
    assert report.summary.rules_errored == 0
