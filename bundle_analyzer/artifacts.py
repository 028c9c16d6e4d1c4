"""The artifact registry: each logical artifact of a bundle, declared once.

An artifact has a kind (the name rules use in ``requires``), the paths it takes in each bundle
layout and generation, and either a parser (small files, parsed whole) or ``stream=True`` (logs,
scanned chunk by chunk, never held in memory). Rules and node state ask for kinds; nothing
outside this module knows a path. A new collector layout is a change here only.

Patterns are anchored at the bundle root; ``*`` stays inside one path segment, ``**`` spans
segments. ``L`` abbreviates the legacy ``aws-cni-support.sh`` prefix.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

L = "var/log/aws-routed-eni/"
E = "var_log/aws-routed-eni/"


class Kind(StrEnum):
    ipamd_enis = "ipamd-enis"
    ipamd_pods = "ipamd-pods"
    eni_configs = "eni-configs"
    networkutils_env = "networkutils-env"
    ipamd_env = "ipamd-env"
    ipamd_metrics = "ipamd-metrics"
    ipam_checkpoint = "ipam-checkpoint"
    ipamd_log = "ipamd-log"
    plugin_log = "plugin-log"
    egress_plugin_log = "egress-plugin-log"
    network_policy_log = "network-policy-log"
    ebpf_sdk_log = "ebpf-sdk-log"
    aws_node_log = "aws-node-log"
    kubelet_log = "kubelet-log"
    kube_proxy_log = "kube-proxy-log"
    containerd_log = "containerd-log"
    messages = "messages"
    ip_rule = "ip-rule"
    ip6_rule = "ip6-rule"
    ip_route = "ip-route"
    ip6_route = "ip6-route"
    iptables_save = "iptables-save"
    ip6tables_save = "ip6tables-save"
    iptables_listing = "iptables-listing"
    nftables = "nftables"
    sysctls = "sysctls"
    ifconfig = "ifconfig"
    ip_addr = "ip-addr"
    ethtool = "ethtool"
    conntrack = "conntrack"
    cni_config = "cni-config"
    cni_container_env = "cni-container-env"
    kubelet_config = "kubelet-config"
    kubelet_service = "kubelet-service"
    instance_id = "instance-id"
    region = "region"
    availability_zone = "availability-zone"
    script_params = "script-params"
    api_server_check = "api-server-check"
    log_capture_errors = "log-capture-errors"
    ec2_json = "ec2-json"
    kubelet_pods = "kubelet-pods"
    other_collected = "other-collected"
    legacy_leftover = "legacy-leftover"


@dataclass(frozen=True)
class ArtifactSpec:
    kind: Kind
    patterns: tuple[str, ...]
    description: str
    parser: str | None = None  # "module:function" in bundle_analyzer.parsers, resolved lazily
    stream: bool = False
    # Names (basename globs) that identify the artifact when it is handed over loose.
    loose_names: tuple[str, ...] = field(default=())

    def parse_function(self) -> Callable | None:
        return _resolve(self.parser) if self.parser else None


def _p(module: str, function: str) -> str:
    return f"bundle_analyzer.parsers.{module}:{function}"


def _legacy(*names: str) -> tuple[str, ...]:
    return tuple(L + n for n in names)


def _logs(stem: str) -> tuple[str, ...]:
    """Live file, seelog hourly files, lumberjack backups (plain or gzip), in both layouts."""
    shapes = (f"{stem}.log", f"{stem}.log.*", f"{stem}-*.log", f"{stem}-*.log.gz")
    return tuple(E + s for s in shapes) + tuple(L + s for s in shapes)


REGISTRY: tuple[ArtifactSpec, ...] = (
    ArtifactSpec(Kind.ipamd_enis, ("ipamd/enis.json", "ipamd/enis.txt", *_legacy("eni.out", "eni.output")),
                 "ipamd /v1/enis: ENIs, their IPs and prefixes", _p("enis", "parse_enis"),
                 loose_names=("enis.json", "eni.out", "eni.output", "*enis*.json")),
    ArtifactSpec(Kind.ipamd_pods, ("ipamd/pods.json", "ipamd/pods.txt", *_legacy("pod.out", "pod.output")),
                 "ipamd /v1/pods (CNI ≤ v1.6)", _p("pods", "parse_pods"),
                 loose_names=("pods.json", "pod.out", "pod.output")),
    ArtifactSpec(Kind.eni_configs, ("ipamd/eni-configs.json", "ipamd/eni-configs.txt",
                                    *_legacy("eni-configs.out", "eni-configs.output")),
                 "ipamd /v1/eni-configs", _p("eni_configs", "parse_eni_configs"),
                 loose_names=("eni-configs.json", "eni-configs.out")),
    ArtifactSpec(Kind.networkutils_env, ("ipamd/networkutils-env-settings.json", "ipamd/networkutils-env-settings.txt",
                                         *_legacy("networkutils-env.out", "networkutils-env.output")),
                 "ipamd /v1/networkutils-env-settings", _p("env_settings", "parse_networkutils_env"),
                 loose_names=("networkutils-env-settings.json", "networkutils-env.out")),
    ArtifactSpec(Kind.ipamd_env, ("ipamd/ipamd-env-settings.json", "ipamd/ipamd-env-settings.txt",
                                  *_legacy("ipamd-env.out", "ipamd-env.output")),
                 "ipamd /v1/ipamd-env-settings", _p("env_settings", "parse_ipamd_env"),
                 loose_names=("ipamd-env-settings.json", "ipamd-env.out")),
    ArtifactSpec(Kind.ipamd_metrics, ("ipamd/metrics.json", "ipamd/metrics.txt", *_legacy("metrics.out", "metrics.output")),
                 "ipamd Prometheus metrics", _p("metrics", "parse_metrics"),
                 loose_names=("metrics.json", "metrics.out", "metrics.txt")),
    ArtifactSpec(Kind.ipam_checkpoint, ("ipamd/ipam.json", "ipamd/ipam-nic-*.json"),
                 "ipamd checkpoint /var/run/aws-node/ipam.json", _p("ipam_checkpoint", "parse_ipam_checkpoint"),
                 loose_names=("ipam.json", "ipam-nic-*.json")),
    ArtifactSpec(Kind.ipamd_log, _logs("ipamd"), "ipamd log", stream=True, loose_names=("ipamd*.log*",)),
    ArtifactSpec(Kind.plugin_log, _logs("plugin"), "CNI plugin log", stream=True, loose_names=("plugin*.log*",)),
    ArtifactSpec(Kind.egress_plugin_log, _logs("egress-v4-plugin") + _logs("egress-v6-plugin"),
                 "egress plugin log", stream=True, loose_names=("egress-v*-plugin*.log*",)),
    ArtifactSpec(Kind.network_policy_log, _logs("network-policy-agent"), "network policy agent log", stream=True,
                 loose_names=("network-policy-agent*.log*",)),
    ArtifactSpec(Kind.ebpf_sdk_log, _logs("ebpf-sdk"), "aws-ebpf-sdk log", stream=True, loose_names=("ebpf-sdk*.log*",)),
    ArtifactSpec(Kind.aws_node_log, ("var_log/aws-node-*.log", "var_log/kube-system_aws-node-*/**"),
                 "aws-node container logs", stream=True, loose_names=("aws-node-*.log",)),
    ArtifactSpec(Kind.kubelet_log, ("kubelet/kubelet.log",), "kubelet journal", stream=True,
                 loose_names=("kubelet.log",)),
    ArtifactSpec(Kind.kube_proxy_log, ("var_log/kube-proxy.log", "var_log/kube-proxy-*_kube-system_kube-proxy-*.log",
                                       "var_log/kube-system_kube-proxy-*/**", "automode/kube-proxy.txt"),
                 "kube-proxy logs", stream=True, loose_names=("kube-proxy*.log",)),
    ArtifactSpec(Kind.containerd_log, ("containerd/containerd-log.txt",), "containerd journal", stream=True,
                 loose_names=("containerd-log.txt",)),
    ArtifactSpec(Kind.messages, ("var_log/messages", L + "messages"), "/var/log/messages", stream=True,
                 loose_names=("messages",)),
    ArtifactSpec(Kind.ip_rule, ("networking/iprule.txt", *_legacy("iprule.out", "iprule.output")),
                 "ip rule show", _p("ip_rule", "parse_ip_rules"), loose_names=("iprule*", "ip_rule*", "ip-rule*")),
    ArtifactSpec(Kind.ip6_rule, ("networking/ip6rule.txt",), "ip -6 rule show", _p("ip_rule", "parse_ip_rules"),
                 loose_names=("ip6rule*",)),
    ArtifactSpec(Kind.ip_route, ("networking/iproute.txt", *_legacy("route.out", "route.output")),
                 "ip route show table all", _p("ip_route", "parse_ip_routes"),
                 loose_names=("iproute*", "route.out", "ip_route*", "ip-route*")),
    ArtifactSpec(Kind.ip6_route, ("networking/ip6route.txt",), "ip -6 route show table all",
                 _p("ip_route", "parse_ip_routes"), loose_names=("ip6route*",)),
    ArtifactSpec(Kind.iptables_save, ("networking/iptables-save.txt", L + "iptables-save.out"), "iptables-save",
                 _p("iptables_save", "parse_iptables_save"), loose_names=("iptables-save*",)),
    ArtifactSpec(Kind.ip6tables_save, ("networking/ip6tables-save.txt",), "ip6tables-save",
                 _p("iptables_save", "parse_iptables_save"), loose_names=("ip6tables-save*",)),
    ArtifactSpec(Kind.iptables_listing, ("networking/iptables.txt", "networking/iptables-*.txt",
                                         "networking/ip6tables.txt", "networking/ip6tables-*.txt",
                                         *_legacy("iptables.out", "iptables-nat.out", "iptables-mangle.out")),
                 "iptables -nvL listings", _p("iptables_list", "parse_iptables_listing")),
    ArtifactSpec(Kind.nftables, ("networking/nftables-*.txt",), "nft list table (node monitoring agent)"),
    ArtifactSpec(Kind.sysctls, ("sysctls/sysctl_all.txt", L + "sysctls.out"), "sysctl --all",
                 _p("sysctl", "parse_sysctls"), loose_names=("sysctl_all.txt", "sysctls.out")),
    ArtifactSpec(Kind.ifconfig, ("networking/ifconfig.txt", *_legacy("ifconfig.out", "ifconig.output")),
                 "ifconfig", _p("link_info", "parse_ifconfig"), loose_names=("ifconfig*", "ifconig.output")),
    ArtifactSpec(Kind.ip_addr, (), "ip addr / ip -o addr (handed over loose)", _p("link_info", "parse_ip_addr"),
                 loose_names=("ip_addr*", "ip-addr*", "ipaddr*", "ip-a.txt")),
    ArtifactSpec(Kind.ethtool, ("networking/ethtool.txt",), "ethtool -S per interface",
                 _p("link_info", "parse_ethtool_stats"), loose_names=("ethtool.txt",)),
    ArtifactSpec(Kind.conntrack, ("networking/conntrack.txt", "networking/conntrack6.txt"), "conntrack -S / -L",
                 _p("conntrack", "parse_conntrack"), loose_names=("conntrack*.txt",)),
    ArtifactSpec(Kind.cni_container_env, ("cni/cni-configuration-variables-*",),
                 "aws-node container spec and env", _p("container_env", "parse_container_env"),
                 loose_names=("cni-configuration-variables-*",)),
    ArtifactSpec(Kind.cni_config, ("cni/*.conf", "cni/*.conflist", "cni/*.json", L + "cni/*"),
                 "CNI configuration (/etc/cni/net.d)", _p("conflist", "parse_cni_config"),
                 loose_names=("*.conflist", "aws.conf")),
    ArtifactSpec(Kind.kubelet_config, ("kubelet/kubelet-config.json", "kubelet/config.json", "kubelet/config.json.d/*"),
                 "kubelet configuration", _p("kubelet_config", "parse_kubelet_config"),
                 loose_names=("kubelet-config.json",)),
    ArtifactSpec(Kind.kubelet_service, ("kubelet/kubelet_service.txt",), "systemctl cat kubelet",
                 _p("kubelet_config", "parse_kubelet_service")),
    ArtifactSpec(Kind.instance_id, ("system/instance-id.txt",), "instance id"),
    ArtifactSpec(Kind.region, ("system/region.txt",), "region"),
    ArtifactSpec(Kind.availability_zone, ("system/availability-zone.txt",), "availability zone"),
    ArtifactSpec(Kind.script_params, ("system/script-params.txt",), "EKS log collector parameters"),
    ArtifactSpec(Kind.api_server_check, ("networking/curl_api_server.txt", "networking/get_api_server.txt"),
                 "API server reachability check"),
    ArtifactSpec(Kind.log_capture_errors, ("log-capture-errors.log",), "node monitoring agent collector errors"),
    ArtifactSpec(Kind.ec2_json, ("aws/*.json", "**/describe-*.json", "*describe-*.json"),
                 "AWS CLI describe-* JSON", _p("aws_cli", "parse_aws_json"),
                 loose_names=("describe-*.json", "*network-interfaces*.json", "*subnets*.json", "*instances*.json")),
    ArtifactSpec(Kind.kubelet_pods, (L + "kubelet.out", L + "kubelet.output", "kubelet/svc.log"),
                 "cluster-wide pod or service list from kubectl (not this node's state)"),
    ArtifactSpec(Kind.legacy_leftover, tuple(E + n for n in (
        "eni.out", "eni.output", "pod.out", "pod.output", "route.out", "route.output", "iprule.out", "iprule.output",
        "iptables-save.out", "iptables.out", "iptables-nat.out", "iptables-mangle.out", "sysctls.out", "metrics.out",
        "metrics.output", "ifconfig.out", "ifconig.output", "networkutils-env.out", "ipamd-env.out", "eni-configs.out",
        "aws-cni-support.tar.gz", "kubelet.out", "kubelet.output")),
                 "output of an earlier aws-cni-support.sh run left in the log directory (stale)"),
)

# Last, so that every specific entry above wins: the rest of what the collectors write.
REGISTRY = REGISTRY + (
    ArtifactSpec(Kind.other_collected, tuple(f"{d}/**" for d in (
        "system", "kernel", "storage", "modinfo", "networking", "docker", "containerd", "sandbox-image", "gpu",
        "nodeadm", "kubelet", "cni", "ipamd", "sysctls", "automode", "bottlerocket", "var_log")) + (L + "**",),
                 "collector output that no rule reads"),
)

# Small plain-text facts read directly (no parser): instance id, region, ...
TEXT_FACTS = frozenset({Kind.instance_id, Kind.region, Kind.availability_zone, Kind.script_params,
                        Kind.api_server_check, Kind.log_capture_errors, Kind.nftables})

_BY_KIND = {spec.kind: spec for spec in REGISTRY}


def spec_for(kind: Kind) -> ArtifactSpec:
    return _BY_KIND[kind]


def _glob_to_regex(pattern: str) -> str:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


@cache
def _anchored_matcher() -> tuple[re.Pattern[str], dict[str, Kind]]:
    groups = []
    kinds: dict[str, Kind] = {}
    for index, spec in enumerate(REGISTRY):
        if not spec.patterns:
            continue  # known only by name or content, when handed over loose
        alternatives = "|".join(_glob_to_regex(p) for p in spec.patterns)
        groups.append(f"(?P<k{index}>{alternatives})")
        kinds[f"k{index}"] = spec.kind
    return re.compile(r"\A(?:" + "|".join(groups) + r")\Z"), kinds


@cache
def _loose_matcher() -> list[tuple[re.Pattern[str], Kind]]:
    return [(re.compile(r"\A" + _glob_to_regex(name) + r"\Z"), spec.kind)
            for spec in REGISTRY for name in spec.loose_names]


def classify_path(path: str) -> Kind | None:
    """The kind of a member from its path in the bundle; a re-packing wrapper dir is tolerated."""
    matcher, kinds = _anchored_matcher()
    candidates = [path]
    if "/" in path:
        candidates.append(path.split("/", 1)[1])
    for candidate in candidates:
        found = matcher.match(candidate)
        if found:
            return kinds[found.lastgroup]
    return None


def classify_loose_name(path: str) -> Kind | None:
    """The kind of a loose file from its base name (used only outside known layouts)."""
    name = path.rsplit("/", 1)[-1]
    for pattern, kind in _loose_matcher():
        if pattern.match(name):
            return kind
    return None


def _resolve(target: str) -> Callable:
    module, function = target.split(":")
    return getattr(importlib.import_module(module), function)
