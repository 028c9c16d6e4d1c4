"""The Hyperscan prefilter: a superset of RE2's line matches, and the same scan results."""

from __future__ import annotations

import pytest

from bundle_analyzer.logs import prefilter as prefilter_module
from bundle_analyzer.logs import scanner as scanner_module
from bundle_analyzer.logs.prefilter import LinePrefilter, looser, suitable
from bundle_analyzer.logs.scanner import LogScanner, ScanPattern
from bundle_analyzer.rules.packs import default_rules_dir
from bundle_analyzer.rules.selftest import run_rule_tests

hyperscan = pytest.importorskip("hyperscan")

ZAP = (
    b'{"level":"debug","ts":"2026-03-18T20:40:01.002Z","caller":"ipamd/ipamd.go:2141","msg":"IP pool stats: '
    b'Total IPs/Prefixes = 18/0, AssignedIPs/CooldownIPs: 14/%d, c.maxIPsPerENI = 9"}\n'
)


def results(scanner: LogScanner, data: bytes, **kwargs):
    result = scanner.scan([data], "f", **kwargs)
    return ([(h.line, h.raw, h.keys, h.record_line, h.record_head) for h in result.hits],
            result.lines, result.hit_counts)


@pytest.mark.parametrize(("pattern", "tail"), [
    (rb'aws-node.*(?:exit code|exitCode)\\?"?[ :=]+137', rb'(?:exit code|exitCode)\\?"?[ :=]+137'),
    (rb"a.*b.*c", rb"c"),
    (rb"abc.*", rb"abc"),
    (rb"\.*x.*", rb"\.*x"),
    (rb"[.*]x.*y", rb"y"),
    (rb"x[]a.*]b.*z", rb"z"),
    (rb"x[^].*]b", rb"x[^].*]b"),
    (rb"a|b.*c", rb"a|b.*c"),  # a top-level alternation is kept whole
    (rb"(a.*b)c", rb"(a.*b)c"),  # .* inside a group is not cut
    (rb"(?i)foo.*bar", rb"(?i)foo.*bar"),  # the flag reaches past the cut
    (rb"foo.*(?i:bar)", rb"(?i:bar)"),
    (rb"a.*?b", rb"a.*?b"),
    (rb".*", rb".*"),
])
def test_looser_keeps_a_tail_every_matching_line_holds(pattern, tail):
    assert looser(pattern) == tail


def test_patterns_hyperscan_could_read_differently_stay_on_re2():
    assert not suitable("café".encode())
    assert not suitable(rb"\pL+")
    assert LinePrefilter.compile([rb"ok", "naïve".encode()]) is None
    assert LinePrefilter.compile([rb"ok", rb"fine \d+"]) is not None


def test_candidates_are_the_lines_holding_match_ends():
    pre = LinePrefilter.compile([rb"needle", rb"^$"])
    data = b"hay\nneedle here\n\nmore hay\nneedle\n"
    spans = pre.candidate_lines(data, 0, len(data))
    assert [data[a:b] for a, b in spans] == [b"needle here", b"", b"needle"]


def test_a_block_over_the_report_budget_goes_back_to_re2(monkeypatch):
    monkeypatch.setattr(prefilter_module, "_MIN_REPORT_BUDGET", 8)
    monkeypatch.setattr(prefilter_module, "_BYTES_PER_REPORT", 1 << 30)
    patterns = [ScanPattern("digits", r"id=\d+")]
    data = b"".join(b"x id=123456789 y\n" for _ in range(50))
    assert LinePrefilter.compile([rb"id=\d+"]).candidate_lines(data, 0, len(data)) is None
    fast = LogScanner(patterns, prefilter_after=0)
    assert results(fast, data) == results(LogScanner(patterns, prefilter_after=None), data)
    assert fast.prefilter() is not None and fast._searched == len(data)  # searched by RE2 instead


def test_compiled_after_the_threshold_and_only_once(monkeypatch):
    compiled = []
    real = LinePrefilter.compile.__func__

    def counting(cls, patterns):
        compiled.append(len(patterns))
        return real(cls, patterns)

    monkeypatch.setattr(LinePrefilter, "compile", classmethod(counting))
    scanner = LogScanner([ScanPattern("k", r"Cooldown")], prefilter_after=4096)
    block = b"nothing to see here\n" * 100  # 2 000 bytes
    scanner.scan([block], "f")
    assert compiled == [] and scanner.prefilter() is None
    scanner.scan([block, block, block], "f")  # the third block is searched past 4 096 bytes
    assert compiled == [1] and scanner.prefilter() is not None
    scanner.scan([block], "f")
    assert compiled == [1]


def test_off_by_environment(monkeypatch):
    monkeypatch.setenv("CNIBUNDLE_HYPERSCAN", "0")
    assert LinePrefilter.compile([rb"ok"]) is None
    scanner = LogScanner([ScanPattern("k", "ok")], prefilter_after=0)
    assert results(scanner, b"ok\nno\n")[0] == [(1, b"ok", ("k",), None, None)]


def test_serialized_database_finds_the_same_lines():
    pre = LinePrefilter.compile([rb"needle", rb"pin \d"])
    again = LinePrefilter.load(pre.serialize())
    data = b"a\npin 4\nneedle\nb\n"
    assert again.candidate_lines(data, 0, len(data)) == pre.candidate_lines(data, 0, len(data))
    assert LinePrefilter.load(b"not a database") is None


def test_hit_dense_ipamd_log_with_record_starts_and_caps():
    patterns = [ScanPattern("cooldown", r"AssignedIPs/CooldownIPs: (?P<a>\d+)/(?P<c>[1-9]\d*)"),
                ScanPattern("no-ip", r"DataStore has no available IP(/Prefix)? addresses"),
                ScanPattern("tail", r'caller.*maxIPsPerENI = 9"')]
    data = b"".join(ZAP % (i % 3) for i in range(3000)) + b'{"msg":"DataStore has no available IP addresses"}\n'
    for kwargs in ({}, {"record_start": r'\{"level"'}):
        fast = LogScanner(patterns, prefilter_after=0, max_hits_per_key=50)
        slow = LogScanner(patterns, prefilter_after=None, max_hits_per_key=50)
        assert results(fast, data, **kwargs) == results(slow, data, **kwargs)
        assert fast.prefilter() is not None


def test_every_rule_case_passes_with_the_prefilter_from_the_first_byte(monkeypatch):
    """The shipped signatures, on the rule pack's own realistic cases, through Hyperscan."""
    calls = []
    real = LinePrefilter.candidate_lines

    def spying(self, buf, a, b):
        calls.append(b - a)
        return real(self, buf, a, b)

    monkeypatch.setattr(scanner_module, "PREFILTER_AFTER_BYTES", 0)
    monkeypatch.setattr(LinePrefilter, "candidate_lines", spying)
    outcome = run_rule_tests([default_rules_dir()])
    failures = [line for line in outcome.lines if not line.startswith("ok")]
    assert not failures, "\n".join(failures)
    assert len(calls) > outcome.passed  # the logs of (nearly) every case went through it
