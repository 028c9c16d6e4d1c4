"""Packet walks on builder-made bundles: each stage's normal decision and each stage's break."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bundle_analyzer import load_bundle
from bundle_analyzer.rules.packs import default_rules_dir
from bundle_analyzer.rules.selftest import build_case_bundle
from bundle_analyzer.trace import trace_path
from bundle_analyzer.trace.walk import TraceError

TESTS = default_rules_dir() / "tests"
BASE = YAML(typ="safe").load((TESTS / "_bases/eks-v1-20-healthy.yaml").read_text())["files"]
COREDNS, WEB = "10.0.41.7", "10.0.12.50"

SERVICES = """-A KUBE-SERVICES -d 172.20.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SERVICES -d 172.20.99.1/32 -p tcp -m comment --comment "default/empty cluster IP" -m tcp --dport 80 -j KUBE-SVC-EMPTYEMPTYEMPTY1
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> 10.0.41.7:53" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-AAAAAAAAAAAAAAAA
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> 10.0.12.51:53" -j KUBE-SEP-BBBBBBBBBBBBBBBB
-A KUBE-SEP-AAAAAAAAAAAAAAAA -s 10.0.41.7/32 -m comment --comment "kube-system/kube-dns:dns" -j KUBE-MARK-MASQ
-A KUBE-SEP-AAAAAAAAAAAAAAAA -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp -j DNAT --to-destination 10.0.41.7:53
-A KUBE-SEP-BBBBBBBBBBBBBBBB -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp -j DNAT --to-destination 10.0.12.51:53
"""
CHAINS = """:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
:KUBE-SVC-EMPTYEMPTYEMPTY1 - [0:0]
:KUBE-SEP-AAAAAAAAAAAAAAAA - [0:0]
:KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]
:KUBE-MARK-MASQ - [0:0]
"""


def bundle_with(tmp_path: Path, files: dict[str, str] | None = None):
    case = {"base": "eks-v1-20-healthy", "files": files or {}}
    return load_bundle(build_case_bundle(case, TESTS, tmp_path))


def iptables_with_services() -> str:
    text = BASE["networking/iptables-save.txt"]
    text = text.replace(":KUBE-SERVICES - [0:0]\n", ":KUBE-SERVICES - [0:0]\n" + CHAINS)
    return text.replace("-A AWS-CONNMARK-CHAIN-0 -d", SERVICES + "-A AWS-CONNMARK-CHAIN-0 -d", 1)


def stages(result) -> list[tuple[str, str]]:
    return [(h.stage, h.verdict.value) for h in result.hops]


def test_pod_to_outside_is_snatted_to_the_primary_ip(tmp_path):
    result = trace_path(bundle_with(tmp_path), "kube-system/coredns-5d8f7c9b6-4k2lp", "8.8.8.8", proto="udp", port=53)
    assert not result.broken and result.delivered
    decisions = " | ".join(h.decision for h in result.hops)
    assert "enters the host through veth enic53f0b34fe9" in decisions
    assert "ip rule 1024: from all fwmark 0x80/0x80 lookup main" in decisions
    assert "SNAT → 10.0.12.34" in decisions
    egress = next(h for h in result.hops if h.stage == "egress")
    assert egress.interface == "eth0"


def test_external_snat_keeps_the_pod_source_and_uses_the_eni_table(tmp_path):
    iptables = "\n".join(line for line in BASE["networking/iptables-save.txt"].splitlines()
                         if "AWS-SNAT-CHAIN-0 -j" not in line and "AWS SNAT" not in line and "CONNMARK" not in line
                         and "outbound connections" not in line) + "\n"
    env = BASE["ipamd/networkutils-env-settings.json"].replace('"AWS_VPC_K8S_CNI_EXTERNALSNAT":false',
                                                               '"AWS_VPC_K8S_CNI_EXTERNALSNAT":true')
    case = {"base": "eks-v1-20-healthy", "files": {"networking/iptables-save.txt": iptables,
                                                   "ipamd/networkutils-env-settings.json": env}}
    bundle = load_bundle(build_case_bundle(case, TESTS, tmp_path))
    result = trace_path(bundle, COREDNS, "8.8.8.8", proto="udp", port=53)
    assert not result.broken
    decisions = " | ".join(h.decision for h in result.hops)
    assert "ip rule 1536: from 10.0.41.7 lookup 2" in decisions
    assert "AWS_VPC_K8S_CNI_EXTERNALSNAT=true" in decisions
    assert next(h for h in result.hops if h.stage == "egress").interface == "eth1"


def test_pod_to_pod_on_the_same_node_stays_on_the_node(tmp_path):
    result = trace_path(bundle_with(tmp_path), WEB, COREDNS, port=53, proto="udp")
    assert result.delivered and not result.broken
    last = result.hops[-1]
    assert last.stage == "delivery" and last.interface == "enic53f0b34fe9"
    assert any(h.decision.startswith("ip rule 512: from all to 10.0.41.7 lookup main") for h in result.hops)


def test_service_is_dnatted_to_an_endpoint(tmp_path):
    case = {"base": "eks-v1-20-healthy", "files": {"networking/iptables-save.txt": iptables_with_services()}}
    bundle = load_bundle(build_case_bundle(case, TESTS, tmp_path))
    result = trace_path(bundle, WEB, "172.20.0.10", proto="udp", port=53)
    decisions = " | ".join(h.decision for h in result.hops)
    assert "has 2 endpoint(s): 10.0.41.7:53, 10.0.12.51:53" in decisions
    assert "DNAT → 10.0.41.7:53" in decisions
    assert result.delivered and result.hops[-1].interface == "enic53f0b34fe9"


def test_service_without_endpoints_breaks(tmp_path):
    case = {"base": "eks-v1-20-healthy", "files": {"networking/iptables-save.txt": iptables_with_services()}}
    bundle = load_bundle(build_case_bundle(case, TESTS, tmp_path))
    result = trace_path(bundle, WEB, "172.20.99.1", port=80)
    assert result.broken
    assert "has no endpoints" in result.summary


def test_missing_pod_rule_breaks_at_egress(tmp_path):
    rules = BASE["networking/iprule.txt"].replace("1536:\tfrom 10.0.41.7 lookup 2\n", "")
    case = {"base": "eks-v1-20-healthy", "files": {"networking/iprule.txt": rules}}
    result = trace_path(load_bundle(build_case_bundle(case, TESTS, tmp_path)), COREDNS, "10.0.99.9", port=443)
    broken = next(h for h in result.hops if h.verdict.value == "broken")
    assert broken.stage == "egress" and broken.explained_by == "pod-egress-rule-missing"
    assert "source/destination checking" in broken.decision


def test_eni_table_without_default_route_breaks(tmp_path):
    routes = BASE["networking/iproute.txt"].replace("default via 10.0.32.1 dev eth1 table 2\n", "")
    case = {"base": "eks-v1-20-healthy", "files": {"networking/iproute.txt": routes}}
    result = trace_path(load_bundle(build_case_bundle(case, TESTS, tmp_path)), COREDNS, "10.0.99.9", port=443)
    broken = next(h for h in result.hops if h.verdict.value == "broken")
    assert broken.explained_by == "eni-route-table-missing-default"


def test_missing_host_route_breaks_at_the_pod(tmp_path):
    routes = BASE["networking/iproute.txt"].replace("10.0.41.7 dev enic53f0b34fe9 scope link\n", "")
    case = {"base": "eks-v1-20-healthy", "files": {"networking/iproute.txt": routes}}
    result = trace_path(load_bundle(build_case_bundle(case, TESTS, tmp_path)), COREDNS, "8.8.8.8")
    assert result.hops[-1].stage == "pod" and result.hops[-1].explained_by == "pod-host-route-missing-or-wrong-veth"


def test_forward_drop_breaks(tmp_path):
    drop = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" \
           "-A FORWARD -s 10.0.41.0/24 -m comment --comment \"hardening\" -j DROP\nCOMMIT\n"
    case = {"base": "eks-v1-20-healthy",
            "files": {"networking/iptables-save.txt": BASE["networking/iptables-save.txt"] + drop}}
    result = trace_path(load_bundle(build_case_bundle(case, TESTS, tmp_path)), COREDNS, "8.8.8.8")
    broken = next(h for h in result.hops if h.verdict.value == "broken")
    assert broken.stage == "forward" and "hardening" in broken.decision and broken.line is not None


def test_strict_rp_filter_on_the_primary_interface_breaks_the_return(tmp_path):
    sysctl = BASE["sysctls/sysctl_all.txt"].replace("net.ipv4.conf.eth0.rp_filter = 2", "net.ipv4.conf.eth0.rp_filter = 1")
    case = {"base": "eks-v1-20-healthy", "files": {"sysctls/sysctl_all.txt": sysctl}}
    result = trace_path(load_bundle(build_case_bundle(case, TESTS, tmp_path)), COREDNS, "8.8.8.8")
    broken = next(h for h in result.hops if h.verdict.value == "broken")
    assert broken.stage == "return" and broken.explained_by == "rp-filter-strict-on-primary"


def test_unknown_source_is_a_clear_error(tmp_path):
    with pytest.raises(TraceError, match="not an assigned pod IP"):
        trace_path(bundle_with(tmp_path), "10.9.9.9", "8.8.8.8")
