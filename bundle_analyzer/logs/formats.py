"""Recognising a log file's format and decoding single lines into :class:`LogEvent`.

Only hit lines are decoded (the scan stays in bytes), so this module may spend microseconds per
line. Formats and generations (bundle-formats.md §4, §9):

seelog, CNI v1.0–v1.6.0 (separator after `]`: space ≤ v1.4, TAB v1.5.0, millis v1.5.1+,
space+TAB v1.6.0; a record may continue on lines without a timestamp)::

    2019-03-21T17:03:36Z [INFO] Starting L-IPAMD v1.3.2  ...
    2020-02-12T18:04:12.123Z [DEBUG] <TAB>Reconciling ENI/IP pool info...

zap JSON, CNI v1.6.1+, network-policy-agent (2023: `timestamp`, no `caller`; odd keys)::

    {"level":"info","ts":"2024-01-10T20:46:28.541Z","caller":"ipamd/ipamd.go:1316","msg":"Added ENI…"}

logrus JSON (old ebpf-sdk.log) / logrus text (Go entrypoint v1.12.1+, containerd)::

    {"level":"info","msg":"…","time":"2023-09-27T11:37:56Z"}
    time="2024-01-10T20:41:02Z" level=info msg="Copying CNI plugin binaries ..."

container logs: CRI (containerd) and Docker json-file, the inner line decoded again (zap,
hand-built entrypoint JSON that is not escaped, logrus, klog, plain)::

    2024-01-10T20:41:02.123456789Z stderr F I0110 20:41:02.123456   12 request.go:621] Throttling …
    {"log":"Starting IPAM daemon in the background ... ok.\\n","stream":"stdout","time":"2020-01-10T…Z"}

journalctl `short` (no year: placed with ``year_hint``) and `short-iso-precise`, the message
decoded as klog or logrus text when it is one; `-- … --` markers become plain lines::

    Jan 10 20:47:01 ip-10-0-12-34.ec2.internal kubelet[3421]: E0110 20:47:01.004551    3421 log.go:32]
        "RunPodSandbox from runtime service failed" err="…"        (one line, wrapped here)
    2026-03-18T20:47:01.004551+0000 ip-10-0-12-34 containerd[811]: time="…" level=error msg="…"

Decoding never raises: what cannot be read becomes a plain event (``damaged`` when a JSON line
had to be recovered by pattern).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from itertools import chain

import orjson

from bundle_analyzer.logs.events import LogEvent, LogFormat
from bundle_analyzer.logs.scanner import BlockPool, LineHit, LogScanner, ScanResult
from bundle_analyzer.logs.timestamps import (
    MONTHS,
    parse_epoch,
    parse_rfc3339,
    shift_year,
    year_anchor,
    yearless,
)

_LEVELS = {
    "trace": "trace",
    "debug": "debug",
    "dbg": "debug",
    "info": "info",
    "information": "info",
    "notice": "info",
    "warn": "warn",
    "warning": "warn",
    "error": "error",
    "err": "error",
    "critical": "critical",
    "crit": "critical",
    "fatal": "critical",
    "panic": "critical",
    "dpanic": "critical",
    "alert": "critical",
    "emerg": "critical",
}
_KLOG_LEVELS = {"I": "info", "W": "warn", "E": "error", "F": "critical"}

_TS = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|z|[+-]\d{2}:?\d{2})"
_SEELOG = re.compile(
    r"(" + _TS + r") \[(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL)\][ \t]*(.*)", re.S | re.I
)
_CRI = re.compile(r"(\d{4}-\d{2}-\d{2}T\S+) (stdout|stderr) ([FP])(?: (.*))?", re.S)
_CRI_OLD = re.compile(r"(\d{4}-\d{2}-\d{2}T\S+) (stdout|stderr) (.*)", re.S)
_JOURNAL_SHORT = re.compile(
    r"([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))? (\S+) ([^\s\[]+?)(?:\[(\d+)\])?: ?(.*)",
    re.S,
)
_JOURNAL_ISO = re.compile(r"(" + _TS + r") (?:([\w.-]+) )?([^\s\[]+?)(?:\[(\d+)\])?: ?(.*)", re.S)
_JOURNAL_MARKER = re.compile(r"-- (?:.* --|Reboot|No entries|Boot \S+)\s*$", re.S)
_KLOG = re.compile(
    r"([IWEF])(\d{2})(\d{2}) +(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))? +(\d+) +([^\s\]]+)\] ?(.*)", re.S
)
# Keys start after whitespace: without the look-behind a long word is retried at every offset.
_LOGFMT_PAIR = re.compile(r'(?<!\S)([A-Za-z_][\w.\-/]*)=("(?:[^"\\]|\\.)*"?|\S*)', re.S)
_LOGRUS_TEXT = re.compile(r'(?:time="[^"]*" +)?level=\w+|time="[^"]*"', re.S)
_GO_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_KLOG_PAIR = re.compile(r'(?<!\S)([A-Za-z_][\w.\-/]*)=("(?:[^"\\]|\\.)*"|<[^>]*>|\S*)', re.S)
_GO_ESCAPE = re.compile(r"\\(.)", re.S)
_GO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'"}
# Hand-built entrypoint.sh JSON (v1.7–v1.12.0) is not escaped: pick the keys out by pattern.
_JSON_STRING = {
    key: re.compile(r'"' + key + r'"\s*:\s*"((?:[^"\\]|\\.)*)"', re.S)
    for key in ("level", "ts", "timestamp", "time", "caller", "logger")
}
_JSON_MSG_KEY = re.compile(r'"(?:msg|message)"\s*:\s*"')
# zap writes level, ts, caller first: broken lines are searched for them in this prefix only,
# which also bounds the regex work on a hostile 64 KiB line.
_RECOVER_PREFIX = 4096

_STRIP = " \t\r\n\x00"
_DETECT_LINES = 16
_DETECT_BYTES = 64 * 1024
_DETECT_HEAD = 8 * 1024  # scan_log reads this much before choosing the format
# Year-less lines out of order by more than this are a year apart (Dec → Jan).
_WRAP_SLACK = timedelta(days=1)

_Decoded = tuple[LogEvent, bool]  # the event, and whether its year was inferred


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").rstrip("\r\n")


def _level(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return _LEVELS.get(value.strip().lower())


def _stringify(value: object) -> str:
    if isinstance(value, str):
        return value
    try:
        return orjson.dumps(value).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        return str(value)


def go_unquote(body: str) -> str:
    """The content of a Go-quoted string (``strconv.Quote``, ``%q``) without its quotes."""
    if "\\" not in body:
        return body
    try:
        value = orjson.loads(('"' + body + '"').encode("utf-8", "surrogatepass"))
        if isinstance(value, str):
            return value
    except (orjson.JSONDecodeError, UnicodeEncodeError):
        pass
    return _GO_ESCAPE.sub(lambda m: _GO_ESCAPES.get(m.group(1), "\\" + m.group(1)), body)


def _value(token: str) -> str:
    if len(token) >= 2 and token[0] == '"' and token[-1] == '"':
        return go_unquote(token[1:-1])
    if token.startswith('"'):
        return go_unquote(token[1:])
    return token


# -- detection ---------------------------------------------------------------------------


def _looks_json(text: str) -> bool:
    return text.startswith("{")


def detect_line(text: str) -> LogFormat | None:
    """The format of one (stripped) line, None for plain text."""
    if not text:
        return None
    if _looks_json(text):
        try:
            doc = orjson.loads(text)
        except orjson.JSONDecodeError:
            doc = None
        if isinstance(doc, dict):
            if "log" in doc and ("stream" in doc or "time" in doc):
                return LogFormat.docker_json
            if "time" in doc and "ts" not in doc and "timestamp" not in doc:
                return LogFormat.logrus_json
            return LogFormat.zap
        if _JSON_STRING["level"].search(text, 0, _RECOVER_PREFIX) or _JSON_MSG_KEY.search(text):
            return LogFormat.zap
        return None
    if _CRI.match(text):
        return LogFormat.cri
    if _SEELOG.match(text):
        return LogFormat.seelog
    if _JOURNAL_MARKER.match(text) or _JOURNAL_SHORT.match(text) or _JOURNAL_ISO.match(text):
        return LogFormat.journal
    if _KLOG.match(text):
        return LogFormat.klog
    if text.startswith(("time=", "level=")) and _LOGRUS_TEXT.match(text):
        return LogFormat.logrus_text
    return None


def detect_format(first_lines: bytes) -> LogFormat:
    """The format of a log file from its first line(s); journal markers alone say journal."""
    marker_seen = False
    examined = 0
    for raw in first_lines[:_DETECT_BYTES].split(b"\n"):
        text = raw.decode("utf-8", "replace").strip(_STRIP)
        if not text:
            continue
        if _JOURNAL_MARKER.match(text):
            marker_seen = True
            continue
        fmt = detect_line(text)
        if fmt is not None:
            return fmt
        examined += 1
        if examined >= _DETECT_LINES:
            break
    return LogFormat.journal if marker_seen else LogFormat.plain


def record_start_pattern(fmt: LogFormat) -> str | None:
    """RE2 regex a record's first line matches, for formats whose records span lines."""
    if fmt is LogFormat.seelog:
        return r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"
    if fmt is LogFormat.journal:
        return r"\S"  # systemd indents the continuation lines of a multi-line message
    return None


# -- single-format decoders (None: the line is not in this format) ----------------------


def _event(path: str, line: int, raw: str, fmt: LogFormat, **kw) -> LogEvent:
    return LogEvent(path=path, line=line, raw=raw, format=fmt, **kw)


def _decode_seelog(text: str, path: str, line: int, raw: str) -> LogEvent | None:
    m = _SEELOG.match(text)
    if m is None:
        return None
    ts, level, msg = m.groups()
    return _event(
        path,
        line,
        raw,
        LogFormat.seelog,
        timestamp=parse_rfc3339(ts),
        level=_level(level),
        message=msg.strip(_STRIP),
    )


def _json_fields(doc: dict) -> tuple[dict[str, object], dict[str, str]]:
    known: dict[str, object] = {}
    fields: dict[str, str] = {}
    for key, value in doc.items():
        if key in ("level", "lvl", "severity", "ts", "timestamp", "time", "caller", "msg", "message"):
            known.setdefault(key, value)
        else:
            fields[key] = _stringify(value)
    return known, fields


def _json_time(value: object) -> datetime | None:
    if isinstance(value, str):
        return parse_rfc3339(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return parse_epoch(float(value))
    return None


def _decode_json(text: str, path: str, line: int, raw: str) -> LogEvent | None:
    """zap and logrus JSON; broken JSON (unescaped, truncated, NUL-padded) by pattern."""
    if not _looks_json(text):
        return None
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        doc = None
    if isinstance(doc, dict):
        known, fields = _json_fields(doc)
        ts_key = next((k for k in ("ts", "timestamp", "time") if k in known), None)
        fmt = LogFormat.logrus_json if ts_key == "time" else LogFormat.zap
        level_value = next((known[k] for k in ("level", "lvl", "severity") if k in known), None)
        level = _level(level_value)
        if level is None and level_value is not None:
            fields["level"] = _stringify(level_value)
        message = known.get("msg", known.get("message", ""))
        caller = known.get("caller")
        return _event(
            path,
            line,
            raw,
            fmt,
            timestamp=_json_time(known[ts_key]) if ts_key else None,
            level=level,
            caller=caller if isinstance(caller, str) else None,
            message=message if isinstance(message, str) else _stringify(message),
            fields=fields,
        )
    if doc is not None:
        return None  # valid JSON but not an object: not a log record
    return _recover_json(text, path, line, raw)


def _recovered_message(text: str) -> str | None:
    """The `msg` value of a broken JSON line: up to the closing `"}`, or to the end if cut."""
    m = _JSON_MSG_KEY.search(text)
    if m is None:
        return None
    rest = text[m.end() :].rstrip()
    if rest.endswith("}"):
        body = rest[:-1].rstrip()
        if body.endswith('"'):
            return body[:-1]
    return rest


def _recover_json(text: str, path: str, line: int, raw: str) -> LogEvent | None:
    found = {key: rx.search(text, 0, _RECOVER_PREFIX) for key, rx in _JSON_STRING.items()}
    msg = _recovered_message(text)
    if msg is None and found["level"] is None:
        return None
    ts_match = found["ts"] or found["timestamp"] or found["time"]
    fmt = (
        LogFormat.logrus_json if found["time"] and not (found["ts"] or found["timestamp"]) else LogFormat.zap
    )
    fields = {"logger": go_unquote(found["logger"].group(1))} if found["logger"] else {}
    return _event(
        path,
        line,
        raw,
        fmt,
        timestamp=parse_rfc3339(ts_match.group(1)) if ts_match else None,
        level=_level(found["level"].group(1)) if found["level"] else None,
        caller=go_unquote(found["caller"].group(1)) if found["caller"] else None,
        message=msg or "",
        fields=fields,
        damaged=True,
    )


def _decode_logrus_text(text: str, path: str, line: int, raw: str) -> LogEvent | None:
    if not _LOGRUS_TEXT.match(text):
        return None
    values: dict[str, str] = {}
    for m in _LOGFMT_PAIR.finditer(text):
        values.setdefault(m.group(1), _value(m.group(2)))
    if "level" not in values and "msg" not in values:
        return None
    fields = {k: v for k, v in values.items() if k not in ("time", "level", "msg")}
    level = _level(values.get("level"))
    if level is None and "level" in values:
        fields["level"] = values["level"]
    return _event(
        path,
        line,
        raw,
        LogFormat.logrus_text,
        timestamp=parse_rfc3339(values["time"]) if "time" in values else None,
        level=level,
        message=values.get("msg", ""),
        fields=fields,
    )


def _decode_klog(text: str, path: str, line: int, raw: str, anchor: datetime | None) -> LogEvent | None:
    m = _KLOG.match(text)
    if m is None:
        return None
    letter, mo, d, h, mi, s, frac, pid, caller, rest = m.groups()
    month, day = int(mo), int(d)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    micro = int((frac or "0")[:6].ljust(6, "0"))
    message, fields = _klog_message(rest)
    fields["thread_id"] = pid
    return _event(
        path,
        line,
        raw,
        LogFormat.klog,
        timestamp=yearless(month, day, int(h), int(mi), int(s), micro, anchor),
        level=_KLOG_LEVELS[letter],
        caller=caller,
        message=message,
        fields=fields,
    )


def _klog_message(rest: str) -> tuple[str, dict[str, str]]:
    """Structured klog (`"msg" key="value" …`, Kubernetes ≥ 1.20) or a legacy free-text line."""
    rest = rest.rstrip(_STRIP)
    if not rest.startswith('"'):
        return rest, {}
    m = _GO_QUOTED.match(rest)
    if m is None:
        return rest, {}
    fields: dict[str, str] = {}
    for pair in _KLOG_PAIR.finditer(rest, m.end()):
        fields.setdefault(pair.group(1), _value(pair.group(2)))
    return go_unquote(m.group(1)), fields


def _decode_inner(text: str, path: str, line: int, raw: str, anchor: datetime | None) -> LogEvent | None:
    """A line written by a program (container output, journal message): any program format."""
    return (
        _decode_json(text, path, line, raw)
        or _decode_klog(text, path, line, raw, anchor)
        or _decode_logrus_text(text, path, line, raw)
        or _decode_seelog(text, path, line, raw)
    )


def _wrap(
    outer: LogFormat,
    outer_ts: datetime | None,
    inner: LogEvent | None,
    message: str,
    path: str,
    line: int,
    raw: str,
    extra: dict[str, str],
    *,
    prefer_outer: bool,
) -> LogEvent:
    """An event of a container/journal line, carrying what its inner line said.

    The time is the program's own (inner) one for container logs, where it has a year; the
    journal's, and the runtime's for klog lines (which lack the year), otherwise.
    """
    if inner is None:
        return _event(path, line, raw, outer, timestamp=outer_ts, message=message, fields=dict(extra))
    fields = {**inner.fields, **extra, "inner_format": inner.format.value}  # the outer keys win
    use_outer = prefer_outer or inner.format is LogFormat.klog or inner.timestamp is None
    ts = outer_ts if use_outer and outer_ts is not None else inner.timestamp
    return _event(
        path,
        line,
        raw,
        outer,
        timestamp=ts,
        level=inner.level,
        caller=inner.caller,
        message=inner.message,
        fields=fields,
        damaged=inner.damaged,
    )


def _decode_cri(text: str, path: str, line: int, raw: str) -> LogEvent | None:
    m = _CRI.match(text)
    if m is not None:
        ts_text, stream, tag, content = m.groups()
    else:
        m = _CRI_OLD.match(text)
        if m is None:
            return None
        ts_text, stream, content = m.groups()
        tag = "F"
    outer_ts = parse_rfc3339(ts_text)
    if outer_ts is None:
        return None
    content = (content or "").strip(_STRIP)
    extra = {"stream": stream, "runtime_time": outer_ts.isoformat()}
    if tag == "P":
        extra["partial"] = "true"
    inner = _decode_inner(content, path, line, raw, outer_ts)
    return _wrap(LogFormat.cri, outer_ts, inner, content, path, line, raw, extra, prefer_outer=False)


def _decode_docker(text: str, path: str, line: int, raw: str) -> LogEvent | None:
    if not _looks_json(text):
        return None
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("log"), str):
        return None
    outer_ts = _json_time(doc.get("time"))
    content = doc["log"].strip(_STRIP)
    extra = {"stream": _stringify(doc.get("stream", ""))}
    if outer_ts is not None:
        extra["runtime_time"] = outer_ts.isoformat()
    inner = _decode_inner(content, path, line, raw, outer_ts)
    return _wrap(LogFormat.docker_json, outer_ts, inner, content, path, line, raw, extra, prefer_outer=False)


def _decode_journal(text: str, path: str, line: int, raw: str, anchor: datetime | None) -> _Decoded | None:
    if _JOURNAL_MARKER.match(text):
        return _event(
            path, line, raw, LogFormat.plain, message=text, fields={"journal_marker": "true"}
        ), False
    inferred = False
    m = _JOURNAL_ISO.match(text)
    if m is not None:
        ts_text, host, ident, pid, message = m.groups()
        ts = parse_rfc3339(ts_text)
    else:
        m = _JOURNAL_SHORT.match(text)
        if m is None or m.group(1) not in MONTHS:
            return None
        mon, d, h, mi, s, frac, host, ident, pid, message = m.groups()
        micro = int((frac or "0")[:6].ljust(6, "0"))
        ts = yearless(MONTHS[mon], int(d), int(h), int(mi), int(s), micro, anchor)
        inferred = True
    extra = {"unit": ident}
    if host:
        extra["host"] = host
    if pid:
        extra["pid"] = pid
    message = message.strip(_STRIP)
    inner = _decode_klog(message, path, line, raw, ts or anchor) or _decode_logrus_text(
        message, path, line, raw
    )
    return _wrap(LogFormat.journal, ts, inner, message, path, line, raw, extra, prefer_outer=True), inferred


# -- public decoding ----------------------------------------------------------------------


def _decode_as(
    fmt: LogFormat, text: str, path: str, line: int, raw: str, anchor: datetime | None
) -> _Decoded | None:
    if fmt is LogFormat.seelog:
        ev = _decode_seelog(text, path, line, raw)
    elif fmt in (LogFormat.zap, LogFormat.logrus_json):
        ev = _decode_json(text, path, line, raw)
    elif fmt is LogFormat.logrus_text:
        ev = _decode_logrus_text(text, path, line, raw)
    elif fmt is LogFormat.cri:
        ev = _decode_cri(text, path, line, raw)
    elif fmt is LogFormat.docker_json:
        ev = _decode_docker(text, path, line, raw)
    elif fmt is LogFormat.journal:
        return _decode_journal(text, path, line, raw, anchor)
    elif fmt is LogFormat.klog:
        ev = _decode_klog(text, path, line, raw, anchor)
        return (ev, True) if ev is not None else None
    else:
        ev = None
    return (ev, False) if ev is not None else None


def _decode(raw_bytes: bytes, fmt: LogFormat, path: str, line: int, anchor: datetime | None) -> _Decoded:
    raw = _text(raw_bytes)
    text = raw.strip(_STRIP)
    try:
        decoded = _decode_as(fmt, text, path, line, raw, anchor)
        if decoded is None and fmt is not LogFormat.plain and text:
            other = detect_line(text)
            if other is not None and other is not fmt:
                decoded = _decode_as(other, text, path, line, raw, anchor)
    except (ValueError, TypeError, OverflowError, RecursionError):  # a decoder bug must not lose the line
        decoded = None
    if decoded is not None:
        return decoded
    # In formats whose records span lines, a line that is not a record start continues one.
    fields = {"continuation": "true"} if record_start_pattern(fmt) is not None and text else {}
    out_fmt = fmt if fields else LogFormat.plain
    return _event(path, line, raw, out_fmt, message=text, fields=fields), False


def decode_line(
    raw: bytes, fmt: LogFormat, path: str, line: int, year_hint: int | datetime | None = None
) -> LogEvent:
    """One line in the file's format (other formats tried too); never raises.

    ``year_hint``: the year (or better the collection time) for formats without a year
    (journal `short`, klog); with a datetime, a date after it is put in the previous year.
    """
    return _decode(raw, fmt, path, line, year_anchor(year_hint))[0]


def _is_continuation(event: LogEvent) -> bool:
    return event.fields.get("continuation") == "true"


def _continue_record(head: LogEvent, event: LogEvent, record_line: int) -> LogEvent:
    fields = dict(head.fields)
    fields["record_line"] = str(record_line)
    return event.model_copy(
        update={
            "timestamp": head.timestamp,
            "level": head.level,
            "caller": head.caller,
            "message": f"{head.message}\n{event.message}",
            "fields": fields,
        }
    )


def decode_hits(
    result: ScanResult, fmt: LogFormat, year_hint: int | datetime | None = None
) -> list[LogEvent]:
    """The kept hit lines of a scan as events, in file order.

    Seelog continuation lines take time and level from their record's first line (from the
    scan's ``record_head`` or from the hit just before). Year-less timestamps are placed
    counting back from ``year_hint``: where they go backwards by more than a day, the earlier
    lines belong to the previous year (a journal spanning New Year).
    """
    anchor = year_anchor(year_hint)
    events: list[LogEvent] = []
    inferred: list[bool] = []
    previous: tuple[LineHit, LogEvent] | None = None
    for hit in result.hits:
        event, yearless_ts = _decode(hit.raw, fmt, result.path, hit.line, anchor)
        if _is_continuation(event):
            head: LogEvent | None = None
            record_line = hit.record_line
            if hit.record_head is not None and record_line is not None:
                head, _ = _decode(hit.record_head, fmt, result.path, record_line, anchor)
            elif previous is not None and previous[0].line == hit.line - 1:
                head = previous[1]
                record_line = int(head.fields.get("record_line", head.line))
            if head is not None and not _is_continuation(head) and record_line is not None:
                event = _continue_record(head, event, record_line)
        previous = (hit, event)
        events.append(event)
        inferred.append(yearless_ts)
    return _place_years(events, inferred)


def _place_years(events: list[LogEvent], inferred: list[bool]) -> list[LogEvent]:
    later: datetime | None = None
    for i in range(len(events) - 1, -1, -1):
        ts = events[i].timestamp
        if ts is None:
            continue
        if inferred[i] and later is not None:
            shifted = ts
            for _ in range(5):
                if shifted is None or shifted <= later + _WRAP_SLACK:
                    break
                shifted = shift_year(shifted, -1)
            if shifted is not None and shifted is not ts:
                events[i] = events[i].model_copy(update={"timestamp": shifted})
                ts = shifted
        later = ts
    return events


def scan_log(
    scanner: LogScanner, chunks: Iterable[bytes], path: str, *, pool: BlockPool | None = None
) -> tuple[LogFormat, ScanResult]:
    """Detect the format from the first chunk(s), then scan with that format's record rule.

    ``pool``: where blocks may also be searched (see :mod:`bundle_analyzer.logs.scan_pool`)."""
    iterator: Iterator[bytes] = iter((chunks,) if isinstance(chunks, bytes) else chunks)
    head: list[bytes] = []
    size = 0
    for chunk in iterator:
        head.append(chunk)
        size += len(chunk)
        if size >= _DETECT_HEAD:
            break
    fmt = detect_format(b"".join(bytes(c) for c in head)[:_DETECT_BYTES])
    result = scanner.scan(chain(head, iterator), path, record_start=record_start_pattern(fmt), pool=pool)
    return fmt, result


__all__ = [
    "decode_hits",
    "decode_line",
    "detect_format",
    "detect_line",
    "go_unquote",
    "record_start_pattern",
    "scan_log",
]
