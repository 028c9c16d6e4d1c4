"""The workshop's hand walk, replayed offline on the seed bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundle_analyzer import load_bundle
from bundle_analyzer.trace import trace_path

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed-net410-aws-cni-support.tar.gz"


@pytest.fixture(scope="module")
def seed():
    return load_bundle(SEED)


def test_pod_to_vpc_peer_leaves_by_eth2_through_table_3(seed):
    result = trace_path(seed, "192.168.130.206", "192.168.247.50", proto="icmp")
    assert not result.broken and result.delivered
    decisions = [h.decision for h in result.hops]
    assert any("veth eni61b9c53e3d2" in d for d in decisions)
    assert "ip rule 1536: from 192.168.130.206 lookup 3" in decisions
    table_hop = next(h for h in result.hops if h.decision.startswith("table 3:"))
    assert table_hop.decision == "table 3: default via 192.168.128.1 dev eth2"
    assert table_hop.path.endswith("route.output") and table_hop.line
    assert next(h for h in result.hops if h.stage == "egress").interface == "eth2"


def test_pod_to_pod_on_the_node_stays_on_the_node(seed):
    result = trace_path(seed, "192.168.130.206", "192.168.141.2", proto="icmp")
    assert result.delivered and result.hops[-1].interface == "eni3fd21969a5d"


def test_pod_to_outside_is_snatted_to_the_node(seed):
    result = trace_path(seed, "192.168.130.206", "87.248.98.7", proto="icmp")
    decisions = " | ".join(h.decision for h in result.hops)
    assert "ip rule 1024: not from all to 192.168.0.0/16 lookup main" in decisions
    assert "SNAT → 192.168.167.201" in decisions
    assert next(h for h in result.hops if h.stage == "egress").interface == "eth0"


def test_pod_to_the_kubernetes_service_is_dnatted(seed):
    result = trace_path(seed, "192.168.130.206", "10.100.0.1", port=443)
    decisions = " | ".join(h.decision for h in result.hops)
    assert "service 10.100.0.1:443 has 2 endpoint(s)" in decisions
    assert "DNAT →" in decisions
