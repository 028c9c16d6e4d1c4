"""Render realistic bundle file texts from small Python values.

Each helper writes one file format the way the producing tool prints it (bundle-formats.md
§2–§12), so rule tests can build bundles for CNI versions 2018…2026 without copying large
strings. Versions are tuples, e.g. ``(1, 2, 1)`` for CNI v1.2.1.

Families:

* introspection JSON — :func:`enis_json_gen_a1` … :func:`enis_json_gen_f`, :func:`pods_json`,
  :func:`ipam_checkpoint_json`, :func:`go_json` (compact Go ``encoding/json`` output)
* routing — :func:`ip_rule_text`, :func:`cni_ip_rules`, :func:`ip_route_text`,
  :func:`eni_table_routes`, :func:`legacy_route_output`, :func:`veth_name`
* iptables — :class:`IptablesTable`, :func:`iptables_save_text`, :func:`cni_iptables_rules`,
  :func:`kube_proxy_nat_rules`, :class:`NvlChain`, :func:`iptables_nvl_text`,
  :func:`nft_aws_cni_table`
* host state — :func:`sysctl_text`, :func:`legacy_sysctls_out`, :class:`Iface`,
  :func:`ifconfig_text`, :func:`conntrack_text`
* configuration — :func:`conflist`, :func:`metrics_text`, :func:`cni_metrics`
* logs — :func:`zap_line`, :func:`seelog_line`, :func:`journal_line`, :func:`klog_line`,
  :func:`cri_log_line`
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Version = tuple[int, int, int]

ZERO_TIME = "0001-01-01T00:00:00Z"

# --------------------------------------------------------------------------- basics


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


# --------------------------------------------------------------------------- /v1/enis


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


def enis_json_gen_a1(
    enis: Sequence[EniSpec], *, total_ips: int | None = None, assigned_ips: int | None = None
) -> str:
    """Gen A1 (CNI v1.0–v1.4): ``{TotalIPs, AssignedIPs, ENIIPPools}``, ``{"Assigned":bool}``."""
    return _gen_a(enis, total_ips, assigned_ips, with_address=False)


def enis_json_gen_a2(
    enis: Sequence[EniSpec], *, total_ips: int | None = None, assigned_ips: int | None = None
) -> str:
    """Gen A2 (CNI v1.5–v1.6): address records gain ``Address`` and ``UnassignedTime``."""
    return _gen_a(enis, total_ips, assigned_ips, with_address=True)


def _gen_a(
    enis: Sequence[EniSpec], total: int | None, assigned: int | None, *, with_address: bool
) -> str:
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
        obj["IPv4Addresses"] = go_map(
            {
                a.ip: _address_record(a, gen, version)
                for a in eni.addresses
            }
        )
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


def _eni_infos(enis: Sequence[EniSpec], gen: str, version: Version, total: int | None, assigned: int | None) -> dict[str, Any]:
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


def enis_json_gen_e(
    enis: Sequence[EniSpec], *, total_ips: int | None = None, assigned_ips: int | None = None
) -> str:
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


# --------------------------------------------------------------------------- ip rule / ip route


def ip_rule_text(rules: Iterable[tuple[int, str]], *, trailing_space: bool = False) -> str:
    """``ip rule show``: ``<prio>:<TAB><selector>``. Old iproute2 (2018) ended lines with a
    space; pass ``trailing_space=True`` for that."""
    end = " \n" if trailing_space else "\n"
    return "".join(f"{prio}:\t{text}{end}" for prio, text in rules)


def cni_ip_rules(
    *,
    pod_ips: Sequence[str],
    secondary_pod_tables: Mapping[str, int],
    version: Version,
    vpc_cidrs: Sequence[str] = ("10.0.0.0/16",),
    external_snat: bool = False,
    node_port_support: bool = True,
    connmark: int = 0x80,
    eni_primary_ip_tables: Mapping[str, int] = {},
) -> list[tuple[int, str]]:
    """The policy rules a healthy node of CNI ``version`` has (§5.1), kernel defaults
    included. ``secondary_pod_tables`` maps pod IPs on non-primary ENIs to their table;
    ``eni_primary_ip_tables`` feeds the v1.20+ 32765 rules."""
    rules: list[tuple[int, str]] = [(0, "from all lookup local")]
    rules += [(512, f"from all to {ip} lookup main") for ip in pod_ips]
    if version < (1, 3, 0) and not external_snat:
        rules += [(1024, f"not from all to {cidr} lookup main") for cidr in vpc_cidrs[:1]]
    fwmark = node_port_support and version >= (1, 2, 0)
    if version >= (1, 13, 0) and not external_snat:
        fwmark = True
    if fwmark:
        rules.append((1024, f"from all fwmark {connmark:#x}/{connmark:#x} lookup main"))
    per_cidr = (1, 3, 0) <= version < (1, 9, 0) and not external_snat
    for ip, table in secondary_pod_tables.items():
        if per_cidr:
            rules += [(1536, f"from {ip} to {cidr} lookup {table}") for cidr in vpc_cidrs]
        elif version < (1, 3, 0) or version >= (1, 9, 0) or external_snat:
            rules.append((1536, f"from {ip} lookup {table}"))
    if version >= (1, 20, 0):
        rules += [(32765, f"from {ip} lookup {table}") for ip, table in eni_primary_ip_tables.items()]
    rules += [(32766, "from all lookup main"), (32767, "from all lookup default")]
    return rules


def ip_route_text(routes: Iterable[str], *, trailing_space: bool = False) -> str:
    """``ip route show`` lines (already formatted), one per line."""
    end = " \n" if trailing_space else "\n"
    return "".join(f"{r}{end}" for r in routes)


def eni_table_routes(gateway: str, dev: str, table: int) -> list[str]:
    """The two routes ipamd puts in a secondary ENI's table (§5.3)."""
    return [f"default via {gateway} dev {dev} table {table}", f"{gateway} dev {dev} table {table} scope link"]


def pod_route(ip: str, veth: str) -> str:
    return f"{ip} dev {veth} scope link"


def legacy_route_output(*dumps: str) -> str:
    """Legacy ``route.out``/``route.output``: each run appends a header and a dump (§1.2)."""
    return "".join(f"=============================================\nip route show table all\n{d}" for d in dumps)


# --------------------------------------------------------------------------- iptables


@dataclass
class IptablesTable:
    """One ``*table`` block of ``iptables-save``: chains in order, then ``-A`` lines."""

    name: str
    chains: list[tuple[str, str, tuple[int, int]]] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)

    def chain(self, name: str, policy: str = "-", counters: tuple[int, int] = (0, 0)) -> IptablesTable:
        if all(c[0] != name for c in self.chains):
            self.chains.append((name, policy, counters))
        return self

    def extend(self, other: IptablesTable) -> IptablesTable:
        for name, policy, counters in other.chains:
            self.chain(name, policy, counters)
        self.rules.extend(other.rules)
        return self


_BUILTIN_CHAINS = {
    "raw": ["PREROUTING", "OUTPUT"],
    "mangle": ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
    "nat": ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
    "filter": ["INPUT", "FORWARD", "OUTPUT"],
}


def builtin_table(name: str, counters: Mapping[str, tuple[int, int]] = {}) -> IptablesTable:
    """A table with its built-in chains (policy ACCEPT) in kernel order."""
    table = IptablesTable(name)
    for chain in _BUILTIN_CHAINS[name]:
        table.chain(chain, "ACCEPT", counters.get(chain, (0, 0)))
    return table


def iptables_save_text(
    tables: Sequence[IptablesTable], *, saved_at: datetime, version: str = "v1.8.4", nft: bool = False
) -> str:
    """``iptables-save`` output. Built-in chains first (as given), user chains sorted, as
    iptables prints them. ``nft=True`` writes the iptables-nft header."""
    stamp = _utc(saved_at).strftime("%a %b %e %H:%M:%S %Y")
    tool = f"iptables-nft-save {version} (nf_tables)" if nft else f"iptables-save {version}"
    out: list[str] = []
    for table in tables:
        out.append(f"# Generated by {tool} on {stamp}")
        out.append(f"*{table.name}")
        builtin = [c for c in table.chains if c[1] != "-"]
        user = sorted((c for c in table.chains if c[1] == "-"), key=lambda c: c[0])
        order = builtin + user
        for name, policy, (pkts, byts) in order:
            out.append(f":{name} {policy} [{pkts}:{byts}]")
        # rules are dumped chain by chain in chain order; within a chain, in insertion order
        rank = {name: i for i, (name, _, _) in enumerate(order)}
        out.extend(sorted(table.rules, key=lambda r: rank.get(r.split()[1], len(rank))))
        out.append("COMMIT")
        out.append(f"# Completed on {stamp}")
    return "\n".join(out) + "\n"


def cni_iptables_rules(
    version: Version,
    *,
    primary_ip: str,
    vpc_cidrs: Sequence[str] = ("10.0.0.0/16",),
    exclude_cidrs: Sequence[str] = (),
    primary_if: str = "eth0",
    veth_prefix: str = "eni",
    connmark: int = 0x80,
    randomize: str | None = None,
    external_snat: bool = False,
    node_port_support: bool = True,
    nftables_connmark: bool = False,
) -> dict[str, IptablesTable]:
    """The ``mangle`` and ``nat`` chains/rules the VPC CNI of ``version`` writes (§6.2), in
    saved (canonical) form. ``randomize`` is ``none``/``hashrandom``/``prng`` (default per
    version). ``nftables_connmark`` (v1.23+) leaves the nat connmark to nftables."""
    mark = f"{connmark:#x}"
    mangle = IptablesTable("mangle")
    nat = IptablesTable("nat")
    if version >= (1, 2, 0) and node_port_support:
        mangle.rules.append(
            f'-A PREROUTING -i {primary_if} -m comment --comment "AWS, primary ENI" -m addrtype --dst-type LOCAL '
            f"--limit-iface-in -j CONNMARK --set-xmark {mark}/{mark}"
        )
    restore = f"-j CONNMARK --restore-mark --nfmask {mark} --ctmask {mark}"
    if version >= (1, 2, 0) and (node_port_support or (version >= (1, 13, 0) and not external_snat)):
        mangle.rules.append(f'-A PREROUTING -i {veth_prefix}+ -m comment --comment "AWS, primary ENI" {restore}')
        if version >= (1, 7, 0) and node_port_support:
            mangle.rules.append(f'-A PREROUTING -i vlan+ -m comment --comment "AWS, primary ENI" {restore}')
    if external_snat:
        return {"mangle": mangle, "nat": nat}

    if randomize is None:
        randomize = "none" if version < (1, 4, 0) else ("hashrandom" if version < (1, 7, 0) else "prng")
    snat_flag = {"none": "", "hashrandom": " --random", "prng": " --random-fully"}[randomize]
    snat_target = f"-j SNAT --to-source {primary_ip}{snat_flag}"
    vlan = "! -o vlan+ " if version >= (1, 7, 0) else ""

    if version < (1, 3, 0):
        nat.rules.append(
            f'-A POSTROUTING ! -d {vpc_cidrs[0]} -m comment --comment "AWS, SNAT" -m addrtype ! --dst-type LOCAL {snat_target}'
        )
        return {"mangle": mangle, "nat": nat}

    cidrs = list(vpc_cidrs) + (list(exclude_cidrs) if version >= (1, 6, 0) else [])
    chain_comment = "AWS SNAT CHAN" if version < (1, 6, 0) else "AWS SNAT CHAIN"
    if version < (1, 17, 1):
        # chained style: AWS-SNAT-CHAIN-i jumps to i+1 for destinations outside CIDR i
        for i in range(len(cidrs) + 1):
            nat.chain(f"AWS-SNAT-CHAIN-{i}")
        nat.rules.append(f'-A POSTROUTING -m comment --comment "{chain_comment}" -j AWS-SNAT-CHAIN-0')
        for i, cidr in enumerate(cidrs):
            comment = chain_comment if i < len(vpc_cidrs) else "AWS SNAT CHAIN EXCLUSION"
            nat.rules.append(f'-A AWS-SNAT-CHAIN-{i} ! -d {cidr} -m comment --comment "{comment}" -j AWS-SNAT-CHAIN-{i + 1}')
        nat.rules.append(
            f'-A AWS-SNAT-CHAIN-{len(cidrs)} {vlan}-m comment --comment "AWS, SNAT" -m addrtype ! --dst-type LOCAL {snat_target}'
        )
        if version >= (1, 9, 0):
            state = "-m state --state NEW " if version < (1, 13, 0) else ""
            for i in range(len(cidrs) + 1):
                nat.chain(f"AWS-CONNMARK-CHAIN-{i}")
            nat.rules.insert(
                0,
                f'-A PREROUTING -i {veth_prefix}+ -m comment --comment "AWS, outbound connections" {state}-j AWS-CONNMARK-CHAIN-0',
            )
            nat.rules.insert(1, f'-A PREROUTING -m comment --comment "AWS, CONNMARK" {restore}')
            for i, cidr in enumerate(cidrs):
                comment = "AWS CONNMARK CHAIN, VPC CIDR" if i < len(vpc_cidrs) else "AWS CONNMARK CHAIN, EXCLUDED CIDR"
                nat.rules.append(f'-A AWS-CONNMARK-CHAIN-{i} ! -d {cidr} -m comment --comment "{comment}" -j AWS-CONNMARK-CHAIN-{i + 1}')
            nat.rules.append(
                f'-A AWS-CONNMARK-CHAIN-{len(cidrs)} -m comment --comment "AWS, CONNMARK" -j CONNMARK --set-xmark {mark}/{mark}'
            )
        return {"mangle": mangle, "nat": nat}

    # v1.17.1+: one chain each, RETURN for every VPC / excluded CIDR
    connmark_in_iptables = not nftables_connmark
    if connmark_in_iptables:
        nat.chain("AWS-CONNMARK-CHAIN-0")
    nat.chain("AWS-SNAT-CHAIN-0")
    if connmark_in_iptables:
        nat.rules.append(f'-A PREROUTING -i {veth_prefix}+ -m comment --comment "AWS, outbound connections" -j AWS-CONNMARK-CHAIN-0')
        nat.rules.append(f'-A PREROUTING -m comment --comment "AWS, CONNMARK" {restore}')
    nat.rules.append('-A POSTROUTING -m comment --comment "AWS SNAT CHAIN" -j AWS-SNAT-CHAIN-0')
    if connmark_in_iptables:
        for i, cidr in enumerate(cidrs):
            if version >= (1, 23, 0):
                comment = "AWS CONNMARK CHAIN"
            else:
                comment = "AWS CONNMARK CHAIN, VPC CIDR" if i < len(vpc_cidrs) else "AWS CONNMARK CHAIN, EXCLUDED CIDR"
            dest = "" if cidr == "0.0.0.0/0" else f"-d {cidr} "
            nat.rules.append(f'-A AWS-CONNMARK-CHAIN-0 {dest}-m comment --comment "{comment}" -j RETURN')
        nat.rules.append(f'-A AWS-CONNMARK-CHAIN-0 -m comment --comment "AWS, CONNMARK" -j CONNMARK --set-xmark {mark}/{mark}')
    for i, cidr in enumerate(cidrs):
        comment = "AWS SNAT CHAIN" if i < len(vpc_cidrs) else "AWS SNAT CHAIN EXCLUSION"
        nat.rules.append(f'-A AWS-SNAT-CHAIN-0 -d {cidr} -m comment --comment "{comment}" -j RETURN')
    nat.rules.append(f'-A AWS-SNAT-CHAIN-0 {vlan}-m comment --comment "AWS, SNAT" -m addrtype ! --dst-type LOCAL {snat_target}')
    return {"mangle": mangle, "nat": nat}


@dataclass(frozen=True)
class Service:
    """A ClusterIP service port as kube-proxy (iptables mode) programs it."""

    namespace: str
    name: str
    port_name: str
    cluster_ip: str
    port: int
    protocol: str
    endpoints: tuple[str, ...]  # "ip:port"
    affinity: bool = False

    @property
    def port_key(self) -> str:
        return f"{self.namespace}/{self.name}:{self.port_name}"


def _kube_hash(text: str) -> str:
    return base64.b32encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()[:16]


def kube_proxy_svc_chain(svc: Service) -> str:
    return "KUBE-SVC-" + _kube_hash(svc.port_key + svc.protocol.lower())


def kube_proxy_sep_chain(svc: Service, endpoint: str) -> str:
    return "KUBE-SEP-" + _kube_hash(svc.port_key + svc.protocol.lower() + endpoint)


def kube_proxy_nat_rules(services: Sequence[Service], *, modern: bool = True) -> IptablesTable:
    """kube-proxy's nat chains. ``modern`` = Kubernetes ≥ 1.26 shape (``-> ep`` comments,
    KUBE-POSTROUTING RETURN/MARK/MASQUERADE --random-fully); otherwise the 2018 (1.10) shape."""
    nat = IptablesTable("nat")
    for chain in ("KUBE-MARK-DROP", "KUBE-MARK-MASQ", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-SERVICES"):
        if modern and chain == "KUBE-MARK-DROP":
            continue
        nat.chain(chain)
    rules = nat.rules
    rules.append('-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES')
    rules.append('-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES')
    rules.append('-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING')
    if not modern:
        rules.append("-A KUBE-MARK-DROP -j MARK --set-xmark 0x8000/0x8000")
    rules.append("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000")
    if modern:
        rules.append("-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN")
        rules.append("-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0")
        rules.append('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully')
    else:
        rules.append(
            '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -m mark --mark 0x4000/0x4000 -j MASQUERADE'
        )
    for svc in services:
        proto = svc.protocol.lower()
        svc_chain = kube_proxy_svc_chain(svc)
        nat.chain(svc_chain)
        rules.append(
            f'-A KUBE-SERVICES -d {svc.cluster_ip}/32 -p {proto} -m comment --comment "{svc.port_key} cluster IP" '
            f"-m {proto} --dport {svc.port} -j {svc_chain}"
        )
        sticky = svc.affinity and not modern
        if sticky:
            for ep in svc.endpoints:
                sep = kube_proxy_sep_chain(svc, ep)
                rules.append(
                    f'-A {svc_chain} -m comment --comment "{svc.port_key}" -m recent --rcheck --seconds 10800 --reap '
                    f"--name {sep} --mask 255.255.255.255 --rsource -j {sep}"
                )
        count = len(svc.endpoints)
        for i, ep in enumerate(svc.endpoints):
            sep = kube_proxy_sep_chain(svc, ep)
            nat.chain(sep)
            comment = f"{svc.port_key} -> {ep}" if modern else svc.port_key
            prob = f"-m statistic --mode random --probability {_probability(count - i)} " if i < count - 1 else ""
            rules.append(f'-A {svc_chain} -m comment --comment "{comment}" {prob}-j {sep}')
            rules.append(f'-A {sep} -s {ep.rsplit(":", 1)[0]}/32 -m comment --comment "{svc.port_key}" -j KUBE-MARK-MASQ')
            recent = f"-m recent --set --name {sep} --mask 255.255.255.255 --rsource " if sticky else ""
            rules.append(
                f'-A {sep} -p {proto} -m comment --comment "{svc.port_key}" {recent}-m {proto} -j DNAT --to-destination {ep}'
            )
    rules.append(
        '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" '
        "-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS"
    )
    return nat


def _probability(remaining: int) -> str:
    """kube-proxy's 1/n as iptables prints it back (stored as a 31-bit fraction)."""
    stored = round(float(f"{1 / remaining:.10f}") * 0x80000000)
    return f"{stored / 0x80000000:.11f}"


@dataclass(frozen=True)
class NvlRow:
    """One rule row of ``iptables -n -v -L``."""

    target: str
    prot: str = "all"
    in_if: str = "*"
    out_if: str = "*"
    source: str = "0.0.0.0/0"
    destination: str = "0.0.0.0/0"
    extra: str = ""
    pkts: int = 0
    bytes: int = 0


@dataclass(frozen=True)
class NvlChain:
    """A chain block: built-in chains have a ``policy``, user chains ``references``."""

    name: str
    rows: tuple[NvlRow, ...] = ()
    policy: str | None = None
    pkts: int = 0
    bytes: int = 0
    references: int = 0


def _human(n: int) -> str:
    """iptables' -v counters without -x: K/M/G/T in base 1000 past 99999."""
    if n <= 99999:
        return str(n)
    for suffix in "KMGT":
        n = (n + 500) // 1000
        if n <= 9999:
            return f"{n}{suffix}"
    return f"{n}T"


def iptables_nvl_text(chains: Sequence[NvlChain], *, trailer: bool = True) -> str:
    """``iptables -n -v -L [-t T]`` in iptables' column layout, plus the collector's
    ``=======``/``Total Number of Rules`` trailer (collector ≥ 2020-12)."""
    blocks: list[str] = []
    for chain in chains:
        if chain.policy:
            head = f"Chain {chain.name} (policy {chain.policy} {_human(chain.pkts)} packets, {_human(chain.bytes)} bytes)"
        else:
            head = f"Chain {chain.name} ({chain.references} references)"
        lines = [head, " pkts bytes target     prot opt in     out     source               destination         "]
        for row in chain.rows:
            src_inv, src = ("!", row.source[1:]) if row.source.startswith("!") else (" ", row.source)
            dst_inv, dst = ("!", row.destination[1:]) if row.destination.startswith("!") else (" ", row.destination)
            line = (
                f"{_human(row.pkts):>5} {_human(row.bytes):>5} {row.target:<9}  {row.prot:<5}-- "
                f" {row.in_if:<6} {row.out_if:<6} {src_inv}{src:<19} {dst_inv}{dst:<19} "
            )
            # match/target printers start their text with a space of their own
            lines.append(line + " " + row.extra if row.extra else line)
        blocks.append("\n".join(lines) + "\n")
    text = "\n".join(blocks)
    if trailer:
        count = sum(len(c.rows) for c in chains)
        text += f"\n=======\nTotal Number of Rules: {count}\n"
    return text


def _save_rule_to_nvl(rule: str, counters: tuple[int, int]) -> tuple[str, NvlRow]:
    """Translate one saved ``-A`` rule to its ``-n -v -L`` row (the matches CNI, kube-proxy
    and docker use; unknown options are printed as given)."""
    tokens = shlex.split(rule)
    chain = tokens[1]
    i = 2
    fields: dict[str, str] = {}
    extra: list[str] = []
    target = ""
    target_opts: list[str] = []
    inv = False
    proto = "all"
    while i < len(tokens):
        tok = tokens[i]
        if tok == "!":
            inv = True
            i += 1
            continue
        if tok in ("-i", "-o", "-s", "-d"):
            value = tokens[i + 1]
            if tok in ("-s", "-d") and value.endswith("/32"):
                value = value[:-3]
            fields[tok] = ("!" if inv else "") + value
            inv = False
            i += 2
            continue
        if tok == "-p":
            proto = tokens[i + 1]
            i += 2
            continue
        if tok == "-m":
            module = tokens[i + 1]
            i += 2
            opts: list[str] = []
            while i < len(tokens) and tokens[i] not in ("-m", "-j", "-g", "-i", "-o", "-s", "-d", "-p"):
                opts.append(tokens[i])
                i += 1
            extra.append(_match_text(module, opts))
            continue
        if tok in ("-j", "-g"):
            target = tokens[i + 1]
            target_opts = tokens[i + 2 :]
            break
        i += 1
    tail = _target_text(target, target_opts)
    if tail:
        extra.append(tail)
    row = NvlRow(
        target=target,
        prot=proto,
        in_if=fields.get("-i", "*"),
        out_if=fields.get("-o", "*"),
        source=fields.get("-s", "0.0.0.0/0"),
        destination=fields.get("-d", "0.0.0.0/0"),
        extra=" ".join(e for e in extra if e),
        pkts=counters[0],
        bytes=counters[1],
    )
    return chain, row


def _match_text(module: str, opts: list[str]) -> str:
    text = " ".join(opts)
    if module == "comment":
        return f"/* {opts[1]} */"
    if module == "addrtype":
        neg = "!" if "!" in opts else ""
        kind = opts[opts.index("--dst-type") + 1]
        limit = " limit-in" if "--limit-iface-in" in opts else ""
        return f"ADDRTYPE match dst-type {neg}{kind}{limit}"
    if module in ("tcp", "udp"):
        if "--dport" in opts:
            return f"{module} dpt:{opts[opts.index('--dport') + 1]}"
        return ""
    if module == "mark":
        neg = "! " if "!" in opts else ""
        return f"mark match {neg}{opts[-1]}"
    if module == "statistic":
        return f"statistic mode random probability {opts[opts.index('--probability') + 1]}"
    if module in ("conntrack", "state"):
        key = "--ctstate" if module == "conntrack" else "--state"
        return f"{'ctstate' if module == 'conntrack' else 'state'} {opts[opts.index(key) + 1]}"
    if module == "nfacct":
        return f"nfacct-name  {opts[-1]}"
    if module == "recent":
        name = opts[opts.index("--name") + 1]
        if "--set" in opts:
            return f"recent: SET name: {name} side: source mask: 255.255.255.255"
        return f"recent: CHECK seconds: 10800 reap name: {name} side: source mask: 255.255.255.255"
    return text


def _target_text(target: str, opts: list[str]) -> str:
    if target == "SNAT":
        text = "to:" + opts[opts.index("--to-source") + 1]
        if "--random-fully" in opts:
            text += " random-fully"
        elif "--random" in opts:
            text += " random"
        return text
    if target == "DNAT":
        return "to:" + opts[opts.index("--to-destination") + 1]
    if target == "MASQUERADE":
        return "random-fully" if "--random-fully" in opts else ""
    if target in ("MARK", "CONNMARK"):
        if "--set-xmark" in opts:
            value, mask = opts[opts.index("--set-xmark") + 1].split("/")
            return f"{target} or {value}" if value == mask else f"{target} xset {value}/{mask}"
        if "--restore-mark" in opts:
            return f"CONNMARK restore mask {opts[opts.index('--nfmask') + 1]}"
    if target == "REJECT":
        return "reject-with " + opts[opts.index("--reject-with") + 1] if "--reject-with" in opts else ""
    return " ".join(opts)


def nvl_chains_from_table(
    table: IptablesTable, counter_of: Callable[[str], tuple[int, int]] | None = None
) -> list[NvlChain]:
    """The ``iptables -n -v -L -t <table>`` view of a saved table: built-in chains first, then
    user chains sorted, with reference counts computed from the jumps."""
    rows: dict[str, list[NvlRow]] = {name: [] for name, _, _ in table.chains}
    refs: dict[str, int] = {name: 0 for name, _, _ in table.chains}
    for rule in table.rules:
        chain, row = _save_rule_to_nvl(rule, counter_of(rule) if counter_of else (0, 0))
        rows.setdefault(chain, []).append(row)
        if row.target in refs:
            refs[row.target] += 1
    builtin = [c for c in table.chains if c[1] != "-"]
    user = sorted((c for c in table.chains if c[1] == "-"), key=lambda c: c[0])
    out = []
    for name, policy, (pkts, byts) in builtin + user:
        if policy != "-":
            out.append(NvlChain(name, tuple(rows[name]), policy=policy, pkts=pkts, bytes=byts))
        else:
            out.append(NvlChain(name, tuple(rows[name]), references=refs[name]))
    return out


def link_local_from_mac(mac: str) -> str:
    """The EUI-64 IPv6 link-local address the kernel derives from a MAC."""
    octets = [int(x, 16) for x in mac.split(":")]
    octets[0] ^= 0x02
    eui = octets[:3] + [0xFF, 0xFE] + octets[3:]
    groups = [f"{(eui[i] << 8) | eui[i + 1]:x}" for i in range(0, 8, 2)]
    return str(ipaddress.IPv6Address("fe80::" + ":".join(groups)))


def nft_aws_cni_table(
    *,
    vpc_cidrs: Sequence[str],
    exclude_cidrs: Sequence[str] = (),
    veth_prefix: str = "eni",
    connmark: int = 0x80,
    counters: Sequence[tuple[int, int]] = (),
) -> str:
    """``nft list table ip aws-cni`` of CNI v1.23+ on an nf_tables host (§6.5). ``counters``
    gives (packets, bytes) for the rules in print order; missing ones are zero."""
    mark = f"0x{connmark:08x}"
    it = iter(counters)

    def counter() -> str:
        pkts, byts = next(it, (0, 0))
        return f"counter packets {pkts} bytes {byts}"

    lines = [
        "table ip aws-cni {",
        "\tchain nat-prerouting {",
        "\t\ttype nat hook prerouting priority dstnat + 10; policy accept;",
        "\t\tfib daddr type local return",
        f'\t\tiifname "{veth_prefix}*" {counter()} jump snat-mark',
        f"\t\t{counter()} meta mark set ct mark & {mark}",
        "\t}",
        "",
        "\tchain snat-mark {",
    ]
    # each RETURN is inserted at the top, so the last configured CIDR prints first
    for cidr in reversed(list(vpc_cidrs) + list(exclude_cidrs)):
        lines.append(f"\t\t{counter()} ip daddr {cidr} return")
    lines += [f"\t\t{counter()} ct mark set ct mark | {mark}", "\t}", "}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- host state


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


# --------------------------------------------------------------------------- configuration


def conflist(
    version: Version,
    *,
    veth_prefix: str = "eni",
    mtu: int = 9001,
    log_level: str = "DEBUG",
    node_ip: str = "",
    sg_enforcing_mode: str = "strict",
) -> str:
    """``/etc/cni/net.d/10-aws.conflist`` (``aws.conf`` shape for v1.0–v1.1) as the CNI of
    ``version`` writes it from its template (§8)."""
    if version < (1, 2, 0):
        return go_json({"name": "aws-cni", "type": "aws-cni", "vethPrefix": veth_prefix}) + "\n"
    portmap = '    {\n      "type": "portmap",\n      "capabilities": {"portMappings": true},\n      "snat": true\n    }'
    if version < (1, 6, 0):
        return (
            '{\n  "name": "aws-cni",\n  "plugins": [\n    {\n      "name": "aws-cni",\n      "type": "aws-cni",\n'
            f'      "vethPrefix": "{veth_prefix}"\n    }},\n{portmap}\n  ]\n}}\n'
        )
    if version >= (1, 16, 0) and version < (1, 16, 2):
        cni_version = "1.0.0"
    elif version >= (1, 11, 0):
        cni_version = "0.4.0"
    else:
        cni_version = "0.3.1"
    head = f'{{\n  "cniVersion": "{cni_version}",\n  "name": "aws-cni",\n'
    if version >= (1, 11, 0):
        head += '  "disableCheck": true,\n'
    aws = [
        '      "name": "aws-cni"',
        '      "type": "aws-cni"',
        f'      "vethPrefix": "{veth_prefix}"',
        f'      "mtu": "{mtu}"',
    ]
    if version >= (1, 11, 0):
        aws.append(f'      "podSGEnforcingMode": "{sg_enforcing_mode}"')
    if version >= (1, 6, 1):
        aws.append('      "pluginLogFile": "/var/log/aws-routed-eni/plugin.log"')
        aws.append(f'      "pluginLogLevel": "{log_level}"')
    if version >= (1, 20, 0):
        aws.append('      "capabilities": {"io.kubernetes.cri.pod-annotations": true}')
    plugins = ["    {\n" + ",\n".join(aws) + "\n    }"]
    if version >= (1, 10, 0):
        v4 = version < (1, 13, 0)
        name = "egress-v4-cni" if v4 else "egress-cni"
        egress_mtu = str(mtu) if v4 else f'"{mtu}"'
        subnet, dst, data_dir = (
            ("169.254.172.0/22", "0.0.0.0/0", "/run/cni/v6pd/egress-v4-ipam")
            if v4
            else ("fd00::ac:00/118", "::/0", "/run/cni/v4pd/egress-v6-ipam")
        )
        egress = [
            f'      "name": "{name}"',
            f'      "type": "{name}"',
            f'      "mtu": {egress_mtu}',
            '      "enabled": "false"',
        ]
        if version >= (1, 11, 0):
            egress.append('      "randomizeSNAT": "prng"')
        egress += [
            f'      "nodeIP": "{node_ip}"',
            f'      "ipam": {{\n        "type": "host-local",\n        "ranges": [[{{"subnet": "{subnet}"}}]],\n'
            f'        "routes": [{{"dst": "{dst}"}}],\n        "dataDir": "{data_dir}"\n      }}',
            f'      "pluginLogFile": "/var/log/aws-routed-eni/egress-{"v4" if v4 else "v6"}-plugin.log"',
            f'      "pluginLogLevel": "{log_level}"',
        ]
        plugins.append("    {\n" + ",\n".join(egress) + "\n    }")
    plugins.append(portmap)
    return head + '  "plugins": [\n' + ",\n".join(plugins) + "\n  ]\n}\n"


@dataclass(frozen=True)
class Metric:
    """One Prometheus sample; ``help``/``type`` are printed once per metric family."""

    name: str
    value: float | int
    labels: tuple[tuple[str, str], ...] = ()
    type: str = "gauge"
    help: str = ""
    family: str = ""  # for summary/histogram parts (_sum, _count, _bucket): the family name


def _metric_value(v: float | int) -> str:
    if isinstance(v, int):
        return str(v)
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "+Inf" if v > 0 else "-Inf"
    text = repr(v)
    return text[:-2] if text.endswith(".0") else text


def metrics_text(samples: Sequence[Metric]) -> str:
    """Prometheus text exposition 0.0.4, families sorted by name as the Go client does."""
    families: dict[str, list[Metric]] = {}
    for sample in samples:
        families.setdefault(sample.family or sample.name, []).append(sample)
    out: list[str] = []
    for family in sorted(families):
        first = families[family][0]
        out.append(f"# HELP {family} {first.help or family.replace('_', ' ')}")
        out.append(f"# TYPE {family} {first.type}")
        for m in families[family]:
            labels = ",".join(f'{k}="{v}"' for k, v in m.labels)
            value = _metric_value(m.value)
            out.append(f"{m.name}{{{labels}}} {value}" if labels else f"{m.name} {value}")
    return "\n".join(out) + "\n"


def cni_metrics(
    version: Version,
    *,
    eni_allocated: int,
    eni_max: int,
    ip_max: int,
    total_ips: int,
    assigned_ips: int,
    add_requests: int = 0,
    del_requests: int = 0,
    extra: Sequence[Metric] = (),
    goversion: str = "go1.22.5",
) -> list[Metric]:
    """The core ipamd gauges named as CNI ``version`` names them (unprefixed before v1.4,
    ``awscni_build_info`` from v1.10)."""
    p = "awscni_" if version >= (1, 4, 0) else ""
    samples = [
        Metric(f"{p}eni_allocated", eni_allocated, help="The number of ENIs allocated"),
        Metric(f"{p}eni_max", eni_max, help="The maximum number of ENIs that can be attached to the instance, accounting for unmanaged ENIs"),
        Metric(f"{p}ip_max", ip_max, help="The maximum number of IP addresses that can be allocated to the instance"),
        Metric(f"{p}total_ip_addresses", total_ips, help="The total number of IP addresses"),
        Metric(f"{p}assigned_ip_addresses", assigned_ips, help="The number of IP addresses assigned to pods"),
    ]
    if version >= (1, 2, 0):
        counter = "gauge" if (1, 16, 0) <= version < (1, 19, 0) else "counter"
        samples.append(Metric(f"{p}add_ip_req_count", add_requests, type=counter, help="The number of add IP address requests"))
        samples.append(
            Metric(f"{p}del_ip_req_count", del_requests, (("reason", "PodDeleted"),), type="counter", help="The number of delete IP address requests")
        )
    if version >= (1, 10, 0):
        samples.append(
            Metric(
                "awscni_build_info",
                1,
                (("goversion", goversion), ("version", "v{}.{}.{}".format(*version))),
                help="A metric with a constant '1' value labeled by version, revision, and goversion from which amazon-vpc-cni-k8s was built.",
            )
        )
    return samples + list(extra)


# --------------------------------------------------------------------------- logs


def zap_time(when: datetime) -> str:
    """zap's ISO 8601 time encoder: milliseconds and ``Z`` for UTC."""
    when = _utc(when)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def zap_line(level: str, ts: datetime, caller: str, msg: str, **fields: Any) -> str:
    """One zap JSON line (CNI v1.6.1+): keys level, ts, caller, msg, then extra fields."""
    record: dict[str, Any] = {"level": level, "ts": zap_time(ts), "caller": caller, "msg": msg}
    record.update(fields)
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def seelog_line(level: str, ts: datetime, msg: str, *, version: Version = (1, 2, 1)) -> str:
    """One seelog line in the format of CNI ``version`` (§4.2): ``[LEVEL] msg`` up to v1.4,
    TAB after ``]`` in v1.5, milliseconds from v1.5.1, space+TAB in v1.6.0."""
    when = _utc(ts)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S")
    if version >= (1, 5, 1):
        stamp += f".{when.microsecond // 1000:03d}"
    stamp += "Z"
    level = level.upper()
    if version >= (1, 6, 0):
        sep = " \t"
    elif version >= (1, 5, 0):
        sep = "\t"
    else:
        sep = " "
    return f"{stamp} [{level}]{sep}{msg}"


def journal_line(ts: datetime, host: str, ident: str, pid: int | None, msg: str, *, iso: bool = False) -> str:
    """A journalctl line: ``short`` (``Jan 10 20:47:01 host unit[pid]: msg``) or, with ``iso``,
    ``short-iso-precise`` (``2026-03-18T20:47:01.004551+0000 …``)."""
    when = _utc(ts)
    if iso:
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond:06d}+0000"
    else:
        stamp = when.strftime("%b %d %H:%M:%S")
    who = f"{ident}[{pid}]" if pid is not None else ident
    return f"{stamp} {host} {who}: {msg}"


def klog_line(level: str, ts: datetime, pid: int, source: str, msg: str) -> str:
    """A klog header + message: ``E0110 20:47:01.004551    3421 log.go:32] msg``."""
    when = _utc(ts)
    return f"{level[0].upper()}{when:%m%d %H:%M:%S}.{when.microsecond:06d} {pid:>7} {source}] {msg}"


def cri_log_line(ts: datetime, stream: str, msg: str, *, partial: bool = False) -> str:
    """A containerd CRI log line: ``<RFC3339Nano> <stream> <F|P> <msg>``."""
    when = _utc(ts)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond:06d}000Z"
    return f"{stamp} {stream} {'P' if partial else 'F'} {msg}"
