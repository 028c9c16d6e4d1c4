"""sysctl dumps: collector `sysctl --all` and legacy sysctls.out (bundle-formats §7, pitfall 40)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.parsers.sysctl import parse_sysctls, sysctl_key_from_path

PATH = "sysctls/sysctl_all.txt"

COLLECTOR = (
    "net.ipv4.conf.all.rp_filter = 1\n"
    "net.ipv4.conf.eth0.rp_filter = 2\n"
    "net.ipv4.conf.enic0778f2fe26.rp_filter = 1\n"
    "net.ipv4.conf.vlan/eth/3.rp_filter = 1\n"
    "net.ipv4.ip_forward = 1\n"
    "net.ipv4.ip_local_port_range = 32768\t60999\n"
    "net.ipv4.tcp_rmem = 4096\t131072\t6291456\n"
    "net.netfilter.nf_conntrack_max = 262144\n"
    "kernel.domainname = (none)\n"
    "kernel.core_pattern = |/usr/lib/systemd/systemd-coredump %P %u = %g\n"
    "fs.binfmt_misc.status = \n"
    'sysctl: reading key "net.ipv6.conf.all.stable_secret"\n'
)


def parse(text: str, path: str = PATH) -> Parsed:
    return parse_sysctls(text.encode(), path)


def test_collector_sysctl_all():
    result = parse(COLLECTOR)
    assert result.status is ArtifactStatus.parsed
    sysctls = result.value
    assert sysctls.get("net.ipv4.ip_forward") == "1"
    assert sysctls.get("net.ipv4.ip_local_port_range") == "32768\t60999"
    assert sysctls.get("net.ipv4.tcp_rmem") == "4096\t131072\t6291456"
    assert sysctls.get("kernel.domainname") == "(none)"
    # Split on the first " = " only.
    assert sysctls.get("kernel.core_pattern") == "|/usr/lib/systemd/systemd-coredump %P %u = %g"
    assert sysctls.get("fs.binfmt_misc.status") == ""
    assert sysctls.get_int("net.netfilter.nf_conntrack_max") == 262144
    assert sysctls.get_int("kernel.domainname") is None
    assert sysctls.line_of("net.ipv4.ip_forward") == 5
    assert len(sysctls.values) == 11


def test_rp_filter_helpers_and_dotted_interface_names():
    sysctls = parse(COLLECTOR).value
    assert sysctls.rp_filter("all") == 1
    assert sysctls.rp_filter("eth0") == 2
    assert sysctls.rp_filter("vlan.eth.3") == 1
    assert sysctls.effective_rp_filter("eth0") == 2  # max(all=1, eth0=2)
    assert sysctls.effective_rp_filter("ens5") == 1  # only conf.all known
    strict_all = parse("net.ipv4.conf.all.rp_filter = 2\nnet.ipv4.conf.eth0.rp_filter = 0\n").value
    assert strict_all.effective_rp_filter("eth0") == 2
    assert parse("net.ipv4.ip_forward = 1\n").value.effective_rp_filter("eth0") is None


def test_legacy_sysctls_out():
    text = (
        "================== sysctls ==================\n"
        "/proc/sys/net/ipv4/conf/all/rp_filter = 1\n"
        "/proc/sys/net/ipv4/conf/default/rp_filter = 1\n"
        "/proc/sys/net/ipv4/conf/eth0/rp_filter = 2\n"
        "/proc/sys/net/ipv4/conf/vlan.eth.7/rp_filter = 1\n"
    )
    result = parse(text, "var/log/aws-routed-eni/sysctls.out")
    assert result.status is ArtifactStatus.parsed
    sysctls = result.value
    assert list(sysctls.values) == [
        "net.ipv4.conf.all.rp_filter",
        "net.ipv4.conf.default.rp_filter",
        "net.ipv4.conf.eth0.rp_filter",
        "net.ipv4.conf.vlan/eth/7.rp_filter",
    ]
    assert sysctls.rp_filter("vlan.eth.7") == 1
    assert sysctls.effective_rp_filter("eth0") == 2
    assert sysctls.line_of("net.ipv4.conf.eth0.rp_filter") == 4
    assert sysctl_key_from_path("/proc/sys/net/ipv4/conf/vlan.eth.3/rp_filter") == "net.ipv4.conf.vlan/eth/3.rp_filter"


def test_appended_runs_last_value_wins():
    text = "net.ipv4.ip_forward = 0\nnet.ipv4.conf.eth0.rp_filter = 1\nnet.ipv4.ip_forward = 1\n"
    result = parse(text)
    assert result.status is ArtifactStatus.damaged
    assert result.value.get("net.ipv4.ip_forward") == "1"
    assert result.value.line_of("net.ipv4.ip_forward") == 3
    assert result.problems[0].line == 3


def test_garbage_and_empty():
    assert parse("").status is ArtifactStatus.empty
    result = parse("net.ipv4.ip_forward = 1\nthis is not a sysctl\nbad key = 3\n")
    assert result.status is ArtifactStatus.damaged
    assert [p.line for p in result.problems] == [2, 3]
    assert result.value.values == {"net.ipv4.ip_forward": "1"}


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes):
    assert isinstance(parse_sysctls(data, PATH), Parsed)


_segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=10)
_key = st.lists(_segment, min_size=2, max_size=6).map(".".join)
_value = st.lists(
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=0, max_size=12),
    min_size=1,
    max_size=3,
).map("\t".join)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(_key, _value, min_size=1, max_size=15))
def test_generated_values_parse_back(values: dict[str, str]):
    text = "".join(f"{key} = {value}\n" for key, value in values.items())
    result = parse(text)
    assert result.status is ArtifactStatus.parsed
    assert result.value.values == values
    assert list(result.value.lines.values()) == list(range(1, len(values) + 1))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.dictionaries(
        st.text(alphabet="abcdefgh0123.", min_size=1, max_size=10), st.integers(0, 2), min_size=1, max_size=10
    )
)
def test_legacy_paths_and_helpers_agree(values: dict[str, int]):
    text = "".join(f"/proc/sys/net/ipv4/conf/{iface}/rp_filter = {value}\n" for iface, value in values.items())
    sysctls = parse(text).value
    for iface, value in values.items():
        assert sysctls.rp_filter(iface) == value
