"""Go-flavoured encodings and names shared by every renderer: compact JSON, map key order,
``time.Time`` text, veth names, stable ids."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

Version = tuple[int, int, int]


ZERO_TIME = "0001-01-01T00:00:00Z"


def go_json(value: Any) -> str:
    """Compact JSON as Go's encoding/json writes it. Dict order is kept as given: build struct
    dicts in field order and maps with :func:`go_map` (Go sorts map keys)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    # encoding/json escapes HTML-sensitive characters by default.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def go_map(items: Mapping[str, Any]) -> dict[str, Any]:
    """A dict whose keys are in Go's map-marshalling order (sorted by bytes)."""
    return {k: items[k] for k in sorted(items, key=lambda k: k.encode("utf-8"))}


def go_time(when: datetime | None) -> str:
    """``time.Time`` as Go marshals it: RFC 3339, trailing fractional zeros trimmed, ``Z``."""
    if when is None:
        return ZERO_TIME
    when = _utc(when)
    base = when.strftime("%Y-%m-%dT%H:%M:%S")
    frac = f"{when.microsecond:06d}".rstrip("0")
    return f"{base}.{frac}Z" if frac else f"{base}Z"


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _unix_nanos(when: datetime) -> int:
    micros = (_utc(when) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    return micros * 1000


def veth_name(namespace: str, pod: str, prefix: str = "eni", index: int | None = None) -> str:
    """Host-side veth name: prefix + first 11 hex chars of sha1("<ns>.<pod>") (§5.2); extra
    interfaces of multi-NIC pods hash ``"<ns>.<pod>.<index>"``."""
    key = f"{namespace}.{pod}" if index is None else f"{namespace}.{pod}.{index}"
    return prefix + hashlib.sha1(key.encode("utf-8")).hexdigest()[:11]


def container_id(seed: str) -> str:
    """A stable 64-hex sandbox/container id derived from ``seed``."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def link_local_from_mac(mac: str) -> str:
    """The EUI-64 IPv6 link-local address the kernel derives from a MAC."""
    octets = [int(x, 16) for x in mac.split(":")]
    octets[0] ^= 0x02
    eui = octets[:3] + [0xFF, 0xFE] + octets[3:]
    groups = [f"{(eui[i] << 8) | eui[i + 1]:x}" for i in range(0, 8, 2)]
    return str(ipaddress.IPv6Address("fe80::" + ":".join(groups)))
