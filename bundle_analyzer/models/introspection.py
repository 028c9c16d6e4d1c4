"""Typed views of what ipamd exposes: ``/v1/enis``, ``/v1/pods``, ``/v1/eni-configs``, the two
env-settings endpoints, the Prometheus metrics and the IPAM checkpoint ``ipam.json``.

One shape per artifact whatever CNI version wrote it: the parsers map every schema generation
onto these models and record what the shape proves about the CNI version
(``min_cni_version``/``max_cni_version``: inclusive bounds; ``vX.Y.x`` means any patch of X.Y).
Counters that ipamd reports are kept next to the counts recomputed from the detail; they are
never "fixed", because a disagreement is itself a finding.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr, computed_field

MIGRATED_FROM_CRI = "_migrated-from-cri"


# --- /v1/enis -------------------------------------------------------------------------------


class EniAddress(BaseModel):
    """One IP address ipamd tracks on an ENI (a secondary IP, or a used slot of a prefix)."""

    ip: str
    assigned: bool
    network_name: str | None = None
    container_id: str | None = None
    if_name: str | None = None
    pod_namespace: str | None = None
    pod_name: str | None = None
    interfaces_count: int | None = None
    assigned_at: datetime | None = None
    unassigned_at: datetime | None = None

    @property
    def cooling(self) -> bool:
        """Freed at some point and not handed out again: inside ``IP_COOLDOWN_PERIOD`` if recent."""
        return not self.assigned and self.unassigned_at is not None

    @property
    def migrated_from_cri(self) -> bool:
        """Allocation carried over by the CNI v1.7 migration from CRI (no real sandbox id)."""
        return self.network_name == MIGRATED_FROM_CRI


class EniCidr(BaseModel):
    """A /32 (or /128) secondary IP or a delegated prefix of an ENI, with its usage.

    ``size`` is the number of addresses of the CIDR (2^48 for an IPv6 /80: never enumerated);
    ``cooling`` counts unassigned addresses that carry an unassigned time (recently freed, the
    parser does not know the bundle time); ``free = size - assigned - cooling`` (absent addresses
    of a prefix are free).
    """

    cidr: str
    family: int
    is_prefix: bool
    addresses: list[EniAddress] = Field(default_factory=list)
    size: int
    assigned: int
    cooling: int
    free: int


class Eni(BaseModel):
    """One ENI of ``/v1/enis``.

    ``device_number`` is what ipamd printed. ``device_index`` is the EC2 DeviceIndex when the
    generation tells how to read it (CNI ≤ v1.7.1 printed DeviceIndex + 1 for secondary ENIs),
    ``route_table`` the policy-routing table of the ENI when it can be derived (``RouteTableID``,
    else 254/main for the primary ENI and DeviceIndex + 1 for secondary ENIs of card 0).
    """

    id: str
    network_card: int = 0
    device_number: int
    device_index: int | None = None
    is_primary: bool
    is_trunk: bool = False
    is_efa: bool = False
    route_table_id: int | None = None
    route_table: int | None = None
    subnet_id: str | None = None
    excluded_for_pods: bool = False
    assigned_ipv4_reported: int | None = None
    cidrs: list[EniCidr] = Field(default_factory=list)
    ipv6_cidrs: list[EniCidr] = Field(default_factory=list)
    line: int = 1

    @property
    def addresses(self) -> list[EniAddress]:
        """Every address listed on the ENI, IPv4 first."""
        return [address for cidr in (*self.cidrs, *self.ipv6_cidrs) for address in cidr.addresses]

    @property
    def assigned_ips(self) -> list[str]:
        """The IPs (v4 and v6) that are assigned to pods according to the detail."""
        return [address.ip for address in self.addresses if address.assigned]


class CardCounters(BaseModel):
    """ipamd's own counters for one network card, and the same counts taken from the detail."""

    network_card: int
    total_ips: int
    assigned_ips: int
    total_ips_counted: int = 0
    assigned_ips_counted: int = 0


class EniDump(BaseModel):
    """``/v1/enis`` of any generation (A1, A2, B, C, D, E, F; ``None`` when the shape is undecidable)."""

    generation: str | None
    min_cni_version: str | None = None
    max_cni_version: str | None = None
    cards: list[CardCounters] = Field(default_factory=list)
    enis: list[Eni] = Field(default_factory=list)
    partial: bool = False
    line: int = 1

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_ips_reported(self) -> int:
        return sum(card.total_ips for card in self.cards)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def assigned_ips_reported(self) -> int:
        return sum(card.assigned_ips for card in self.cards)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_ips_counted(self) -> int:
        """IPv4 capacity from the detail (a /28 prefix counts 16), the way ipamd counts TotalIPs."""
        return sum(cidr.size for eni in self.enis for cidr in eni.cidrs)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def assigned_ips_counted(self) -> int:
        return sum(len(eni.assigned_ips) for eni in self.enis)

    @property
    def addresses(self) -> list[EniAddress]:
        return [address for eni in self.enis for address in eni.addresses]


# --- /v1/pods -------------------------------------------------------------------------------


class PodIp(BaseModel):
    """One ``<pod>_<namespace>_<container>`` entry of ``/v1/pods`` (CNI v1.0 – v1.6)."""

    pod_name: str
    namespace: str
    container_id: str | None = None
    ip: str
    device_number: int
    line: int = 1


class PodsDump(BaseModel):
    """``/v1/pods``; ``root_document`` means ipamd answered with its command list (CNI ≥ v1.7)."""

    pods: list[PodIp] = Field(default_factory=list)
    root_document: bool = False
    available_commands: list[str] | None = None
    min_cni_version: str | None = None
    max_cni_version: str | None = None
    line: int = 1


# --- /v1/eni-configs ------------------------------------------------------------------------


class EniConfigSpec(BaseModel):
    """One ENIConfig as ipamd knew it (CNI v1.2 – v1.7 only)."""

    name: str
    security_groups: list[str] = Field(default_factory=list)
    subnet: str | None = None


class EniConfigsDump(BaseModel):
    """``/v1/eni-configs``.

    Generations: ``A`` (v1.2 – v1.3: ``{"ENI":{…},"MyENI":…}``), ``B`` (v1.4 – v1.7: plus the
    annotation/label key names), ``C`` (v1.8+: a bare JSON string, the node's ENIConfig name);
    ``None`` for a truncated A/B document that cannot be told apart.
    """

    generation: str | None
    node_config_name: str | None = None
    configs: list[EniConfigSpec] = Field(default_factory=list)
    annotation_def: str | None = None
    label_def: str | None = None
    min_cni_version: str | None = None
    max_cni_version: str | None = None
    line: int = 1


# --- env settings ---------------------------------------------------------------------------


class NetworkutilsEnv(BaseModel):
    """``/v1/networkutils-env-settings``: values as ipamd parsed them (typed JSON)."""

    external_snat: bool | None = None
    node_port_support: bool | None = None
    connmark: int | None = None
    randomize_snat: str | None = None
    exclude_snat_cidrs: list[str] | None = None
    configure_rpfilter: bool | None = None
    eni_mtu: int | None = None
    veth_prefix: str | None = None
    external_service_cidrs: list[str] | None = None
    min_cni_version: str | None = None
    max_cni_version: str | None = None
    raw: dict[str, Any] = Field(default_factory=dict)
    line: int = 1


class IpamdEnv(BaseModel):
    """``/v1/ipamd-env-settings``: values as ipamd parsed them (typed JSON)."""

    warm_eni_target: int | None = None
    warm_ip_target: int | None = None
    custom_network_cfg: bool | None = None
    manage_enis_non_schedulable: bool | None = None
    enable_subnet_discovery: bool | None = None
    min_cni_version: str | None = None
    raw: dict[str, Any] = Field(default_factory=dict)
    line: int = 1


# --- metrics --------------------------------------------------------------------------------


class MetricSample(BaseModel):
    """One sample line of a Prometheus text exposition."""

    name: str
    labels: dict[str, str] = Field(default_factory=dict)
    value: float
    timestamp_ms: int | None = None
    line: int


def _legacy_metric_names(name: str) -> list[str]:
    """Names the same series had in older CNI releases (pre-v1.4 unprefixed, typos, v1.9 rename)."""
    names: list[str] = []
    if name.startswith("awscni_assigned_ip_per_cidr"):
        names.append("awscni_assigned_ip_per_ipv4cidr" + name[len("awscni_assigned_ip_per_cidr") :])
    if name.startswith("awscni_"):
        bare = name[len("awscni_") :]
        names.append(bare)
        if bare.startswith("aws_api_latency_ms"):
            names.append("aws_api_lantency_ms" + bare[len("aws_api_latency_ms") :])
    return names


class MetricsDump(BaseModel):
    """The metrics file: samples in file order and ``# TYPE`` declarations by family name."""

    samples: list[MetricSample] = Field(default_factory=list)
    types: dict[str, str] = Field(default_factory=dict)
    _by_name: dict[str, list[MetricSample]] | None = PrivateAttr(default=None)

    def _index(self) -> dict[str, list[MetricSample]]:
        if self._by_name is None:
            index: dict[str, list[MetricSample]] = {}
            for sample in self.samples:
                index.setdefault(sample.name, []).append(sample)
            self._by_name = index
        return self._by_name

    def select(self, name: str, **labels: str) -> list[MetricSample]:
        """Samples of ``name`` whose labels include ``labels``; falls back to older names of it."""
        index = self._index()
        for candidate in (name, *_legacy_metric_names(name)):
            found = [s for s in index.get(candidate, []) if all(s.labels.get(k) == v for k, v in labels.items())]
            if found:
                return found
        return []

    def get(self, name: str, **labels: str) -> float | None:
        """Value of the first sample of ``name`` matching ``labels`` (``None`` when absent)."""
        found = self.select(name, **labels)
        return found[0].value if found else None

    def total(self, name: str, **labels: str) -> float | None:
        """Sum over all matching samples (e.g. every ``fn`` of an error counter)."""
        found = self.select(name, **labels)
        return sum(s.value for s in found) if found else None

    @property
    def cni_version(self) -> str | None:
        """``awscni_build_info{version}`` (CNI v1.10+)."""
        for sample in self._index().get("awscni_build_info", []):
            if sample.labels.get("version"):
                return sample.labels["version"]
        return None

    @property
    def connmark_backend(self) -> str | None:
        """``iptables`` or ``nftables`` from ``awscni_connmark_backend{backend} 1`` (CNI v1.23+)."""
        for sample in self._index().get("awscni_connmark_backend", []):
            if sample.value == 1 and sample.labels.get("backend"):
                return sample.labels["backend"]
        return None

    @property
    def unprefixed_names(self) -> bool:
        """CNI metrics without the ``awscni_`` prefix: a CNI older than v1.4.0."""
        index = self._index()
        return "eni_allocated" in index and "awscni_eni_allocated" not in index


# --- ipam.json ------------------------------------------------------------------------------


class CheckpointAllocation(BaseModel):
    """One allocation of the IPAM checkpoint (IPAMKey flattened, ipv4 and/or ipv6, metadata)."""

    network_name: str | None = None
    container_id: str | None = None
    if_name: str | None = None
    ipv4: str | None = None
    ipv6: str | None = None
    allocation_timestamp_ns: int | None = None
    allocated_at: datetime | None = None
    pod_namespace: str | None = None
    pod_name: str | None = None
    interfaces_count: int | None = None
    line: int = 1

    @property
    def migrated_from_cri(self) -> bool:
        return self.network_name == MIGRATED_FROM_CRI


class IpamCheckpoint(BaseModel):
    """``/var/run/aws-node/ipam.json`` (``vpc-cni-ipam/1``), written by CNI v1.7.0+.

    ``network_card`` comes from the file name: ``ipam-nic-N.json`` holds card N (multi-NIC, v1.20+).
    """

    version: str | None
    network_card: int = 0
    allocations: list[CheckpointAllocation] = Field(default_factory=list)
    min_cni_version: str | None = None
    partial: bool = False
    line: int = 1
