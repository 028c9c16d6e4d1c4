"""EC2 objects from AWS CLI output attached to a bundle (``describe-network-interfaces``,
``describe-instances``, ``describe-subnets``, ``describe-instance-types``).

Field names are snake_case versions of the CLI's PascalCase keys. ENIs carry their tags in
``TagSet``, instances and subnets in ``Tags``; both end up in ``tags``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

CNI_DESCRIPTION_PREFIX = "aws-K8S-"
CONTROL_PLANE_DESCRIPTION_PREFIX = "Amazon EKS "
TRUNK_DESCRIPTION = "aws-k8s-trunk-eni"
BRANCH_DESCRIPTION = "aws-k8s-branch-eni"
TAG_INSTANCE_ID = "node.k8s.amazonaws.com/instance_id"
TAG_CREATED_AT = "node.k8s.amazonaws.com/createdAt"
TAG_CLUSTER_NAME = "cluster.k8s.amazonaws.com/name"
TAG_NO_MANAGE = "node.k8s.amazonaws.com/no_manage"


class Ec2PrivateIp(BaseModel):
    ip: str
    primary: bool = False


class SecurityGroupRef(BaseModel):
    id: str | None = None
    name: str | None = None


class Ec2Attachment(BaseModel):
    attachment_id: str | None = None
    device_index: int | None = None
    network_card_index: int | None = None
    instance_id: str | None = None
    instance_owner_id: str | None = None
    status: str | None = None
    attach_time: datetime | None = None


class Ec2NetworkInterface(BaseModel):
    id: str | None = None
    status: str | None = None
    """``in-use``, ``available`` (detached: leaked if CNI-made), ``attaching``, ``detaching``."""
    description: str | None = None
    interface_type: str | None = None
    subnet_id: str | None = None
    vpc_id: str | None = None
    az: str | None = None
    mac: str | None = None
    owner_id: str | None = None
    requester_id: str | None = None
    requester_managed: bool | None = None
    private_ip: str | None = None
    private_ips: list[Ec2PrivateIp] = Field(default_factory=list)
    ipv4_prefixes: list[str] = Field(default_factory=list)
    ipv6_addresses: list[str] = Field(default_factory=list)
    ipv6_prefixes: list[str] = Field(default_factory=list)
    groups: list[SecurityGroupRef] = Field(default_factory=list)
    attachment: Ec2Attachment | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    line: int | None = None

    @property
    def secondary_ips(self) -> list[str]:
        """The pod pool in secondary-IP mode: every address except the primary."""
        return [entry.ip for entry in self.private_ips if not entry.primary]

    @property
    def is_cni_managed(self) -> bool:
        return (self.description or "").startswith(CNI_DESCRIPTION_PREFIX) or TAG_INSTANCE_ID in self.tags

    @property
    def is_control_plane_eni(self) -> bool:
        """The cross-account ENI EKS places in the node subnets (``Amazon EKS <cluster>``)."""
        return (self.description or "").startswith(CONTROL_PLANE_DESCRIPTION_PREFIX)

    @property
    def cluster_name(self) -> str | None:
        if self.is_control_plane_eni:
            return (self.description or "")[len(CONTROL_PLANE_DESCRIPTION_PREFIX) :].strip() or None
        return self.tags.get(TAG_CLUSTER_NAME)

    @property
    def is_trunk(self) -> bool:
        return self.interface_type == "trunk" or self.description == TRUNK_DESCRIPTION

    @property
    def is_branch(self) -> bool:
        return self.interface_type == "branch" or self.description == BRANCH_DESCRIPTION

    @property
    def no_manage(self) -> bool:
        """Tagged so that ipamd leaves it alone."""
        return self.tags.get(TAG_NO_MANAGE, "").lower() == "true"

    @property
    def created_at_tag(self) -> str | None:
        return self.tags.get(TAG_CREATED_AT)


class Ec2Instance(BaseModel):
    id: str | None = None
    type: str | None = None
    az: str | None = None
    private_ip: str | None = None
    subnet_id: str | None = None
    vpc_id: str | None = None
    hypervisor: str | None = None
    network_interfaces: list[Ec2NetworkInterface] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)
    http_tokens: str | None = None
    """``required`` means IMDSv2 only (older CNIs and collectors fail on it)."""
    state: str | None = None
    launch_time: datetime | None = None
    line: int | None = None


class Ec2Subnet(BaseModel):
    id: str | None = None
    cidr: str | None = None
    available_ips: int | None = None
    az: str | None = None
    az_id: str | None = None
    vpc_id: str | None = None
    ipv6_cidrs: list[str] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)
    line: int | None = None


class Ec2InstanceType(BaseModel):
    name: str | None = None
    max_enis: int | None = None
    """``NetworkInfo.MaximumNetworkInterfaces``: all network cards together."""
    ipv4_per_eni: int | None = None
    ipv6_per_eni: int | None = None
    max_network_cards: int | None = None
    default_network_card_index: int | None = None
    network_cards: list[tuple[int, int]] = Field(default_factory=list)
    """``(NetworkCardIndex, MaximumNetworkInterfaces)`` per card."""
    hypervisor: str | None = None
    bare_metal: bool | None = None
    vcpus: int | None = None
    line: int | None = None

    @property
    def default_card_enis(self) -> int | None:
        """ENIs usable by the CNI: those of the default network card (what the CNI's table stores)."""
        index = self.default_network_card_index or 0
        for card_index, maximum in self.network_cards:
            if card_index == index:
                return maximum
        return self.max_enis


AwsDocumentKind = Literal["network-interfaces", "instances", "subnets", "instance-types", "mixed", "unknown"]


class AwsCliDocument(BaseModel):
    """Everything read from one file of AWS CLI JSON (possibly several concatenated pages)."""

    kind: AwsDocumentKind = "unknown"
    network_interfaces: list[Ec2NetworkInterface] = Field(default_factory=list)
    instances: list[Ec2Instance] = Field(default_factory=list)
    subnets: list[Ec2Subnet] = Field(default_factory=list)
    instance_types: list[Ec2InstanceType] = Field(default_factory=list)
    pages: int = 0
    next_token: str | None = None
    """Set when the last page says more results exist: the listing is incomplete."""

    @property
    def truncated(self) -> bool:
        return self.next_token is not None
