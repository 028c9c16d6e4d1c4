"""Render realistic bundle file texts from small Python values.

Each helper writes one file format the way the producing tool prints it (bundle-formats.md
§2–§12), so rule tests can build bundles for CNI versions 2018…2026 without copying large
strings. Versions are tuples, e.g. ``(1, 2, 1)`` for CNI v1.2.1. One module per family
(``common``, ``introspection``, ``routing``, ``iptables``, ``host``, ``config``, ``logs``);
everything is re-exported here. Example::

    rules = cni_ip_rules(pod_ips=["10.0.12.50", "10.0.41.7"], secondary_pod_tables={"10.0.41.7": 2},
                         version=(1, 20, 3), eni_primary_ip_tables={"10.0.40.10": 2})
    ip_rule_text(rules)   # '0:\tfrom all lookup local\n512:\tfrom all to 10.0.12.50 lookup main\n…'
    veth_name("default", "web-7d4b9c-x2x9q")   # 'enic0778f2fe26'

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

from bundle_analyzer.testing.content.common import (
    ZERO_TIME,
    Version,
    container_id,
    go_json,
    go_map,
    go_time,
    link_local_from_mac,
    veth_name,
)
from bundle_analyzer.testing.content.config import Metric, cni_metrics, conflist, metrics_text
from bundle_analyzer.testing.content.host import Iface, conntrack_text, ifconfig_text, legacy_sysctls_out, sysctl_text
from bundle_analyzer.testing.content.introspection import (
    EniSpec,
    LegacyPod,
    PoolAddr,
    assigned_pool,
    available_commands_json,
    enis_json_gen_a1,
    enis_json_gen_a2,
    enis_json_gen_b,
    enis_json_gen_c,
    enis_json_gen_d,
    enis_json_gen_e,
    enis_json_gen_f,
    ipam_checkpoint_json,
    pods_json,
)
from bundle_analyzer.testing.content.iptables import (
    IptablesTable,
    NvlChain,
    NvlRow,
    Service,
    builtin_table,
    cni_iptables_rules,
    iptables_nvl_text,
    iptables_save_text,
    kube_proxy_nat_rules,
    kube_proxy_sep_chain,
    kube_proxy_svc_chain,
    nft_aws_cni_table,
    nvl_chains_from_table,
)
from bundle_analyzer.testing.content.logs import cri_log_line, journal_line, klog_line, seelog_line, zap_line, zap_time
from bundle_analyzer.testing.content.routing import (
    cni_ip_rules,
    eni_table_routes,
    ip_route_text,
    ip_rule_text,
    legacy_route_output,
    pod_route,
)

__all__ = [
    "ZERO_TIME",
    "Version",
    "container_id",
    "go_json",
    "go_map",
    "go_time",
    "link_local_from_mac",
    "veth_name",
    "Metric",
    "cni_metrics",
    "conflist",
    "metrics_text",
    "Iface",
    "conntrack_text",
    "ifconfig_text",
    "legacy_sysctls_out",
    "sysctl_text",
    "EniSpec",
    "LegacyPod",
    "PoolAddr",
    "assigned_pool",
    "available_commands_json",
    "enis_json_gen_a1",
    "enis_json_gen_a2",
    "enis_json_gen_b",
    "enis_json_gen_c",
    "enis_json_gen_d",
    "enis_json_gen_e",
    "enis_json_gen_f",
    "ipam_checkpoint_json",
    "pods_json",
    "IptablesTable",
    "NvlChain",
    "NvlRow",
    "Service",
    "builtin_table",
    "cni_iptables_rules",
    "iptables_nvl_text",
    "iptables_save_text",
    "kube_proxy_nat_rules",
    "kube_proxy_sep_chain",
    "kube_proxy_svc_chain",
    "nft_aws_cni_table",
    "nvl_chains_from_table",
    "cri_log_line",
    "journal_line",
    "klog_line",
    "seelog_line",
    "zap_line",
    "zap_time",
    "cni_ip_rules",
    "eni_table_routes",
    "ip_route_text",
    "ip_rule_text",
    "legacy_route_output",
    "pod_route",
]
