"""ipamd metrics: Prometheus text of every CNI era (unprefixed pre-v1.4, awscni_ v1.4+, v1.23 connmark)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.parsers.metrics import parse_metrics

PATH = "ipamd/metrics.json"

V1_18 = """\
# HELP awscni_assigned_ip_addresses The number of IP addresses assigned to pods
# TYPE awscni_assigned_ip_addresses gauge
awscni_assigned_ip_addresses 14
# HELP awscni_build_info A metric with a constant '1' value labeled by version, revision, and goversion from which amazon-vpc-cni-k8s was built.
# TYPE awscni_build_info gauge
awscni_build_info{goversion="go1.22.5",version="v1.18.3"} 1
# HELP awscni_ipamd_error_count The number of errors encountered in ipamd
# TYPE awscni_ipamd_error_count counter
awscni_ipamd_error_count{fn="increaseIPPoolAllocIPAddressesFailed"} 3
awscni_ipamd_error_count{fn="nodeIPPoolReconcileBadIMDSData"} 2
# HELP awscni_aws_api_latency_ms AWS API call latency in ms
# TYPE awscni_aws_api_latency_ms summary
awscni_aws_api_latency_ms_sum{api="AssignPrivateIpAddresses",error="true",status="400"} 412
awscni_aws_api_latency_ms_count{api="AssignPrivateIpAddresses",error="true",status="400"} 2
# HELP awscni_aws_api_error_count The number of times AWS API returns an error
# TYPE awscni_aws_api_error_count gauge
awscni_aws_api_error_count{api="AssignPrivateIpAddresses",error="InsufficientFreeAddressesInSubnet: The specified subnet has an insufficient number of free addresses to satisfy the request.\\n\tstatus code: 400, request id: \\"7c0f\\" path C:\\\\x"} 5
# HELP go_memstats_alloc_bytes Number of bytes allocated and still in use.
# TYPE go_memstats_alloc_bytes gauge
go_memstats_alloc_bytes 5.184912e+06
# HELP go_gc_duration_seconds A summary of the pause duration of garbage collection cycles.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} NaN
go_gc_duration_seconds{quantile="1"} +Inf
process_start_time_seconds -Inf 1704919588000
"""

PRE_V1_4 = """\
# HELP eni_allocated The number of ENIs allocated
# TYPE eni_allocated gauge
eni_allocated 2
# HELP aws_api_lantency_ms AWS API call latency in ms
# TYPE aws_api_lantency_ms summary
aws_api_lantency_ms_sum{api="DescribeInstances",error="false"} 120
ipamd_error_count{error="RequestLimitExceeded",fn="increaseIPPool"} 1
"""

V1_23 = """\
# HELP awscni_connmark_backend Connmark implementation in use
# TYPE awscni_connmark_backend gauge
awscni_connmark_backend{backend="iptables"} 0
awscni_connmark_backend{backend="nftables"} 1
awscni_build_info{goversion="go1.24.1",version="v1.23.0"} 1
awscni_assigned_ip_per_cidr{cidr="10.0.12.64/28"} 3
"""

V1_9 = 'awscni_assigned_ip_per_ipv4cidr{cidr="10.0.12.64/28"} 2\n'


def test_v1_18_sample_set() -> None:
    result = parse_metrics(V1_18.encode(), PATH)
    assert result.status == ArtifactStatus.parsed, result.problems
    dump = result.value
    assert dump.cni_version == "v1.18.3"
    assert dump.get("awscni_assigned_ip_addresses") == 14
    assert dump.get("awscni_ipamd_error_count", fn="nodeIPPoolReconcileBadIMDSData") == 2
    assert dump.total("awscni_ipamd_error_count") == 5
    assert dump.get("awscni_aws_api_latency_ms_sum", api="AssignPrivateIpAddresses", status="400") == 412
    (error,) = dump.select("awscni_aws_api_error_count")
    assert error.labels["error"].endswith('\n\tstatus code: 400, request id: "7c0f" path C:\\x')
    assert error.line == 17
    assert dump.get("go_memstats_alloc_bytes") == 5184912.0
    assert math.isnan(dump.get("go_gc_duration_seconds", quantile="0"))
    assert dump.get("go_gc_duration_seconds", quantile="1") == math.inf
    (start,) = dump.select("process_start_time_seconds")
    assert start.value == -math.inf and start.timestamp_ms == 1704919588000
    assert dump.types["awscni_ipamd_error_count"] == "counter" and dump.types["awscni_aws_api_latency_ms"] == "summary"
    assert dump.connmark_backend is None and not dump.unprefixed_names


def test_pre_v1_4_unprefixed_and_typo_names() -> None:
    dump = parse_metrics(PRE_V1_4.encode(), PATH).value
    assert dump.unprefixed_names and dump.cni_version is None
    assert dump.get("awscni_eni_allocated") == 2
    assert dump.get("awscni_aws_api_latency_ms_sum", api="DescribeInstances") == 120
    assert dump.get("awscni_ipamd_error_count", fn="increaseIPPool") == 1
    assert dump.get("awscni_eni_max") is None


def test_v1_23_connmark_backend_and_v1_9_cidr_name() -> None:
    dump = parse_metrics(V1_23.encode(), PATH).value
    assert dump.connmark_backend == "nftables" and dump.cni_version == "v1.23.0"
    assert dump.get("awscni_assigned_ip_per_cidr", cidr="10.0.12.64/28") == 3
    old = parse_metrics(V1_9.encode(), PATH).value
    assert old.get("awscni_assigned_ip_per_cidr", cidr="10.0.12.64/28") == 2


def test_bad_lines_are_located_and_the_rest_kept() -> None:
    text = 'awscni_eni_max 4\nawscni_ip_max{fn="x} 3\nawscni_ip_max 1_000\nawscni_total_ip_addresses 9 junk\n\tawscni_eni_allocated\t2\t\n'
    result = parse_metrics(text.encode(), PATH)
    assert result.status == ArtifactStatus.damaged
    assert [problem.line for problem in result.problems] == [2, 3, 4]
    assert result.value.get("awscni_eni_max") == 4 and result.value.get("awscni_eni_allocated") == 2


def test_json_garbage_empty_and_concatenated() -> None:
    assert parse_metrics(b"", PATH).status == ArtifactStatus.empty
    json_body = parse_metrics(b'{"TotalIPs":1}', PATH)
    assert json_body.status == ArtifactStatus.damaged and json_body.value is None
    garbage = parse_metrics(b"Not Found\n", PATH)
    assert garbage.status == ArtifactStatus.damaged and garbage.value is None
    html = parse_metrics(b"<html><body>oops</body></html>", PATH)
    assert html.value is None
    doubled = parse_metrics((V1_18[:400] + V1_18).encode(), PATH)
    assert doubled.status == ArtifactStatus.damaged
    assert "2 concatenated expositions" in doubled.problems[0].message
    (assigned,) = doubled.value.select("awscni_assigned_ip_addresses")
    assert assigned.line == 9  # the re-run's sample replaces the one on line 3


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=500))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    result = parse_metrics(data, PATH)
    assert isinstance(result, Parsed) and result.status in set(ArtifactStatus)


_label_value = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_metric_name = st.tuples(st.sampled_from(_LETTERS + ":"), st.text(_LETTERS + "0123456789:", max_size=15)).map("".join)
_label_name = st.tuples(st.sampled_from(_LETTERS), st.text(_LETTERS + "0123456789", max_size=8)).map("".join)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(
            _metric_name,
            st.dictionaries(_label_name, _label_value, max_size=3),
            st.floats(allow_nan=False) | st.integers(-(10**12), 10**12).map(float),
            st.none() | st.integers(-(10**13), 10**13),
        ),
        min_size=1,
        max_size=8,
        unique_by=lambda sample: (sample[0], tuple(sorted(sample[1].items()))),
    )
)
def test_generated_expositions_parse_back(samples: list[tuple[str, dict[str, str], float, int | None]]) -> None:
    lines = []
    for name, labels, value, stamp in samples:
        label_text = "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}" if labels else ""
        lines.append(f"{name}{label_text} {value!r}" + (f" {stamp}" if stamp is not None else ""))
    result = parse_metrics("\n".join(lines).encode(), PATH)
    assert result.status == ArtifactStatus.parsed, result.problems
    got = [(s.name, s.labels, s.value, s.timestamp_ms, s.line) for s in result.value.samples]
    assert got == [(n, l, v, t, i) for i, (n, l, v, t) in enumerate(samples, start=1)]
