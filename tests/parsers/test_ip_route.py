"""`ip route show table all` and friends (bundle-formats §5.3, §1.2 route.out, pitfalls 10, 31)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.parsers.ip_route import parse_ip_routes

PATH = "networking/iproute.txt"

# NET410 workshop, worker node `ip route` (trailing spaces and the "<------ Pod" note as printed).
SEED_HOST_ROUTES = (
    "default via 192.168.128.1 dev eth0 \n"
    "169.254.169.254 dev eth0 \n"
    "172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown \n"
    "192.168.128.0/18 dev eth0 proto kernel scope link src 192.168.167.201 \n"
    "192.168.130.206 dev eni61b9c53e3d2 scope link <------ Pod\n"
    "192.168.141.2 dev eni3fd21969a5d scope link \n"
    "192.168.157.205 dev enid01321d94b0 scope link \n"
)
SEED_POD_ROUTES = "default via 169.254.1.1 dev eth0 \n169.254.1.1 dev eth0 scope link \n"
SEED_TABLE_3 = "default via 192.168.128.1 dev eth2 <-- outgoing eth2\n192.168.128.1 dev eth2 scope link\n"

TABLE_ALL = (
    "default via 10.0.32.1 dev eth1 table 2 \n"
    "10.0.32.1 dev eth1 table 2 scope link \n"
    "default via 10.0.0.1 dev eth0 \n"
    "10.0.0.0/19 dev eth0 proto kernel scope link src 10.0.12.34 \n"
    "10.0.12.50 dev enic0778f2fe26 scope link \n"
    "10.0.41.7 dev enic53f0b34fe9 scope link \n"
    "169.254.169.254 dev eth0 \n"
    "broadcast 10.0.0.0 dev eth0 table local proto kernel scope link src 10.0.12.34 \n"
    "local 10.0.12.34 dev eth0 table local proto kernel scope host src 10.0.12.34 \n"
    "local 10.0.40.10 dev eth1 table local proto kernel scope host src 10.0.40.10 \n"
    "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 \n"
)


def parse(text: str, path: str = PATH, **kwargs) -> Parsed:
    return parse_ip_routes(text.encode(), path, **kwargs)


def test_seed_worker_ip_route():
    result = parse(SEED_HOST_ROUTES)
    assert result.status is ArtifactStatus.parsed
    routes = result.value.routes
    assert result.value.dumps == 1
    assert [r.dst for r in routes] == [
        "default",
        "169.254.169.254",
        "172.17.0.0/16",
        "192.168.128.0/18",
        "192.168.130.206",
        "192.168.141.2",
        "192.168.157.205",
    ]
    assert [r.dst_network for r in routes[:2]] == ["0.0.0.0/0", "169.254.169.254/32"]
    assert (routes[0].via, routes[0].dev, routes[0].table, routes[0].type) == (
        "192.168.128.1",
        "eth0",
        "main",
        "unicast",
    )
    docker = routes[2]
    assert (docker.proto, docker.scope, docker.src, docker.flags) == ("kernel", "link", "172.17.0.1", ["linkdown"])
    pod = routes[4]
    assert (pod.dev, pod.scope, pod.line, pod.dst_network) == ("eni61b9c53e3d2", "link", 5, "192.168.130.206/32")
    assert pod.text == "192.168.130.206 dev eni61b9c53e3d2 scope link <------ Pod"
    assert [r.dev for r in result.value.table("main")][-3:] == ["eni61b9c53e3d2", "eni3fd21969a5d", "enid01321d94b0"]


def test_seed_pod_and_single_table_outputs():
    pod = parse(SEED_POD_ROUTES).value.routes
    assert [(r.dst, r.via, r.dev, r.scope) for r in pod] == [
        ("default", "169.254.1.1", "eth0", None),
        ("169.254.1.1", None, "eth0", "link"),
    ]
    # `ip route show table 3` prints no "table" token: the caller names the table.
    table3 = parse(SEED_TABLE_3, default_table="3").value
    assert table3.tables() == ["3"]
    assert [(r.dst, r.via, r.dev) for r in table3.table("3")] == [
        ("default", "192.168.128.1", "eth2"),
        ("192.168.128.1", None, "eth2"),
    ]


def test_table_all_eni_tables_and_types():
    routeset = parse(TABLE_ALL).value
    assert routeset.tables() == ["2", "main", "local"]
    eni = routeset.table("2")
    assert [(r.dst, r.via, r.dev, r.scope) for r in eni] == [
        ("default", "10.0.32.1", "eth1", None),
        ("10.0.32.1", None, "eth1", "link"),
    ]
    assert routeset.table("254") == routeset.table("main")
    local = routeset.table("255")
    assert [r.type for r in local] == ["broadcast", "local", "local", "local"]
    assert local[-1].dst_network == "127.0.0.0/8"
    assert [r.line for r in local] == [8, 9, 10, 11]


def test_legacy_route_out_keeps_the_last_dump():
    first = "default via 10.0.0.1 dev eth0 \n10.0.0.0/19 dev eth0 proto kernel scope link src 10.0.12.34 \n"
    second = first + "10.0.12.50 dev eni0a1b2c3d4e5 scope link \n"
    text = (
        "=============================================\nip route show table all\n"
        + first
        + "=============================================\nip route show table all\n"
        + second
    )
    result = parse(text, "var/log/aws-routed-eni/route.out")
    assert result.status is ArtifactStatus.damaged
    routeset = result.value
    assert routeset.dumps == 2
    assert [r.line for r in routeset.routes] == [7, 8, 9]
    assert routeset.routes[-1].dev == "eni0a1b2c3d4e5"
    assert result.problems[0].line == 5


def test_legacy_route_out_single_dump_is_clean():
    text = "=============================================\nip route show table all\n" + TABLE_ALL
    result = parse(text, "var/log/aws-routed-eni/route.output")
    assert result.status is ArtifactStatus.parsed
    assert result.value.dumps == 1 and len(result.value.routes) == 11


def test_headerless_appended_dump_detected_by_repeated_first_line():
    result = parse(TABLE_ALL + TABLE_ALL.replace("10.0.41.7 dev", "10.0.41.8 dev"))
    assert result.value.dumps == 2
    assert result.status is ArtifactStatus.damaged
    assert result.value.routes[0].line == 12
    assert "10.0.41.8" in [r.dst for r in result.value.routes]


def test_ipv6_routes():
    text = (
        "2600:1f13:abc:de01:c01a::3 dev enic0778f2fe26 metric 1024 pref medium\n"
        "fe80::/64 dev eni0a1b2c3d4e5 proto kernel metric 256 pref medium\n"
        "default via fe80::4a:1ff:fe2b:3c4d dev eth0 proto ra metric 1024 expires 1798sec hoplimit 255 pref medium\n"
        "local 2600:1f13:abc:de01::10 dev eth0 table local proto kernel metric 0 pref medium\n"
        "multicast ff00::/8 dev eth0 table local proto kernel metric 256 pref medium\n"
        "anycast fe80:: dev eth0 table local proto kernel metric 0 pref medium\n"
    )
    routeset = parse(text, "networking/ip6route.txt").value
    assert routeset.family == 6
    pod, link_local, default, local, multicast, anycast = routeset.routes
    assert (pod.metric, pod.flags, pod.dst_network) == (1024, ["pref medium"], "2600:1f13:abc:de01:c01a::3/128")
    assert (default.dst_network, default.via, default.proto) == ("::/0", "fe80::4a:1ff:fe2b:3c4d", "ra")
    assert default.flags == ["expires 1798sec", "hoplimit 255", "pref medium"]
    assert (local.type, local.table, multicast.type, anycast.type) == ("local", "local", "multicast", "anycast")
    assert parse(text, "x.txt").value.family == 6


def test_al2023_predictable_names_and_dhcp_metric():
    text = (
        "default via 10.0.0.1 dev ens5 proto dhcp src 10.0.12.34 metric 512 \n"
        "10.0.0.0/19 dev ens5 proto kernel scope link src 10.0.12.34 metric 512 \n"
        "10.0.0.2 dev ens5 proto dhcp scope link src 10.0.12.34 metric 512 \n"
        "default via 10.0.32.1 dev ens6 table 10001 proto dhcp src 10.0.40.10 metric 512 \n"
    )
    routes = parse(text).value.routes
    assert [(r.dev, r.metric, r.table) for r in routes] == [
        ("ens5", 512, "main"),
        ("ens5", 512, "main"),
        ("ens5", 512, "main"),
        ("ens6", 512, "10001"),
    ]


def test_multipath_nexthops_and_special_types():
    text = (
        "default proto static metric 100 \n"
        "\tnexthop via 10.0.0.1 dev eth0 weight 1 \n"
        "\tnexthop via 10.0.0.2 dev eth1 weight 1 \n"
        "10.9.0.0/16 nhid 5 nexthop via 10.0.0.1 dev eth0 weight 1 nexthop via 10.0.0.2 dev eth1 weight 2\n"
        "unreachable 10.8.0.0/16 \n"
        "blackhole 10.7.0.0/16 proto static \n"
        "throw 10.6.0.0/16 table 7 \n"
        "10.5.0.0/16 via 10.0.0.1 dev eth0 onlink \n"
    )
    result = parse(text)
    assert result.status is ArtifactStatus.parsed
    multipath, inline, unreachable, blackhole, throw, onlink = result.value.routes
    assert multipath.flags == ["nexthop via 10.0.0.1 dev eth0 weight 1", "nexthop via 10.0.0.2 dev eth1 weight 1"]
    assert inline.flags == [
        "nhid 5",
        "nexthop via 10.0.0.1 dev eth0 weight 1",
        "nexthop via 10.0.0.2 dev eth1 weight 2",
    ]
    assert (unreachable.type, unreachable.dev, blackhole.type, throw.type, throw.table) == (
        "unreachable",
        None,
        "blackhole",
        "throw",
        "7",
    )
    assert onlink.flags == ["onlink"]


def test_damaged_and_empty():
    assert parse("").status is ArtifactStatus.empty
    result = parse("default via 10.0.0.1 dev eth0\nError: ipv4: FIB table does not exist.\n\tnexthop via 1.2.3.4\n")
    assert result.status is ArtifactStatus.damaged
    assert [p.line for p in result.problems] == [2]
    lonely = parse("\tnexthop via 10.0.0.1 dev eth0\n")
    assert lonely.status is ArtifactStatus.damaged and lonely.value.routes == []
    assert parse("10.0.0.0/8 dev eth0 metric abc\n").problems[0].line == 1
    header_only = parse("=============================================\nip route show table all\n")
    assert header_only.value.routes == [] and header_only.value.dumps == 0


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes):
    assert isinstance(parse_ip_routes(data, PATH), Parsed)


_octet = st.integers(min_value=0, max_value=255)
_ipv4 = st.builds(lambda a, b, c, d: f"{a}.{b}.{c}.{d}", _octet, _octet, _octet, _octet)


@st.composite
def _route(draw) -> dict:
    dst = draw(st.one_of(st.just("default"), _ipv4, st.builds(lambda ip, n: f"{ip}/{n}", _ipv4, st.integers(0, 31))))
    return {
        "type": draw(st.sampled_from(["unicast", "local", "broadcast", "blackhole"])),
        "dst": dst,
        "via": draw(st.one_of(st.none(), _ipv4)),
        "dev": draw(st.one_of(st.none(), st.sampled_from(["eth0", "ens5", "eth1", "enic0778f2fe26", "vlan.eth.3"]))),
        "table": draw(st.sampled_from(["main", "local", "2", "10001"])),
        "proto": draw(st.sampled_from([None, "kernel", "dhcp", "static"])),
        "scope": draw(st.sampled_from([None, "link", "host"])),
        "src": draw(st.one_of(st.none(), _ipv4)),
        "metric": draw(st.one_of(st.none(), st.integers(0, 2**32 - 1))),
    }


def render(route: dict) -> str:
    parts = [] if route["type"] == "unicast" else [route["type"]]
    parts.append(route["dst"])
    for key in ("via", "dev", "table", "proto", "scope", "src", "metric"):
        if key == "table" and route["table"] == "main":
            continue
        if route[key] is not None:
            parts += [key, str(route[key])]
    return " ".join(parts) + " "


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(_route(), min_size=1, max_size=10, unique_by=lambda r: r["dst"]))
def test_rendered_routes_parse_back(routes: list[dict]):
    text = "\n".join(render(route) for route in routes) + "\n"
    result = parse(text)
    assert result.status is ArtifactStatus.parsed
    assert result.value.dumps == 1
    parsed = [r.model_dump(include=set(routes[0])) for r in result.value.routes]
    assert parsed == routes
