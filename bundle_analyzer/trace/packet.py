"""The packet being walked and the address helpers the walk needs."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Packet:
    src: str
    dst: str
    proto: str = "tcp"
    dport: int | None = None
    sport: int | None = None
    mark: int = 0
    iif: str | None = None

    def with_(self, **changes) -> Packet:
        return replace(self, **changes)


def in_network(address: str, network: str | None) -> bool:
    """``network`` as iptables/iproute2 print it: a CIDR, a bare address, ``default`` or ``0.0.0.0/0``."""
    if not network or network in ("default", "all"):
        return True
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


def prefix_length(network: str) -> int:
    if network == "default":
        return 0
    try:
        return ipaddress.ip_network(network, strict=False).prefixlen
    except ValueError:
        return -1


def interface_matches(pattern: str | None, name: str | None) -> bool:
    """iptables interface match: ``eni+`` is a prefix wildcard."""
    if pattern is None:
        return True
    if name is None:
        return False
    if pattern.endswith("+"):
        return name.startswith(pattern[:-1])
    return name == pattern
