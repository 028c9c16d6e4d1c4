"""`iptables -n -v -L` listings (bundle-formats §6.4, pitfall 39)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.parsers.iptables_list import humanised_count, parse_iptables_listing

PATH = "networking/iptables-nat.txt"

NAT_WITH_TRAILER = """\
Chain PREROUTING (policy ACCEPT 12M packets, 3456M bytes)
 pkts bytes target     prot opt in     out     source               destination         
  97M 8120M KUBE-SERVICES  all  --  *      *       0.0.0.0/0            0.0.0.0/0            /* kubernetes service portals */
 481K   39M AWS-CONNMARK-CHAIN-0  all  --  eni+   *       0.0.0.0/0            0.0.0.0/0            /* AWS, outbound connections */
 973K   81M CONNMARK   all  --  *      *       0.0.0.0/0            0.0.0.0/0            /* AWS, CONNMARK */ CONNMARK restore mask 0x80

Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
 pkts bytes target     prot opt in     out     source               destination         

Chain AWS-SNAT-CHAIN-0 (1 references)
 pkts bytes target     prot opt in     out     source               destination         
 120K 9876K RETURN     all  --  *      *       0.0.0.0/0            10.0.0.0/16          /* AWS SNAT CHAIN */
 3456  210K SNAT       all  --  *      !vlan+  0.0.0.0/0            0.0.0.0/0            /* AWS, SNAT */ ADDRTYPE match dst-type !LOCAL to:10.0.12.34 random-fully

Chain KUBE-SEP-ABCDEFGHIJKLMNOP (1 references)
 pkts bytes target     prot opt in     out     source               destination         
    0     0 KUBE-MARK-MASQ  all  --  *      *       10.0.1.10            0.0.0.0/0            /* default/kubernetes:https */
   12   720 DNAT       tcp  --  *      *       0.0.0.0/0            0.0.0.0/0            /* default/kubernetes:https */ tcp to:10.0.1.10:443
=======
Total Number of Rules: 7
"""


def parse(text: str, path: str = PATH) -> Parsed:
    return parse_iptables_listing(text.encode(), path)


def test_nat_listing_with_collector_trailer():
    result = parse(NAT_WITH_TRAILER)
    assert result.status is ArtifactStatus.parsed
    listing = result.value
    assert listing.total_rules_trailer == 7 == listing.rule_count
    assert list(listing.chains) == ["PREROUTING", "INPUT", "AWS-SNAT-CHAIN-0", "KUBE-SEP-ABCDEFGHIJKLMNOP"]
    pre = listing.chain("PREROUTING")
    assert (pre.policy, pre.packets, pre.bytes, pre.references, pre.line) == (
        "ACCEPT",
        12_000_000,
        3_456_000_000,
        None,
        1,
    )
    assert listing.chain("INPUT").rules == [] and listing.chain("INPUT").packets == 0
    services, connmark_jump, restore = pre.rules
    assert (services.pkts, services.bytes, services.target) == (97_000_000, 8_120_000_000, "KUBE-SERVICES")
    assert (connmark_jump.target, connmark_jump.in_iface, connmark_jump.comment) == (
        "AWS-CONNMARK-CHAIN-0",
        "eni+",
        "AWS, outbound connections",
    )
    assert restore.extra == "CONNMARK restore mask 0x80"
    snat_chain = listing.chain("AWS-SNAT-CHAIN-0")
    assert (snat_chain.references, snat_chain.policy) == (1, None)
    ret, snat = snat_chain.rules
    assert (ret.pkts, ret.bytes, ret.destination, ret.comment, ret.opt) == (
        120_000,
        9_876_000,
        "10.0.0.0/16",
        "AWS SNAT CHAIN",
        "--",
    )
    assert (snat.out_iface, snat.comment, snat.line) == ("!vlan+", "AWS, SNAT", 13)
    assert snat.extra == "ADDRTYPE match dst-type !LOCAL to:10.0.12.34 random-fully"
    sep = listing.chain("KUBE-SEP-ABCDEFGHIJKLMNOP").rules
    assert [(r.target, r.prot, r.source) for r in sep] == [
        ("KUBE-MARK-MASQ", "all", "10.0.1.10"),
        ("DNAT", "tcp", "0.0.0.0/0"),
    ]


def test_legacy_listing_without_trailer_and_policy_without_counters():
    text = (
        "Chain INPUT (policy ACCEPT)\n"
        "target     prot opt source               destination\n"
        "Chain POSTROUTING (policy ACCEPT 20 packets, 1200 bytes)\n"
        " pkts bytes target     prot opt in     out     source               destination\n"
        "   20  1200 SNAT       all  --  *      *       0.0.0.0/0           !192.168.0.0/16      "
        "/* AWS, SNAT */ ADDRTYPE match dst-type !LOCAL to:192.168.167.201\n"
    )
    result = parse(text, "var/log/aws-routed-eni/iptables-nat.out")
    assert result.status is ArtifactStatus.parsed
    assert result.value.total_rules_trailer is None
    assert result.value.chain("INPUT").policy == "ACCEPT"
    [snat] = result.value.chain("POSTROUTING").rules
    assert (snat.destination, snat.comment) == ("!192.168.0.0/16", "AWS, SNAT")
    assert result.value.chain("POSTROUTING").packets == 20


def test_ip6tables_blank_and_missing_opt_column_and_blank_target():
    text = (
        "Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)\n"
        " pkts bytes target     prot opt in     out     source               destination\n"
        "    5   300 REJECT     all      *      *       ::/0                 fd00::ac:0/118       "
        "ctstate NEW /* Block Node Local Pod access via IPv6 */ reject-with icmp6-port-unreachable\n"
        "    1    80 ACCEPT     tcp  eth0   *   2600:1f13::/56   ::/0\n"
        "    0     0            all      *      *       ::/0                 ::/0\n"
        "    0     0            all  --  eth0   *       10.0.0.0/8           0.0.0.0/0\n"
        "    7   420 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:22\n"
    )
    result = parse(text, "networking/ip6tables-filter.txt")
    assert result.status is ArtifactStatus.parsed
    reject, accept, blank6, blank4, numeric = result.value.chain("FORWARD").rules
    assert (reject.target, reject.prot, reject.opt, reject.destination) == ("REJECT", "all", None, "fd00::ac:0/118")
    assert reject.comment == "Block Node Local Pod access via IPv6"
    assert reject.extra == "ctstate NEW reject-with icmp6-port-unreachable"
    assert (accept.target, accept.prot, accept.in_iface, accept.source) == ("ACCEPT", "tcp", "eth0", "2600:1f13::/56")
    assert (blank6.target, blank6.prot, blank6.opt) == (None, "all", None)
    assert (blank4.target, blank4.prot, blank4.opt, blank4.in_iface) == (None, "all", "--", "eth0")
    assert (numeric.prot, numeric.extra) == ("6", "tcp dpt:22")


def test_humanised_counters():
    assert [humanised_count(t) for t in ("0", "999", "1K", "12M", "3G", "2T", "x", "1.5K")] == [
        0,
        999,
        1000,
        12_000_000,
        3_000_000_000,
        2_000_000_000_000,
        None,
        None,
    ]


def test_damage_and_empty():
    assert parse("").status is ArtifactStatus.empty
    result = parse(
        "   1   2 ACCEPT all -- * * 0.0.0.0/0 0.0.0.0/0\n"
        "Chain X (2 references)\n"
        "  1x  2 ACCEPT all -- * * 0.0.0.0/0 0.0.0.0/0\n"
        "   1   2 ACCEPT all -- * * eth0 lo\n"
        "Chain Y (garbage\n"
        "IPtables not installed\n"
    )
    assert result.status is ArtifactStatus.damaged
    assert [p.line for p in result.problems] == [1, 3, 4, 5, 6]
    assert result.value.chain("X").references == 2 and result.value.chain("X").rules == []


def test_repeated_chain_keeps_later():
    text = "Chain A (1 references)\n    1 2 RETURN all -- * * 0.0.0.0/0 0.0.0.0/0\nChain A (1 references)\n"
    result = parse(text)
    assert result.status is ArtifactStatus.damaged
    assert result.value.chain("A").rules == [] and result.value.chain("A").line == 3


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes):
    assert isinstance(parse_iptables_listing(data, PATH), Parsed)


_VOCAB = [
    "Chain",
    "X",
    "(1",
    "references)",
    "(policy",
    "ACCEPT",
    "1K",
    "0",
    "--",
    "*",
    "all",
    "0.0.0.0/0",
    "::/0",
    "/*",
    "*/",
    "!eth0",
    "=======",
    "Total",
    "Number",
    "of",
    "Rules:",
    "7",
    "pkts",
]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.sampled_from(_VOCAB), max_size=14).map(" ".join), max_size=20))
def test_token_soup_never_raises(lines: list[str]):
    assert isinstance(parse("\n".join(lines)), Parsed)


def _unit(value: int) -> str:
    for suffix, size in (("T", 1000**4), ("G", 1000**3), ("M", 1000**2), ("K", 1000)):
        if value >= 100 * size and value % size == 0:
            return f"{value // size}{suffix}"
    return str(value)


@st.composite
def _row(draw) -> dict:
    return {
        "pkts": draw(st.sampled_from([0, 7, 99999, 120_000, 12_000_000, 5_000_000_000])),
        "bytes": draw(st.sampled_from([0, 300, 210_000, 9_876_000, 3_456_000_000])),
        "target": draw(st.sampled_from([None, "RETURN", "SNAT", "KUBE-SEP-ABCDEFGHIJKLMNOP", "AWS-SNAT-CHAIN-0"])),
        "prot": draw(st.sampled_from(["all", "tcp", "udp", "6"])),
        "opt": draw(st.sampled_from(["--", None])),
        "in_iface": draw(st.sampled_from(["*", "eni+", "!vlan+"])),
        "out_iface": draw(st.sampled_from(["*", "eth0"])),
        "source": draw(st.sampled_from(["0.0.0.0/0", "10.0.1.10", "::/0", "2600:1f13::/56"])),
        "destination": draw(st.sampled_from(["0.0.0.0/0", "!10.0.0.0/16", "fd00::ac:0/118"])),
        "comment": draw(st.one_of(st.none(), st.sampled_from(["AWS, SNAT", "default/kubernetes:https"]))),
        "extra": draw(st.sampled_from(["", "ctstate NEW", "to:10.0.12.34 random-fully"])),
    }


def render(row: dict) -> str:
    # Mimic iptables' fixed-width columns: overflowing names push the rest to the right.
    parts = [f"{_unit(row['pkts']):>5} {_unit(row['bytes']):>5} {row['target'] or '':<10} {row['prot']:<4} "]
    parts.append(f"{row['opt'] or '  '} {row['in_iface']:<6} {row['out_iface']:<6} ")
    parts.append(f"{row['source']:<20} {row['destination']:<20} ")
    if row["comment"] is not None:
        parts.append(f"/* {row['comment']} */ ")
    parts.append(row["extra"])
    return "".join(parts)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(_row(), min_size=1, max_size=10))
def test_rendered_rows_parse_back(rows: list[dict]):
    header = " pkts bytes target     prot opt in     out     source               destination\n"
    text = "Chain X (1 references)\n" + header + "\n".join(render(row) for row in rows)
    text += f"\n\n=======\nTotal Number of Rules: {len(rows)}\n"
    result = parse(text)
    assert result.status is ArtifactStatus.parsed
    assert result.value.total_rules_trailer == len(rows)
    parsed = [rule.model_dump(include=set(rows[0])) for rule in result.value.chain("X").rules]
    assert parsed == rows
