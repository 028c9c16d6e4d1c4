"""Node configuration as found in a bundle: CNI network configs, the ``aws-node`` container
environment, and the kubelet settings that bound the number of pods.

These models are filled by ``parsers/conflist.py``, ``parsers/container_env.py`` and
``parsers/kubelet_config.py``. Values are normalised (``"9001"`` and ``9001`` are both the int
9001, ``"false"`` is ``False``) while ``raw`` keeps the object as written, unknown keys included.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

AWS_PLUGIN_TYPE = "aws-cni"
EGRESS_PLUGIN_TYPES = frozenset({"egress-v4-cni", "egress-cni"})


class CniPlugin(BaseModel):
    """One plugin object of a CNI network configuration."""

    type: str | None = None
    name: str | None = None
    veth_prefix: str | None = None
    mtu: int | None = None
    """``"9001"`` (most versions) and ``9001`` (egress plugin v1.10-v1.12) both give 9001."""
    enabled: bool | None = None
    """Egress plugins write ``"true"``/``"false"`` as strings; None when the key is absent."""
    pod_sg_enforcing_mode: str | None = None
    plugin_log_file: str | None = None
    plugin_log_level: str | None = None
    line: int | None = None
    raw: dict[str, Any] = Field(default_factory=dict)

    @property
    def is_aws(self) -> bool:
        return self.type == AWS_PLUGIN_TYPE

    @property
    def is_egress(self) -> bool:
        return self.type in EGRESS_PLUGIN_TYPES


class CniConfig(BaseModel):
    """A ``*.conf`` (single plugin) or ``*.conflist`` (plugin chain) network configuration."""

    name: str | None = None
    cni_version: str | None = None
    """Absent before CNI v1.6.0 (``aws.conf`` and the early ``10-aws.conflist``)."""
    plugins: list[CniPlugin] = Field(default_factory=list)
    is_aws: bool = False
    """True when any plugin is the VPC CNI's ``aws-cni``."""
    single_plugin: bool = False
    """True for the ``.conf`` form: the document itself is the (only) plugin."""
    disable_check: bool | None = None
    line: int = 1

    @property
    def aws_plugin(self) -> CniPlugin | None:
        return next((plugin for plugin in self.plugins if plugin.is_aws), None)

    @property
    def egress_plugin(self) -> CniPlugin | None:
        return next((plugin for plugin in self.plugins if plugin.is_egress), None)

    @property
    def plugin_types(self) -> list[str]:
        return [plugin.type or "" for plugin in self.plugins]


_CNI_TAG = re.compile(r"amazon-k8s-cni:(v\d+\.\d+\.\d+)")


def cni_version_from_image(image: str | None) -> str | None:
    """``…/amazon-k8s-cni:v1.18.3-eksbuild.1`` -> ``v1.18.3``; None for other images or tags."""
    if not image:
        return None
    match = _CNI_TAG.search(image)
    return match.group(1) if match else None


class AwsNodeContainer(BaseModel):
    """One ``aws-node`` container as reported by ``ctr container info`` or ``docker inspect``.

    ``env`` holds the container's real environment (the effective CNI settings). It can contain
    secrets-adjacent values: never echo it raw into a report.
    """

    runtime: Literal["containerd", "docker"]
    container_id: str | None = None
    image: str | None = None
    cni_version: str | None = None
    container_name: str | None = None
    pod_name: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    env: dict[str, str] = Field(default_factory=dict)
    complete: bool = True
    """False when the document was cut short and only its readable part was kept."""
    line: int


class ContainerEnvDump(BaseModel):
    """All containers found in ``cni/cni-configuration-variables-*`` (current and exited)."""

    containers: list[AwsNodeContainer] = Field(default_factory=list)

    @property
    def current(self) -> AwsNodeContainer | None:
        """The newest container (by creation, then update time); the last one when undated."""
        if not self.containers:
            return None
        dated = [c for c in self.containers if c.created_at or c.updated_at]
        if not dated:
            return self.containers[-1]
        return max(dated, key=lambda c: (c.created_at or c.updated_at, c.updated_at or c.created_at))


class KubeletConfig(BaseModel):
    """The settings of a KubeletConfiguration document that matter for pod networking."""

    max_pods: int | None = None
    cluster_dns: list[str] = Field(default_factory=list)
    raw: dict[str, Any] = Field(default_factory=dict)


class KubeletFlag(BaseModel):
    """A ``--name=value`` / ``--name value`` kubelet flag seen in ``systemctl cat kubelet``."""

    name: str
    value: str
    line: int


class KubeletServiceArgs(BaseModel):
    """Kubelet flags from the unit file and its drop-ins; flags override the config file."""

    flags: list[KubeletFlag] = Field(default_factory=list)

    def last(self, name: str) -> KubeletFlag | None:
        """The last occurrence wins, as in kubelet's own flag parsing."""
        found = [flag for flag in self.flags if flag.name == name]
        return found[-1] if found else None

    @property
    def max_pods(self) -> int | None:
        flag = self.last("max-pods")
        if flag is None:
            return None
        try:
            return int(flag.value)
        except ValueError:
            return None

    @property
    def node_ip(self) -> str | None:
        flag = self.last("node-ip")
        return flag.value if flag else None
