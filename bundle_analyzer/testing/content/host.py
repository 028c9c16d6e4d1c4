"""Host state files: ``sysctl --all`` and legacy ``sysctls.out`` (§7), ``ifconfig``, and
``conntrack.txt`` (§12.1)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


def sysctl_text(items: Mapping[str, str | int] | Iterable[tuple[str, str | int]]) -> str:
    """``sysctl --all``: ``key = value`` per line (interface dots shown as ``/``)."""
    pairs = items.items() if isinstance(items, Mapping) else items
    return "".join(f"{k} = {v}\n" for k, v in pairs)


def legacy_sysctls_out(rp_filter: Mapping[str, int]) -> str:
    """Legacy ``sysctls.out`` (CNI v1.2+): header then ``/proc/sys/…/rp_filter = n`` lines."""
    lines = ["================== sysctls =================="]
    lines += [f"/proc/sys/net/ipv4/conf/{iface}/rp_filter = {v}" for iface, v in rp_filter.items()]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Iface:
    """An interface as net-tools 2.x ``ifconfig`` prints it."""

    name: str
    mtu: int = 9001
    inet: str | None = None
    netmask: str | None = None
    broadcast: str | None = None
    inet6: str | None = None
    ether: str | None = None
    rx_packets: int = 0
    rx_bytes: int = 0
    tx_packets: int = 0
    tx_bytes: int = 0
    loopback: bool = False
    txqueuelen: int = 1000
    up: bool = True


def _ifconfig_bytes(n: int) -> str:
    """net-tools' scaled byte count: repeated /1024 with a truncated tenth (1191 -> 1.1 KiB)."""
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    whole, tenth, unit = n, 0, 0
    for _ in range(4):
        if whole >= 1024:
            tenth = ((whole & 1023) * 10) // 1024
            whole //= 1024
            unit += 1
    return f"{whole}.{tenth} {units[unit]}"


def ifconfig_text(ifaces: Sequence[Iface]) -> str:
    """``ifconfig`` (net-tools 2.0, as on AL2): one block per interface, blank line after each."""
    blocks = []
    for i in ifaces:
        if i.loopback:
            flags = "73<UP,LOOPBACK,RUNNING>"
        elif i.up:
            flags = "4163<UP,BROADCAST,RUNNING,MULTICAST>"
        else:
            flags = "4098<BROADCAST,MULTICAST>"
        lines = [f"{i.name}: flags={flags}  mtu {i.mtu}"]
        if i.inet:
            bc = f"  broadcast {i.broadcast}" if i.broadcast else ""
            lines.append(f"        inet {i.inet}  netmask {i.netmask}{bc}")
        if i.inet6:
            scope = "0x10<host>" if i.loopback else "0x20<link>"
            plen = 128 if i.loopback else 64
            lines.append(f"        inet6 {i.inet6}  prefixlen {plen}  scopeid {scope}")
        if i.loopback:
            lines.append(f"        loop  txqueuelen {i.txqueuelen}  (Local Loopback)")
        else:
            lines.append(f"        ether {i.ether}  txqueuelen {i.txqueuelen}  (Ethernet)")
        lines.append(f"        RX packets {i.rx_packets}  bytes {i.rx_bytes} ({_ifconfig_bytes(i.rx_bytes)})")
        lines.append("        RX errors 0  dropped 0  overruns 0  frame 0")
        lines.append(f"        TX packets {i.tx_packets}  bytes {i.tx_bytes} ({_ifconfig_bytes(i.tx_bytes)})")
        lines.append("        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks) + "\n"


def conntrack_text(stats: Sequence[str], entries: Sequence[str], *, nma: bool = False) -> str:
    """``networking/conntrack.txt``; the EKS collector's first header ends with a space."""
    first = "*** Output of conntrack -S ***" + ("" if nma else " ")
    return "\n".join([first, *stats, "*** Output of conntrack -L ***", *entries]) + "\n"
