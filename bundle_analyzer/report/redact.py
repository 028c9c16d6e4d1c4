"""Redaction: a copy of a report that can leave the company, still readable by an engineer.

Addresses and ids are *replaced*, not blanked, so the reader can still follow "this IP on that
ENI in that subnet". Within one redaction run the mapping is consistent (the same input always
gives the same output) and injective (different inputs never merge), and IPv4/IPv6 mapping is
prefix-preserving: addresses in the same /16 or /24 (and, bit by bit, any longer prefix) stay
together in one mapped /16 or /24, so CIDR containment still holds in the redacted report.

How: a Crypto-PAn style construction. Bit *i* of the output is bit *i* of the input flipped by a
keyed hash (BLAKE2b in keyed mode, i.e. a MAC) of the bits before it. The key is random per run
and never written anywhere, so the mapping cannot be recovered from the output.

Kept as they are, because they identify nobody and the reader needs them: 0.0.0.0/8,
127.0.0.0/8, 169.254.0.0/16 (the pod gateway 169.254.1.1, IMDS), 224.0.0.0/3 (multicast,
reserved, 255.255.255.255, netmasks such as 255.255.255.0), the ``/N`` length of a CIDR, IPv6
``::``, ``::1`` and ff00::/8. The private blocks stay recognisable: 10/8, 172.16/12,
192.168/16, 100.64/10 keep their block prefix and only the rest is mapped (and no other
address is mapped into them).

Also replaced: 12-digit account ids in ARNs and OwnerId/AccountId contexts and ECR hosts,
ARN resource names, EC2 ids (``eni-``, ``i-``, ``subnet-``, ``sg-``, ``vpc-``, ...), node
hostnames ``ip-10-0-1-2.<region>.compute.internal`` (with the mapped IP, so they stay
consistent with it) and EKS API endpoint ids. Rule ids are left alone.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
from typing import Any

from bundle_analyzer.report.model import Report

# Fields that name rules, not the customer's resources.
_KEEP_FIELDS = frozenset({"rule_id", "caused_by", "explains", "schema_version"})

_ID_PREFIXES = (
    "eni-attach",
    "tgw-attach",
    "subnet-cidr-assoc",
    "vpc-cidr-assoc",
    "eipalloc",
    "eipassoc",
    "subnet",
    "vpce",
    "eni",
    "vpc",
    "sgr",
    "sg",
    "rtb",
    "igw",
    "nat",
    "acl",
    "tgw",
    "pcx",
    "vol",
    "snap",
    "lt",
    "r",
    "i",
)
_ID = r"(?:" + "|".join(_ID_PREFIXES) + r")-(?:[0-9a-f]{17}|[0-9a-f]{8})"
_ID_FULL = re.compile(_ID + r"\Z")

_PATTERN = re.compile(
    r"(?P<arn>\barn:aws[a-zA-Z-]*:[a-z0-9-]*:[a-z0-9-]*:(?:\d{12}|aws)?:[A-Za-z0-9_+=,.@/:*-]+)"
    r"|(?<![A-Za-z0-9-])(?P<host>(?:ip|ec2)-\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3})(?!\d)"
    r"|(?<![0-9A-Za-z])(?P<eks>[0-9A-Fa-f]{32})(?=\.(?:[a-z0-9-]+\.)*eks\.amazonaws\.com)"
    r"|(?P<acctctx>(?:[Oo]wner|[Aa]ccount|[Rr]equester)(?:[_-]?[Ii][Dd])?\"?\s*[:=]?\s*\"?)(?P<acct>\d{12})(?!\d)"
    r"|(?<!\d)(?P<ecr>\d{12})(?=\.dkr\.ecr\.)"
    r"|(?<![A-Za-z0-9])(?P<id>" + _ID + r")(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z:.])(?P<v6>(?=[0-9A-Fa-f:]*:[0-9A-Fa-f]*:)[0-9A-Fa-f:]{2,39}"
    r"(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?(?:/\d{1,3})?)(?![0-9A-Za-z:]|\.\d)"
    r"|(?<![\d.])(?P<v4>(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?)(?!\d|\.\d)"
)
_V4 = re.compile(r"(?<![\d.])((?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?)(?!\d|\.\d)")

# First octets kept as they are (private blocks, loopback, link-local, multicast and up).
_KEPT_FIRST = frozenset({0, 10, 100, 127, 169, 172, 192}) | frozenset(range(224, 256))


class Redactor:
    """One redaction run: holds the secret key and the mappings made so far."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else secrets.token_bytes(32)
        self._bits: dict[tuple[bytes, int, int], int] = {}
        self._perms: dict[tuple[bytes, tuple[int, ...]], dict[int, int]] = {}
        self._ids: dict[str, str] = {}
        self._taken: set[str] = set()
        self._addresses: dict[str, str] = {}

    # -- keyed primitives -------------------------------------------------------------
    def _mac(self, *parts: bytes) -> bytes:
        return hashlib.blake2b(b"\x00".join(parts), key=self._key, digest_size=16).digest()

    def _flip(self, domain: bytes, length: int, head: int) -> int:
        """The keyed bit that flips input bit ``length`` given the ``length`` bits before it."""
        cache_key = (domain, length, head)
        bit = self._bits.get(cache_key)
        if bit is None:
            bit = self._mac(b"pan", domain, str(length).encode(), str(head).encode())[0] & 1
            self._bits[cache_key] = bit
        return bit

    def _pan(self, domain: bytes, value: int, width: int, keep: int = 0) -> int:
        """Prefix-preserving bijection on ``width``-bit values; the first ``keep`` bits stay."""
        out = value
        for i in range(keep, width):
            if self._flip(domain, i, value >> (width - i)):
                out ^= 1 << (width - 1 - i)
        return out

    def _permute(self, domain: bytes, values: tuple[int, ...], value: int) -> int:
        """A keyed shuffle of a small set (used where a bit-level map would leave the set)."""
        table = self._perms.get((domain, values))
        if table is None:
            shuffled = sorted(values, key=lambda v: self._mac(b"perm", domain, str(v).encode()))
            table = dict(zip(values, shuffled, strict=True))
            self._perms[(domain, values)] = table
        return table[value]

    # -- addresses --------------------------------------------------------------------
    def ipv4_int(self, addr: int) -> int:
        a, b, c, d = addr.to_bytes(4, "big")
        if a in (0, 127) or a >= 224 or (a == 169 and b == 254):
            return addr
        a2 = a if a in _KEPT_FIRST else self._permute(b"v4/1", _PUBLIC_FIRST, a)
        ctx = bytes([a])
        if a == 10:
            b2 = self._pan(b"v4/2/" + ctx, b, 8)
        elif a == 172:
            b2 = self._pan(b"v4/2/" + ctx, b, 8, keep=4) if 16 <= b <= 31 else self._permute(ctx, _NOT_172_16, b)
        elif a == 192:
            b2 = b if b == 168 else self._permute(ctx, _NOT_168, b)
        elif a == 169:
            b2 = self._permute(ctx, _NOT_254, b)
        elif a == 100:
            b2 = self._pan(b"v4/2/" + ctx, b, 8, keep=2) if 64 <= b <= 127 else self._permute(ctx, _NOT_100_64, b)
        else:
            b2 = self._pan(b"v4/2/" + ctx, b, 8)
        c2 = self._pan(b"v4/3/" + bytes([a, b]), c, 8)
        d2 = self._pan(b"v4/4/" + bytes([a, b, c]), d, 8)
        return int.from_bytes(bytes([a2, b2, c2, d2]), "big")

    def ipv4(self, text: str) -> str:
        """Map ``a.b.c.d`` or ``a.b.c.d/N``; text that is not an address comes back unchanged."""
        addr_text, slash, length_text = text.partition("/")
        try:
            addr = int(ipaddress.IPv4Address(addr_text))
        except ValueError:
            return text
        if slash and not (length_text.isdigit() and int(length_text) <= 32):
            return self.ipv4(addr_text) + slash + length_text
        mapped = self.ipv4_int(addr)
        if slash:
            host_bits = 32 - int(length_text)
            if host_bits and addr & ((1 << host_bits) - 1) == 0 and mapped != addr:
                # A network address stays a network address of the mapped prefix.
                mapped &= ~((1 << host_bits) - 1) & 0xFFFFFFFF
        return str(ipaddress.IPv4Address(mapped)) + slash + length_text

    def ipv6(self, text: str) -> str:
        addr_text, slash, length_text = text.partition("/")
        try:
            addr = ipaddress.IPv6Address(addr_text)
        except ValueError:
            # Not an address (a MAC, a clock time): only dotted quads inside may need mapping.
            return _V4.sub(lambda m: self.ipv4(m.group(1)), text)
        value = int(addr)
        if addr.is_unspecified or addr.is_loopback or addr.is_multicast:
            return text
        if addr.ipv4_mapped is not None:
            inner = ipaddress.IPv4Address(self.ipv4_int(int(addr.ipv4_mapped)))
            return f"::ffff:{inner}{slash}{length_text}"
        # fe80::/64 carries the interface's MAC in its low bits: only those are mapped there.
        # Elsewhere the first 16 bits (the registry's block, e.g. 2600: or fd..) stay.
        mapped = self._pan(b"v6", value, 128, keep=64 if addr.is_link_local else 16)
        if slash and length_text.isdigit() and int(length_text) <= 128:
            host_bits = 128 - int(length_text)
            if host_bits and value & ((1 << host_bits) - 1) == 0:
                mapped &= ~((1 << host_bits) - 1) & ((1 << 128) - 1)
        return str(ipaddress.IPv6Address(mapped)) + slash + length_text

    # -- ids --------------------------------------------------------------------------
    def _unique(self, original: str, make: Any) -> str:
        known = self._ids.get(original)
        if known is not None:
            return known
        attempt = 0
        while True:
            candidate = make(self._mac(b"id", original.encode(), str(attempt).encode()))
            if candidate not in self._taken and candidate != original:
                break
            attempt += 1
        self._ids[original] = candidate
        self._taken.add(candidate)
        return candidate

    def resource_id(self, text: str) -> str:
        prefix, _, hexpart = text.rpartition("-")
        return self._unique(text, lambda mac: f"{prefix}-{(mac.hex() * 2)[: len(hexpart)]}")

    def account(self, text: str) -> str:
        return self._unique("acct:" + text, lambda mac: f"{int.from_bytes(mac[:8], 'big') % 10**12:012d}")

    def _name(self, text: str) -> str:
        return self._unique("name:" + text, lambda mac: "redacted-" + mac.hex()[:8])

    def _eks(self, text: str) -> str:
        return self._unique("eks:" + text.upper(), lambda mac: mac.hex().upper()[:32])

    def _hostname(self, text: str) -> str:
        kind, *octets = text.split("-")
        numbers = [int(o) for o in octets]
        if any(n > 255 for n in numbers):
            return text
        mapped = self.ipv4(".".join(octets))
        return kind + "-" + mapped.replace(".", "-")

    def _arn(self, text: str) -> str:
        body = text.rstrip(".,:;")
        tail = text[len(body) :]
        parts = body.split(":", 5)
        if len(parts) < 6:
            return text
        partition, service, region, account, resource = parts[1], parts[2], parts[3], parts[4], parts[5]
        if account == "aws":
            # An AWS managed policy: public, and its name tells the reader what is attached.
            return text
        account = self.account(account) if account else ""
        typed = re.match(r"([A-Za-z0-9-]+)([/:])(.*)\Z", resource, re.S)
        if typed and typed.group(3):
            resource = typed.group(1) + typed.group(2) + self._segments(typed.group(3))
        else:
            resource = self._segments(resource)
        return f"arn:{partition}:{service}:{region}:{account}:{resource}{tail}"

    def _segments(self, path: str) -> str:
        pieces = re.split(r"([/:])", path)
        out = []
        for piece in pieces:
            if piece in ("/", ":", "", "*"):
                out.append(piece)
            elif _ID_FULL.match(piece):
                out.append(self.resource_id(piece))
            else:
                out.append(self._name(piece))
        return "".join(out)

    # -- text ------------------------------------------------------------------------
    def _replace(self, m: re.Match[str]) -> str:
        kind = m.lastgroup
        value = m.group(kind) if kind else m.group()
        if kind == "arn":
            return self._arn(value)
        if kind == "host":
            return self._hostname(value)
        if kind == "eks":
            return self._eks(value)
        if kind == "acct":
            return m.group("acctctx") + self.account(value)
        if kind == "ecr":
            return self.account(value)
        if kind == "id":
            return self.resource_id(value)
        if kind in ("v4", "v6"):
            # The same address recurs in every line about it: map it once.
            known = self._addresses.get(value)
            if known is None:
                known = self.ipv4(value) if kind == "v4" else self.ipv6(value)
                self._addresses[value] = known
            return known
        return m.group()

    def text(self, value: str) -> str:
        """Every address and id in a free-text string replaced (one pass, so nothing twice)."""
        return _PATTERN.sub(self._replace, value)

    def _walk(self, data: Any, field: str | None = None) -> Any:
        if field in _KEEP_FIELDS:
            return data
        if type(data) is str:  # exactly str: str enums (severity, status) are kept as they are
            return self.text(data)
        if isinstance(data, dict):
            return {k: self._walk(v, k) for k, v in data.items()}
        if isinstance(data, list):
            return [self._walk(v, field) for v in data]
        return data

    def report(self, report: Report) -> Report:
        data = self._walk(report.model_dump(mode="python"))
        data["redacted"] = True
        return Report.model_validate(data)


_PUBLIC_FIRST = tuple(v for v in range(1, 224) if v not in _KEPT_FIRST)
_NOT_172_16 = tuple(v for v in range(256) if not 16 <= v <= 31)
_NOT_168 = tuple(v for v in range(256) if v != 168)
_NOT_254 = tuple(v for v in range(256) if v != 254)
_NOT_100_64 = tuple(v for v in range(256) if not 64 <= v <= 127)


def redact_report(report: Report, *, key: bytes | None = None) -> Report:
    """A redacted copy of ``report`` (the input is not changed), with ``redacted`` set.

    ``key`` is for tests that need a repeatable mapping; by default each call draws a new
    random key, so two redacted reports of the same bundle do not share a mapping.
    """
    return Redactor(key).report(report)
