"""Timestamp spellings found in CNI, kubelet and container logs, read into aware datetimes.

Variants (bundle-formats.md §14 item 22):
  `2019-03-21T17:03:36Z`              seelog <= v1.5.0 (no fraction)
  `2024-01-10T20:46:28.541Z`          zap (millis), also `…541+0100` (offset without colon)
  `2024-01-10T20:41:02.123456789Z`    CRI / Docker (RFC3339Nano: nanoseconds, more than Python keeps)
  `2026-03-18T20:47:01.004551+0000`   journalctl -o short-iso-precise
  `Jan 10 20:47:01` / `E0110 20:47:01.004551`   journal `short` / klog: no year, no zone
Missing zones are read as UTC (nodes log in UTC). Fractions beyond microseconds are cut.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
    r"\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?"
)

MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
    )
}

# A journal that lacks the year is at most this far "in the future" of its anchor before we
# decide it belongs to the previous year (clock skew, collection-time rounding).
_FUTURE_SLACK = timedelta(days=2)


def _micro(fraction: str | None) -> int:
    if not fraction:
        return 0
    return int(fraction[:6].ljust(6, "0"))


def _zone(text: str | None) -> timezone:
    if not text or text in ("Z", "z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4]) if len(digits) >= 4 else 0
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def to_utc(value: datetime) -> datetime:
    """UTC when representable (year 1 with a positive offset is not): keeps events comparable."""
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return value


def parse_rfc3339(text: str) -> datetime | None:
    """An RFC 3339 / ISO 8601 timestamp at the start of ``text``; None if there is none."""
    m = _RFC3339.match(text.strip())
    if m is None:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    try:
        value = datetime(
            int(y), int(mo), int(d), int(h), int(mi), min(int(s), 59), _micro(frac), tzinfo=_zone(zone)
        )
    except ValueError:
        return None
    return to_utc(value)


def parse_epoch(value: float) -> datetime | None:
    """zap's default (non-ISO) encoder writes seconds since the epoch as a float."""
    try:
        if value > 1e14:  # nanoseconds
            value = value / 1e9
        elif value > 1e11:  # milliseconds
            value = value / 1e3
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def year_anchor(year_hint: int | datetime | None) -> datetime | None:
    """The latest moment a year-less line may plausibly have: collection time, or year end."""
    if year_hint is None:
        return None
    if isinstance(year_hint, datetime):
        return year_hint if year_hint.tzinfo else year_hint.replace(tzinfo=UTC)
    try:
        return datetime(int(year_hint), 12, 31, 23, 59, 59, tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def yearless(
    month: int, day: int, hour: int, minute: int, second: int, micro: int, anchor: datetime | None
) -> datetime | None:
    """Place a month/day/time without a year at or before ``anchor`` (the Dec→Jan wrap)."""
    if anchor is None:
        return None
    for year in (anchor.year, anchor.year - 1, anchor.year - 2, anchor.year - 3, anchor.year - 4):
        try:
            value = datetime(year, month, day, hour, minute, min(second, 59), micro, tzinfo=UTC)
        except ValueError:  # Feb 29 outside a leap year: try an earlier year
            continue
        if value <= anchor + _FUTURE_SLACK:
            return value
    return None


def shift_year(value: datetime, years: int) -> datetime | None:
    """The same wall-clock moment ``years`` earlier or later; None for Feb 29 without a leap year."""
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return None
