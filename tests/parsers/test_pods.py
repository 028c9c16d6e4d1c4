"""/v1/pods (CNI v1.0 – v1.6) and the root document that replaced it (v1.7+)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.parsers.pods import parse_pods

PATH = "ipamd/pods.json"

PODS_V1_5 = (
    '{"web-7d4b9c-x2x9q_default_5f0c4d2ab1e6f0a9a0b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a7e1":{"IP":"10.0.12.50","DeviceNumber":0},'
    '"coredns-5d8f7c9b6-4k2lp_kube-system_":{"IP":"10.0.41.7","DeviceNumber":2}}'
)
PODS_V1_6_CRI = '{"nginx-0_web_0b1c2d3e4f5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff":{"IP":"192.168.130.206","DeviceNumber":3}}'
ROOT = '{"AvailableCommands":["/v1/enis","/v1/eni-configs","/v1/ipamd-env-settings","/v1/networkutils-env-settings"]}'


def test_v1_0_to_v1_5_docker_ids_and_empty_container() -> None:
    result = parse_pods(PODS_V1_5.encode(), PATH)
    assert result.status == ArtifactStatus.parsed
    dump = result.value
    assert not dump.root_document and (dump.min_cni_version, dump.max_cni_version) == ("v1.0.0", "v1.6.x")
    web, coredns = dump.pods  # sorted by namespace then name
    assert (coredns.pod_name, coredns.namespace, coredns.container_id, coredns.ip, coredns.device_number) == (
        "coredns-5d8f7c9b6-4k2lp",
        "kube-system",
        None,
        "10.0.41.7",
        2,
    )
    assert web.namespace == "default" and web.container_id.startswith("5f0c4d2a") and web.ip == "10.0.12.50"


def test_v1_6_cri_sandbox_id() -> None:
    (pod,) = parse_pods(PODS_V1_6_CRI.encode(), PATH).value.pods
    assert (pod.pod_name, pod.namespace, pod.device_number) == ("nginx-0", "web", 3)
    assert pod.container_id.startswith("0b1c2d3e")


def test_root_document_is_a_v1_7_fingerprint_not_damage() -> None:
    result = parse_pods(ROOT.encode(), PATH)
    assert result.status == ArtifactStatus.parsed and result.problems == []
    assert result.value.root_document and result.value.pods == []
    assert result.value.min_cni_version == "v1.7.0"
    assert "/v1/enis" in result.value.available_commands


def test_empty_map_and_empty_file() -> None:
    assert parse_pods(b"{}", PATH).value.pods == []
    assert parse_pods(b"", PATH).status == ArtifactStatus.empty


def test_bad_entries_and_keys() -> None:
    result = parse_pods(b'{"nokey":{"IP":"10.0.0.1","DeviceNumber":0},"a_b_c":{"IP":7,"DeviceNumber":0},"p_ns_c":{"IP":"10.0.0.2","DeviceNumber":1}}', PATH)
    assert result.status == ArtifactStatus.damaged
    assert [pod.pod_name for pod in result.value.pods] == ["p"]
    messages = [problem.message for problem in result.problems]
    assert any("not <pod>_<namespace>_<container>" in m for m in messages)
    assert any("IP is a number" in m for m in messages)


def test_concatenated_and_truncated() -> None:
    result = parse_pods((PODS_V1_5 + PODS_V1_6_CRI).encode(), PATH)
    assert result.status == ArtifactStatus.damaged and [p.pod_name for p in result.value.pods] == ["nginx-0"]
    cut = parse_pods(PODS_V1_5[:140].encode(), PATH)
    assert cut.status == ArtifactStatus.damaged and [p.pod_name for p in cut.value.pods] == ["web-7d4b9c-x2x9q"]
    assert parse_pods(b"Not Found\n", PATH).value is None


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    result = parse_pods(data, PATH)
    assert isinstance(result, Parsed) and result.status in set(ArtifactStatus)


_dns_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(_dns_label, _dns_label, st.from_regex(r"[0-9a-f]{0,12}", fullmatch=True), st.integers(0, 255), st.integers(0, 15)),
        max_size=8,
        unique_by=lambda item: (item[0], item[1], item[2]),
    )
)
def test_generated_maps_parse_back(entries: list[tuple[str, str, str, int, int]]) -> None:
    doc = {f"{name}_{ns}_{cid}": {"IP": f"10.0.1.{last}", "DeviceNumber": dev} for name, ns, cid, last, dev in entries}
    result = parse_pods(json.dumps(doc).encode(), PATH)
    assert result.status == ArtifactStatus.parsed
    got = sorted((p.pod_name, p.namespace, p.container_id or "", p.ip, p.device_number) for p in result.value.pods)
    assert got == sorted((n, ns, c, f"10.0.1.{last}", d) for n, ns, c, last, d in entries)
