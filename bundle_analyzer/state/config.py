"""The CNI configuration in effect, each value with the file it came from.

Precedence follows what the running ipamd used: its own introspection of parsed settings first
(what ipamd actually applied, after defaults and validation), then the aws-node container env,
then the CNI conflist.
"""

from __future__ import annotations

from pydantic import BaseModel

from bundle_analyzer.artifacts import Kind
from bundle_analyzer.bundle import Bundle

_RANDOMIZE = {0: "none", 1: "hashrandom", 2: "prng"}


class Setting(BaseModel):
    name: str
    value: str
    source: str


def effective_config(bundle: Bundle) -> dict[str, Setting]:
    settings: dict[str, Setting] = {}

    def put(name: str, value, source: str | None) -> None:
        if value is None or name in settings or source is None:
            return
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list):
            value = ",".join(str(v) for v in value)
        settings[name] = Setting(name=name, value=str(value), source=source)

    netenv = bundle.first(Kind.networkutils_env)
    if netenv is not None:
        source = bundle.path_of(Kind.networkutils_env)
        for key, raw in sorted(netenv.raw.items()):
            if key == "AWS_VPC_K8S_CNI_RANDOMIZESNAT" and isinstance(raw, int):
                raw = _RANDOMIZE.get(raw, raw)
            if key == "AWS_VPC_K8S_CNI_CONNMARK" and isinstance(raw, int):
                raw = hex(raw)
            put(key, raw if raw is not None else None, source)
    ipamd_env = bundle.first(Kind.ipamd_env)
    if ipamd_env is not None:
        for key, raw in sorted(ipamd_env.raw.items()):
            put(key, raw, bundle.path_of(Kind.ipamd_env))
    containers = bundle.first(Kind.cni_container_env)
    current = getattr(containers, "current", None) if containers is not None else None
    if current is not None:
        for key, raw in sorted(current.env.items()):
            put(key, raw, bundle.path_of(Kind.cni_container_env))
    conflist = _effective_conflist(bundle)
    if conflist is not None:
        path, config = conflist
        plugin = config.aws_plugin
        if plugin is not None:
            put("AWS_VPC_K8S_CNI_VETHPREFIX", plugin.veth_prefix, f"{path} (vethPrefix)")
            put("AWS_VPC_ENI_MTU", plugin.mtu, f"{path} (mtu)")
            put("POD_SECURITY_GROUP_ENFORCING_MODE", plugin.pod_sg_enforcing_mode, f"{path} (podSGEnforcingMode)")
    return settings


def _effective_conflist(bundle: Bundle):
    """The runtime uses the lexicographically first config file in /etc/cni/net.d."""
    candidates = sorted((a for a in bundle.all(Kind.cni_config) if a.parsed.value is not None),
                        key=lambda a: a.path.rsplit("/", 1)[-1])
    for artifact in candidates:
        return artifact.path, artifact.parsed.value
    return None
