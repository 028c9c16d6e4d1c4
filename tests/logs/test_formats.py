"""Format detection and line decoding for every log format and generation in the bundles."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.logs.events import LogEvent, LogFormat
from bundle_analyzer.logs.formats import (
    decode_hits,
    decode_line,
    detect_format,
    go_unquote,
    record_start_pattern,
    scan_log,
)
from bundle_analyzer.logs.scanner import LineHit, LogScanner, ScanPattern, ScanResult


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def decode(line: bytes | str, fmt: LogFormat | None = None, year_hint=None) -> LogEvent:
    raw = line.encode() if isinstance(line, str) else line
    return decode_line(raw, fmt or detect_format(raw), "f.log", 7, year_hint)


# -- seelog (CNI v1.0.0 – v1.6.0) -------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "ts", "level", "message"),
    [
        # v1.0 – v1.4.x: space after ], no fraction
        (
            "2019-03-21T17:03:36Z [INFO] Starting L-IPAMD v1.3.2  ...",
            utc(2019, 3, 21, 17, 3, 36),
            "info",
            "Starting L-IPAMD v1.3.2  ...",
        ),
        # v1.5.0: TAB after ]
        (
            "2019-06-04T18:22:01Z [DEBUG]\tIP pool stats: total = 10, used = 2, c.maxIPsPerENI = 5",
            utc(2019, 6, 4, 18, 22, 1),
            "debug",
            "IP pool stats: total = 10, used = 2, c.maxIPsPerENI = 5",
        ),
        # v1.5.1+: milliseconds
        (
            "2019-08-03T10:00:00.123Z [INFO]\tReceived AddNetwork for NS /proc/2345/ns/net, Pod web-1, NameSpace default, "
            "Container 5f0ce1, ifname eth0",
            utc(2019, 8, 3, 10, 0, 0, 123000),
            "info",
            "Received AddNetwork for NS /proc/2345/ns/net, Pod web-1, NameSpace default, Container 5f0ce1, ifname eth0",
        ),
        # v1.6.0: space and TAB
        (
            "2020-02-12T18:04:12.123Z [DEBUG] \tReconciling ENI/IP pool info...",
            utc(2020, 2, 12, 18, 4, 12, 123000),
            "debug",
            "Reconciling ENI/IP pool info...",
        ),
        (
            "2019-03-21T17:03:36Z [CRITICAL] Failed to create client: x",
            utc(2019, 3, 21, 17, 3, 36),
            "critical",
            "Failed to create client: x",
        ),
        ("2019-03-21T17:03:36Z [WARN] warm pool low", utc(2019, 3, 21, 17, 3, 36), "warn", "warm pool low"),
        ("2019-03-21T17:03:36Z [TRACE] t", utc(2019, 3, 21, 17, 3, 36), "trace", "t"),
    ],
)
def test_seelog_generations(line, ts, level, message):
    assert detect_format(line.encode()) is LogFormat.seelog
    event = decode(line)
    assert (event.timestamp, event.level, event.message, event.format) == (
        ts,
        level,
        message,
        LogFormat.seelog,
    )
    assert event.timestamp.tzinfo is not None
    assert (event.path, event.line, event.raw) == ("f.log", 7, line)


def test_seelog_continuation_line_is_marked():
    event = decode(b"\tstatus code: 400, request id: 4f1b2a7e", LogFormat.seelog)
    assert event.format is LogFormat.seelog and event.timestamp is None
    assert event.message == "status code: 400, request id: 4f1b2a7e"
    assert event.fields == {"continuation": "true"}


# -- zap / logrus JSON ---------------------------------------------------------------


def test_zap_line():
    line = (
        '{"level":"info","ts":"2024-01-10T20:46:28.541Z","caller":"ipamd/ipamd.go:1316",'
        '"msg":"Added ENI(eni-0ddd3333eeee4444f)\'s IP/Prefix 10.0.41.7/32 to datastore"}'
    )
    assert detect_format(line.encode()) is LogFormat.zap
    event = decode(line)
    assert event.timestamp == utc(2024, 1, 10, 20, 46, 28, 541000)
    assert (event.level, event.caller, event.format) == ("info", "ipamd/ipamd.go:1316", LogFormat.zap)
    assert event.message == "Added ENI(eni-0ddd3333eeee4444f)'s IP/Prefix 10.0.41.7/32 to datastore"
    assert event.fields == {} and not event.damaged


def test_zap_offset_without_colon_is_converted_to_utc():
    event = decode('{"level":"warn","ts":"2024-01-10T20:46:28.541+0100","caller":"a.go:1","msg":"m"}')
    assert event.timestamp == utc(2024, 1, 10, 19, 46, 28, 541000)
    assert event.timestamp.utcoffset() == timedelta(0)
    assert event.level == "warn"


def test_network_policy_agent_lines_with_timestamp_key_logger_and_odd_keys():
    first = decode(
        '{"level":"info","timestamp":"2023-09-27T11:37:56.123Z","msg":"Pinning the map",'
        '"Pin Path: ":"/sys/fs/bpf/globals/aws/maps/x"," in namespace":"default","count":3,"ok":true}'
    )
    assert first.format is LogFormat.zap and first.caller is None
    assert first.timestamp == utc(2023, 9, 27, 11, 37, 56, 123000)
    assert first.fields == {
        "Pin Path: ": "/sys/fs/bpf/globals/aws/maps/x",
        " in namespace": "default",
        "count": "3",
        "ok": "true",
    }
    later = decode(
        '{"level":"error","ts":"2024-05-01T10:00:00.000Z","logger":"ebpf-client","caller":"ebpf/bpf_client.go:701",'
        '"msg":"Failed to attach","error":"no such file","stacktrace":"goroutine 1\\nmain.main()"}'
    )
    assert later.fields == {
        "logger": "ebpf-client",
        "error": "no such file",
        "stacktrace": "goroutine 1\nmain.main()",
    }


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("debug", "debug"),
        ("INFO", "info"),
        ("warning", "warn"),
        ("error", "error"),
        ("fatal", "critical"),
        ("panic", "critical"),
        ("dpanic", "critical"),
        ("critical", "critical"),
        ("trace", "trace"),
    ],
)
def test_level_normalisation(level, expected):
    assert decode(f'{{"level":"{level}","ts":"2024-01-10T20:46:28.541Z","msg":"m"}}').level == expected


def test_unknown_level_is_kept_as_a_field():
    event = decode('{"level":"verbose","ts":"2024-01-10T20:46:28.541Z","msg":"m"}')
    assert event.level is None and event.fields == {"level": "verbose"}


def test_zap_epoch_float_timestamp():
    event = decode('{"level":"info","ts":1704919588.541,"msg":"m"}', LogFormat.zap)
    assert event.timestamp == utc(2024, 1, 10, 20, 46, 28, 541000)


def test_logrus_json_ebpf_sdk():
    line = '{"level":"info","msg":"Loaded 3 programs","time":"2023-09-27T11:37:56Z"}'
    assert detect_format(line.encode()) is LogFormat.logrus_json
    event = decode(line)
    assert (event.format, event.timestamp, event.level, event.message) == (
        LogFormat.logrus_json,
        utc(2023, 9, 27, 11, 37, 56),
        "info",
        "Loaded 3 programs",
    )


def test_truncated_and_nul_padded_zap_lines_are_recovered():
    partial = decode(
        b'{"level":"info","ts":"2024-01-10T20:46:28.541Z","caller":"x.go:1","msg":"Received CNI add req',
        LogFormat.zap,
    )
    assert partial.damaged and partial.level == "info" and partial.message == "Received CNI add req"
    assert partial.timestamp == utc(2024, 1, 10, 20, 46, 28, 541000)
    padded = decode(
        b'\x00\x00\x00{"level":"debug","ts":"2024-01-10T20:46:28.541Z","msg":"Constructed new logger instance"}',
        LogFormat.zap,
    )
    assert not padded.damaged and padded.message == "Constructed new logger instance"


def test_valid_json_that_is_not_an_object_falls_back_to_plain():
    event = decode(b"[1,2,3]", LogFormat.zap)
    assert event.format is LogFormat.plain and event.message == "[1,2,3]"


# -- logrus text ----------------------------------------------------------------------


def test_logrus_text_entrypoint():
    line = 'time="2024-01-10T20:41:02Z" level=info msg="Copying CNI plugin binaries ... "'
    assert detect_format(line.encode()) is LogFormat.logrus_text
    event = decode(line)
    assert (event.timestamp, event.level, event.message) == (
        utc(2024, 1, 10, 20, 41, 2),
        "info",
        "Copying CNI plugin binaries ... ",
    )


def test_logrus_text_with_escaped_quotes_and_extra_fields():
    event = decode(
        'time="2024-01-10T20:47:01.004551Z" level=error msg="RunPodSandbox for &PodSandboxMetadata{Name:web,} '
        'failed" error="failed to setup network for sandbox \\"5f0c\\": add cmd: x" duration=12ms',
        LogFormat.logrus_text,
    )
    assert event.level == "error"
    assert event.message == "RunPodSandbox for &PodSandboxMetadata{Name:web,} failed"
    assert event.fields == {
        "error": 'failed to setup network for sandbox "5f0c": add cmd: x',
        "duration": "12ms",
    }


# -- container logs -------------------------------------------------------------------


def test_cri_with_zap_inner_line():
    line = (
        '2024-01-10T20:46:28.541123456Z stdout F {"level":"info","ts":"2024-01-10T20:46:28.541Z",'
        '"caller":"ipamd/ipamd.go:1316","msg":"Added ENI"}'
    )
    assert detect_format(line.encode()) is LogFormat.cri
    event = decode(line)
    assert (event.format, event.level, event.caller, event.message) == (
        LogFormat.cri,
        "info",
        "ipamd/ipamd.go:1316",
        "Added ENI",
    )
    assert event.timestamp == utc(2024, 1, 10, 20, 46, 28, 541000)
    assert event.fields == {
        "stream": "stdout",
        "runtime_time": "2024-01-10T20:46:28.541123+00:00",
        "inner_format": "zap",
    }


def test_cri_entrypoint_hand_built_json_with_unescaped_quotes():
    line = (
        '2022-02-04T22:24:55.123456789Z stdout F {"level":"info","ts":"2022-02-04T22:24:55.014Z",'
        '"caller":"entrypoint.sh","msg":"Copying config file "10-aws.conflist" ... "}'
    )
    event = decode(line)
    assert event.format is LogFormat.cri and event.damaged
    assert event.message == 'Copying config file "10-aws.conflist" ... '
    assert (event.level, event.caller) == ("info", "entrypoint.sh")
    assert event.timestamp == utc(2022, 2, 4, 22, 24, 55, 14000)


def test_cri_logrus_klog_plain_and_partial_inner_lines():
    logrus = decode(
        '2024-01-10T20:41:02.1Z stderr F time="2024-01-10T20:41:02Z" level=warning msg="Skipping"'
    )
    assert (logrus.level, logrus.message, logrus.fields["inner_format"]) == (
        "warn",
        "Skipping",
        "logrus_text",
    )
    klog = decode(
        "2024-01-10T20:41:02.123456789Z stderr F I0110 20:41:02.100000      12 request.go:621] "
        "Throttling request took 1.0s, request: GET:https://10.100.0.1:443/api"
    )
    assert (klog.level, klog.caller, klog.fields["inner_format"]) == ("info", "request.go:621", "klog")
    assert klog.message == "Throttling request took 1.0s, request: GET:https://10.100.0.1:443/api"
    assert klog.timestamp == utc(2024, 1, 10, 20, 41, 2, 123456)  # runtime time: klog has no year
    plain = decode("2020-01-10T20:00:00.000000001Z stdout P Starting IPAM daemon in the background ... ")
    assert (plain.level, plain.message, plain.timestamp) == (
        None,
        "Starting IPAM daemon in the background ...",
        utc(2020, 1, 10, 20, 0, 0),
    )
    assert plain.fields == {
        "stream": "stdout",
        "runtime_time": "2020-01-10T20:00:00+00:00",
        "partial": "true",
    }


def test_docker_json_file_lines():
    line = '{"log":"Starting IPAM daemon in the background ... ok.\\n","stream":"stdout","time":"2020-01-10T20:00:00.123456789Z"}'
    assert detect_format(line.encode()) is LogFormat.docker_json
    event = decode(line)
    assert (event.format, event.message, event.timestamp) == (
        LogFormat.docker_json,
        "Starting IPAM daemon in the background ... ok.",
        utc(2020, 1, 10, 20, 0, 0, 123456),
    )
    inner = decode(
        '{"log":"{\\"level\\":\\"error\\",\\"ts\\":\\"2021-05-01T10:00:00.000Z\\",\\"caller\\":\\"aws-k8s-agent/main.go:30\\",'
        '\\"msg\\":\\"Initialization failure: x\\"}\\n","stream":"stderr","time":"2021-05-01T10:00:00.5Z"}'
    )
    assert (inner.level, inner.caller, inner.message) == (
        "error",
        "aws-k8s-agent/main.go:30",
        "Initialization failure: x",
    )
    assert inner.timestamp == utc(2021, 5, 1, 10) and inner.fields["stream"] == "stderr"


# -- journal and klog -------------------------------------------------------------------

KUBELET_SHORT = (
    "Jan 10 20:47:01 ip-10-0-12-34.ec2.internal kubelet[3421]: E0110 20:47:01.004551    3421 log.go:32] "
    '"RunPodSandbox from runtime service failed" err="rpc error: code = Unknown desc = failed to setup network for '
    'sandbox \\"5f0c\\": plugin type=\\"aws-cni\\" name=\\"aws-cni\\" failed (add): add cmd: failed to assign an IP '
    'address to container"'
)


def test_journal_short_with_structured_klog():
    assert detect_format(KUBELET_SHORT.encode()) is LogFormat.journal
    event = decode(KUBELET_SHORT, year_hint=2024)
    assert event.format is LogFormat.journal
    assert event.timestamp == utc(2024, 1, 10, 20, 47, 1)
    assert (event.level, event.caller, event.message) == (
        "error",
        "log.go:32",
        "RunPodSandbox from runtime service failed",
    )
    assert event.fields["err"] == (
        'rpc error: code = Unknown desc = failed to setup network for sandbox "5f0c": '
        'plugin type="aws-cni" name="aws-cni" failed (add): add cmd: failed to assign an IP '
        "address to container"
    )
    assert (event.fields["unit"], event.fields["pid"], event.fields["host"]) == (
        "kubelet",
        "3421",
        "ip-10-0-12-34.ec2.internal",
    )


def test_journal_short_legacy_klog_and_plain_messages():
    legacy = decode(
        "Mar  2 04:05:06 ip-10-0-1-2 kubelet: W0302 04:05:06.000001    3421 cni.go:237] Unable to update "
        "cni config: no networks found in /etc/cni/net.d",
        LogFormat.journal,
        year_hint=2021,
    )
    assert (legacy.level, legacy.timestamp) == ("warn", utc(2021, 3, 2, 4, 5, 6))
    assert legacy.message == "Unable to update cni config: no networks found in /etc/cni/net.d"
    assert "pid" not in legacy.fields and legacy.fields["unit"] == "kubelet"
    plain = decode(
        "Jan 10 20:47:01 host systemd[1]: Started Kubernetes Kubelet.", LogFormat.journal, year_hint=2024
    )
    assert (plain.level, plain.message, plain.fields) == (
        None,
        "Started Kubernetes Kubelet.",
        {"unit": "systemd", "host": "host", "pid": "1"},
    )


def test_journal_year_hint_and_december_january_wrap():
    dec = "Dec 31 23:59:58 host kubelet[1]: I1231 23:59:58.000000 1 x.go:1] before midnight"
    # with only a year, the year is taken as is
    assert decode(dec, LogFormat.journal, year_hint=2025).timestamp == utc(2025, 12, 31, 23, 59, 58)
    # with the collection time (early January), December lies in the previous year
    collected = datetime(2025, 1, 3, 10, 0, tzinfo=UTC)
    assert decode(dec, LogFormat.journal, year_hint=collected).timestamp == utc(2024, 12, 31, 23, 59, 58)
    jan = "Jan  1 00:00:03 host kubelet[1]: I0101 00:00:03.000000 1 x.go:1] after midnight"
    assert decode(jan, LogFormat.journal, year_hint=collected).timestamp == utc(2025, 1, 1, 0, 0, 3)
    assert decode(dec, LogFormat.journal).timestamp is None  # no hint: no invented year


def test_decode_hits_places_years_counting_back_from_the_hint():
    lines = [
        b"Dec 30 10:00:00 h kubelet[1]: a",
        b"Dec 31 23:59:58 h kubelet[1]: b",
        b"Jan  1 00:00:03 h kubelet[1]: c",
        b"Jan  2 08:00:00 h kubelet[1]: d",
    ]
    result = ScanResult(
        path="kubelet/kubelet.log", lines=4, hits=[LineHit(i + 1, raw, ("k",)) for i, raw in enumerate(lines)]
    )
    events = decode_hits(result, LogFormat.journal, year_hint=2025)
    assert [e.timestamp for e in events] == [
        utc(2024, 12, 30, 10),
        utc(2024, 12, 31, 23, 59, 58),
        utc(2025, 1, 1, 0, 0, 3),
        utc(2025, 1, 2, 8),
    ]
    assert [e.line for e in events] == [1, 2, 3, 4]


def test_journal_short_iso_precise_and_snap_lines():
    line = (
        '2026-03-18T20:47:01.004551+0000 ip-10-0-12-34.ec2.internal containerd[811]: time="2026-03-18T20:47:01.004000Z" '
        'level=error msg="RunPodSandbox for &PodSandboxMetadata{Name:web-1,} failed, error" error="failed to setup network"'
    )
    assert detect_format(line.encode()) is LogFormat.journal
    event = decode(line)
    assert event.timestamp == utc(2026, 3, 18, 20, 47, 1, 4551)
    assert (event.level, event.message) == (
        "error",
        "RunPodSandbox for &PodSandboxMetadata{Name:web-1,} failed, error",
    )
    assert event.fields["unit"] == "containerd" and event.fields["inner_format"] == "logrus_text"
    offset = decode("2026-03-18T21:47:01.004551+01:00 host kubelet[9]: I0318 20:47:01.004551 9 a.go:1] ok")
    assert offset.timestamp == utc(2026, 3, 18, 20, 47, 1, 4551) and offset.level == "info"
    snap = decode(
        "2024-01-10T20:41:02Z kubelet-eks.daemon[3421]: I0110 20:41:02.000001 3421 server.go:1] Started kubelet",
        LogFormat.journal,
    )
    assert (snap.fields["unit"], snap.fields.get("host"), snap.message) == (
        "kubelet-eks.daemon",
        None,
        "Started kubelet",
    )


@pytest.mark.parametrize(
    "marker",
    [
        "-- Logs begin at Mon 2024-01-01 00:00:00 UTC, end at Wed 2024-01-10 20:46:31 UTC. --",
        "-- Reboot --",
        "-- No entries --",
        "-- Boot 3f2a9c1e4b5d4c8e9f0a1b2c3d4e5f60 --",
    ],
)
def test_journal_marker_lines_are_plain_without_time(marker):
    assert detect_format(marker.encode()) is LogFormat.journal
    event = decode(marker, LogFormat.journal, year_hint=2024)
    assert (event.format, event.timestamp, event.message) == (LogFormat.plain, None, marker)


def test_detect_skips_a_leading_marker_and_blank_lines():
    head = b"\n-- Logs begin at Mon 2024-01-01 00:00:00 UTC. --\n" + KUBELET_SHORT.encode() + b"\n"
    assert detect_format(head) is LogFormat.journal
    assert (
        detect_format(b"\n\n" + b'{"level":"info","ts":"2024-01-10T20:46:28.541Z","msg":"m"}')
        is LogFormat.zap
    )


@pytest.mark.parametrize(
    ("letter", "level"), [("I", "info"), ("W", "warn"), ("E", "error"), ("F", "critical")]
)
def test_klog_letters(letter, level):
    line = f"{letter}0204 22:24:56.095582      12 request.go:621] Throttling request took 1.1s"
    assert detect_format(line.encode()) is LogFormat.klog
    event = decode(line, year_hint=2022)
    assert (event.level, event.timestamp, event.caller) == (
        level,
        utc(2022, 2, 4, 22, 24, 56, 95582),
        "request.go:621",
    )
    assert event.fields == {"thread_id": "12"}


def test_plain_and_empty_input():
    assert detect_format(b"") is LogFormat.plain
    assert detect_format(b"Starting IPAM daemon in the background ... ok.\n") is LogFormat.plain
    event = decode(b"", LogFormat.zap)
    assert (event.format, event.message, event.timestamp) == (LogFormat.plain, "", None)


def test_go_unquote():
    assert go_unquote(r"a \"b\" \\ c\n") == 'a "b" \\ c\n'
    assert go_unquote(r"bad \x41 escape \q") == "bad \\x41 escape \\q"


def test_record_start_patterns():
    assert record_start_pattern(LogFormat.seelog) is not None
    assert record_start_pattern(LogFormat.zap) is None


def test_scan_log_seelog_continuations_take_time_and_level_of_their_record():
    text = (
        b"2019-03-21T17:03:36Z [INFO] Starting L-IPAMD v1.3.2  ...\n"
        b"2019-03-21T17:03:40Z [ERROR] Failed to allocate a private IP address: InsufficientFreeAddressesInSubnet: "
        b"The specified subnet does not have enough free addresses to satisfy the request.\n"
        b"\tstatus code: 400, request id: 4f1b2a7e-2c1d-4e0a-9a52-0c7d0e0b1a11\n"
    )
    scanner = LogScanner([ScanPattern("status", r"status code: 400")])
    fmt, result = scan_log(
        scanner, [text[i : i + 50] for i in range(0, len(text), 50)], "ipamd.log.2019-03-21-17"
    )
    assert fmt is LogFormat.seelog
    (event,) = decode_hits(result, fmt)
    assert (event.line, event.level, event.timestamp) == (3, "error", utc(2019, 3, 21, 17, 3, 40))
    assert event.message.endswith(
        "satisfy the request.\nstatus code: 400, request id: 4f1b2a7e-2c1d-4e0a-9a52-0c7d0e0b1a11"
    )
    assert event.fields == {"record_line": "2"}


def test_decode_hits_joins_a_continuation_to_the_hit_just_before():
    result = ScanResult(
        path="f",
        hits=[
            LineHit(4, b"2019-03-21T17:03:40Z [ERROR] Failed: InsufficientFreeAddressesInSubnet", ("a",)),
            LineHit(5, b"\tstatus code: 400", ("b",)),
            LineHit(9, b"\tstatus code: 500", ("b",)),
        ],
    )
    first, second, third = decode_hits(result, LogFormat.seelog)
    assert (second.level, second.timestamp, second.fields) == ("error", first.timestamp, {"record_line": "4"})
    assert third.timestamp is None and third.fields == {"continuation": "true"}


ADVERSARIAL = [
    b'{"msg":"' * 8192,
    b'{"level":"a\\"' * 5000,
    b'time="x" level=info ' + b"a" * 65536,
    b'time="x" level=info ' + b'a="' * 20000,
    b'I0110 20:41:02.1 1 a.go:1] "m" ' + b"a" * 65536,
    b'I0110 20:41:02.1 1 a.go:1] "m" ' + b"k=<" * 20000,
    b"Jan 10 20:47:01 h " + b"a[" * 30000,
    b"2026-03-18T20:47:01.004551+0000 " + b"a." * 30000,
    b"-- " + b"a " * 30000,
]


@pytest.mark.parametrize("line", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_hostile_64k_lines_decode_in_linear_time(line):
    start = time.perf_counter()
    for fmt in LogFormat:
        decode_line(line, fmt, "f", 1, 2024)
    assert time.perf_counter() - start < 0.5


# -- properties ------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.binary(max_size=300),
    st.sampled_from(list(LogFormat)),
    st.one_of(st.none(), st.integers(1, 9999), st.just(datetime(2024, 1, 2, tzinfo=UTC))),
)
def test_arbitrary_bytes_never_raise(raw, fmt, hint):
    event = decode_line(raw, fmt, "f", 1, hint)
    assert isinstance(event, LogEvent) and event.line == 1
    assert event.timestamp is None or event.timestamp.tzinfo is not None
    assert isinstance(detect_format(raw), LogFormat)


JSONISH = st.sampled_from(
    [
        b"{",
        b"}",
        b'"',
        b":",
        b",",
        b"\\",
        b'"level"',
        b'"ts"',
        b'"msg"',
        b'"info"',
        b"\x00",
        b'"2024-01-10T20:46:28.541Z"',
        b" ",
        b"stdout F ",
        b"2024-01-10T20:41:02Z ",
        b"[INFO]",
        b"I0110 20:41:02.1 1 a.go:1] ",
        b'time="',
        b"level=",
        b"Jan 10 20:47:01 h k[1]: ",
    ]
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(JSONISH, max_size=20).map(b"".join), st.sampled_from(list(LogFormat)))
def test_near_miss_lines_never_raise(raw, fmt):
    event = decode_line(raw, fmt, "f", 3, 2024)
    assert event.timestamp is None or event.timestamp.tzinfo is not None


MESSAGES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40).map(str.strip)
TIMES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000, tzinfo=UTC)
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.sampled_from(["debug", "info", "warn", "error"]),
    TIMES,
    MESSAGES,
    st.sampled_from(["Z", "+0100", "-0530"]),
    st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), max_size=3),
)
def test_generated_zap_lines_decode_to_their_values(level, when, msg, zone, extra):
    offset = {"Z": timedelta(0), "+0100": timedelta(hours=1), "-0530": -timedelta(hours=5, minutes=30)}[zone]
    local = when.astimezone(timezone(offset))
    ts = local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + zone
    extra = {
        k: v
        for k, v in extra.items()
        if k not in ("level", "ts", "caller", "msg", "timestamp", "time", "lvl", "severity", "message")
    }
    line = orjson.dumps({"level": level, "ts": ts, "caller": "ipamd/ipamd.go:1", "msg": msg, **extra})
    event = decode_line(line, detect_format(line), "f", 1)
    assert (event.level, event.timestamp, event.message, event.caller) == (
        level,
        when,
        msg,
        "ipamd/ipamd.go:1",
    )
    assert event.fields == extra and event.format is LogFormat.zap


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.sampled_from(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL"]),
    TIMES,
    MESSAGES,
    st.sampled_from([" ", "\t", " \t"]),
    st.booleans(),
)
def test_generated_seelog_lines_decode_to_their_values(level, when, msg, sep, millis):
    when = when if millis else when.replace(microsecond=0)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S") + (f".{when.microsecond // 1000:03d}" if millis else "") + "Z"
    line = f"{stamp} [{level}]{sep}{msg}".encode()
    event = decode_line(line, LogFormat.seelog, "f", 1)
    assert (event.timestamp, event.level, event.message) == (when, level.lower(), msg)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(TIMES, st.sampled_from(["I", "W", "E", "F"]), MESSAGES)
def test_generated_journal_lines_decode_to_their_values(when, letter, msg):
    stamp = when.strftime("%b ") + f"{when.day:2d}" + when.strftime(" %H:%M:%S")
    quoted = orjson.dumps(msg).decode()  # klog quotes like strconv.Quote
    klog = (
        f'{letter}{when:%m%d} {when:%H:%M:%S}.{when.microsecond:06d}    3421 log.go:32] {quoted} pod="ns/web"'
    )
    line = f"{stamp} ip-10-0-1-2 kubelet[3421]: {klog}".encode()
    event = decode_line(line, LogFormat.journal, "f", 1, when.year)
    assert event.timestamp == when.replace(microsecond=0)
    assert (event.message, event.fields["pod"], event.level) == (
        msg,
        "ns/web",
        {"I": "info", "W": "warn", "E": "error", "F": "critical"}[letter],
    )
