"""``/v1/enis``: ipamd's ENI datastore (``ipamd/enis.json``, legacy ``eni.output``/``eni.out``).

Reads all seven schema generations and maps them onto one :class:`EniDump`:

* A1 (v1.0 – v1.4) ``{"TotalIPs":10,"AssignedIPs":3,"ENIIPPools":{"eni-…":{"IsPrimary":true,"ID":"eni-…",
  "DeviceNumber":0,"AssignedIPv4Addresses":2,"IPv4Addresses":{"10.0.12.50":{"Assigned":true}}}}}``
* A2 (v1.5 – v1.6) address records gain ``Address`` and ``UnassignedTime``
* B (v1.7 – v1.8) ``ENIs`` map; address records ``{"IPAMKey":{"networkName":…,"containerID":…,"ifName":…},
  "Address":…,"UnassignedTime":…}``; assigned = any IPAMKey field non-empty
* C (v1.9) ``AvailableIPv4Cidrs`` of ``{"Cidr":{"IP":…,"Mask":"/////w=="},"IPv4Addresses":{…},"IsPrefix":…}``
* D (v1.10) CIDR address map renamed ``IPAddresses``, ``AddressFamily`` (always ``""``), ``IPv6Cidrs``
* E (v1.11 – v1.19) address records gain ``IPAMMetadata`` and ``AssignedTime``
* F (v1.20+) the whole thing wrapped in ``{"0":{…}}`` keyed by network card; ``RouteTableID`` (v1.20.3+),
  ``IsExcludedForPodIPs``/``SubnetID`` (v1.22+), ``containerID``/``ifName`` blanked (v1.23+)

From C on only addresses that were ever handed out are listed, so a CIDR's free space is
``2^(bits-plen) - assigned - cooling``; IPv6 /80 prefixes are counted, never enumerated. Before C
every secondary IP is listed and becomes a /32 :class:`EniCidr` of its own.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from dataclasses import dataclass
from typing import Any

from bundle_analyzer.models.common import Parsed, Problem, decode_text, outcome
from bundle_analyzer.models.introspection import CardCounters, Eni, EniAddress, EniCidr, EniDump
from bundle_analyzer.parsers.jsondocs import (
    FieldReader,
    is_root_document,
    json_type_name,
    narrow_versions,
    read_json_document,
)

MAIN_ROUTE_TABLE = 254

_GENERATION_RANGES: dict[str | None, tuple[str, str | None]] = {
    "A1": ("v1.0.0", "v1.4.x"),
    "A2": ("v1.5.0", "v1.6.x"),
    "B": ("v1.7.0", "v1.8.x"),
    "C": ("v1.9.0", "v1.9.x"),
    "D": ("v1.10.0", "v1.10.x"),
    "E": ("v1.11.0", "v1.19.x"),
    "F": ("v1.20.0", None),
}


@dataclass
class _Shape:
    """What the document's keys prove, gathered while reading it."""

    wrapped: bool = False
    pools: bool = False
    enis_key: bool = False
    eni_count: int = 0
    a_address_with_field: bool = False
    a_address_without_field: bool = False
    eni_ipv4_addresses: bool = False
    eni_available_cidrs: bool = False
    eni_ipv6_cidrs: bool = False
    cidr_ipv4_addresses: bool = False
    cidr_ip_addresses: bool = False
    address_assigned_time: bool = False
    address_without_assigned_time: bool = False
    efa_field: bool = False
    no_efa_field: bool = False
    route_table_field: bool = False
    subnet_field: bool = False
    assigned_blanked: int = 0
    assigned_with_container: int = 0

    def generation(self) -> str | None:
        if self.wrapped:
            return "F"
        if self.pools:
            if self.a_address_without_field:
                return "A1"
            return "A2" if self.a_address_with_field else None
        if not self.enis_key or self.eni_count == 0:
            return None
        if self.eni_ipv4_addresses:
            return "B"
        if self.cidr_ipv4_addresses:
            return "C"
        if self.eni_ipv6_cidrs or self.cidr_ip_addresses:
            if self.address_assigned_time:
                return "E"
            return "D" if self.address_without_assigned_time else None
        return "C" if self.eni_available_cidrs else None

    def versions(self, generation: str | None) -> tuple[str | None, str | None]:
        if generation is None:
            if self.pools:
                return "v1.0.0", "v1.6.x"
            if self.eni_ipv6_cidrs or self.cidr_ip_addresses:
                return "v1.10.0", "v1.19.x"
            if self.enis_key:
                return "v1.7.0", "v1.19.x"
            return None, None
        low, high = _GENERATION_RANGES[generation]
        if generation == "B":
            if self.efa_field:
                low, high = narrow_versions(low, high, at_least="v1.7.6")
            elif self.no_efa_field:
                low, high = narrow_versions(low, high, at_most="v1.7.5")
        if generation == "F" and self.eni_count:
            if self.route_table_field:
                low, high = narrow_versions(low, high, at_least="v1.20.3")
            else:
                low, high = narrow_versions(low, high, at_most="v1.20.2")
            if self.subnet_field:
                low, high = narrow_versions(low, high, at_least="v1.22.0")
            else:
                low, high = narrow_versions(low, high, at_most="v1.21.x")
            if self.assigned_with_container:
                low, high = narrow_versions(low, high, at_most="v1.22.x")
            elif self.assigned_blanked:
                low, high = narrow_versions(low, high, at_least="v1.23.0")
        return low, high


def parse_enis(data: bytes, path: str) -> Parsed[EniDump]:
    """Parse ``/v1/enis`` output of any CNI generation; never raises on bad content."""
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)
    read = read_json_document(text, path, "ENI dump")
    problems = list(read.problems)
    doc = read.value
    if doc is None:
        return outcome(path, None, problems)
    if is_root_document(doc):
        problems.append(
            Problem(
                path=path,
                line=read.line,
                message='not an ENI dump: ipamd root document {"AvailableCommands":[…]} (the request hit an unknown path)',
            )
        )
        return outcome(path, None, problems)
    if not isinstance(doc, dict):
        problems.append(Problem(path=path, line=read.line, message=f"not an ENI dump: the document is {json_type_name(doc)}"))
        return outcome(path, None, problems)

    reader = FieldReader(path, read.line, problems, partial=not read.complete)
    shape = _Shape()
    if doc and all(isinstance(key, str) and key.isdigit() for key in doc):
        shape.wrapped = True
        cards = sorted((int(key), value) for key, value in doc.items())
    elif not doc or {"ENIIPPools", "ENIs", "TotalIPs", "AssignedIPs"} & set(doc):
        cards = [(0, doc)] if doc else []
    else:
        keys = ", ".join(sorted(doc)[:5])
        problems.append(Problem(path=path, line=read.line, message=f"not an ENI dump: unexpected keys {keys}"))
        return outcome(path, None, problems)

    counters: list[CardCounters] = []
    enis: list[Eni] = []
    for card, infos in cards:
        where = f"card {card}"
        if not isinstance(infos, dict):
            reader.problem(f"{where}: ENIInfos is {json_type_name(infos)}, expected an object")
            continue
        card_enis = _read_card(infos, card, reader, shape)
        enis.extend(card_enis)
        counters.append(
            CardCounters(
                network_card=card,
                total_ips=reader.int_(infos, "TotalIPs", where, required=True) or 0,
                assigned_ips=reader.int_(infos, "AssignedIPs", where, required=True) or 0,
                total_ips_counted=sum(cidr.size for eni in card_enis for cidr in eni.cidrs),
                assigned_ips_counted=sum(len(eni.assigned_ips) for eni in card_enis),
            )
        )

    generation = shape.generation()
    low, high = shape.versions(generation)
    enis.sort(key=lambda eni: (eni.network_card, eni.device_number, eni.id))
    _derive_routing(enis, shape)
    dump = EniDump(
        generation=generation,
        min_cni_version=low,
        max_cni_version=high,
        cards=counters,
        enis=enis,
        partial=not read.complete,
        line=read.line,
    )
    return outcome(path, dump, problems)


def _read_card(infos: dict[str, Any], card: int, reader: FieldReader, shape: _Shape) -> list[Eni]:
    if "ENIIPPools" in infos:
        shape.pools = True
        pools = reader.obj(infos, "ENIIPPools", f"card {card}")
    elif "ENIs" in infos:
        shape.enis_key = True
        pools = reader.obj(infos, "ENIs", f"card {card}")
    else:
        reader.missing("ENIs", f"card {card}")
        return []
    enis = []
    for key, record in pools.items():
        if not isinstance(record, dict):
            reader.problem(f"ENI {key}: record is {json_type_name(record)}, expected an object")
            continue
        if reader.partial and "DeviceNumber" not in record:
            # Cut before its DeviceNumber: in every field order nothing useful was read yet.
            continue
        shape.eni_count += 1
        enis.append(_read_eni(key, record, card, reader, shape))
    return enis


def _read_eni(key: str, record: dict[str, Any], card: int, reader: FieldReader, shape: _Shape) -> Eni:
    eni_id = reader.str_(record, "ID", f"ENI {key}") or key
    where = f"ENI {eni_id}"
    if "IsEFA" in record:
        shape.efa_field = True
    else:
        shape.no_efa_field = True
    if "RouteTableID" in record:
        shape.route_table_field = True
    if "SubnetID" in record or "IsExcludedForPodIPs" in record:
        shape.subnet_field = True

    cidrs: list[EniCidr] = []
    ipv6_cidrs: list[EniCidr] = []
    if shape.pools or "IPv4Addresses" in record:
        if not shape.pools:
            shape.eni_ipv4_addresses = True
        for ip, address_record in reader.obj(record, "IPv4Addresses", where).items():
            address = _read_address(ip, address_record, where, reader, shape)
            if address is not None:
                cidrs.append(_single_ip_cidr(address))
    else:
        if "AvailableIPv4Cidrs" in record:
            shape.eni_available_cidrs = True
        else:
            reader.missing("AvailableIPv4Cidrs", where)
        if "IPv6Cidrs" in record:
            shape.eni_ipv6_cidrs = True
        for cidr_key, cidr_record in reader.obj(record, "AvailableIPv4Cidrs", where).items():
            cidr = _read_cidr(cidr_key, cidr_record, where, reader, shape)
            if cidr is not None:
                cidrs.append(cidr)
        for cidr_key, cidr_record in reader.obj(record, "IPv6Cidrs", where).items():
            cidr = _read_cidr(cidr_key, cidr_record, where, reader, shape)
            if cidr is not None:
                ipv6_cidrs.append(cidr)

    device_number = reader.int_(record, "DeviceNumber", where, required=True)
    route_table_id = reader.int_(record, "RouteTableID", where)
    assigned_reported = reader.int_(record, "AssignedIPv4Addresses", where) if shape.pools else None
    cidrs.sort(key=_cidr_sort_key)
    ipv6_cidrs.sort(key=_cidr_sort_key)
    return Eni(
        id=eni_id,
        network_card=card,
        device_number=device_number if device_number is not None else 0,
        is_primary=bool(reader.bool_(record, "IsPrimary", where, required=True)),
        is_trunk=bool(reader.bool_(record, "IsTrunk", where)),
        is_efa=bool(reader.bool_(record, "IsEFA", where)),
        route_table_id=route_table_id,
        subnet_id=reader.str_(record, "SubnetID", where) or None,
        excluded_for_pods=bool(reader.bool_(record, "IsExcludedForPodIPs", where)),
        assigned_ipv4_reported=assigned_reported,
        cidrs=cidrs,
        ipv6_cidrs=ipv6_cidrs,
        line=reader.line,
    )


def _read_address(ip: str, record: Any, where: str, reader: FieldReader, shape: _Shape) -> EniAddress | None:
    if not isinstance(record, dict):
        reader.problem(f"{where}: address {ip} is {json_type_name(record)}, expected an object")
        return None
    where = f"{where} address {ip}"
    if _ip_or_none(ip) is None:
        reader.problem(f"{where}: not an IP address")
    network_name = container_id = if_name = namespace = pod_name = None
    interfaces_count = None
    if "IPAMKey" in record:
        key = reader.obj(record, "IPAMKey", where)
        network_name = reader.str_(key, "networkName", where) or None
        container_id = reader.str_(key, "containerID", where) or None
        if_name = reader.str_(key, "ifName", where) or None
        # Datastore rule IPAMKey.IsZero(): v1.23+ blanks containerID/ifName but keeps networkName.
        assigned = bool(network_name or container_id or if_name)
        if assigned:
            if container_id is None and if_name is None:
                shape.assigned_blanked += 1
            elif container_id is not None:
                shape.assigned_with_container += 1
        metadata = reader.obj(record, "IPAMMetadata", where)
        namespace = reader.str_(metadata, "k8sPodNamespace", where) or None
        pod_name = reader.str_(metadata, "k8sPodName", where) or None
        interfaces_count = reader.int_(metadata, "interfacesCount", where)
        if "AssignedTime" in record:
            shape.address_assigned_time = True
        else:
            shape.address_without_assigned_time = True
    elif "Assigned" in record:
        assigned = bool(reader.bool_(record, "Assigned", where))
        if "Address" in record:
            shape.a_address_with_field = True
        else:
            shape.a_address_without_field = True
    else:
        reader.problem(f"{where}: neither IPAMKey nor Assigned, cannot tell whether it is assigned")
        assigned = False
    return EniAddress(
        ip=ip,
        assigned=assigned,
        network_name=network_name,
        container_id=container_id,
        if_name=if_name,
        pod_namespace=namespace,
        pod_name=pod_name,
        interfaces_count=interfaces_count,
        assigned_at=reader.time(record, "AssignedTime", where),
        unassigned_at=reader.time(record, "UnassignedTime", where),
    )


def _read_cidr(key: str, record: Any, where: str, reader: FieldReader, shape: _Shape) -> EniCidr | None:
    if not isinstance(record, dict):
        reader.problem(f"{where}: CIDR {key} is {json_type_name(record)}, expected an object")
        return None
    where = f"{where} CIDR {key}"
    network = _network_or_none(key)
    encoded = decode_ipnet(record.get("Cidr"))
    if network is None:
        if encoded is None:
            reader.problem(f"{where}: neither the key nor the Cidr field is a CIDR")
            return None
        network = encoded
    elif encoded is not None and encoded != network:
        reader.problem(f"{where}: Cidr field says {encoded}, the key says {network}")
    if "IPv4Addresses" in record:
        shape.cidr_ipv4_addresses = True
        address_map = reader.obj(record, "IPv4Addresses", where)
    else:
        if "IPAddresses" in record:
            shape.cidr_ip_addresses = True
        else:
            reader.missing("IPAddresses", where)
        address_map = reader.obj(record, "IPAddresses", where)
    addresses = []
    for ip, address_record in address_map.items():
        address = _read_address(ip, address_record, where, reader, shape)
        if address is not None:
            addresses.append(address)
    addresses.sort(key=lambda address: _ip_sort_key(address.ip))
    size = 1 << (network.max_prefixlen - network.prefixlen)
    if len(addresses) > size:
        reader.problem(f"{where}: {len(addresses)} addresses listed in a CIDR of {size}")
    return _make_cidr(str(network), network.version, bool(reader.bool_(record, "IsPrefix", where)), addresses, size)


def _single_ip_cidr(address: EniAddress) -> EniCidr:
    ip = _ip_or_none(address.ip)
    family = ip.version if ip is not None else 4
    bits = 32 if family == 4 else 128
    return _make_cidr(f"{ip if ip is not None else address.ip}/{bits}", family, False, [address], 1)


def _make_cidr(cidr: str, family: int, is_prefix: bool, addresses: list[EniAddress], size: int) -> EniCidr:
    assigned = sum(1 for address in addresses if address.assigned)
    cooling = sum(1 for address in addresses if address.cooling)
    return EniCidr(
        cidr=cidr,
        family=family,
        is_prefix=is_prefix,
        addresses=addresses,
        size=size,
        assigned=assigned,
        cooling=cooling,
        free=max(0, size - assigned - cooling),
    )


def decode_ipnet(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """Go ``net.IPNet`` JSON ``{"IP":"10.0.12.64","Mask":"////8A=="}`` (Mask is base64 bytes)."""
    if not isinstance(value, dict) or not isinstance(value.get("IP"), str) or not isinstance(value.get("Mask"), str):
        return None
    try:
        mask = base64.b64decode(value["Mask"], validate=True)
    except (binascii.Error, ValueError):
        return None
    bits = int.from_bytes(mask, "big") if mask else 0
    width = len(mask) * 8
    prefix_len = width - ((~bits) & ((1 << width) - 1)).bit_length() if width else 0
    # A non-contiguous mask (ones after a zero) has no prefix length.
    if width == 0 or bits != ((1 << width) - 1) ^ ((1 << (width - prefix_len)) - 1):
        return None
    ip = _ip_or_none(value["IP"])
    if ip is None or width != ip.max_prefixlen:
        return None
    try:
        return ipaddress.ip_network(f"{ip}/{prefix_len}", strict=False)
    except ValueError:
        return None


def _derive_routing(enis: list[Eni], shape: _Shape) -> None:
    """Fill ``device_index`` and ``route_table`` where the generation says how to read them."""
    for eni in enis:
        if eni.is_primary:
            eni.device_index = 0
        elif shape.pools or (shape.eni_ipv4_addresses and not shape.efa_field):
            # v1.0 – v1.7.1 printed DeviceIndex + 1; B without IsEFA (v1.7.0 – v1.7.5) may be either.
            eni.device_index = eni.device_number - 1 if shape.pools and eni.device_number > 0 else None
        else:
            eni.device_index = eni.device_number
        if eni.route_table_id is not None:
            eni.route_table = eni.route_table_id
        elif eni.network_card == 0 and eni.is_primary:
            eni.route_table = MAIN_ROUTE_TABLE
        elif eni.network_card == 0 and eni.device_index is not None:
            eni.route_table = eni.device_index + 1


def _ip_or_none(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _network_or_none(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _ip_sort_key(text: str) -> tuple[int, int, str]:
    ip = _ip_or_none(text)
    return (ip.version, int(ip), "") if ip is not None else (99, 0, text)


def _cidr_sort_key(cidr: EniCidr) -> tuple[int, int, str]:
    return _ip_sort_key(cidr.cidr.split("/", 1)[0])
