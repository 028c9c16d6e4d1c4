"""ipam.json (vpc-cni-ipam/1): v1.7 – v1.9, v1.10 IPv6, v1.11+ timestamps/metadata, damage."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.parsers.ipam_checkpoint import parse_ipam_checkpoint

PATH = "ipamd/ipam.json"

V1_7 = '{"version":"vpc-cni-ipam/1","allocations":[{"networkName":"aws-cni","containerID":"5f0c4d2ab1e6","ifName":"eth0","ipv4":"10.0.12.50"},{"networkName":"_migrated-from-cri","containerID":"77aa0c1d","ifName":"unknown","ipv4":"10.0.12.51"}]}\n'
V1_11 = '{"version":"vpc-cni-ipam/1","allocations":[{"networkName":"aws-cni","containerID":"9a3e5c77","ifName":"eth0","ipv4":"10.0.12.65","allocationTimestamp":1771574401500000000,"metadata":{"k8sPodNamespace":"kube-system","k8sPodName":"coredns-5d8f7c9b6-4k2lp"}},{"networkName":"aws-cni","containerID":"0ld","ifName":"eth0","ipv4":"10.0.12.66","allocationTimestamp":0,"metadata":{}}]}\n'
V1_10_IPV6 = '{"version":"vpc-cni-ipam/1","allocations":[{"networkName":"aws-cni","containerID":"d00d","ifName":"eth0","ipv6":"2600:1f13:abc:de01:c01a::1"}]}\n'
V1_20_MULTI_NIC = '{"version":"vpc-cni-ipam/1","allocations":[{"networkName":"aws-cni","containerID":"e1","ifName":"eth1","ipv4":"10.0.99.10","allocationTimestamp":1772323200000000000,"metadata":{"k8sPodNamespace":"ml","k8sPodName":"trainer-0","interfacesCount":2}}]}\n'


def test_v1_7_ipamkey_only_and_migrated_entry() -> None:
    result = parse_ipam_checkpoint(V1_7.encode(), PATH)
    assert result.status == ArtifactStatus.parsed
    checkpoint = result.value
    assert checkpoint.version == "vpc-cni-ipam/1" and checkpoint.min_cni_version == "v1.7.0"
    first, migrated = checkpoint.allocations
    assert (first.network_name, first.container_id, first.if_name, first.ipv4, first.ipv6) == (
        "aws-cni",
        "5f0c4d2ab1e6",
        "eth0",
        "10.0.12.50",
        None,
    )
    assert first.allocated_at is None and first.allocation_timestamp_ns is None
    assert migrated.migrated_from_cri and migrated.if_name == "unknown"


def test_v1_11_nanoseconds_and_metadata() -> None:
    checkpoint = parse_ipam_checkpoint(V1_11.encode(), PATH).value
    assert checkpoint.min_cni_version == "v1.11.0"
    coredns, restored = checkpoint.allocations
    assert coredns.allocated_at == datetime(2026, 2, 20, 8, 0, 1, 500000, tzinfo=UTC)
    assert (coredns.pod_namespace, coredns.pod_name) == ("kube-system", "coredns-5d8f7c9b6-4k2lp")
    assert restored.allocation_timestamp_ns == 0 and restored.allocated_at is None and restored.pod_name is None


def test_v1_10_ipv6_only_and_multi_nic_metadata() -> None:
    (entry,) = parse_ipam_checkpoint(V1_10_IPV6.encode(), PATH).value.allocations
    assert entry.ipv4 is None and entry.ipv6 == "2600:1f13:abc:de01:c01a::1"
    assert parse_ipam_checkpoint(V1_10_IPV6.encode(), PATH).value.min_cni_version == "v1.10.0"
    card1 = parse_ipam_checkpoint(V1_20_MULTI_NIC.encode(), "ipamd/ipam-nic-1.json").value
    (nic,) = card1.allocations
    assert nic.interfaces_count == 2 and nic.if_name == "eth1"
    assert card1.network_card == 1 and parse_ipam_checkpoint(V1_7.encode(), PATH).value.network_card == 0


def test_empty_allocations() -> None:
    for body in (b'{"version":"vpc-cni-ipam/1","allocations":[]}\n', b'{"version":"vpc-cni-ipam/1","allocations":null}'):
        result = parse_ipam_checkpoint(body, PATH)
        assert result.status == ArtifactStatus.parsed and result.value.allocations == []


def test_wrong_version_is_damaged_but_read() -> None:
    result = parse_ipam_checkpoint(V1_7.replace("vpc-cni-ipam/1", "vpc-cni-ipam/2").encode(), PATH)
    assert result.status == ArtifactStatus.damaged
    assert result.value.version == "vpc-cni-ipam/2" and len(result.value.allocations) == 2
    assert "refuse to start" in result.problems[0].message


def test_damage() -> None:
    assert parse_ipam_checkpoint(b"", PATH).status == ArtifactStatus.empty
    assert parse_ipam_checkpoint(b"[]", PATH).status == ArtifactStatus.damaged
    truncated = parse_ipam_checkpoint(V1_11[:200].encode(), PATH)
    assert truncated.status == ArtifactStatus.damaged and truncated.value.partial
    assert [a.ipv4 for a in truncated.value.allocations] == ["10.0.12.65"]
    bad_stamp = parse_ipam_checkpoint(V1_11.replace("1771574401500000000", "-5").encode(), PATH)
    assert bad_stamp.status == ArtifactStatus.damaged and bad_stamp.value.allocations[0].allocated_at is None


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assert isinstance(parse_ipam_checkpoint(data, PATH), Parsed)


_entry = st.fixed_dictionaries(
    {
        "networkName": st.sampled_from(["aws-cni", "_migrated-from-cri"]),
        "containerID": st.from_regex(r"[0-9a-f]{1,64}", fullmatch=True),
        "ifName": st.sampled_from(["eth0", "unknown"]),
        "ipv4": st.integers(1, 254).map(lambda n: f"10.0.0.{n}"),
        "allocationTimestamp": st.integers(0, 4_000_000_000 * 10**9),
        "metadata": st.fixed_dictionaries({"k8sPodNamespace": st.from_regex(r"[a-z]{1,8}", fullmatch=True), "k8sPodName": st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True)}),
    }
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(_entry, max_size=6))
def test_generated_checkpoints_parse_back(entries: list[dict]) -> None:
    body = json.dumps({"version": "vpc-cni-ipam/1", "allocations": entries}) + "\n"
    result = parse_ipam_checkpoint(body.encode(), PATH)
    assert result.status == ArtifactStatus.parsed
    for entry, allocation in zip(entries, result.value.allocations, strict=True):
        assert (allocation.container_id, allocation.ipv4, allocation.pod_name) == (entry["containerID"], entry["ipv4"], entry["metadata"]["k8sPodName"])
        stamp = entry["allocationTimestamp"]
        if stamp == 0:
            assert allocation.allocated_at is None
        else:
            elapsed = allocation.allocated_at - datetime(1970, 1, 1, tzinfo=UTC)
            assert elapsed // timedelta(microseconds=1) == stamp // 1000
