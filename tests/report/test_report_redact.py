import io
import ipaddress
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from sample_reports import BROKEN_ACCOUNT, BROKEN_ENIS, BROKEN_INSTANCE, BROKEN_IPS, broken_report, two_node_report

from bundle_analyzer.report.console import render_console
from bundle_analyzer.report.ranking import ranked_findings
from bundle_analyzer.report.redact import Redactor, redact_report
from bundle_analyzer.report.render import render

KEY = b"test-key-0123456789abcdef0123456"
SETTINGS = settings(max_examples=200, deadline=None, derandomize=True)


def _all_formats(report) -> dict[str, str]:
    console = Console(file=io.StringIO(), force_terminal=False, width=300)
    render_console(report, console)
    out = {fmt: render(report, fmt) for fmt in ("markdown", "html", "json")}
    out["console"] = console.file.getvalue()
    return out


def _ip_pattern(ip: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\d.])" + re.escape(ip) + r"(?!\d)")


def test_input_is_untouched_and_output_is_flagged():
    original = broken_report()
    redacted = redact_report(original, key=KEY)
    assert original == broken_report()
    assert original.redacted is False and redacted.redacted is True
    assert redacted is not original


def test_no_original_address_or_id_survives_in_any_format():
    report = two_node_report()
    redacted = redact_report(report, key=KEY)
    originals_ip = BROKEN_IPS + ["192.168.141.2", "192.168.130.206", "192.168.167.201", "192.168.128.1"]
    originals_id = BROKEN_ENIS + [
        BROKEN_INSTANCE,
        BROKEN_ACCOUNT,
        "i-0f1e2d3c4b5a69788",
        "eni-001197a0eeab79df8",
        "subnet-0123456789abcdef0",
    ]
    hostnames = ["ip-10-0-1-10", "ip-192-168-167-201", "NodeInstanceRole-1XYZ"]
    for fmt, text in _all_formats(redacted).items():
        for ip in originals_ip:
            assert not _ip_pattern(ip).search(text), (fmt, ip)
        for value in originals_id + hostnames:
            assert value not in text, (fmt, value)
    # ... and the unredacted report did contain them, so the check can fail.
    plain = _all_formats(report)["html"]
    assert all(_ip_pattern(ip).search(plain) for ip in originals_ip)
    assert all(value in plain for value in originals_id + hostnames)


def test_mapping_is_consistent_across_fields():
    redacted = redact_report(broken_report(), key=KEY)
    bundle = redacted.bundles[0]
    r = Redactor(KEY)
    primary = r.ipv4("10.0.1.10")
    assert bundle.node.primary_ip == primary
    assert bundle.node.hostname == "ip-" + primary.replace(".", "-") + ".us-west-2.compute.internal"
    assert any(n.detail.startswith(primary + "/24") for n in bundle.network.nodes)
    assert all(f.bundle == bundle.path for f in redacted.findings)
    assert bundle.node.instance_id in bundle.path
    eni = r.text(BROKEN_ENIS[1])
    assert re.fullmatch(r"eni-[0-9a-f]{17}", eni)
    assert eni in redacted.findings[1].message and eni in redacted.findings[1].evidence[0].excerpt
    node_ids = {n.id for n in bundle.network.nodes}
    assert all(link.source in node_ids for link in bundle.network.links)  # ids mapped like labels
    # Rule ids are not customer data and still link causes and symptoms.
    assert [f.rule_id for f in redacted.findings] == [f.rule_id for f in broken_report().findings]
    assert [x.depth for x in ranked_findings(redacted)] == [x.depth for x in ranked_findings(broken_report())]


def test_accounts_arns_and_endpoints():
    r = Redactor(KEY)
    text = (
        '"OwnerId": "298800981437", "InstanceOwnerId": "298800981437" '
        "arn:aws:iam::694065802095:role/eksctl-net410-cluster-ServiceRole-JQP22M9HN457. "
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy "
        "https://C23A88F2572AAF0B1AEA36CD119D0682.yl4.eu-west-1.eks.amazonaws.com "
        "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.18.3"
    )
    out = r.text(text)
    for secret in ("298800981437", "694065802095", "eksctl-net410", "C23A88F2572AAF0B1AEA36CD119D0682", "602401143452"):
        assert secret not in out
    owner = re.search(r'"OwnerId": "(\d{12})", "InstanceOwnerId": "(\d{12})"', out)
    assert owner and owner.group(1) == owner.group(2)
    assert re.search(r"arn:aws:iam::\d{12}:role/redacted-[0-9a-f]{8}\. ", out)
    assert "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy" in out
    assert re.search(r"https://[0-9A-F]{32}\.yl4\.eu-west-1\.eks\.amazonaws\.com", out)
    assert "amazon-k8s-cni:v1.18.3" in out


def test_ids_of_every_kind_and_what_is_left_alone():
    r = Redactor(KEY)
    ids = "eni-0f96810f42e4f53e8 eni-attach-0b3be060aa470e238 subnet-09d6c50e781c0e074 sg-062a376f3d16fe673 vpc-09c7c672286bf7e94 i-0abc1234 rtb-0123456789abcdef0"
    out = r.text(ids)
    assert [w.rsplit("-", 1)[0] for w in out.split()] == [w.rsplit("-", 1)[0] for w in ids.split()]
    assert not set(out.split()) & set(ids.split())
    assert [len(w) for w in out.split()] == [len(w) for w in ids.split()]
    keep = "0.0.0.0/0 127.0.0.1 169.254.1.1 169.254.169.254 255.255.255.255 255.255.255.0 ::1 ff02::1 :: 26:50:08:03:3e:a6 01:39:03.397833 v1.18.3 eni61b9c53e3d2 eni-route-table-missing-default"
    assert r.text(keep) == keep


def test_cidrs_keep_their_length_and_containment():
    r = Redactor(KEY)
    net, host, gw = r.ipv4("192.168.128.0/18"), r.ipv4("192.168.167.201"), r.ipv4("192.168.128.1")
    assert net.endswith("/18")
    assert ipaddress.ip_address(host) in ipaddress.ip_network(net)
    assert ipaddress.ip_address(gw) in ipaddress.ip_network(net)
    assert r.ipv4("10.0.0.0/16").endswith(".0.0/16")
    assert (
        r.text("from 10.0.2.14 lookup 2 to 10.0.0.0/16")
        == f"from {r.ipv4('10.0.2.14')} lookup 2 to {r.ipv4('10.0.0.0/16')}"
    )


def test_each_run_draws_its_own_key():
    assert Redactor().ipv4("10.0.1.23") != Redactor().ipv4("10.0.1.23") or Redactor().ipv4(
        "10.9.8.7"
    ) != Redactor().ipv4("10.9.8.7")
    assert Redactor(KEY).ipv4("10.0.1.23") == Redactor(KEY).ipv4("10.0.1.23")


_NOT_SPECIAL = st.integers(1, 223).filter(lambda a: a != 127)


def _ipv4(a, b, c, d):
    return f"{a}.{b}.{c}.{d}"


_octet = st.integers(0, 255)
_special = lambda a, b: a in (0, 127) or a >= 224 or (a, b) == (169, 254)  # noqa: E731


@SETTINGS
@given(_NOT_SPECIAL, _octet, _octet, _octet, _octet)
def test_same_24_stays_in_one_mapped_24(a, b, c, d1, d2):
    if _special(a, b):
        return
    r = Redactor(KEY)
    m1, m2 = r.ipv4(_ipv4(a, b, c, d1)), r.ipv4(_ipv4(a, b, c, d2))
    assert m1.rsplit(".", 1)[0] == m2.rsplit(".", 1)[0]
    assert (m1 == m2) == (d1 == d2)


@SETTINGS
@given(_NOT_SPECIAL, _octet, _octet, _octet, _octet, _octet)
def test_same_16_stays_in_one_mapped_16(a, b, c1, c2, d1, d2):
    if _special(a, b):
        return
    r = Redactor(KEY)
    m1, m2 = r.ipv4(_ipv4(a, b, c1, d1)), r.ipv4(_ipv4(a, b, c2, d2))
    assert m1.split(".")[:2] == m2.split(".")[:2]
    assert (m1.split(".")[2] == m2.split(".")[2]) == (c1 == c2)


@SETTINGS
@given(st.lists(st.tuples(_NOT_SPECIAL, _octet, _octet, _octet), min_size=2, max_size=30, unique=True))
def test_different_ips_map_to_different_ips_in_the_same_block(addrs):
    r = Redactor(KEY)
    addrs = [x for x in addrs if not _special(x[0], x[1])]
    mapped = [ipaddress.IPv4Address(r.ipv4(_ipv4(*x))) for x in addrs]
    assert len(set(mapped)) == len(addrs)
    for original, new in zip(addrs, mapped, strict=True):
        old = ipaddress.IPv4Address(_ipv4(*original))
        assert old.is_private == new.is_private or not old.is_private
        for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"):
            assert (old in ipaddress.ip_network(block)) == (new in ipaddress.ip_network(block))
        assert not (new.is_loopback or new.is_link_local or new.is_multicast or new.is_unspecified)


@SETTINGS
@given(st.integers(0, 2**24 - 1), st.integers(8, 32))
def test_prefix_containment_in_10_8(low, length):
    r = Redactor(KEY)
    addr = ipaddress.IPv4Address((10 << 24) | low)
    network = ipaddress.ip_network(f"{addr}/{length}", strict=False)
    mapped_net = ipaddress.ip_network(r.ipv4(str(network)))
    assert mapped_net.prefixlen == length
    assert ipaddress.IPv4Address(r.ipv4(str(addr))) in mapped_net


@SETTINGS
@given(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_ipv6_keeps_its_64_and_stays_distinct(prefix_low, iid1, iid2):
    r = Redactor(KEY)
    base = (0x2600 << 112) | ((prefix_low & (2**48 - 1)) << 64)
    a, b = ipaddress.IPv6Address(base | iid1), ipaddress.IPv6Address(base | iid2)
    ma, mb = ipaddress.IPv6Address(r.text(str(a))), ipaddress.IPv6Address(r.text(str(b)))
    assert int(ma) >> 64 == int(mb) >> 64
    assert int(ma) >> 112 == 0x2600
    assert (ma == mb) == (a == b)


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_is_handled(text):
    out = Redactor(KEY).text(text)
    assert isinstance(out, str)
    # Text with nothing to redact comes back unchanged.
    if not any(ch.isdigit() or ch in ":-" for ch in text):
        assert out == text
