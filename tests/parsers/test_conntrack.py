"""networking/conntrack.txt: conntrack -S and conntrack -L (bundle-formats §12.1, pitfalls 10-11)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.models.common import ArtifactStatus, Parsed
from bundle_analyzer.parsers.conntrack import parse_conntrack

PATH = "networking/conntrack.txt"

SAMPLE = (
    "*** Output of conntrack -S *** \n"
    "cpu=0   \tfound=12 invalid=3456 ignore=0 insert=0 insert_failed=0 drop=0 early_drop=0 error=7 search_restart=21\n"
    "cpu=1   \tfound=3 invalid=10 ignore=0 insert=0 insert_failed=2 drop=2 early_drop=0 error=0 search_restart=4\n"
    "*** Output of conntrack -L ***\n"
    "tcp      6 86396 ESTABLISHED src=10.0.41.7 dst=52.94.1.10 sport=41512 dport=443 src=52.94.1.10 "
    "dst=10.0.12.34 sport=443 dport=41512 [ASSURED] mark=128 use=1\n"
    "udp      17 25 src=10.0.12.50 dst=172.20.0.10 sport=53411 dport=53 src=10.0.12.65 dst=10.0.12.50 "
    "sport=53 dport=53411 mark=0 use=1\n"
    "tcp      6 118 SYN_SENT src=10.0.12.50 dst=10.0.99.1 sport=40000 dport=80 [UNREPLIED] src=10.0.99.1 "
    "dst=10.0.12.50 sport=80 dport=40000 mark=0 zone=2 use=1\n"
    "icmp     1 29 src=10.0.41.7 dst=8.8.8.8 type=8 code=0 id=7 src=8.8.8.8 dst=10.0.12.34 type=0 code=0 id=7 "
    "mark=128 use=1\n"
)


def parse(text: str, path: str = PATH, **kwargs) -> Parsed:
    return parse_conntrack(text.encode(), path, **kwargs)


def test_collector_file_stats_and_entries():
    result = parse(SAMPLE)
    assert result.status is ArtifactStatus.parsed
    dump = result.value
    assert len(dump.per_cpu) == 2
    assert dump.totals["insert_failed"] == 2
    assert dump.totals["drop"] == 2
    assert dump.totals["invalid"] == 3466
    assert dump.totals["search_restart"] == 25
    assert "cpu" not in dump.totals
    assert dump.entry_count == 4 and not dump.entries_truncated
    assert dump.count_mark(128) == 2 and dump.count_mark(0) == 2 and dump.count_mark(7) == 0
    assert dump.protocol_counts == {"tcp": 2, "udp": 1, "icmp": 1}

    tcp, udp, syn, icmp = dump.entries
    assert (tcp.protocol, tcp.protocol_number, tcp.ttl, tcp.state, tcp.line) == ("tcp", 6, 86396, "ESTABLISHED", 5)
    assert (tcp.src, tcp.dst, tcp.sport, tcp.dport) == ("10.0.41.7", "52.94.1.10", 41512, 443)
    assert (tcp.reply_src, tcp.reply_dst, tcp.reply_sport, tcp.reply_dport) == ("52.94.1.10", "10.0.12.34", 443, 41512)
    assert (tcp.flags, tcp.mark, tcp.use) == (["ASSURED"], 128, 1)
    assert (udp.state, udp.ttl, udp.reply_src) == (None, 25, "10.0.12.65")
    assert (syn.flags, syn.zone, syn.reply_dst) == (["UNREPLIED"], 2, "10.0.12.50")
    assert (icmp.sport, icmp.reply_src, icmp.mark) == (None, "8.8.8.8", 128)


def test_header_without_trailing_space_and_ipv6_file():
    text = (
        "*** Output of conntrack -L ***\n"
        "tcp      6 431999 ESTABLISHED src=2600:1f13:abc:de01:c01a::3 dst=2600:1f18::10 sport=50000 dport=443 "
        "src=2600:1f18::10 dst=2600:1f13:abc:de01:c01a::3 sport=443 dport=50000 [ASSURED] mark=0 use=1\n"
        "conntrack v1.4.6 (conntrack-tools): 1 flow entries have been shown.\n"
    )
    result = parse(text, "networking/conntrack6.txt")
    assert result.status is ArtifactStatus.parsed
    [entry] = result.value.entries
    assert entry.src == "2600:1f13:abc:de01:c01a::3" and entry.reply_src == "2600:1f18::10"
    assert result.value.per_cpu == [] and result.value.totals == {}


def test_cap_keeps_counting():
    line = (
        "tcp      6 100 ESTABLISHED src=10.0.0.{i} dst=1.1.1.1 sport=1 dport=443 src=1.1.1.1 dst=10.0.0.{i} "
        "sport=443 dport=1 [ASSURED] mark={mark} use=1\n"
    )
    text = "*** Output of conntrack -L ***\n" + "".join(
        line.format(i=i % 250, mark=128 if i % 3 == 0 else 0) for i in range(30)
    )
    dump = parse(text, entries_cap=10).value
    assert dump.entry_count == 30 and len(dump.entries) == 10 and dump.entries_truncated
    assert dump.count_mark(128) == 10 and dump.count_mark(0) == 20
    assert dump.entries_cap == 10


def test_appended_run_starts_over():
    result = parse(SAMPLE + SAMPLE.replace("insert_failed=2", "insert_failed=5"))
    assert result.status is ArtifactStatus.damaged
    assert result.value.entry_count == 4
    assert result.value.totals["insert_failed"] == 5
    assert result.problems[0].line == 9
    assert result.value.entries[0].line == 13


def test_truncated_and_garbage_lines():
    text = SAMPLE + "tcp      6 431999 ESTABLISHED src=10.0.41.\nhello world\ncpu=2 found=x\n"
    result = parse(text)
    assert result.status is ArtifactStatus.damaged
    assert [p.line for p in result.problems] == [9, 10, 11]
    assert result.value.entry_count == 5  # the cut flow is still a flow
    assert len(result.value.per_cpu) == 2
    assert parse("").status is ArtifactStatus.empty
    assert parse("*** Output of conntrack -S *** \n*** Output of conntrack -L ***\n").value.entry_count == 0


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes):
    assert isinstance(parse_conntrack(data, PATH), Parsed)


_VOCAB = [
    "tcp",
    "6",
    "udp",
    "17",
    "100",
    "ESTABLISHED",
    "src=1.2.3.4",
    "dst=5.6.7.8",
    "sport=1",
    "dport=2",
    "[ASSURED]",
    "mark=128",
    "use=1",
    "cpu=0",
    "found=3",
    "***",
    "Output",
    "of",
    "conntrack",
    "-S",
    "-L",
    "ipv4",
    "2",
    "mark=x",
    "zone=",
    "=",
]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.sampled_from(_VOCAB), max_size=16).map(" ".join), max_size=20))
def test_token_soup_never_raises(lines: list[str]):
    assert isinstance(parse("\n".join(lines)), Parsed)


_octet = st.integers(0, 255)
_ip = st.builds(lambda a, b, c, d: f"{a}.{b}.{c}.{d}", _octet, _octet, _octet, _octet)
_port = st.integers(1, 65535)


@st.composite
def _flow(draw) -> dict:
    return {
        "protocol": draw(st.sampled_from(["tcp", "udp"])),
        "ttl": draw(st.integers(0, 432000)),
        "state": draw(st.sampled_from([None, "ESTABLISHED", "TIME_WAIT", "SYN_SENT"])),
        "src": draw(_ip),
        "dst": draw(_ip),
        "sport": draw(_port),
        "dport": draw(_port),
        "reply_src": draw(_ip),
        "reply_dst": draw(_ip),
        "reply_sport": draw(_port),
        "reply_dport": draw(_port),
        "flags": draw(st.sampled_from([[], ["ASSURED"]])),
        "mark": draw(st.sampled_from([0, 128, 0x4000])),
        "use": 1,
    }


def render(flow: dict) -> str:
    number = 6 if flow["protocol"] == "tcp" else 17
    parts = [f"{flow['protocol']:<8} {number} {flow['ttl']}"]
    if flow["state"]:
        parts.append(flow["state"])
    parts.append(f"src={flow['src']} dst={flow['dst']} sport={flow['sport']} dport={flow['dport']}")
    parts.append(
        f"src={flow['reply_src']} dst={flow['reply_dst']} sport={flow['reply_sport']} dport={flow['reply_dport']}"
    )
    parts += [f"[{flag}]" for flag in flow["flags"]]
    parts.append(f"mark={flow['mark']} use={flow['use']}")
    return " ".join(parts)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(_flow(), max_size=12),
    st.lists(
        st.dictionaries(st.sampled_from(["found", "invalid", "insert_failed", "drop"]), st.integers(0, 10**9)),
        min_size=1,
        max_size=4,
    ),
)
def test_generated_output_parses_back(flows: list[dict], cpus: list[dict[str, int]]):
    stats = "".join(
        f"cpu={index}   \t" + " ".join(f"{k}={v}" for k, v in counters.items()) + "\n"
        for index, counters in enumerate(cpus)
    )
    text = "*** Output of conntrack -S *** \n" + stats + "*** Output of conntrack -L ***\n"
    text += "".join(render(flow) + "\n" for flow in flows)
    result = parse(text)
    assert result.status is ArtifactStatus.parsed
    dump = result.value
    assert dump.entry_count == len(flows)
    assert [entry.model_dump(include=set(_flow_keys())) for entry in dump.entries] == flows
    for key in ("found", "invalid", "insert_failed", "drop"):
        expected = sum(counters.get(key, 0) for counters in cpus)
        assert dump.totals.get(key, 0) == expected
    assert sum(dump.mark_counts.values()) == len(flows)


def _flow_keys() -> list[str]:
    return [
        "protocol",
        "ttl",
        "state",
        "src",
        "dst",
        "sport",
        "dport",
        "reply_src",
        "reply_dst",
        "reply_sport",
        "reply_dport",
        "flags",
        "mark",
        "use",
    ]
