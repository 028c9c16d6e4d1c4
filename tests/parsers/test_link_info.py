"""ifconfig (both net-tools styles), ip addr and ethtool -S (bundle-formats §1.2, §12.3)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.parsers.link_info import parse_ethtool_stats, parse_ifconfig, parse_ip_addr

# NET410 workshop: `ifconfig` inside the pod (old net-tools), byte for byte.
SEED_POD_IFCONFIG = (
    "eth0      Link encap:Ethernet  HWaddr 2E:9F:31:AB:BB:33  \n"
    "          inet addr:192.168.130.206  Bcast:192.168.130.206  Mask:255.255.255.255\n"
    "          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1\n"
    "          RX packets:12 errors:0 dropped:0 overruns:0 frame:0\n"
    "          TX packets:0 errors:0 dropped:0 overruns:0 carrier:0\n"
    "          collisions:0 txqueuelen:0 \n"
    "          RX bytes:936 (936.0 B)  TX bytes:0 (0.0 B)\n"
    "\n"
    "lo        Link encap:Local Loopback  \n"
    "          inet addr:127.0.0.1  Mask:255.0.0.0\n"
    "          UP LOOPBACK RUNNING  MTU:65536  Metric:1\n"
    "          RX packets:0 errors:0 dropped:0 overruns:0 frame:0\n"
    "          TX packets:0 errors:0 dropped:0 overruns:0 carrier:0\n"
    "          collisions:0 txqueuelen:1000 \n"
    "          RX bytes:0 (0.0 B)  TX bytes:0 (0.0 B)\n"
)
# NET410 workshop: `ifconfig eni61b9c53e3d2` on the worker (new net-tools), with its "<--" note.
SEED_HOST_VETH = (
    "eni61b9c53e3d2: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n"
    "        inet6 fe80::2450:8ff:fe03:3ea6  prefixlen 64  scopeid 0x20<link>\n"
    "        ether 26:50:08:03:3e:a6  txqueuelen 0  (Ethernet) <-- match Pod's ARP\n"
    "        RX packets 2  bytes 126 (126.0 B)\n"
    "        RX errors 0  dropped 0  overruns 0  frame 0\n"
    "        TX packets 15  bytes 1191 (1.1 KiB)\n"
    "        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n"
)


def test_seed_old_style_ifconfig():
    result = parse_ifconfig(SEED_POD_IFCONFIG.encode(), "ifconfig.out")
    assert result.status is ArtifactStatus.parsed
    links = result.value.links
    assert list(links) == ["eth0", "lo"]
    eth0 = links["eth0"]
    assert (eth0.mac, eth0.mtu, eth0.up, eth0.ipv4, eth0.ipv6, eth0.line, eth0.index) == (
        "2e:9f:31:ab:bb:33",
        1500,
        True,
        ["192.168.130.206/32"],
        [],
        1,
        None,
    )
    lo = links["lo"]
    assert (lo.mac, lo.mtu, lo.up, lo.ipv4, lo.line) == (None, 65536, True, ["127.0.0.1/8"], 9)
    assert [link.name for link in result.value.by_mac("2E:9F:31:AB:BB:33")] == ["eth0"]


def test_seed_new_style_ifconfig():
    result = parse_ifconfig(SEED_HOST_VETH.encode(), "networking/ifconfig.txt")
    assert result.status is ArtifactStatus.parsed
    [veth] = result.value.links.values()
    assert (veth.name, veth.mac, veth.mtu, veth.up) == ("eni61b9c53e3d2", "26:50:08:03:3e:a6", 1500, True)
    assert veth.ipv6 == ["fe80::2450:8ff:fe03:3ea6/64"] and veth.ipv4 == []


def test_new_style_host_interfaces():
    text = (
        "eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 9001\n"
        "        inet 10.0.12.34  netmask 255.255.224.0  broadcast 10.0.31.255\n"
        "        inet6 fe80::8ff:feed:1  prefixlen 64  scopeid 0x20<link>\n"
        "        ether 0A:1B:2C:3D:4E:5F  txqueuelen 1000  (Ethernet)\n"
        "\n"
        "eth1: flags=4098<BROADCAST,MULTICAST>  mtu 9001\n"
        "        ether 0a:1b:2c:3d:4e:60  txqueuelen 1000  (Ethernet)\n"
        "\n"
        "eth0:1: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 9001\n"
        "        inet 10.0.12.99  netmask 255.255.224.0  broadcast 10.0.31.255\n"
        "\n"
        "lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536\n"
        "        inet 127.0.0.1  netmask 255.0.0.0\n"
        "        loop  txqueuelen 1000  (Local Loopback)\n"
    )
    links = parse_ifconfig(text.encode(), "networking/ifconfig.txt").value
    assert list(links.links) == ["eth0", "eth1", "eth0:1", "lo"]
    eth0 = links.get("eth0")
    assert (eth0.ipv4, eth0.mac, eth0.mtu) == (["10.0.12.34/19"], "0a:1b:2c:3d:4e:5f", 9001)
    assert (links.get("eth1").up, links.get("eth1").ipv4) == (False, [])
    assert [link.name for link in links.holding("10.0.12.34")] == ["eth0"]
    assert links.get("lo").ipv4 == ["127.0.0.1/8"]


def test_ifconfig_damage_and_empty():
    assert parse_ifconfig(b"", "ifconfig.txt").status is ArtifactStatus.empty
    text = "        inet 1.2.3.4  netmask 255.0.0.0\nbash: ifconfig: command not found\n" + SEED_HOST_VETH
    result = parse_ifconfig(text.encode(), "ifconfig.txt")
    assert result.status is ArtifactStatus.damaged
    assert [p.line for p in result.problems] == [1, 2]
    assert list(result.value.links) == ["eni61b9c53e3d2"]
    bad_address = parse_ifconfig(b"x: flags=1<UP>  mtu 1\n        inet 999.1.1.1  netmask 255.0.0.0\n", "i")
    assert bad_address.status is ArtifactStatus.damaged and bad_address.value.get("x").ipv4 == []


IP_ADDR = """\
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host 
       valid_lft forever preferred_lft forever
2: ens5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP group default qlen 1000
    link/ether 0a:1b:2c:3d:4e:5f brd ff:ff:ff:ff:ff:ff
    altname enp0s5
    inet 10.0.12.34/19 metric 512 brd 10.0.31.255 scope global dynamic ens5
       valid_lft 3000sec preferred_lft 3000sec
    inet6 fe80::81b:2cff:fe3d:4e5f/64 scope link 
       valid_lft forever preferred_lft forever
5: enic0778f2fe26@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc noqueue state UP group default
    link/ether 7e:0c:55:a1:b2:c3 brd ff:ff:ff:ff:ff:ff link-netns cni-1a2b3c4d-0000-1111-2222-333344445555
6: ens6: <BROADCAST,MULTICAST> mtu 9001 qdisc mq state DOWN group default qlen 1000
    link/ether 0a:1b:2c:3d:4e:60 brd ff:ff:ff:ff:ff:ff
"""


def test_ip_addr_full_form():
    result = parse_ip_addr(IP_ADDR.encode(), "ip-addr.txt")
    assert result.status is ArtifactStatus.parsed
    links = result.value
    assert list(links.links) == ["lo", "ens5", "enic0778f2fe26", "ens6"]
    ens5 = links.get("ens5")
    assert (ens5.index, ens5.mac, ens5.mtu, ens5.up, ens5.line) == (2, "0a:1b:2c:3d:4e:5f", 9001, True, 7)
    assert (ens5.ipv4, ens5.ipv6) == (["10.0.12.34/19"], ["fe80::81b:2cff:fe3d:4e5f/64"])
    veth = links.get("enic0778f2fe26")
    assert (veth.index, veth.mac, veth.up) == (5, "7e:0c:55:a1:b2:c3", True)
    assert (links.get("ens6").up, links.get("lo").ipv6) == (False, ["::1/128"])


def test_ip_oneline_addr_and_link_merge():
    text = (
        "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n"
        "1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever\n"
        "2: eth0    inet 10.0.12.34/19 brd 10.0.31.255 scope global dynamic eth0\\       valid_lft 3000sec\n"
        "2: eth0    inet 10.0.12.40/19 brd 10.0.31.255 scope global secondary eth0\\       valid_lft forever\n"
        "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP mode DEFAULT group default "
        "qlen 1000\\    link/ether 0a:1b:2c:3d:4e:5f brd ff:ff:ff:ff:ff:ff\n"
    )
    links = parse_ip_addr(text.encode(), "ip-o-a.txt").value
    eth0 = links.get("eth0")
    assert eth0.ipv4 == ["10.0.12.34/19", "10.0.12.40/19"]
    assert (eth0.mac, eth0.mtu, eth0.up, eth0.index, eth0.line) == ("0a:1b:2c:3d:4e:5f", 9001, True, 2, 3)
    assert links.get("lo").ipv6 == ["::1/128"] and links.get("lo").up is None


def test_ip_addr_damage_and_empty():
    assert parse_ip_addr(b"\n", "ip.txt").status is ArtifactStatus.empty
    result = parse_ip_addr(b"    inet 10.0.0.1/8\nhello\n2: eth0: <UP> mtu 1\n    inet 10.0.0.300/8\n", "ip.txt")
    assert result.status is ArtifactStatus.damaged
    assert [p.line for p in result.problems] == [1, 2, 4]
    assert result.value.get("eth0").ipv4 == []


ETHTOOL = """\
Interface eth0
NIC statistics:
     tx_timeout: 0
     suspend: 0
     bw_in_allowance_exceeded: 1523
     bw_out_allowance_exceeded: 0
     pps_allowance_exceeded: 77
     conntrack_allowance_exceeded: 0
     linklocal_allowance_exceeded: 4
     queue_0_tx_cnt: 123456789


Interface enic0778f2fe26
NIC statistics:
     peer_ifindex: 3
     rx_queue_0_xdp_packets: 0


Interface lo
no stats available


"""


def test_ethtool_blocks():
    result = parse_ethtool_stats(ETHTOOL.encode(), "networking/ethtool.txt")
    assert result.status is ArtifactStatus.parsed
    stats = result.value
    assert list(stats.interfaces) == ["eth0", "enic0778f2fe26"]
    assert stats.counter("eth0", "bw_in_allowance_exceeded") == 1523
    assert stats.counter("eth0", "pps_allowance_exceeded") == 77
    assert stats.counter("eth0", "linklocal_allowance_exceeded") == 4
    assert stats.counter("eth0", "queue_0_tx_cnt") == 123456789
    assert stats.interfaces["enic0778f2fe26"] == {"peer_ifindex": 3, "rx_queue_0_xdp_packets": 0}
    assert stats.no_stats == ["lo"] and stats.counter("lo", "x") is None
    assert stats.lines == {"eth0": 1, "enic0778f2fe26": 13, "lo": 19}


def test_ethtool_appended_runs_and_errors():
    text = (
        "Interface eth0\nNIC statistics:\n     pps_allowance_exceeded: 1\n\n"
        "Interface docker0\nCannot get stats strings information: Operation not supported\n\n"
        "Interface eth0\nNIC statistics:\n     pps_allowance_exceeded: 9\n     weird line without number\n"
    )
    result = parse_ethtool_stats(text.encode(), "networking/ethtool.txt")
    assert result.status is ArtifactStatus.damaged
    assert result.value.counter("eth0", "pps_allowance_exceeded") == 9
    assert result.value.no_stats == ["docker0"]
    assert sorted(p.line for p in result.problems) == [8, 11]
    assert parse_ethtool_stats(b"", "e").status is ArtifactStatus.empty
    orphan = parse_ethtool_stats(b"NIC statistics:\n", "e")
    assert orphan.status is ArtifactStatus.damaged and orphan.value.interfaces == {}


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes):
    for parser in (parse_ifconfig, parse_ip_addr, parse_ethtool_stats):
        assert isinstance(parser(data, "x"), Parsed)


_VOCAB = [
    "eth0:",
    "flags=4163<UP>",
    "mtu",
    "9001",
    "inet",
    "inet6",
    "addr:1.2.3.4",
    "Mask:255.0.0.0",
    "netmask",
    "255.255.0.0",
    "ether",
    "0a:1b:2c:3d:4e:5f",
    "1:",
    "lo:",
    "<UP,LOWER_UP>",
    "link/ether",
    "10.0.0.1/8",
    "fe80::1/64",
    "Interface",
    "NIC",
    "statistics:",
    "key:",
    "12",
    "prefixlen",
    "64",
    "MTU:1500",
    "UP",
    "\\",
]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.booleans(), st.lists(st.sampled_from(_VOCAB), max_size=10)), max_size=20))
def test_token_soup_never_raises(lines: list[tuple[bool, list[str]]]):
    text = "\n".join(("    " if indent else "") + " ".join(words) for indent, words in lines).encode()
    for parser in (parse_ifconfig, parse_ip_addr, parse_ethtool_stats):
        assert isinstance(parser(text, "x"), Parsed)


_octet = st.integers(0, 255)
_mac = st.lists(st.integers(0, 255), min_size=6, max_size=6).map(lambda b: ":".join(f"{x:02x}" for x in b))


@st.composite
def _link(draw) -> dict:
    prefix = draw(st.integers(8, 32))
    address = ".".join(str(draw(_octet)) for _ in range(4))
    return {
        "name": draw(st.sampled_from(["eth", "ens", "eni"]))
        + draw(st.text(alphabet="0123456789abcdef", min_size=1, max_size=11)),
        "mac": draw(_mac),
        "mtu": draw(st.sampled_from([1500, 9001, 65536])),
        "up": draw(st.booleans()),
        "ipv4": [f"{address}/{prefix}"],
    }


def _mask(prefix: int) -> str:
    value = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(_link(), min_size=1, max_size=6, unique_by=lambda link: link["name"][:9]))
def test_generated_links_parse_back_in_all_three_formats(links: list[dict]):
    old, new, ip = [], [], []
    for index, link in enumerate(links, start=1):
        address, prefix = link["ipv4"][0].split("/")
        flags = "UP BROADCAST RUNNING MULTICAST" if link["up"] else "BROADCAST MULTICAST"
        old += [
            # old net-tools prints "%-9.9s Link encap:…": long names are cut to 9 characters
            f"{link['name'][:9]:<9} Link encap:Ethernet  HWaddr {link['mac'].upper()}  ",
            f"          inet addr:{address}  Bcast:0.0.0.0  Mask:{_mask(int(prefix))}",
            f"          {flags}  MTU:{link['mtu']}  Metric:1",
            "",
        ]
        new_flags = "UP,BROADCAST,RUNNING,MULTICAST" if link["up"] else "BROADCAST,MULTICAST"
        new += [
            f"{link['name']}: flags=4163<{new_flags}>  mtu {link['mtu']}",
            f"        inet {address}  netmask {_mask(int(prefix))}  broadcast 0.0.0.0",
            f"        ether {link['mac']}  txqueuelen 1000  (Ethernet)",
            "",
        ]
        ip_flags = "BROADCAST,MULTICAST,UP,LOWER_UP" if link["up"] else "BROADCAST,MULTICAST"
        ip += [
            f"{index}: {link['name']}: <{ip_flags}> mtu {link['mtu']} qdisc mq state UP group default",
            f"    link/ether {link['mac']} brd ff:ff:ff:ff:ff:ff",
            f"    inet {link['ipv4'][0]} brd 0.0.0.0 scope global {link['name']}",
        ]
    keys = set(links[0])
    truncated = [{**link, "name": link["name"][:9]} for link in links]
    for parser, lines, expected in (
        (parse_ifconfig, old, truncated),
        (parse_ifconfig, new, links),
        (parse_ip_addr, ip, links),
    ):
        result = parser("\n".join(lines).encode(), "x")
        assert result.status is ArtifactStatus.parsed
        assert [link.model_dump(include=keys) for link in result.value.links.values()] == expected


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.dictionaries(
        st.text(alphabet="0123456789abcdef", min_size=1, max_size=8).map(lambda suffix: f"eni{suffix}"),
        st.dictionaries(
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=30),
            st.integers(0, 2**63),
            max_size=10,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_generated_ethtool_parses_back(stats: dict[str, dict[str, int]]):
    blocks = []
    for name, counters in stats.items():
        body = "".join(f"     {key}: {value}\n" for key, value in counters.items())
        blocks.append(
            f"Interface {name}\nNIC statistics:\n{body}\n\n"
            if counters
            else f"Interface {name}\nno stats available\n\n"
        )
    result = parse_ethtool_stats("".join(blocks).encode(), "networking/ethtool.txt")
    assert result.status is ArtifactStatus.parsed
    assert result.value.interfaces == {name: counters for name, counters in stats.items() if counters}
    assert result.value.no_stats == [name for name, counters in stats.items() if not counters]
