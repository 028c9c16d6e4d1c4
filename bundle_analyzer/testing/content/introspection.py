"""ipamd introspection documents: ``/v1/enis`` in its seven generations (§2.2), ``/v1/pods``
(§2.3), the root document, and the ``ipam.json`` checkpoint (§3)."""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bundle_analyzer.testing.content.common import (
    ZERO_TIME,
    Version,
    _unix_nanos,
    container_id,
    go_json,
    go_map,
    go_time,
)


@dataclass(frozen=True)
class PoolAddr:
    """One address of an ENI's pool and who holds it.

    ``pod``/``namespace`` empty and ``assigned`` False = free. ``unassigned_at`` set on a free
    address = released earlier (cooling down or reusable)."""

    ip: str
    assigned: bool = False
    namespace: str = ""
    pod: str = ""
    container_id: str = ""
    if_name: str = "eth0"
    network_name: str = "aws-cni"
    assigned_at: datetime | None = None
    unassigned_at: datetime | None = None
    interfaces_count: int = 0


@dataclass(frozen=True)
class EniSpec:
    """An ENI as ipamd's datastore sees it. ``device_number`` is what ``/v1/enis`` prints for
    the era being rendered (≤ v1.7.1: EC2 device index + 1 for secondary ENIs)."""

    eni_id: str
    device_number: int
    is_primary: bool = False
    addresses: tuple[PoolAddr, ...] = ()
    prefixes: tuple[str, ...] = ()
    is_trunk: bool = False
    is_efa: bool = False
    route_table_id: int | None = None
    subnet_id: str | None = None
    excluded: bool = False


def assigned_pool(ips: Iterable[str], assigned: Mapping[str, tuple[str, str]] = {}) -> tuple[PoolAddr, ...]:
    """Shorthand: a pool of ``ips`` where ``assigned`` maps ip -> (namespace, pod)."""
    out = []
    for ip in ips:
        if ip in assigned:
            ns, pod = assigned[ip]
            out.append(PoolAddr(ip, True, ns, pod, container_id=container_id(f"{ns}/{pod}")))
        else:
            out.append(PoolAddr(ip))
    return tuple(out)


def _counts(enis: Sequence[EniSpec]) -> tuple[int, int]:
    total = sum(len(e.addresses) if not e.prefixes else 16 * len(e.prefixes) for e in enis)
    assigned = sum(1 for e in enis for a in e.addresses if a.assigned)
    return total, assigned


def enis_json_gen_a1(enis: Sequence[EniSpec], *, total_ips: int | None = None, assigned_ips: int | None = None) -> str:
    """Gen A1 (CNI v1.0–v1.4): ``{TotalIPs, AssignedIPs, ENIIPPools}``, ``{"Assigned":bool}``."""
    return _gen_a(enis, total_ips, assigned_ips, with_address=False)


def enis_json_gen_a2(enis: Sequence[EniSpec], *, total_ips: int | None = None, assigned_ips: int | None = None) -> str:
    """Gen A2 (CNI v1.5–v1.6): address records gain ``Address`` and ``UnassignedTime``."""
    return _gen_a(enis, total_ips, assigned_ips, with_address=True)


def _gen_a(enis: Sequence[EniSpec], total: int | None, assigned: int | None, *, with_address: bool) -> str:
    t, a = _counts(enis)
    pools: dict[str, Any] = {}
    for eni in enis:
        addrs: dict[str, Any] = {}
        for addr in eni.addresses:
            if with_address:
                addrs[addr.ip] = {
                    "Address": addr.ip,
                    "Assigned": addr.assigned,
                    "UnassignedTime": go_time(addr.unassigned_at),
                }
            else:
                addrs[addr.ip] = {"Assigned": addr.assigned}
        pools[eni.eni_id] = {
            "IsPrimary": eni.is_primary,
            "ID": eni.eni_id,
            "DeviceNumber": eni.device_number,
            "AssignedIPv4Addresses": sum(1 for x in eni.addresses if x.assigned),
            "IPv4Addresses": go_map(addrs),
        }
    doc = {
        "TotalIPs": t if total is None else total,
        "AssignedIPs": a if assigned is None else assigned,
        "ENIIPPools": go_map(pools),
    }
    return go_json(doc)


def _ipam_key(addr: PoolAddr, *, blank_ids: bool = False) -> dict[str, str]:
    if not addr.assigned:
        return {"networkName": "", "containerID": "", "ifName": ""}
    if blank_ids:
        return {"networkName": addr.network_name, "containerID": "", "ifName": ""}
    return {"networkName": addr.network_name, "containerID": addr.container_id, "ifName": addr.if_name}


def _metadata(addr: PoolAddr, *, with_count: bool) -> dict[str, Any]:
    if not addr.assigned:
        return {}
    meta: dict[str, Any] = {}
    if addr.namespace:
        meta["k8sPodNamespace"] = addr.namespace
    if addr.pod:
        meta["k8sPodName"] = addr.pod
    if with_count and addr.interfaces_count:
        meta["interfacesCount"] = addr.interfaces_count
    return meta


def _address_record(addr: PoolAddr, gen: str, version: Version) -> dict[str, Any]:
    if gen in ("B", "C", "D"):
        return {
            "IPAMKey": _ipam_key(addr),
            "Address": addr.ip,
            "UnassignedTime": go_time(addr.unassigned_at),
        }
    return {
        "Address": addr.ip,
        "IPAMKey": _ipam_key(addr, blank_ids=version >= (1, 23, 0)),
        "IPAMMetadata": _metadata(addr, with_count=version >= (1, 20, 0)),
        "AssignedTime": go_time(addr.assigned_at) if (addr.assigned or addr.unassigned_at) else ZERO_TIME,
        "UnassignedTime": go_time(addr.unassigned_at),
    }


def _cidr_blocks(eni: EniSpec, gen: str, version: Version) -> dict[str, Any]:
    """``AvailableIPv4Cidrs`` of Gen C+: one /32 per secondary IP, or the /28 prefixes."""
    blocks: dict[str, dict[str, Any]] = {}
    prefixes = [ipaddress.ip_network(p) for p in eni.prefixes]
    for net in prefixes:
        blocks[str(net)] = {"net": net, "addrs": {}}
    for addr in eni.addresses:
        ip = ipaddress.ip_address(addr.ip)
        owner = next((n for n in prefixes if ip in n), None)
        key = str(owner) if owner else f"{ip}/32"
        if key not in blocks:
            blocks[key] = {"net": ipaddress.ip_network(key), "addrs": {}}
        if addr.assigned or addr.unassigned_at is not None:
            blocks[key]["addrs"][addr.ip] = _address_record(addr, gen, version)
    out: dict[str, Any] = {}
    for key, block in blocks.items():
        net = block["net"]
        cidr = {"IP": str(net.network_address), "Mask": base64.b64encode(net.netmask.packed).decode()}
        entry: dict[str, Any] = {"Cidr": cidr}
        entry["IPv4Addresses" if gen == "C" else "IPAddresses"] = go_map(block["addrs"])
        entry["IsPrefix"] = bool(eni.prefixes) and net.prefixlen < 32
        if gen != "C":
            entry["AddressFamily"] = ""  # never copied into introspection output (§2.2)
        out[key] = entry
    return go_map(out)


def _eni_object(eni: EniSpec, gen: str, version: Version) -> dict[str, Any]:
    obj: dict[str, Any] = {"ID": eni.eni_id, "IsPrimary": eni.is_primary, "IsTrunk": eni.is_trunk}
    if gen != "B" or version >= (1, 7, 6):
        obj["IsEFA"] = eni.is_efa
    obj["DeviceNumber"] = eni.device_number
    if gen == "B":
        obj["IPv4Addresses"] = go_map({a.ip: _address_record(a, gen, version) for a in eni.addresses})
        return obj
    obj["AvailableIPv4Cidrs"] = _cidr_blocks(eni, gen, version)
    if gen != "C":
        obj["IPv6Cidrs"] = {}
    if gen == "F":
        if version >= (1, 22, 0):
            obj["IsExcludedForPodIPs"] = eni.excluded
        if version >= (1, 20, 3):
            obj["RouteTableID"] = (
                eni.route_table_id
                if eni.route_table_id is not None
                else (254 if eni.is_primary else eni.device_number + 1)
            )
        if version >= (1, 22, 0):
            obj["SubnetID"] = eni.subnet_id or ""
    return obj


def _eni_infos(
    enis: Sequence[EniSpec], gen: str, version: Version, total: int | None, assigned: int | None
) -> dict[str, Any]:
    t, a = _counts(enis)
    return {
        "TotalIPs": t if total is None else total,
        "AssignedIPs": a if assigned is None else assigned,
        "ENIs": go_map({e.eni_id: _eni_object(e, gen, version) for e in enis}),
    }


def enis_json_gen_b(enis: Sequence[EniSpec], *, version: Version = (1, 8, 0)) -> str:
    """Gen B (CNI v1.7–v1.8): ``ENIs`` map, address records keyed by ``IPAMKey``."""
    return go_json(_eni_infos(enis, "B", version, None, None))


def enis_json_gen_c(enis: Sequence[EniSpec]) -> str:
    """Gen C (CNI v1.9): ``AvailableIPv4Cidrs`` with ``IPv4Addresses`` inside each CIDR."""
    return go_json(_eni_infos(enis, "C", (1, 9, 0), None, None))


def enis_json_gen_d(enis: Sequence[EniSpec]) -> str:
    """Gen D (CNI v1.10): ``IPAddresses`` + ``AddressFamily`` per CIDR, ``IPv6Cidrs``."""
    return go_json(_eni_infos(enis, "D", (1, 10, 0), None, None))


def enis_json_gen_e(enis: Sequence[EniSpec], *, total_ips: int | None = None, assigned_ips: int | None = None) -> str:
    """Gen E (CNI v1.11–v1.19): records gain ``IPAMMetadata`` and ``AssignedTime``."""
    return go_json(_eni_infos(enis, "E", (1, 18, 0), total_ips, assigned_ips))


def enis_json_gen_f(
    cards: Mapping[int, Sequence[EniSpec]],
    *,
    version: Version = (1, 22, 0),
    totals: Mapping[int, tuple[int, int]] | None = None,
) -> str:
    """Gen F (CNI v1.20+): an object keyed by network-card index. ``version`` decides
    ``RouteTableID`` (v1.20.3+), ``IsExcludedForPodIPs``/``SubnetID`` (v1.22+) and the
    blanked ``containerID``/``ifName`` (v1.23+). ``totals`` overrides (TotalIPs, AssignedIPs)."""
    doc: dict[str, Any] = {}
    for card in sorted(cards, key=lambda c: str(c)):
        total, assigned = (totals or {}).get(card, (None, None))
        doc[str(card)] = _eni_infos(cards[card], "F", version, total, assigned)
    return go_json(go_map(doc))


# --------------------------------------------------------------------------- pods, checkpoint


@dataclass(frozen=True)
class LegacyPod:
    """An entry of ``/v1/pods`` (CNI ≤ v1.6)."""

    name: str
    namespace: str
    ip: str
    device_number: int
    container: str = ""


def pods_json(pods: Sequence[LegacyPod]) -> str:
    """``/v1/pods``: map ``<pod>_<ns>_<container>`` -> ``{"IP","DeviceNumber"}``."""
    return go_json(
        go_map({f"{p.name}_{p.namespace}_{p.container}": {"IP": p.ip, "DeviceNumber": p.device_number} for p in pods})
    )


def available_commands_json(commands: Sequence[str]) -> str:
    """The introspection root document (unknown path, or ``/v1/pods`` on CNI ≥ v1.7)."""
    return go_json({"AvailableCommands": list(commands)})


def ipam_checkpoint_json(allocations: Sequence[PoolAddr], *, version: Version = (1, 22, 0)) -> str:
    """``/var/run/aws-node/ipam.json``: ``json.Encoder`` output, one line plus newline."""
    entries = []
    for a in allocations:
        entry: dict[str, Any] = {"networkName": a.network_name, "containerID": a.container_id, "ifName": a.if_name}
        entry["ipv4"] = a.ip
        if version >= (1, 11, 0):
            stamp = a.assigned_at
            entry["allocationTimestamp"] = _unix_nanos(stamp) if stamp else 0
            entry["metadata"] = _metadata(a, with_count=version >= (1, 20, 0))
        entries.append(entry)
    return go_json({"version": "vpc-cni-ipam/1", "allocations": entries}) + "\n"
