"""`ip rule show` across CNI generations (bundle-formats §5.1, pitfall 30)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.models.routing import IpRule, normalise_table
from bundle_analyzer.parsers.ip_rule import parse_ip_rules

PATH = "networking/iprule.txt"

# The NET410 workshop's `ip rule show` on a v1.2-era worker, byte for byte (trailing spaces and the
# workshop's "<--" annotation included).
SEED_IP_RULE = (
    "0:\tfrom all lookup local \n"
    "512:\tfrom all to 192.168.141.2 lookup main \n"
    "512:\tfrom all to 192.168.157.205 lookup main \n"
    "512:\tfrom all to 192.168.130.206 lookup main \n"
    "1024:\tnot from all to 192.168.0.0/16 lookup main \n"
    "1536:\tfrom 192.168.157.205 lookup 3 \n"
    "1536:\tfrom 192.168.130.206 lookup 3 <-- Pod is using route table 3\n"
    "32766:\tfrom all lookup main \n"
    "32767:\tfrom all lookup default  \n"
)


def parse(text: str, path: str = PATH) -> Parsed:
    return parse_ip_rules(text.encode(), path)


def test_seed_v1_2_workshop_output():
    result = parse(SEED_IP_RULE, "var/log/aws-routed-eni/iprule.out")
    assert result.status is ArtifactStatus.parsed
    rules = result.value.rules
    assert result.value.family == 4
    assert [r.priority for r in rules] == [0, 512, 512, 512, 1024, 1536, 1536, 32766, 32767]
    assert [r.table for r in rules] == ["local", "main", "main", "main", "main", "3", "3", "main", "default"]
    assert [r.dst for r in rules[1:4]] == ["192.168.141.2", "192.168.157.205", "192.168.130.206"]
    assert all(r.src is None for r in rules[:5])

    not_to_vpc = rules[4]
    assert (not_to_vpc.invert, not_to_vpc.src, not_to_vpc.dst) == (True, None, "192.168.0.0/16")
    assert not_to_vpc.line == 5
    assert not_to_vpc.text == "1024:\tnot from all to 192.168.0.0/16 lookup main "

    pod = rules[6]
    assert (pod.src, pod.dst, pod.table, pod.action, pod.invert) == ("192.168.130.206", None, "3", "lookup", False)
    # The annotation is not iproute2 output; it is kept aside, not mistaken for selectors.
    assert pod.extra[:2] == ["<--", "Pod"]
    assert [r.line for r in result.value.lookups("3")] == [6, 7]


def test_v1_3_to_v1_8_from_pod_to_vpc_cidr():
    text = (
        "0:\tfrom all lookup local\n"
        "512:\tfrom all to 10.0.41.7 lookup main\n"
        "1024:\tfrom all fwmark 0x80/0x80 lookup main\n"
        "1536:\tfrom 10.0.41.7 to 10.0.0.0/16 lookup 2\n"
        "1536:\tfrom 10.0.41.7 to 100.64.0.0/16 lookup 2\n"
        "32766:\tfrom all lookup main\n"
        "32767:\tfrom all lookup default\n"
    )
    rules = parse(text).value.rules
    assert [(r.src, r.dst, r.table) for r in rules if r.priority == 1536] == [
        ("10.0.41.7", "10.0.0.0/16", "2"),
        ("10.0.41.7", "100.64.0.0/16", "2"),
    ]
    fwmark = rules[2]
    assert (fwmark.fwmark, fwmark.fwmask, fwmark.src, fwmark.table) == (0x80, 0x80, None, "main")


def test_v1_9_plus_and_v1_20_32765_rules():
    text = (
        "0:\tfrom all lookup local\n"
        "512:\tfrom all to 10.0.12.50 lookup main\n"
        "512:\tfrom all to 10.0.41.7 lookup main\n"
        "1024:\tfrom all fwmark 0x80/0x80 lookup main\n"
        "1535:\tfrom all to 192.168.0.0/16 lookup main\n"
        "1536:\tfrom 10.0.41.7 lookup 2\n"
        "32765:\tfrom 10.0.40.10 lookup 2\n"
        "32766:\tfrom all lookup main\n"
        "32767:\tfrom all lookup default\n"
    )
    ruleset = parse(text).value
    [eni_rule] = ruleset.with_priority(32765)
    assert (eni_rule.src, eni_rule.table, eni_rule.line) == ("10.0.40.10", "2", 7)
    [external] = ruleset.with_priority(1535)
    assert (external.src, external.dst) == (None, "192.168.0.0/16")
    assert [r.src for r in ruleset.lookups("2")] == ["10.0.41.7", "10.0.40.10"]


def test_al2023_networkd_tables_and_new_iproute2_tokens():
    text = (
        "0:\tfrom all lookup local\n"
        "10000:\tfrom 10.0.40.10 lookup 10001 proto static\n"
        "10100:\tfrom 10.0.72.9 lookup 10101 proto static\n"
        "30200:\tfrom all lookup 30200 suppress_prefixlength 0\n"
        "1000:\tfrom all lookup [l3mdev-table] proto kernel\n"
        "32765:\tfrom 10.0.40.10 iif lo lookup 10001 proto kernel\n"
        "5:\tfrom all oif vrf-x [detached] uidrange 0-4294967294 lookup 7\n"
        "32766:\tfrom all lookup main proto kernel\n"
    )
    result = parse(text)
    assert result.status is ArtifactStatus.parsed
    rules = result.value.rules
    assert [r.table for r in rules[1:3]] == ["10001", "10101"]
    assert rules[1].extra == ["proto", "static"]
    assert rules[3].extra == ["suppress_prefixlength", "0"]
    assert rules[4].table == "[l3mdev-table]"
    assert (rules[5].iif, rules[5].src, rules[5].table) == ("lo", "10.0.40.10", "10001")
    detached = rules[6]
    assert (detached.oif, detached.table) == ("vrf-x", "7")
    assert detached.extra == ["[detached]", "uidrange", "0-4294967294"]


def test_sgpp_strict_mode_rules():
    text = (
        "10:\tfrom all iif vlan.eth.1 lookup 101\n"
        "10:\tfrom all iif vlanb1c3e4a5d6f lookup 101\n"
        "20:\tfrom all lookup local\n"
        "1536:\tfrom 10.0.50.5 lookup 101\n"
    )
    rules = parse(text).value.rules
    assert [r.iif for r in rules[:2]] == ["vlan.eth.1", "vlanb1c3e4a5d6f"]
    assert [r.table for r in rules] == ["101", "101", "local", "101"]


def test_ipv6_rules_by_path_and_by_content():
    text = (
        "0:\tfrom all lookup local\n"
        "512:\tfrom all to 2600:1f13:abc:de01:c01a::3 lookup main\n"
        "1024:\tfrom all fwmark 0x80/0x80 lookup main\n"
        "32766:\tfrom all lookup main\n"
    )
    by_path = parse(text, "networking/ip6rule.txt").value
    assert by_path.family == 6
    assert by_path.rules[1].dst == "2600:1f13:abc:de01:c01a::3"
    assert parse(text, "some/other-name.txt").value.family == 6
    assert parse("0:\tfrom all lookup local\n", "networking/ip6rule.txt").value.family == 6
    assert parse("0:\tfrom all lookup local\n").value.family == 4


def test_other_actions_and_numeric_tables():
    text = (
        "100:\tfrom 10.1.0.0/16 unreachable\n"
        "101:\tnot from all fwmark 0x4000 goto 32766\n"
        "102:\tfrom all lookup 254\n"
        "103:\tfrom all lookup 255\n"
        "104:\tfrom all blackhole\n"
    )
    rules = parse(text).value.rules
    assert [(r.action, r.table) for r in rules] == [
        ("unreachable", None),
        ("goto", None),
        ("lookup", "main"),
        ("lookup", "local"),
        ("blackhole", None),
    ]
    assert (rules[1].goto_target, rules[1].fwmark, rules[1].fwmask, rules[1].invert) == (32766, 0x4000, None, True)


def test_damaged_and_empty_inputs():
    assert parse("").status is ArtifactStatus.empty
    assert parse("  \n\n").value is None

    result = parse("0:\tfrom all lookup local\nRTNETLINK answers: Operation not permitted\n512:\tfrom all to\n")
    assert result.status is ArtifactStatus.damaged
    assert [p.line for p in result.problems] == [2, 3]
    assert [r.priority for r in result.value.rules] == [0]

    html = parse("<html><body>404 Not Found</body></html>\n")
    assert html.status is ArtifactStatus.damaged and html.value.rules == []

    assert parse("512:\tfrom all to 10.0.0.1\n").problems[0].message.startswith("rule has no action")
    assert parse("99999999999:\tfrom all lookup main\n").status is ArtifactStatus.damaged


def test_normalise_table():
    assert [normalise_table(t) for t in ("254", "255", "253", "main", "3", "010", "0x10")] == [
        "main",
        "local",
        "default",
        "main",
        "3",
        "10",
        "16",
    ]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes):
    result = parse_ip_rules(data, PATH)
    assert isinstance(result, Parsed)


_octet = st.integers(min_value=0, max_value=255)
_ipv4 = st.builds(lambda a, b, c, d: f"{a}.{b}.{c}.{d}", _octet, _octet, _octet, _octet)
_selector = st.one_of(st.none(), _ipv4, st.builds(lambda ip, n: f"{ip}/{n}", _ipv4, st.integers(0, 31)))
_iface = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.", min_size=1, max_size=11)
_table = st.one_of(
    st.sampled_from(["main", "local", "default"]), st.integers(1, 252).map(str), st.integers(256, 40000).map(str)
)


@st.composite
def _rules(draw) -> IpRule:
    mark = draw(st.one_of(st.none(), st.integers(0, 2**32 - 1)))
    mask = draw(st.one_of(st.none(), st.integers(1, 2**32 - 2))) if mark is not None else None
    return IpRule(
        line=1,
        priority=draw(st.integers(0, 2**32 - 1)),
        invert=draw(st.booleans()),
        src=draw(_selector),
        dst=draw(_selector),
        fwmark=mark,
        fwmask=mask,
        iif=draw(st.one_of(st.none(), _iface)),
        oif=draw(st.one_of(st.none(), _iface)),
        table=draw(_table),
        text="",
    )


def render(rule: IpRule) -> str:
    """Print a rule the way iproute2's print_rule does."""
    parts = [f"{rule.priority}:\t"]
    if rule.invert:
        parts.append("not ")
    parts.append(f"from {rule.src or 'all'} ")
    if rule.dst:
        parts.append(f"to {rule.dst} ")
    if rule.fwmark is not None:
        parts.append(f"fwmark {rule.fwmark:#x}" + (f"/{rule.fwmask:#x} " if rule.fwmask is not None else " "))
    if rule.iif:
        parts.append(f"iif {rule.iif} ")
    if rule.oif:
        parts.append(f"oif {rule.oif} ")
    parts.append(f"lookup {rule.table} ")
    return "".join(parts)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(_rules(), min_size=1, max_size=8))
def test_rendered_rules_parse_back(rules: list[IpRule]):
    text = "\n".join(render(rule) for rule in rules) + "\n"
    result = parse(text)
    assert result.status is ArtifactStatus.parsed
    keys = ("priority", "invert", "src", "dst", "fwmark", "fwmask", "iif", "oif", "table", "action")
    assert [r.model_dump(include=set(keys)) for r in result.value.rules] == [
        r.model_dump(include=set(keys)) for r in rules
    ]
    assert [r.line for r in result.value.rules] == list(range(1, len(rules) + 1))
