"""Per-instance-type ENI/IP limits and the max-pods arithmetic built on them.

The shipped table ``bundle_analyzer/data/instance_limits.json`` mirrors the VPC CNI's own table
(``pkg/vpc/vpc_ip_resource_limit.go``): for each instance type the number of ENIs of the
**default network card** (the only card the CNI uses for pods by default), the IPv4 addresses per
ENI (including the ENI's primary address), the network cards, the hypervisor and whether it is
bare metal. ``scripts/gen_instance_limits.py`` regenerates it from that Go file (any of its three
historical layouts) and from ``aws ec2 describe-instance-types`` output.

Formulas (EKS ``eni-max-pods.txt``, ``max-pods-calculator.sh``, ipamd):

* secondary-IP mode: ``ENIs x (IPv4 - 1) + 2`` (each ENI's primary IP is not for pods; +2 for
  host-network pods);
* custom networking: the primary ENI carries no pods, ``(ENIs - 1) x (IPv4 - 1) + 2``;
* prefix delegation: each secondary slot holds a /28, ``ENIs x ((IPv4 - 1) x 16) + 2``;
* ipamd's own capacity is the same without the ``+ 2``, minus unmanaged ENIs and a trunk ENI.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bundle_analyzer.models.aws import Ec2InstanceType

IPS_PER_PREFIX = 16
HOST_NETWORK_PODS = 2
MAX_PODS_CEILING_LOW_CPU = 110
MAX_PODS_CEILING_HIGH_CPU = 250
LOW_CPU_LIMIT = 30
DATA_FILE = "instance_limits.json"


class InstanceLimits(BaseModel):
    """Networking limits of one EC2 instance type, as the VPC CNI sees them."""

    model_config = ConfigDict(frozen=True)

    name: str
    enis: int
    """ENIs of the default network card (the CNI's ``ENILimit``), not of the whole instance."""
    ipv4_per_eni: int
    default_network_card_index: int = 0
    network_cards: list[tuple[int, int]] = Field(default_factory=list)
    """``(card index, max ENIs)`` for every card."""
    hypervisor: str = ""
    """``nitro``, ``xen``, or ``unknown``/``""`` (bare metal and hand-added types)."""
    bare_metal: bool = False
    ipv6_per_eni: int | None = None
    vcpus: int | None = None

    @property
    def total_enis(self) -> int:
        return sum(maximum for _, maximum in self.network_cards) or self.enis

    @property
    def network_card_count(self) -> int:
        return max(len(self.network_cards), 1)

    @property
    def is_nitro(self) -> bool:
        return self.hypervisor == "nitro"

    def to_json_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "enis": self.enis,
            "ipv4_per_eni": self.ipv4_per_eni,
            "default_network_card_index": self.default_network_card_index,
            "network_cards": [list(card) for card in self.network_cards],
            "hypervisor": self.hypervisor,
            "bare_metal": self.bare_metal,
        }
        if self.ipv6_per_eni is not None:
            entry["ipv6_per_eni"] = self.ipv6_per_eni
        if self.vcpus is not None:
            entry["vcpus"] = self.vcpus
        return entry

    @classmethod
    def from_json_entry(cls, name: str, entry: Mapping[str, Any]) -> InstanceLimits:
        return cls(
            name=name,
            enis=entry["enis"],
            ipv4_per_eni=entry["ipv4_per_eni"],
            default_network_card_index=entry.get("default_network_card_index", 0),
            network_cards=[(int(card[0]), int(card[1])) for card in entry.get("network_cards", [])],
            hypervisor=entry.get("hypervisor", ""),
            bare_metal=bool(entry.get("bare_metal", False)),
            ipv6_per_eni=entry.get("ipv6_per_eni"),
            vcpus=entry.get("vcpus"),
        )

    @classmethod
    def from_instance_type(cls, info: Ec2InstanceType) -> InstanceLimits | None:
        """From ``describe-instance-types`` (as the CNI's generator does); None if incomplete."""
        enis = info.default_card_enis
        if info.name is None or enis is None or info.ipv4_per_eni is None:
            return None
        cards = sorted(info.network_cards) or [(info.default_network_card_index or 0, enis)]
        return cls(
            name=info.name,
            enis=enis,
            ipv4_per_eni=info.ipv4_per_eni,
            default_network_card_index=info.default_network_card_index or 0,
            network_cards=cards,
            # The generator writes "unknown" where EC2 reports no hypervisor (bare metal).
            hypervisor=info.hypervisor or "unknown",
            bare_metal=bool(info.bare_metal),
            ipv6_per_eni=info.ipv6_per_eni,
            vcpus=info.vcpus,
        )


@lru_cache(maxsize=1)
def load_limits() -> dict[str, InstanceLimits]:
    """The shipped table, keyed by instance type (cached; treat the result as read-only)."""
    raw = json.loads(
        resources.files("bundle_analyzer").joinpath("data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    )
    return {name: InstanceLimits.from_json_entry(name, entry) for name, entry in raw.items()}


def limits_for(instance_type: str) -> InstanceLimits | None:
    return load_limits().get(instance_type.strip().lower())


def _usable_enis(limits: InstanceLimits, max_eni: int | None) -> int:
    enis = limits.enis
    if max_eni is not None:
        enis = min(enis, max_eni)
    return enis


def _addresses_per_eni(limits: InstanceLimits, prefix_delegation: bool) -> int:
    per_eni = max(limits.ipv4_per_eni - 1, 0)
    return per_eni * IPS_PER_PREFIX if prefix_delegation else per_eni


def max_pods(
    limits: InstanceLimits,
    *,
    prefix_delegation: bool = False,
    custom_networking: bool = False,
    max_eni: int | None = None,
) -> int:
    """The EKS max-pods value (``eni-max-pods.txt`` / ``--show-max-allowed``), uncapped.

    ``max_eni`` is the CNI's ``MAX_ENI`` / the calculator's ``--cni-max-eni``.
    """
    enis = _usable_enis(limits, max_eni)
    if custom_networking:
        enis -= 1
    return max(enis, 0) * _addresses_per_eni(limits, prefix_delegation) + HOST_NETWORK_PODS


def max_pod_ips(
    limits: InstanceLimits,
    *,
    prefix_delegation: bool = False,
    custom_networking: bool = False,
    max_eni: int | None = None,
    unmanaged_enis: int = 0,
    trunk_eni: bool = False,
) -> int:
    """ipamd's address capacity (``awscni_ip_max``): per-ENI addresses x ENIs it may use.

    Unmanaged ENIs (``no_manage`` tag, other software) and the SGPP trunk ENI take ENI slots;
    with custom networking the primary ENI holds no pod addresses.
    """
    enis = _usable_enis(limits, max_eni) - max(unmanaged_enis, 0) - (1 if trunk_eni else 0)
    if custom_networking:
        enis -= 1
    return max(enis, 0) * _addresses_per_eni(limits, prefix_delegation)


def eni_max_pods_capped(
    limits: InstanceLimits,
    vcpus: int,
    *,
    prefix_delegation: bool = False,
    custom_networking: bool = False,
    max_eni: int | None = None,
) -> int:
    """The value ``max-pods-calculator.sh`` recommends: capped at 110 (≤ 30 vCPUs) or 250.

    Like the script, prefix delegation counts only on Nitro instances.
    """
    value = max_pods(
        limits,
        prefix_delegation=prefix_delegation and limits.is_nitro,
        custom_networking=custom_networking,
        max_eni=max_eni,
    )
    ceiling = MAX_PODS_CEILING_HIGH_CPU if vcpus > LOW_CPU_LIMIT else MAX_PODS_CEILING_LOW_CPU
    return min(value, ceiling)


# --- building the table ---------------------------------------------------------------------

_ENTRY_START = re.compile(r'"([A-Za-z0-9][A-Za-z0-9.\-]*)"\s*:\s*\{')
_FIELD_INT = r"\b{}\s*:\s*(\d+)"
_HYPERVISOR = re.compile(r'\bHypervisorType\s*:\s*"([^"]*)"')
_BARE_METAL = re.compile(r"\bIsBareMetal\s*:\s*(true|false)")
_CARD = re.compile(r"\{([^{}]*)\}")
_MAP_BLOCK = re.compile(r"\b(InstanceENIsAvailable|InstanceIPsAvailable)\s*=\s*map\[string\]int(?:64)?\s*\{([^}]*)\}")
_MAP_ENTRY = re.compile(r'"([A-Za-z0-9][A-Za-z0-9.\-]*)"\s*:\s*(\d+)')


def _int_field(name: str, body: str) -> int | None:
    match = re.search(_FIELD_INT.format(name), body)
    return int(match.group(1)) if match else None


def _matching_brace(text: str, open_pos: int) -> int:
    depth = 0
    for pos in range(open_pos, len(text)):
        char = text[pos]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return pos
    return -1


def parse_go_limits(source: str) -> dict[str, InstanceLimits]:
    """Read the CNI's limits table from Go source, whatever its generation.

    * v1.16+ ``pkg/vpc/vpc_ip_resource_limit.go`` and v1.7-v1.15 ``pkg/awsutils/…``: entries
      ``"t3.medium": {ENILimit: 3, IPv4Limit: 6, DefaultNetworkCardIndex: 0, NetworkCards:
      []NetworkCard{{MaximumNetworkInterfaces: 3, NetworkCardIndex: 0}}, HypervisorType:
      "nitro", IsBareMetal: false},`` on one line or gofmt'ed over many (cards, hypervisor and
      bare-metal fields may be missing in older files);
    * v1.0-v1.6 two maps ``InstanceENIsAvailable`` / ``InstanceIPsAvailable``.
    """
    found: dict[str, InstanceLimits] = {}
    for match in _ENTRY_START.finditer(source):
        open_pos = match.end() - 1
        close = _matching_brace(source, open_pos)
        if close < 0:
            continue
        body = source[open_pos + 1 : close]
        enis = _int_field("ENILimit", body)
        ipv4 = _int_field("IPv4Limit", body)
        if enis is None or ipv4 is None:
            continue
        default_card = _int_field("DefaultNetworkCardIndex", body) or 0
        cards: list[tuple[int, int]] = []
        cards_at = body.find("NetworkCards")
        if cards_at >= 0:
            for card in _CARD.finditer(body, cards_at):
                maximum = _int_field("MaximumNetworkInterfaces", card.group(1))
                if maximum is not None:
                    cards.append((_int_field("NetworkCardIndex", card.group(1)) or 0, maximum))
        hypervisor = _HYPERVISOR.search(body)
        bare_metal = _BARE_METAL.search(body)
        found[match.group(1)] = InstanceLimits(
            name=match.group(1),
            enis=enis,
            ipv4_per_eni=ipv4,
            default_network_card_index=default_card,
            network_cards=sorted(cards) or [(default_card, enis)],
            hypervisor=hypervisor.group(1) if hypervisor else "",
            bare_metal=bare_metal is not None and bare_metal.group(1) == "true",
        )
    if not found:
        found.update(_parse_two_maps(source))
    return found


def _parse_two_maps(source: str) -> dict[str, InstanceLimits]:
    maps: dict[str, dict[str, int]] = {}
    for block in _MAP_BLOCK.finditer(source):
        maps[block.group(1)] = {name: int(value) for name, value in _MAP_ENTRY.findall(block.group(2))}
    enis = maps.get("InstanceENIsAvailable", {})
    ips = maps.get("InstanceIPsAvailable", {})
    return {
        name: InstanceLimits(name=name, enis=enis[name], ipv4_per_eni=ips[name], network_cards=[(0, enis[name])])
        for name in sorted(enis.keys() & ips.keys())
    }


def limits_from_instance_types(types: Iterable[Ec2InstanceType]) -> dict[str, InstanceLimits]:
    result: dict[str, InstanceLimits] = {}
    for info in types:
        limits = InstanceLimits.from_instance_type(info)
        if limits is not None:
            result[limits.name] = limits
    return result


def dump_limits(table: Mapping[str, InstanceLimits]) -> str:
    """The JSON text of the shipped table: sorted, one instance type per line (diff-friendly)."""
    lines = [
        f"  {json.dumps(name)}: {json.dumps(table[name].to_json_entry(), separators=(', ', ': '))}"
        for name in sorted(table)
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n"
