"""ipamd metrics (``ipamd/metrics.json`` — Prometheus text despite the name; legacy
``metrics.output``/``metrics.out``), text exposition format 0.0.4::

    # HELP awscni_assigned_ip_addresses The number of IP addresses assigned to pods
    # TYPE awscni_assigned_ip_addresses gauge
    awscni_assigned_ip_addresses 14
    awscni_build_info{goversion="go1.22.5",version="v1.18.3"} 1
    awscni_aws_api_latency_ms_sum{api="AssignPrivateIpAddresses",error="true",status="400"} 412

Reads every CNI version: names without the ``awscni_`` prefix before v1.4.0 are kept as written
(:meth:`MetricsDump.get` falls back to them). Label values may hold error text with ``\\"``,
``\\\\`` and ``\\n`` escapes; values may be ``NaN``, ``+Inf``, ``-Inf`` or use exponents; a sample
may end with a millisecond timestamp. If ``>>`` appended a second exposition (a ``# HELP`` of a
family already seen), a series seen twice keeps its later value.
"""

from __future__ import annotations

import math
import re

from bundle_analyzer.models.common import Parsed, Problem, decode_text, outcome
from bundle_analyzer.models.introspection import MetricSample, MetricsDump
from bundle_analyzer.parsers._netutil import MAX_METRIC_SAMPLES, cut_short
from bundle_analyzer.parsers.jsondocs import error_body

MAX_LINE_PROBLEMS = 50

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_LABEL_VALUE = re.compile(r'"([^"\\\n]*(?:\\.[^"\\\n]*)*)"')
_SPACE = re.compile(r"[ \t]*")
_FLOAT = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])")
_TIMESTAMP = re.compile(r"-?[0-9]{1,20}(?![0-9])")
_ESCAPE = re.compile(r"\\(.)")
_HELP_OR_TYPE = re.compile(r"#[ \t]+(HELP|TYPE)[ \t]+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:[ \t]+(.*))?")


class _LineError(ValueError):
    pass


def parse_metrics(data: bytes, path: str) -> Parsed[MetricsDump]:
    """Parse a Prometheus text exposition; never raises on bad content."""
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)
    stripped = text.lstrip()
    first_line = text[: len(text) - len(stripped)].count("\n") + 1
    if stripped[0] in "{[":
        return outcome(path, None, [Problem(path=path, line=first_line, message="not Prometheus text: the body is JSON")])
    body = error_body(text)
    if body == "HTML page":
        return outcome(path, None, [Problem(path=path, line=first_line, message="not Prometheus text: an HTML page")])

    problems: list[Problem] = []
    bad_lines = 0
    # Keyed by series so that a re-run appended with ``>>`` overrides the older values.
    series: dict[tuple[str, tuple[tuple[str, str], ...]], MetricSample] = {}
    types: dict[str, str] = {}
    described: set[str] = set()
    expositions = 1
    second_start: int | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            header = _HELP_OR_TYPE.fullmatch(line.strip())
            if header is None:
                continue  # free-form comment
            kind, family, rest = header.groups()
            if kind == "HELP":
                if family in described:
                    expositions += 1
                    second_start = second_start or number
                    described.clear()
                described.add(family)
            else:
                types[family] = (rest or "untyped").strip()
            continue
        try:
            sample = _parse_sample(line, number)
        except _LineError as exc:
            bad_lines += 1
            if bad_lines <= MAX_LINE_PROBLEMS:
                problems.append(Problem(path=path, line=number, message=f"bad sample line: {exc}"))
            continue
        key = (sample.name, tuple(sorted(sample.labels.items())))
        if key not in series and len(series) >= MAX_METRIC_SAMPLES:
            problems.append(Problem(path=path, line=number,
                                    message=cut_short(len(series), MAX_METRIC_SAMPLES, "series")))
            break
        series[key] = sample
    samples = list(series.values())
    if bad_lines > MAX_LINE_PROBLEMS:
        problems.append(Problem(path=path, line=None, message=f"{bad_lines - MAX_LINE_PROBLEMS} more bad sample lines"))
    if expositions > 1:
        problems.insert(
            0,
            Problem(
                path=path,
                line=second_start,
                message=f"{expositions} concatenated expositions (collector output appended with >>); later values win",
            ),
        )
    if not samples and not types and not described:
        problems.insert(0, Problem(path=path, line=first_line, message="not Prometheus text: no metric found"))
        return outcome(path, None, problems)
    return outcome(path, MetricsDump(samples=samples, types=types), problems)


def _parse_sample(line: str, number: int) -> MetricSample:
    """``name{label="value",…} value [timestamp]`` with spaces or tabs between the parts."""
    pos = _SPACE.match(line, 0).end()  # type: ignore[union-attr]
    name_match = _NAME.match(line, pos)
    if name_match is None:
        raise _LineError("no metric name")
    name = name_match.group()
    pos = _SPACE.match(line, name_match.end()).end()  # type: ignore[union-attr]
    labels: dict[str, str] = {}
    if pos < len(line) and line[pos] == "{":
        pos = _parse_labels(line, pos + 1, labels)
    elif pos == name_match.end() and pos < len(line):
        raise _LineError(f"unexpected {line[pos]!r} after the metric name")
    pos = _SPACE.match(line, pos).end()  # type: ignore[union-attr]
    value_match = _FLOAT.match(line, pos)
    if value_match is None or (value_match.end() < len(line) and line[value_match.end()] not in " \t"):
        raise _LineError("no valid value")
    text = value_match.group()
    value = math.nan if text.lower().endswith("nan") else float(text)
    pos = _SPACE.match(line, value_match.end()).end()  # type: ignore[union-attr]
    timestamp = None
    if pos < len(line):
        stamp = _TIMESTAMP.match(line, pos)
        if stamp is None or _SPACE.match(line, stamp.end()).end() != len(line):  # type: ignore[union-attr]
            raise _LineError("junk after the value")
        timestamp = int(stamp.group())
    return MetricSample(name=name, labels=labels, value=value, timestamp_ms=timestamp, line=number)


def _parse_labels(line: str, pos: int, labels: dict[str, str]) -> int:
    """Read ``a="x",b="y"}`` from ``pos``; returns the position after ``}``."""
    while True:
        pos = _SPACE.match(line, pos).end()  # type: ignore[union-attr]
        if pos < len(line) and line[pos] == "}":
            return pos + 1
        name_match = _LABEL_NAME.match(line, pos)
        if name_match is None:
            raise _LineError("bad label name")
        pos = _SPACE.match(line, name_match.end()).end()  # type: ignore[union-attr]
        if pos >= len(line) or line[pos] != "=":
            raise _LineError(f"label {name_match.group()} has no '='")
        pos = _SPACE.match(line, pos + 1).end()  # type: ignore[union-attr]
        value_match = _LABEL_VALUE.match(line, pos)
        if value_match is None:
            raise _LineError(f"label {name_match.group()} has no quoted value")
        labels[name_match.group()] = _unescape(value_match.group(1))
        pos = _SPACE.match(line, value_match.end()).end()  # type: ignore[union-attr]
        if pos < len(line) and line[pos] == ",":
            pos += 1
        elif pos < len(line) and line[pos] == "}":
            return pos + 1
        else:
            raise _LineError("label set not closed")


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1) if m.group(1) in '\\"' else m.group(0), value)
