"""The streaming scan: hits, line numbers, chunk boundaries, limits, and a per-line reference."""

from __future__ import annotations

import re
import time
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.logs.scanner import LineHit, LogScanner, PatternSetError, ScanPattern, read_chunks

IPAMD = (
    b'{"level":"info","ts":"2024-01-10T20:46:28.541Z","caller":"ipamd/ipamd.go:1316","msg":"Added ENI(eni-0ddd3333eeee4444f)\'s IP/Prefix 10.0.41.7/32 to datastore"}\n'
    b'{"level":"debug","ts":"2024-01-10T20:46:28.541Z","caller":"ipamd/ipamd.go:2141","msg":"IP pool stats: Total IPs/Prefixes = 18/0, AssignedIPs/CooldownIPs: 14/1, c.maxIPsPerENI = 9"}\n'
    b'{"level":"error","ts":"2024-01-10T20:47:01.002Z","caller":"datastore/data_store.go:858","msg":"DataStore has no available IP/Prefix addresses"}\n'
    b'{"level":"error","ts":"2024-01-10T20:47:01.002Z","caller":"rpc_handler.go:257","msg":"Returning failure response for AddNetwork: AssignPodIPAddress: no available IP/Prefix addresses"}\n'
    b'{"level":"debug","ts":"2024-01-10T20:47:02.002Z","caller":"ipamd/ipamd.go:2141","msg":"IP pool stats: Total IPs/Prefixes = 18/0, AssignedIPs/CooldownIPs: 18/0, c.maxIPsPerENI = 9"}\n'
)
PATTERNS = [
    ScanPattern("no-ip", r"DataStore has no available IP(/Prefix)? addresses"),
    ScanPattern(
        "no-ip",
        r"(assignPodIPv4AddressUnsafe|AssignPodIPv4Address|AssignPodIPAddress): no available IP(/Prefix)? addresses",
    ),
    ScanPattern("cooldown", r"AssignedIPs/CooldownIPs: (?P<assigned>\d+)/(?P<cooling>\d+)"),
]


def summary(result):
    return [(h.line, h.raw, h.keys, h.truncated) for h in result.hits]


def split_at(data: bytes, *cuts: int) -> list[bytes]:
    edges = [0, *sorted(cuts), len(data)]
    return [data[a:b] for a, b in zip(edges, edges[1:], strict=False)]


def test_hits_keys_and_line_numbers():
    result = LogScanner(PATTERNS).scan([IPAMD], "ipamd.log")
    assert [(h.line, h.keys) for h in result.hits] == [
        (2, ("cooldown",)),
        (3, ("no-ip",)),
        (4, ("no-ip",)),
        (5, ("cooldown",)),
    ]
    assert result.hits[1].raw.endswith(b'"msg":"DataStore has no available IP/Prefix addresses"}')
    assert result.lines == 5
    assert result.bytes == len(IPAMD)
    assert result.hit_counts == {"no-ip": 2, "cooldown": 2}
    assert not result.truncated_last_line and not result.hit_cap_reached
    assert result.first_line.startswith(b'{"level":"info"')


def test_line_matching_several_patterns_lists_each_key_once_in_pattern_order():
    scanner = LogScanner([ScanPattern("b", "pool"), ScanPattern("a", "stats"), ScanPattern("b", "Total")])
    result = scanner.scan([b"x\nIP pool stats: Total IPs\n"], "f")
    assert summary(result) == [(2, b"IP pool stats: Total IPs", ("b", "a"), False)]
    assert result.hit_counts == {"b": 1, "a": 1}


def test_every_two_way_split_gives_identical_results():
    data = IPAMD.replace(b"\n", b"\r\n", 1) + b"tail DataStore has no available IP addresses"
    scanner = LogScanner(PATTERNS)
    expected = scanner.scan([data], "f")
    assert expected.truncated_last_line and expected.lines == 6
    assert [h.line for h in expected.hits] == [2, 3, 4, 5, 6]
    for cut in range(len(data) + 1):
        got = scanner.scan(split_at(data, cut), "f")
        assert summary(got) == summary(expected), cut
        assert (got.lines, got.bytes, got.hit_counts, got.first_line) == (
            expected.lines,
            expected.bytes,
            expected.hit_counts,
            expected.first_line,
        )


def test_every_three_way_split_of_a_small_stream():
    data = b"ab\r\nfoo bar\n\nxx foo\r\nlast foo"
    scanner = LogScanner([ScanPattern("foo", r"fo+$"), ScanPattern("bar", r"^foo b")], max_line_bytes=6)
    expected = summary(scanner.scan([data], "f"))
    # "xx foo\r" is 7 raw bytes: over the cap although its text fits (the CR counts)
    assert expected == [(2, b"foo ba", ("bar",), True), (4, b"xx foo", ("foo",), True)]
    for i in range(len(data) + 1):
        for j in range(i, len(data) + 1):
            assert summary(scanner.scan(split_at(data, i, j), "f")) == expected, (i, j)


def test_single_byte_chunks():
    scanner = LogScanner(PATTERNS)
    assert summary(scanner.scan([IPAMD[i : i + 1] for i in range(len(IPAMD))], "f")) == summary(
        scanner.scan(IPAMD, "f")
    )


def test_crlf_lines_lose_their_carriage_return_and_dollar_still_anchors():
    result = LogScanner([ScanPattern("end", r"addresses$")]).scan(
        [b"no available IP addresses\r\nother\r\n"], "f"
    )
    assert summary(result) == [(1, b"no available IP addresses", ("end",), False)]
    assert result.lines == 2


def test_nul_bytes_are_counted_matched_and_skipped_for_first_line():
    data = b'\x00\x00\x00\n\x00\x00{"msg":"Failed to assign an IP address to container abc"}\nok\n'
    result = LogScanner([ScanPattern("fail", "Failed to assign an IP address")]).scan([data], "plugin.log")
    assert result.nul_bytes == 5
    assert [h.line for h in result.hits] == [2]
    assert result.first_line == b'{"msg":"Failed to assign an IP address to container abc"}'


def test_patterns_never_match_across_lines():
    scanner = LogScanner(
        [
            ScanPattern("x", r"start[^z]*end"),
            ScanPattern("y", r"begin\s+finish"),
            ScanPattern("z", r"(?s)one.two"),
        ]
    )
    result = scanner.scan([b"start\nend\nbegin\nfinish\none\ntwo\nstart end\n"], "f")
    assert [(h.line, h.keys) for h in result.hits] == [(7, ("x",))]


def test_huge_line_is_capped_and_not_held_in_memory():
    mib = b"a" * (1 << 20)
    first = b"x" * 100 + b" needle-early " + mib[: (1 << 20) - 114]
    late = b"b" * 200_000 + b" needle-late " + mib[: (1 << 20) - 200_013]

    def chunks():
        yield b"before needle-early\n"
        yield first
        yield late
        for _ in range(98):  # 100 MiB in one line
            yield mib
        yield b"\nafter needle-late\n"

    scanner = LogScanner([ScanPattern("early", "needle-early"), ScanPattern("late", "needle-late")])
    tracemalloc.start()
    result = scanner.scan(chunks(), "huge.log")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * (1 << 20)
    assert [(h.line, h.keys, h.truncated, len(h.raw)) for h in result.hits] == [
        (1, ("early",), False, 19),
        (2, ("early",), True, 64 * 1024),
        (3, ("late",), False, 17),
    ]
    assert result.lines == 3 and result.long_lines == 1
    assert result.bytes == 20 + 100 * (1 << 20) + 19


def test_long_line_inside_one_chunk_is_capped_like_one_spanning_chunks():
    data = b"short match\n" + b"z" * 50 + b" match-beyond-cap\nmatch again\n"
    scanner = LogScanner([ScanPattern("m", "match")], max_line_bytes=32)
    whole = scanner.scan([data], "f")
    assert [(h.line, h.truncated) for h in whole.hits] == [(1, False), (3, False)]
    assert whole.long_lines == 1
    for cut in range(len(data) + 1):
        assert summary(scanner.scan(split_at(data, cut), "f")) == summary(whole)


def test_unterminated_long_last_line():
    scanner = LogScanner([ScanPattern("m", "^abc")], max_line_bytes=8)
    result = scanner.scan([b"x\nabcdefghijklmnop"], "f")
    assert summary(result) == [(2, b"abcdefgh", ("m",), True)]
    assert result.lines == 2 and result.truncated_last_line


def test_hit_cap_keeps_first_hits_and_counts_exactly():
    data = b"".join(b"pool stats %d\n" % i if i % 2 else b"ERROR pool %d\n" % i for i in range(30))
    scanner = LogScanner([ScanPattern("pool", "pool"), ScanPattern("error", "ERROR")], max_hits_per_key=3)
    result = scanner.scan([data], "f")
    assert result.hit_counts == {"pool": 30, "error": 15}
    assert result.hit_cap_reached
    # a line is kept while any of its keys is under the cap
    assert [h.line for h in result.hits] == [1, 2, 3, 5]


def test_hit_byte_budget():
    scanner = LogScanner([ScanPattern("x", "x")], max_hit_bytes=10)
    result = scanner.scan([b"xxxx\nxxxx\nxxxx\n"], "f")
    assert [h.line for h in result.hits] == [1, 2]
    assert result.hit_counts == {"x": 3} and result.hit_cap_reached


def test_invalid_pattern_names_its_key():
    with pytest.raises(PatternSetError) as err:
        LogScanner([ScanPattern("ok", "fine"), ScanPattern("bad-lookbehind", r"(?<=ENI )eni-\w+")])
    assert err.value.key == "bad-lookbehind"
    assert "bad-lookbehind" in str(err.value) and "(?<=" in str(err.value)
    with pytest.raises(PatternSetError, match="missing"):
        LogScanner([ScanPattern("paren", "(unclosed")])


def test_text_anchors_are_refused():
    for regex in (r"\Astart", r"end\z", r"a\Cb"):
        with pytest.raises(PatternSetError, match="line-local"):
            LogScanner([ScanPattern("k", regex)])
    LogScanner([ScanPattern("k", r"a\\Ab")])  # an escaped backslash followed by A is fine


def test_catastrophic_backtracking_pattern_is_linear():
    scanner = LogScanner([ScanPattern("evil", r"(a+)+$")], max_line_bytes=200_000)
    data = b"a" * 100_000 + b"b\n" + (b"a" * 999 + b"b\n") * 100 + b"aaaa\n"
    start = time.perf_counter()
    result = scanner.scan([data], "f")
    assert time.perf_counter() - start < 1.0
    assert [h.line for h in result.hits] == [102]


def test_no_patterns_only_counts():
    result = LogScanner([]).scan([b"a\n\nb", b"c\n"], "f")
    assert (result.lines, result.hits, result.hit_counts, result.first_line) == (3, [], {}, b"a")


def test_empty_stream_and_bytes_argument():
    empty = LogScanner(PATTERNS).scan([], "f")
    assert (empty.lines, empty.bytes, empty.truncated_last_line, empty.first_line) == (0, 0, False, b"")
    direct = LogScanner(PATTERNS).scan(IPAMD, "f")
    assert len(direct.hits) == 4


def test_non_utf8_bytes_do_not_hide_a_match():
    result = LogScanner([ScanPattern("k", r"plugin type=.aws-cni.*failed \(add\)")]).scan(
        [b'plugin type="aws-cni" \xff\xfe failed (add): add cmd\n'], "f"
    )
    assert [h.line for h in result.hits] == [1]


def test_read_chunks_streams_a_file(tmp_path):
    path = tmp_path / "ipamd.log"
    path.write_bytes(IPAMD * 3)
    with path.open("rb") as fh:
        result = LogScanner(PATTERNS).scan(read_chunks(fh, 100), "ipamd.log")
    assert result.lines == 15 and len(result.hits) == 12


SEELOG = (
    b"2019-03-21T17:03:36Z [INFO] Starting L-IPAMD v1.3.2  ...\n"
    b"2019-03-21T17:03:40Z [ERROR] Failed to allocate a private IP address: InsufficientFreeAddressesInSubnet: "
    b"The specified subnet does not have enough free addresses to satisfy the request.\n"
    b"\tstatus code: 400, request id: 4f1b2a7e-2c1d-4e0a-9a52-0c7d0e0b1a11\n"
    b"2019-03-21T17:03:41Z [DEBUG] IP pool stats: total = 10, used = 2, c.maxIPsPerENI = 5\n"
    b"\tstatus code: 503, request id: other\n"
)


def test_continuation_hits_carry_their_record_head_across_chunks():
    scanner = LogScanner([ScanPattern("status", r"status code: \d+")])
    expected = [
        (3, 2, b"2019-03-21T17:03:40Z [ERROR] Failed"),
        (5, 4, b"2019-03-21T17:03:41Z [DEBUG] IP pool"),
    ]
    for cut in range(len(SEELOG) + 1):
        result = scanner.scan(
            split_at(SEELOG, cut), "ipamd.log.2019-03-21-17", record_start=r"\d{4}-\d\d-\d\dT"
        )
        got = [
            (h.line, h.record_line, h.record_head[: len(head)])
            for h, (_, _, head) in zip(result.hits, expected, strict=False)
        ]
        assert got == expected, cut


def test_record_head_lines_have_no_head_and_unknown_head_stays_none():
    scanner = LogScanner([ScanPattern("k", "status|Starting")])
    result = scanner.scan([SEELOG], "f", record_start=r"\d{4}-")
    assert [(h.line, h.record_line) for h in result.hits] == [(1, None), (3, 2), (5, 4)]
    orphan = scanner.scan([b"\tstatus code: 1\n"], "f", record_start=r"\d{4}-")
    assert orphan.hits == [LineHit(1, b"\tstatus code: 1", ("k",))]
    anchored = scanner.scan([SEELOG], "f", record_start=r"^\d{4}-")  # ^ anchors at each line start
    assert [(h.line, h.record_line) for h in anchored.hits] == [(1, None), (3, 2), (5, 4)]


# -- properties ------------------------------------------------------------------------

ALPHABET = b"abAB1 \r\n\x00\xff"
_ATOMS = ["a", "b", "1", ".", ".*", "A", "[^a]", "[ab]", r"\x00", r"\d", r"\w", r"\s", " ", r"\r", r"\b"]


def _extend(children):
    return st.one_of(
        st.tuples(children, children).map(lambda t: t[0] + t[1]),
        st.tuples(children, children).map(lambda t: f"(?:{t[0]}|{t[1]})"),
        st.tuples(children, st.sampled_from(["*", "+", "?", "{1,2}"])).map(lambda t: f"(?:{t[0]}){t[1]}"),
        children.map(lambda t: f"(?i:{t})"),
    )


REGEX = st.tuples(
    st.booleans(), st.recursive(st.sampled_from(_ATOMS), _extend, max_leaves=5), st.booleans()
).map(lambda t: ("^" if t[0] else "") + t[1] + ("$" if t[2] else ""))
PATTERN_LISTS = st.lists(st.tuples(st.sampled_from(["k0", "k1", "k2"]), REGEX), max_size=4).map(
    lambda items: [ScanPattern(k, r) for k, r in items]
)
DATA = st.lists(
    st.one_of(
        st.sampled_from(list(ALPHABET)).map(lambda c: bytes([c])),
        st.sampled_from([b"ab", b"aab", b"1 b", b"\r\n", b"a\x00b"]),
    ),
    max_size=60,
).map(b"".join)


def reference(data: bytes, patterns: list[ScanPattern], cap: int):
    """Naive per-line `re` search: the semantics the scanner promises."""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    compiled = [(p.key, re.compile(p.regex.encode())) for p in patterns]
    hits = []
    for number, line in enumerate(lines, 1):
        truncated = len(line) > cap
        line = line[:cap]
        if line.endswith(b"\r"):
            line = line[:-1]
        keys = tuple(dict.fromkeys(k for k, rx in compiled if rx.search(line)))
        if keys:
            hits.append((number, line, keys, truncated))
    return hits, len(lines)


def chunks_of(data: bytes, cuts: list[int]) -> list[bytes]:
    return split_at(data, *(c % (len(data) + 1) for c in cuts))


# None: RE2 alone; 0: the Hyperscan prefilter from the first block (where hyperscan is installed).
SEARCHES = pytest.mark.parametrize("prefilter_after", [None, 0], ids=["re2", "prefilter"])


@SEARCHES
@settings(max_examples=200, deadline=None, derandomize=True)
@given(PATTERN_LISTS, DATA, st.lists(st.integers(0, 200), max_size=6), st.integers(2, 12))
def test_hits_equal_a_naive_per_line_reference(prefilter_after, patterns, data, cuts, cap):
    scanner = LogScanner(patterns, max_line_bytes=cap, prefilter_after=prefilter_after)
    result = scanner.scan(chunks_of(data, cuts), "f")
    hits, lines = reference(data, patterns, cap)
    assert summary(result) == hits
    assert result.lines == lines
    assert result.nul_bytes == data.count(b"\x00")
    assert result.truncated_last_line == (bool(data) and not data.endswith(b"\n"))


@SEARCHES
@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.binary(max_size=400), st.lists(st.integers(0, 400), max_size=8), st.integers(1, 64))
def test_arbitrary_bytes_and_chunkings_never_raise(prefilter_after, data, cuts, cap):
    scanner = LogScanner(
        [ScanPattern("a", r"\x00+"), ScanPattern("b", r"[^\x01]{3}$"), ScanPattern("c", "^")],
        max_line_bytes=cap, prefilter_after=prefilter_after,
    )
    result = scanner.scan(chunks_of(data, cuts), "f", record_start=r"[a-z]")
    assert result.bytes == len(data)
    assert result.lines == len(data.split(b"\n")) - (1 if data.endswith(b"\n") or not data else 0)
    assert result.hit_counts["c"] == result.lines  # `^` matches every line
    whole = scanner.scan([data], "f", record_start=r"[a-z]")
    assert [(h.line, h.raw, h.keys, h.record_line, h.record_head) for h in result.hits] == [
        (h.line, h.raw, h.keys, h.record_line, h.record_head) for h in whole.hits
    ]


@SEARCHES
def test_a_key_may_keep_fewer_lines_than_the_scanner(prefilter_after):
    data = b"".join(b"Starting CNI Plugin v1.5.%d\nerror %d\n" % (i % 7, i) for i in range(50))
    scanner = LogScanner([ScanPattern("fact", r"Starting CNI Plugin v\d", max_hits=3), ScanPattern("err", r"^error")],
                         max_hits_per_key=10, prefilter_after=prefilter_after)
    result = scanner.scan([data[i:i + 64] for i in range(0, len(data), 64)], "f")
    kept = [(h.line, h.keys) for h in result.hits]
    assert [line for line, keys in kept if keys == ("fact",)] == [1, 3, 5]
    assert [line for line, keys in kept if keys == ("err",)] == list(range(2, 21, 2))
    assert result.hit_counts == {"fact": 50, "err": 50}
    assert result.hit_cap_reached
