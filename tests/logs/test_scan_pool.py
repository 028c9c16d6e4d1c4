"""Blocks searched elsewhere (helper process, or out of order) merge into the same scan result."""

from __future__ import annotations

import random
import re
import subprocess
import sys

import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.logs.scan_pool import ScanPool
from bundle_analyzer.logs.scanner import (
    FAILED,
    LogScanner,
    ScanPattern,
    search_block,
    without_captures,
)

POOL_LINE = (
    '{"level":"debug","ts":"2026-03-14T16:46:%02d.000Z","caller":"ipamd/ipamd.go:2141","msg":"IP pool stats for '
    'network card 0: Total IPs/Prefixes = %d/0, AssignedIPs/CooldownIPs: %d/%d, c.maxIPsPerENI = 9"}\n'
)
PATTERNS = [
    ScanPattern("cooldown", r"Total IPs/Prefixes = (?P<total>\d+)/\d+, AssignedIPs/CooldownIPs: (?P<a>\d+)/(?P<c>[1-9]\d*)"),
    ScanPattern("no-ip", r"DataStore has no available IP(/Prefix)? addresses"),
    ScanPattern("status", r"status code: (\d+)"),
]


def full(result):
    return (
        [(h.line, h.raw, h.keys, h.truncated, h.record_line, h.record_head) for h in result.hits],
        result.lines, result.bytes, result.hit_counts, result.first_line, result.truncated_last_line,
        result.hit_cap_reached, result.nul_bytes, result.long_lines,
    )


class DeferredPool:
    """Searches each block at once but answers late and out of turn; some answers fail."""

    def __init__(self, seed: int, min_block: int = 1, fail_every: int = 0, max_block: int = 3000):
        self.rng = random.Random(seed)
        self.min_block = min_block
        self.max_block = max_block
        self.fail_every = fail_every
        self.waiting: dict[int, object] = {}
        self.next = 0
        self.submitted = 0

    def has_room(self) -> bool:
        return self.rng.random() < 0.7

    def prepare(self, scanner) -> None:
        pass

    def submit(self, scanner, data, capped, record_start, start, end):
        data = data[start:end]
        ticket = self.next
        self.next += 1
        self.submitted += 1
        if self.fail_every and ticket % self.fail_every == 0:
            self.waiting[ticket] = FAILED
        else:
            self.waiting[ticket] = search_block(scanner, data, 0, len(data), capped, scanner._record_start(record_start))
        return ticket

    def result(self, ticket, *, wait):
        if not wait and self.rng.random() < 0.5:
            return None
        return self.waiting.pop(ticket)

    def forget(self, tickets):
        for ticket in tickets:
            self.waiting.pop(ticket, None)


def pool_stats_log(lines: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    out = []
    for i in range(lines):
        roll = rng.random()
        if roll < 0.3:
            out.append(POOL_LINE % (i % 60, rng.randrange(9, 40), rng.randrange(0, 9), rng.randrange(0, 3)))
        elif roll < 0.31:
            out.append("2019-03-21T17:03:40Z [ERROR] DataStore has no available IP addresses\n")
        elif roll < 0.33:
            out.append("\tstatus code: 400, request id: %08x\n" % rng.getrandbits(32))
        elif roll < 0.35:
            out.append("x" * rng.randrange(100, 300) + "\r\n")
        else:
            out.append("2019-03-21T17:03:%02dZ [DEBUG] Reconcile existing ENI eni-%012x IP pool\n" % (i % 60, i))
    return "".join(out).encode()


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def test_out_of_order_and_failed_blocks_merge_to_the_sequential_result():
    data = pool_stats_log(4000)
    for cap in (3, 1000):
        scanner = LogScanner(PATTERNS, max_hits_per_key=cap, max_line_bytes=200)
        for record_start in (None, r"\d{4}-\d\d-\d\dT"):
            expected = full(scanner.scan(chunked(data, 4096), "f", record_start=record_start))
            for seed in range(3):
                pool = DeferredPool(seed, fail_every=4 if seed == 2 else 0)
                got = full(scanner.scan(chunked(data, 4096), "f", record_start=record_start, pool=pool))
                assert pool.submitted > 10
                assert got == expected, (cap, record_start, seed)


GROUPED = st.sampled_from([
    "(a)", "(?P<n>b)", "(?:a|(b))", "[(]a", r"\(a", "[]a]", "[^](]", r"\Q(a)\E", "(?i:A)", "(1)+", "((a)(b))?",
    r"[\]](b)", "[[:alpha:]]", "[a(]b", r"(?P<x>\d)",
])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(GROUPED, min_size=1, max_size=4).map("".join),
       st.lists(st.sampled_from([b"a", b"b", b"(", b")", b"1", b"]", b"A", b"\n"]), max_size=40).map(b"".join))
def test_dropping_captures_keeps_what_matches(regex, data):
    stripped, changed = without_captures(regex.encode())
    original = re2.compile(regex.encode())
    assert changed == original.groups
    assert re2.compile(stripped).groups == 0
    for line in data.split(b"\n"):
        assert (original.search(line) is None) == (re2.compile(stripped).search(line) is None), (regex, line)


def test_without_captures_leaves_escapes_classes_and_quotes_alone():
    assert without_captures(rb"(?P<n>a)(b)(?:c)(?i:d)") == (b"(?:a)(?:b)(?:c)(?i:d)", 2)
    assert without_captures(rb"\(?P<x>[(]\Q(a)\E[]a](z)") == (rb"\(?P<x>[(]\Q(a)\E[]a](?:z)", 1)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.integers(0, 2**32), st.integers(1, 3000), st.sampled_from([1, 2, 5, 1000]),
       st.sampled_from([None, r"\d{4}-", r"[a-z]"]), st.integers(7, 300))
def test_any_cut_cap_and_record_rule_gives_the_sequential_result(seed, chunk, cap, record_start, max_line):
    data = pool_stats_log(300, seed)
    scanner = LogScanner(PATTERNS, max_hits_per_key=cap, max_line_bytes=max_line)
    expected = full(scanner.scan(chunked(data, chunk), "f", record_start=record_start))
    got = full(scanner.scan(chunked(data, chunk), "f", record_start=record_start, pool=DeferredPool(seed)))
    assert got == expected


def test_helper_process_gives_the_same_result_and_survives_being_killed():
    data = pool_stats_log(60_000)
    scanner = LogScanner(PATTERNS, max_hits_per_key=50)
    expected = full(scanner.scan(chunked(data, 1 << 20), "f", record_start=r"\d{4}-"))
    with ScanPool(min_block=16 * 1024, max_block=32 * 1024) as pool:
        got = None
        for _ in range(200):  # the helper starts in the background; blocks go out once it is ready
            got = full(scanner.scan(chunked(data, 64 * 1024), "f", record_start=r"\d{4}-", pool=pool))
            if pool._ready:
                break
        assert pool._ready
        got = full(scanner.scan(chunked(data, 64 * 1024), "f", record_start=r"\d{4}-", pool=pool))
        assert got == expected
        pool._proc.kill()
        after = full(scanner.scan(chunked(data, 64 * 1024), "f", record_start=r"\d{4}-", pool=pool))
        assert after == expected
        assert not pool.has_room()


def test_helper_imports_no_pydantic():
    code = "import sys, bundle_analyzer.logs.scan_worker; print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_pool_stats_lines_with_named_groups_still_hit():
    line = (POOL_LINE % (1, 18, 14, 1)).encode()
    result = LogScanner(PATTERNS).scan([line], "f")
    assert [h.keys for h in result.hits] == [("cooldown",)]
    assert re.search(rb"CooldownIPs: 14/1", result.hits[0].raw)
