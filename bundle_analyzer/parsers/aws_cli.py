"""AWS CLI JSON attached to a bundle: ``aws ec2 describe-network-interfaces``, ``describe-instances``,
``describe-subnets`` and ``describe-instance-types`` (auto-detected by their wrapper key).

Sample (describe-network-interfaces, abridged)::

    {"NetworkInterfaces": [{
        "Attachment": {"AttachTime": "2024-01-10T20:40:11+00:00", "DeviceIndex": 1, "NetworkCardIndex": 0,
                       "InstanceId": "i-0a1b2c3d4e5f60718", "Status": "attached"},
        "AvailabilityZone": "us-west-2a", "Description": "aws-K8S-i-0a1b2c3d4e5f60718",
        "InterfaceType": "interface", "NetworkInterfaceId": "eni-0ddd3333eeee4444f",
        "PrivateIpAddresses": [{"Primary": true, "PrivateIpAddress": "10.0.40.10"}, …],
        "Ipv4Prefixes": [{"Ipv4Prefix": "10.0.41.16/28"}], "Status": "in-use",
        "TagSet": [{"Key": "node.k8s.amazonaws.com/instance_id", "Value": "i-0a1b2c3d4e5f60718"}]}]}

Variants read: the four wrappers (``NetworkInterfaces``, ``Reservations[].Instances``,
``Subnets``, ``InstanceTypes``); ``NextToken`` pagination and several pages concatenated in one
file; ``--query`` results that are bare lists of those objects; text pasted around the JSON (the
command line above it, notes typed after a value — dropped and reported). ``--output table`` /
``text`` / ``yaml`` output cannot be read and is reported as "not JSON (use --output json)".
"""

from __future__ import annotations

import re
from typing import Any

from bundle_analyzer.models.aws import (
    AwsCliDocument,
    Ec2Attachment,
    Ec2Instance,
    Ec2InstanceType,
    Ec2NetworkInterface,
    Ec2PrivateIp,
    Ec2Subnet,
    SecurityGroupRef,
)
from bundle_analyzer.models.common import Parsed, Problem, decode_text, outcome
from bundle_analyzer.parsers._jsonpos import DocumentScan, FoundDocument, LineIndex, element_offsets, scan_documents
from bundle_analyzer.parsers.jsondocs import json_type_name, parse_go_time

_KIND_BY_KEY = {
    "NetworkInterfaces": "network-interfaces",
    "Reservations": "instances",
    "Subnets": "subnets",
    "InstanceTypes": "instance-types",
}
_TABLE_LINE = re.compile(r"^\s*(?:-{5,}|\+-{3,}|\|.*\|)\s*$")
_TEXT_LINE = re.compile(r"^[A-Z][A-Z0-9]+\t")
_YAML_LINE = re.compile(r"^(?:NetworkInterfaces|Reservations|Subnets|InstanceTypes):\s*$")


def parse_aws_json(data: bytes, path: str) -> Parsed[AwsCliDocument]:
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)
    problems: list[Problem] = []
    scan = scan_documents(text, repair_annotations=True)
    if not scan.documents:
        problems.append(Problem(path=path, line=1, message=_not_json_message(text)))
        problems.extend(Problem(path=path, line=line, message=message) for line, message in scan.errors)
        return outcome(path, None, problems)
    problems.extend(Problem(path=path, line=line, message=message) for line, message in scan.errors)
    for line, first in scan.stray_text:
        problems.append(Problem(path=path, line=line, message=f"text that is not AWS CLI JSON: {first[:120]!r}"))
    reader = _Reader(scan, path, problems)
    for document in scan.documents:
        reader.read(document)
    result = reader.result
    result.kind = _kind(reader.kinds)
    if result.kind == "unknown" and not problems:
        problems.append(Problem(path=path, line=1, message="no EC2 objects found"))
    problems.sort(key=lambda problem: problem.line or 0)
    return outcome(path, result, problems)


def _not_json_message(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    if _TABLE_LINE.match(first):
        return "AWS CLI table output is not JSON (use --output json)"
    if _TEXT_LINE.match(first):
        return "AWS CLI text output is not JSON (use --output json)"
    if _YAML_LINE.match(first.strip()):
        return "AWS CLI YAML output is not JSON (use --output json)"
    return f"not JSON (use --output json): {first.strip()[:120]!r}"


def _kind(kinds: set[str]) -> str:
    if not kinds:
        return "unknown"
    if len(kinds) == 1:
        return next(iter(kinds))
    return "mixed"


class _Reader:
    def __init__(self, scan: DocumentScan, path: str, problems: list[Problem]) -> None:
        self.text = scan.text
        self.lines = LineIndex(scan.text)
        self.path = path
        self.problems = problems
        self.result = AwsCliDocument()
        self.kinds: set[str] = set()

    def _problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(path=self.path, line=line, message=message))

    def _element_lines(self, document: FoundDocument, path: tuple[str, ...], count: int) -> list[int]:
        return [
            self.lines.line_at(offset) if offset is not None else document.line
            for offset in self._element_offsets(document, path, count)
        ]

    def _element_offsets(self, document: FoundDocument, path: tuple[str, ...], count: int) -> list[int | None]:
        # Positions are only trustworthy in a complete document; otherwise cite the document.
        if document.complete:
            offsets = element_offsets(self.text, document.offset, path)
            if len(offsets) == count:
                return list(offsets)
        return [None] * count

    def read(self, document: FoundDocument) -> None:
        self.result.pages += 1
        value = document.value
        if isinstance(value, dict):
            wrapped = [key for key in _KIND_BY_KEY if key in value]
            if wrapped:
                for key in wrapped:
                    self._read_wrapped(document, key, value[key])
                token = value.get("NextToken")
                self.result.next_token = token if isinstance(token, str) and token else None
                return
            self._read_items(document, [value], ())
            return
        if isinstance(value, list):
            self._read_items(document, value, ("*",))
            return
        self._problem(document.line, f"expected AWS CLI JSON, found {json_type_name(value)}")

    def _read_wrapped(self, document: FoundDocument, key: str, items: Any) -> None:
        if not isinstance(items, list):
            self._problem(document.line, f"{key} is {json_type_name(items)}, not a list")
            return
        self.kinds.add(_KIND_BY_KEY[key])
        if key == "Reservations":
            self._read_reservations(document, items, (key, "*"))
            return
        lines = self._element_lines(document, (key, "*"), len(items))
        for item, line in zip(items, lines, strict=True):
            if not isinstance(item, dict):
                self._problem(line, f"{key} entry is {json_type_name(item)}, not an object")
                continue
            if key == "NetworkInterfaces":
                self.result.network_interfaces.append(_eni(item, line))
            elif key == "Subnets":
                self.result.subnets.append(_subnet(item, line))
            else:
                self.result.instance_types.append(_instance_type(item, line))

    def _read_reservations(self, document: FoundDocument, reservations: list[Any], prefix: tuple[str, ...]) -> None:
        instances = [
            instance
            for reservation in reservations
            if isinstance(reservation, dict) and isinstance(reservation.get("Instances"), list)
            for instance in reservation["Instances"]
        ]
        offsets = self._element_offsets(document, (*prefix, "Instances", "*"), len(instances))
        for instance, offset in zip(instances, offsets, strict=True):
            line = self.lines.line_at(offset) if offset is not None else document.line
            if not isinstance(instance, dict):
                self._problem(line, f"instance is {json_type_name(instance)}, not an object")
                continue
            eni_lines: list[int] = []
            if offset is not None and isinstance(instance.get("NetworkInterfaces"), list):
                eni_lines = [
                    self.lines.line_at(o) for o in element_offsets(self.text, offset, ("NetworkInterfaces", "*"))
                ]
            self.result.instances.append(_instance(instance, line, eni_lines))

    def _read_items(self, document: FoundDocument, items: list[Any], prefix: tuple[str, ...]) -> None:
        """Objects without a wrapper (``--query`` results): classify each by its keys."""
        lines = self._element_lines(document, prefix, len(items)) if prefix else [document.line] * len(items)
        unrecognised = 0
        reservations: list[Any] = []
        for item, line in zip(items, lines, strict=True):
            kind = _item_kind(item)
            if kind is None:
                unrecognised += 1
                continue
            if kind == "reservation":
                reservations.append(item)
                continue
            self.kinds.add(kind)
            if kind == "network-interfaces":
                self.result.network_interfaces.append(_eni(item, line))
            elif kind == "instances":
                self.result.instances.append(_instance(item, line, []))
            elif kind == "subnets":
                self.result.subnets.append(_subnet(item, line))
            else:
                self.result.instance_types.append(_instance_type(item, line))
        if reservations:
            self.kinds.add("instances")
            self._read_reservations(document, reservations, prefix)
        if unrecognised:
            self._problem(
                document.line,
                f"{unrecognised} value(s) are not EC2 objects (a --query projection?); use the full --output json",
            )


def _item_kind(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if "NetworkInterfaceId" in item and "InstanceId" not in item:
        return "network-interfaces"
    if isinstance(item.get("Instances"), list):
        return "reservation"
    if "InstanceId" in item:
        return "instances"
    if "SubnetId" in item and ("CidrBlock" in item or "AvailableIpAddressCount" in item):
        return "subnets"
    if "InstanceType" in item and "NetworkInfo" in item:
        return "instance-types"
    return None


# --- conversions ---------------------------------------------------------------------------


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _i(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _b(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list_of_dicts(value: Any) -> list[dict[str, Any]]:
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def _strings(value: Any, key: str) -> list[str]:
    return [entry[key] for entry in _list_of_dicts(value) if isinstance(entry.get(key), str)]


def _tags(value: Any) -> dict[str, str]:
    tags: dict[str, str] = {}
    for entry in _list_of_dicts(value):
        key = entry.get("Key")
        if isinstance(key, str):
            tag_value = entry.get("Value")
            tags[key] = tag_value if isinstance(tag_value, str) else ""
    return tags


def _attachment(value: Any) -> Ec2Attachment | None:
    if not isinstance(value, dict):
        return None
    return Ec2Attachment(
        attachment_id=_s(value.get("AttachmentId")),
        device_index=_i(value.get("DeviceIndex")),
        network_card_index=_i(value.get("NetworkCardIndex")),
        instance_id=_s(value.get("InstanceId")),
        instance_owner_id=_s(value.get("InstanceOwnerId")),
        status=_s(value.get("Status")),
        attach_time=parse_go_time(value.get("AttachTime")),
    )


def _eni(obj: dict[str, Any], line: int, default_az: str | None = None) -> Ec2NetworkInterface:
    # ENIs carry "TagSet"; the copies nested in describe-instances have no tags at all.
    tags = obj.get("TagSet") if "TagSet" in obj else obj.get("Tags")
    return Ec2NetworkInterface(
        id=_s(obj.get("NetworkInterfaceId")),
        status=_s(obj.get("Status")),
        description=_s(obj.get("Description")),
        interface_type=_s(obj.get("InterfaceType")),
        subnet_id=_s(obj.get("SubnetId")),
        vpc_id=_s(obj.get("VpcId")),
        az=_s(obj.get("AvailabilityZone")) or default_az,
        mac=_s(obj.get("MacAddress")),
        owner_id=_s(obj.get("OwnerId")),
        requester_id=_s(obj.get("RequesterId")),
        requester_managed=_b(obj.get("RequesterManaged")),
        private_ip=_s(obj.get("PrivateIpAddress")),
        private_ips=[
            Ec2PrivateIp(ip=entry["PrivateIpAddress"], primary=entry.get("Primary") is True)
            for entry in _list_of_dicts(obj.get("PrivateIpAddresses"))
            if isinstance(entry.get("PrivateIpAddress"), str)
        ],
        ipv4_prefixes=_strings(obj.get("Ipv4Prefixes"), "Ipv4Prefix"),
        ipv6_addresses=_strings(obj.get("Ipv6Addresses"), "Ipv6Address"),
        ipv6_prefixes=_strings(obj.get("Ipv6Prefixes"), "Ipv6Prefix"),
        groups=[
            SecurityGroupRef(id=_s(entry.get("GroupId")), name=_s(entry.get("GroupName")))
            for entry in _list_of_dicts(obj.get("Groups"))
        ],
        attachment=_attachment(obj.get("Attachment")),
        tags=_tags(tags),
        line=line,
    )


def _instance(obj: dict[str, Any], line: int, eni_lines: list[int]) -> Ec2Instance:
    az = _s(_d(obj.get("Placement")).get("AvailabilityZone"))
    enis = _list_of_dicts(obj.get("NetworkInterfaces"))
    all_entries = obj.get("NetworkInterfaces") if isinstance(obj.get("NetworkInterfaces"), list) else []
    if len(eni_lines) != len(all_entries) or len(enis) != len(all_entries):
        eni_lines = [line] * len(enis)
    return Ec2Instance(
        id=_s(obj.get("InstanceId")),
        type=_s(obj.get("InstanceType")),
        az=az,
        private_ip=_s(obj.get("PrivateIpAddress")),
        subnet_id=_s(obj.get("SubnetId")),
        vpc_id=_s(obj.get("VpcId")),
        hypervisor=_s(obj.get("Hypervisor")),
        network_interfaces=[_eni(eni, eni_line, az) for eni, eni_line in zip(enis, eni_lines, strict=True)],
        tags=_tags(obj.get("Tags")),
        http_tokens=_s(_d(obj.get("MetadataOptions")).get("HttpTokens")),
        state=_s(_d(obj.get("State")).get("Name")),
        launch_time=parse_go_time(obj.get("LaunchTime")),
        line=line,
    )


def _subnet(obj: dict[str, Any], line: int) -> Ec2Subnet:
    return Ec2Subnet(
        id=_s(obj.get("SubnetId")),
        cidr=_s(obj.get("CidrBlock")),
        available_ips=_i(obj.get("AvailableIpAddressCount")),
        az=_s(obj.get("AvailabilityZone")),
        az_id=_s(obj.get("AvailabilityZoneId")),
        vpc_id=_s(obj.get("VpcId")),
        ipv6_cidrs=_strings(obj.get("Ipv6CidrBlockAssociationSet"), "Ipv6CidrBlock"),
        tags=_tags(obj.get("Tags")),
        line=line,
    )


def _instance_type(obj: dict[str, Any], line: int) -> Ec2InstanceType:
    network = _d(obj.get("NetworkInfo"))
    cards = [
        (card["NetworkCardIndex"], card["MaximumNetworkInterfaces"])
        for card in _list_of_dicts(network.get("NetworkCards"))
        if _i(card.get("NetworkCardIndex")) is not None and _i(card.get("MaximumNetworkInterfaces")) is not None
    ]
    return Ec2InstanceType(
        name=_s(obj.get("InstanceType")),
        max_enis=_i(network.get("MaximumNetworkInterfaces")),
        ipv4_per_eni=_i(network.get("Ipv4AddressesPerInterface")),
        ipv6_per_eni=_i(network.get("Ipv6AddressesPerInterface")),
        max_network_cards=_i(network.get("MaximumNetworkCards")),
        default_network_card_index=_i(network.get("DefaultNetworkCardIndex")),
        network_cards=cards,
        hypervisor=_s(obj.get("Hypervisor")),
        bare_metal=_b(obj.get("BareMetal")),
        vcpus=_i(_d(obj.get("VCpuInfo")).get("DefaultVCpus")),
        line=line,
    )
