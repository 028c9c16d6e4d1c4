"""Kubelet configuration files and ``systemctl cat kubelet`` (bundle-formats §1.3, §1.5, §11.2)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.models.config import KubeletServiceArgs
from bundle_analyzer.parsers.kubelet_config import (
    config_from_mapping,
    effective_max_pods,
    merge_kubelet_configs,
    parse_kubelet_config,
    parse_kubelet_service,
)

AL2_JSON = """{
  "kind": "KubeletConfiguration",
  "apiVersion": "kubelet.config.k8s.io/v1beta1",
  "address": "0.0.0.0",
  "authentication": {"anonymous": {"enabled": false}, "webhook": {"cacheTTL": "2m0s", "enabled": true}},
  "clusterDomain": "cluster.local",
  "hairpinMode": "hairpin-veth",
  "readOnlyPort": 0,
  "cgroupDriver": "systemd",
  "featureGates": {"RotateKubeletServerCertificate": true},
  "serverTLSBootstrap": true,
  "clusterDNS": ["172.20.0.10"],
  "maxPods": 17
}
"""


def test_al2_kubelet_config_json():
    result = parse_kubelet_config(AL2_JSON.encode(), "kubelet/kubelet-config.json")
    assert result.status is ArtifactStatus.parsed
    assert result.value.max_pods == 17
    assert result.value.cluster_dns == ["172.20.0.10"]
    assert result.value.raw["hairpinMode"] == "hairpin-veth"


def test_al2023_config_json_and_drop_in():
    base = {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "clusterDNS": ["10.100.0.10"],
        "maxPods": 110,
        "featureGates": {"RotateKubeletServerCertificate": True},
    }
    drop_in = {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "maxPods": 29,
        "featureGates": {"DisableKubeletCloudCredentialProviders": True},
    }
    first = parse_kubelet_config(json.dumps(base, indent=4).encode(), "kubelet/config.json")
    second = parse_kubelet_config(json.dumps(drop_in).encode(), "kubelet/config.json.d/40-nodeadm.conf")
    assert first.value.max_pods == 110 and second.value.cluster_dns == []
    merged = merge_kubelet_configs([first.value, second.value])
    assert merged.max_pods == 29
    assert merged.cluster_dns == ["10.100.0.10"]
    assert merged.raw["featureGates"] == {
        "RotateKubeletServerCertificate": True,
        "DisableKubeletCloudCredentialProviders": True,
    }
    assert merge_kubelet_configs([]) is None


def test_yaml_despite_json_name():
    text = """---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
clusterDNS:
- 10.100.0.10
maxPods: 58
registerWithTaints: []
"""
    result = parse_kubelet_config(text.encode(), "kubelet/config.json")
    assert result.status is ArtifactStatus.parsed
    assert (result.value.max_pods, result.value.cluster_dns) == (58, ["10.100.0.10"])


def test_unsafe_yaml_tags_are_rejected_not_executed():
    text = "maxPods: !!python/object/apply:os.system ['echo pwned']\n"
    result = parse_kubelet_config(text.encode(), "kubelet/config.json")
    assert result.status is ArtifactStatus.damaged and result.value is None


def test_invalid_yaml_reports_line():
    result = parse_kubelet_config(b"kind: KubeletConfiguration\nmaxPods: [1\n", "kubelet/config.json")
    assert result.status is ArtifactStatus.damaged
    assert result.problems[0].line == 3


def test_odd_values_and_kinds():
    result = parse_kubelet_config(b'{"kind": "Pod", "maxPods": "110", "clusterDNS": "10.0.0.10"}', "x")
    assert result.status is ArtifactStatus.damaged  # wrong kind
    assert result.value.max_pods == 110 and result.value.cluster_dns == ["10.0.0.10"]
    result = parse_kubelet_config(b'{"maxPods": true, "clusterDNS": [1, "10.0.0.10"]}', "x")
    assert result.value.max_pods is None and result.value.cluster_dns == ["10.0.0.10"]
    assert len(result.problems) == 2
    assert parse_kubelet_config(b"- a\n- b\n", "x").value is None
    assert parse_kubelet_config(b'{"maxPods": 1', "x").status is ArtifactStatus.damaged
    assert parse_kubelet_config(b"\n\n", "x").status is ArtifactStatus.empty
    assert config_from_mapping({}).max_pods is None


def test_non_string_yaml_keys_do_not_break_the_model():
    result = parse_kubelet_config(b"1: one\nmaxPods: 5\n", "x")
    assert result.value.max_pods == 5 and result.value.raw["1"] == "one"


SYSTEMCTL_CAT = """# /etc/systemd/system/kubelet.service
[Unit]
Description=Kubernetes Kubelet
Documentation=https://github.com/kubernetes/kubernetes
After=containerd.service sandbox-image.service
Requires=containerd.service sandbox-image.service

[Service]
Slice=runtime.slice
ExecStartPre=/sbin/iptables -P FORWARD ACCEPT -w 5
ExecStart=/usr/bin/kubelet \\
    --config /etc/kubernetes/kubelet/kubelet-config.json \\
    --kubeconfig /var/lib/kubelet/kubeconfig \\
    --container-runtime-endpoint unix:///run/containerd/containerd.sock \\
    --image-credential-provider-config /etc/eks/image-credential-provider/config.json \\
    --image-credential-provider-bin-dir /etc/eks/image-credential-provider \\
    $KUBELET_ARGS \\
    $KUBELET_EXTRA_ARGS

Restart=on-failure

# /etc/systemd/system/kubelet.service.d/10-kubelet-args.conf
[Service]
Environment='KUBELET_ARGS=--node-ip=192.168.4.93 --pod-infra-container-image=602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/pause:3.5 --v=2 --hostname-override=ip-192-168-4-93.eu-west-1.compute.internal --cloud-provider=external'

# /etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf
[Service]
Environment='KUBELET_EXTRA_ARGS=--max-pods=110'
"""


def test_systemctl_cat_kubelet_flags():
    result = parse_kubelet_service(SYSTEMCTL_CAT.encode(), "kubelet/kubelet_service.txt")
    assert result.status is ArtifactStatus.parsed
    args = result.value
    assert args.max_pods == 110 and args.last("max-pods").line == 28
    assert args.node_ip == "192.168.4.93" and args.last("node-ip").line == 24
    assert args.last("v").value == "2"
    assert args.last("cloud-provider").value == "external"


def test_spaced_flag_and_last_one_wins():
    text = "[Service]\nExecStart=/usr/bin/kubelet --max-pods 20 --node-ip 10.0.0.5 \\\n  --max-pods=35\n"
    args = parse_kubelet_service(text.encode(), "x").value
    assert args.max_pods == 35 and args.node_ip == "10.0.0.5"
    assert [f.line for f in args.flags] == [2, 2, 3]


def test_not_a_unit_listing():
    result = parse_kubelet_service(b"No files found for kubelet.service.\n", "x")
    assert result.status is ArtifactStatus.damaged
    assert result.value.flags == []
    assert parse_kubelet_service(b"", "x").status is ArtifactStatus.empty


def test_effective_max_pods_flag_wins():
    config = parse_kubelet_config(AL2_JSON.encode(), "k").value
    service = parse_kubelet_service(SYSTEMCTL_CAT.encode(), "s").value
    assert effective_max_pods(config, service) == 110
    assert effective_max_pods(config, KubeletServiceArgs()) == 17
    assert effective_max_pods(None, None) is None
    bad = parse_kubelet_service(b"[Service]\nExecStart=kubelet --max-pods=lots\n", "s").value
    assert bad.max_pods is None and effective_max_pods(config, bad) == 17


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=1024))
def test_arbitrary_bytes_never_raise(data):
    assert isinstance(parse_kubelet_config(data, "kubelet/config.json"), Parsed)
    assert isinstance(parse_kubelet_service(data, "kubelet/kubelet_service.txt"), Parsed)


_ips = st.tuples(*[st.integers(min_value=0, max_value=255)] * 4).map(lambda t: ".".join(map(str, t)))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.one_of(st.none(), st.integers(min_value=0, max_value=10_000)),
    st.lists(_ips, max_size=3),
    st.sampled_from(["json", "yaml"]),
)
def test_generated_configs_parse_back(max_pods, dns, form):
    mapping: dict = {"kind": "KubeletConfiguration", "apiVersion": "kubelet.config.k8s.io/v1beta1", "clusterDNS": dns}
    if max_pods is not None:
        mapping["maxPods"] = max_pods
    if form == "json":
        text = json.dumps(mapping, indent=2)
    else:
        text = "kind: KubeletConfiguration\napiVersion: kubelet.config.k8s.io/v1beta1\n"
        text += "clusterDNS:" + ("".join(f"\n- {ip}" for ip in dns) if dns else " []") + "\n"
        if max_pods is not None:
            text += f"maxPods: {max_pods}\n"
    result = parse_kubelet_config(text.encode(), "kubelet/config.json")
    assert result.status is ArtifactStatus.parsed
    assert result.value.max_pods == max_pods
    assert result.value.cluster_dns == dns


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=1000), _ips), min_size=1, max_size=5))
def test_generated_unit_flags_parse_back(drop_ins):
    text = "# /etc/systemd/system/kubelet.service\n[Service]\nExecStart=/usr/bin/kubelet $KUBELET_EXTRA_ARGS\n"
    for index, (pods, ip) in enumerate(drop_ins):
        text += f"\n# /etc/systemd/system/kubelet.service.d/{index}-x.conf\n[Service]\n"
        text += f"Environment='KUBELET_EXTRA_ARGS=--max-pods={pods} --node-ip={ip}'\n"
    args = parse_kubelet_service(text.encode(), "x").value
    assert args.max_pods == drop_ins[-1][0]
    assert args.node_ip == drop_ins[-1][1]
    assert len(args.flags) == 2 * len(drop_ins)
