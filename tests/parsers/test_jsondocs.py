"""Shared JSON helpers: concatenated/truncated documents, salvage, Go times, Unix nanoseconds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bundle_analyzer.parsers.jsondocs import (
    error_body,
    from_unix_nanos,
    iter_json_documents,
    narrow_versions,
    parse_go_time,
    read_json_document,
    salvage_truncated_json,
    scan_json_documents,
)


def test_single_and_concatenated_documents_with_lines() -> None:
    assert iter_json_documents('{"a":1}') == [({"a": 1}, 1)]
    assert iter_json_documents('{"a":1}{"b":2}') == [({"a": 1}, 1), ({"b": 2}, 1)]
    assert iter_json_documents('\n{"a":1}\n\n{"b":2}\n') == [({"a": 1}, 2), ({"b": 2}, 4)]
    assert iter_json_documents('"default"') == [("default", 1)]
    assert iter_json_documents("") == []


def test_truncated_document_followed_by_a_complete_one() -> None:
    scan = scan_json_documents('{"x":{"Assigned":true},"y":{"Assi{"b":{"c":1}}')
    assert [doc.value for doc in scan.complete] == [{"b": {"c": 1}}]
    assert [doc.value for doc in scan.documents if not doc.complete] == [{"x": {"Assigned": True}, "y": {}}]
    assert "cut short" in scan.errors[0][1]


def test_truncation_is_told_apart_from_junk() -> None:
    assert scan_json_documents('{"a":[1,2],"b":{"c":tr').errors == [
        (1, "truncated JSON: the document ends before it is complete")
    ]
    assert scan_json_documents('{"a":1}\n junk').errors[0] == (2, "invalid JSON at column 2: Expecting value")
    assert scan_json_documents("[" * 3000).errors[0][1].startswith("JSON nested too deeply")
    not_json = scan_json_documents('{"a":NaN}')
    assert not_json.complete == [] and not_json.errors[0][1].startswith("invalid JSON at column 6")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a":[1,2],"b":{"c":tr', {"a": [1, 2], "b": {}}),
        ('{"a":"x\\"y","b":"unterminated', {"a": 'x"y'}),
        ('[1,2,3', [1, 2]),  # 3 may be the start of 345
        ('{"k"', {}),
        ("Not Found", None),
        ("", None),
    ],
)
def test_salvage(text: str, expected: object) -> None:
    assert salvage_truncated_json(text) == expected


def test_error_bodies() -> None:
    assert error_body("Not Found\n") == "Not Found"
    assert error_body("Internal Server Error\n") == "Internal Server Error"
    assert error_body("404 page not found\n") == "404 page not found"
    assert error_body("<!DOCTYPE html><html>") == "HTML page"
    assert error_body('\ufeff{"a":1}') is None
    assert error_body('{"a":1}') is None and error_body('"default"') is None and error_body("12") is None


def test_read_json_document_picks_the_last_complete() -> None:
    read = read_json_document('{"a":1}{"a":2}', "f", "thing")
    assert read.value == {"a": 2} and "2 concatenated JSON documents" in read.problems[0].message
    read = read_json_document('{"a":1,"b":', "f", "thing")
    assert read.value == {"a": 1} and not read.complete


def test_parse_go_time() -> None:
    assert parse_go_time("0001-01-01T00:00:00Z") is None
    assert parse_go_time("2024-01-10T20:41:12.004551233Z") == datetime(2024, 1, 10, 20, 41, 12, 4551, tzinfo=UTC)
    assert parse_go_time("2026-02-20T08:00:01.5Z") == datetime(2026, 2, 20, 8, 0, 1, 500000, tzinfo=UTC)
    assert parse_go_time("2024-01-10T20:46:28.541+0100") == datetime(2024, 1, 10, 19, 46, 28, 541000, tzinfo=UTC)
    assert parse_go_time("2024-01-10T20:46:28-05:30") == datetime(2024, 1, 11, 2, 16, 28, tzinfo=UTC)
    assert parse_go_time("1970-01-01T00:00:00Z") == datetime(1970, 1, 1, tzinfo=UTC)
    assert parse_go_time("yesterday") is None and parse_go_time(None) is None
    with pytest.raises(ValueError):
        parse_go_time("2024-13-01T00:00:00Z", strict=True)


def test_unix_nanos() -> None:
    assert from_unix_nanos(0) is None
    assert from_unix_nanos(1771574401500000000) == datetime(2026, 2, 20, 8, 0, 1, 500000, tzinfo=UTC)
    with pytest.raises(ValueError):
        from_unix_nanos(-1)


def test_narrow_versions() -> None:
    assert narrow_versions("v1.20.0", None, at_least="v1.20.3") == ("v1.20.3", None)
    assert narrow_versions("v1.20.3", None, at_most="v1.21.x") == ("v1.20.3", "v1.21.x")
    assert narrow_versions("v1.20.3", "v1.21.x", at_most="v1.22.x") == ("v1.20.3", "v1.21.x")
    assert narrow_versions("v1.9.0", "v1.9.x", at_least="v1.10.0") == ("v1.10.0", "v1.9.x")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    scan_json_documents(text)
    salvage_truncated_json(text)
    parse_go_time(text)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=6),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.dictionaries(st.text(max_size=4), _json, max_size=3), min_size=1, max_size=4), st.booleans())
def test_concatenated_documents_come_back(docs: list[dict], newline: bool) -> None:
    text = ("\n" if newline else "").join(json.dumps(doc, separators=(",", ":")) for doc in docs)
    assert [value for value, _ in iter_json_documents(text)] == docs


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(st.text(max_size=4), _json, min_size=1, max_size=4), st.integers(1, 400))
def test_salvage_of_a_prefix_is_a_json_value(doc: dict, cut: int) -> None:
    text = json.dumps(doc, separators=(",", ":"))
    salvaged = salvage_truncated_json(text[: cut % len(text)])
    assert salvaged is None or isinstance(salvaged, dict)


def test_byte_order_mark_is_ignored() -> None:
    assert iter_json_documents('\ufeff{"a":1}') == [({"a": 1}, 1)]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(0, 999),
    st.integers(0, 9),
    st.sampled_from(["Z", "+00:00", "+05:30", "-0800"]),
)
def test_go_times_parse_back(moment: datetime, nanos: int, digits: int, zone: str) -> None:
    fraction = f"{moment.microsecond:06d}{nanos:03d}"[:digits]
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if digits else "") + zone
    parsed = parse_go_time(text)
    sign = -1 if zone.startswith("-") else 1
    offset = 0 if zone == "Z" else sign * (int(zone[1:3]) * 60 + int(zone[-2:]))
    expected = moment.replace(microsecond=int(fraction.ljust(6, "0")[:6]) if digits else 0, tzinfo=UTC)
    assert parsed == expected - timedelta(minutes=offset)
    assert parsed.tzinfo is UTC
