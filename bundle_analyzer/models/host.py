"""Host networking facts other than routing and iptables: sysctls, interfaces, NIC counters and
conntrack."""

from __future__ import annotations

from pydantic import BaseModel, Field


def sysctl_iface(name: str) -> str:
    """An interface name as it appears inside a sysctl key (``vlan.eth.3`` -> ``vlan/eth/3``)."""
    return name.replace(".", "/")


class SysctlSet(BaseModel):
    """``sysctl --all`` values keyed the way sysctl prints them (``net.ipv4.conf.vlan/eth/3.rp_filter``)."""

    values: dict[str, str] = Field(default_factory=dict)
    lines: dict[str, int] = Field(default_factory=dict)
    """1-based line of the value kept for each key (the last one when runs were appended)."""

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def get_int(self, key: str) -> int | None:
        value = self.values.get(key)
        if value is None:
            return None
        text = value.strip()
        if text.lstrip("-").isascii() and text.lstrip("-").isdigit() and len(text) <= 20:
            return int(text)
        return None

    def rp_filter(self, iface: str) -> int | None:
        """``net.ipv4.conf.<iface>.rp_filter``; ``iface`` may be ``all``/``default``/a real name."""
        return self.get_int(f"net.ipv4.conf.{sysctl_iface(iface)}.rp_filter")

    def effective_rp_filter(self, iface: str) -> int | None:
        """What the kernel applies on ``iface``: ``max(conf.all, conf.<iface>)``."""
        values = [v for v in (self.rp_filter("all"), self.rp_filter(iface)) if v is not None]
        return max(values) if values else None

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key)


class Link(BaseModel):
    """One network interface from ``ifconfig`` or ``ip addr``."""

    name: str
    index: int | None = None
    mac: str | None = None
    """Lower-case ``aa:bb:cc:dd:ee:ff``."""
    mtu: int | None = None
    up: bool | None = None
    """Administratively up (``UP`` flag); None when the output did not say."""
    flags: list[str] = Field(default_factory=list)
    """Interface flags as printed (``UP``, ``BROADCAST``, ``RUNNING``, ``LOWER_UP``, ``NO-CARRIER`` …)."""
    ipv4: list[str] = Field(default_factory=list)
    """``10.0.12.34/19`` (CIDR, mask converted for ifconfig)."""
    ipv6: list[str] = Field(default_factory=list)
    line: int


class LinkSet(BaseModel):
    links: dict[str, Link] = Field(default_factory=dict)

    def get(self, name: str) -> Link | None:
        return self.links.get(name)

    def by_mac(self, mac: str) -> list[Link]:
        wanted = mac.lower()
        return [link for link in self.links.values() if link.mac == wanted]

    def holding(self, address: str) -> list[Link]:
        """Interfaces that carry ``address`` (bare IP, compared without the prefix length)."""
        return [
            link
            for link in self.links.values()
            if any(cidr.split("/", 1)[0] == address for cidr in (*link.ipv4, *link.ipv6))
        ]


class EthtoolStats(BaseModel):
    """``ethtool -S`` counters per interface (``networking/ethtool.txt``)."""

    interfaces: dict[str, dict[str, int]] = Field(default_factory=dict)
    lines: dict[str, int] = Field(default_factory=dict)
    """Line of each ``Interface <name>`` header."""
    no_stats: list[str] = Field(default_factory=list)
    """Interfaces for which ethtool printed "no stats available" or an error."""

    def counter(self, iface: str, key: str) -> int | None:
        return self.interfaces.get(iface, {}).get(key)


class ConntrackEntry(BaseModel):
    """One ``conntrack -L`` flow (original and reply tuple)."""

    line: int
    protocol: str
    protocol_number: int | None = None
    ttl: int | None = None
    state: str | None = None
    src: str | None = None
    dst: str | None = None
    sport: int | None = None
    dport: int | None = None
    reply_src: str | None = None
    reply_dst: str | None = None
    reply_sport: int | None = None
    reply_dport: int | None = None
    flags: list[str] = Field(default_factory=list)
    """``UNREPLIED``, ``ASSURED``, ``OFFLOAD`` …"""
    mark: int | None = None
    zone: int | None = None
    use: int | None = None


class ConntrackDump(BaseModel):
    """``networking/conntrack.txt``: ``conntrack -S`` per-CPU counters and ``conntrack -L`` flows."""

    per_cpu: list[dict[str, int]] = Field(default_factory=list)
    totals: dict[str, int] = Field(default_factory=dict)
    """Sum over CPUs of every ``conntrack -S`` counter (``insert_failed``, ``drop`` …)."""
    entry_count: int = 0
    entries: list[ConntrackEntry] = Field(default_factory=list)
    """The first ``entries_cap`` flows; ``entry_count`` always counts all of them."""
    entries_cap: int = 50_000
    mark_counts: dict[int, int] = Field(default_factory=dict)
    """Flows per ``mark=`` value (128 = the CNI's default connmark 0x80)."""
    protocol_counts: dict[str, int] = Field(default_factory=dict)

    @property
    def entries_truncated(self) -> bool:
        return self.entry_count > len(self.entries)

    def count_mark(self, mark: int) -> int:
        return self.mark_counts.get(mark, 0)
