"""Which collector made a bundle (bundle-formats.md §1.1, §1.4, §1.5), from its member paths and name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from bundle_analyzer.report.model import Layout

EKS_ROOT_DIRS = frozenset({"ipamd", "networking", "var_log", "system", "sysctls", "kubelet", "cni", "kernel", "storage"})
LEGACY_DIR = "var/log/aws-routed-eni/"
LEGACY_MARKERS = frozenset({"eni.output", "eni.out", "iprule.output", "iprule.out", "route.output", "route.out"})
NMA_CONCLUSIVE = ("log-capture-errors.log", "networking/get_api_server.txt", "networking/CheckMacAddressPolicy.log",
                  "networking/nftables-", "system/pressure_", "automode/", "bottlerocket/logdog/",
                  "gpu/nvidia-bug-report-exec.log")

EKS_ARCHIVE_NAME = re.compile(
    r"^eks_(?P<iid>[^_]*)_(?P<date>\d{4}-\d{2}-\d{2})_(?P<hhmm>\d{4})-(?P<tz>[A-Za-z]+)_(?P<ver>\d+\.\d+\.\d+)"
    r"\.(?:tar\.gz|tgz|tar|zip)$"
)
NMA_ARCHIVE_NAME = re.compile(r"^(?P<node>.+)-logs\.(?:tar\.gz|tgz)$")


@dataclass(frozen=True)
class LayoutGuess:
    layout: Layout
    root_prefix: str  # a wrapper directory added by whoever re-packed the bundle, or ""
    collector_version: str | None = None
    instance_id: str | None = None
    collected_at: datetime | None = None
    node_name: str | None = None


def strip_wrapper(paths: list[str]) -> tuple[str, list[str]]:
    """If every path shares one extra top directory (a re-packed bundle), return it and the rest."""
    tops = {p.split("/", 1)[0] for p in paths if p}
    if len(tops) != 1 or all("/" not in p for p in paths):
        return "", paths
    (top,) = tops
    if top in EKS_ROOT_DIRS or top == "var":
        return "", paths
    return top + "/", [p.split("/", 1)[1] if "/" in p else "" for p in paths]


def detect_layout(archive_name: str, paths: Iterable[str], *, loose: bool,
                  had_dot_prefix: bool, had_dir_members: bool) -> LayoutGuess:
    prefix, rel = strip_wrapper([p for p in paths if p])
    rel_set = set(rel)
    # A re-packed bundle's wrapper directory often keeps the collector's archive stem.
    named = _from_archive_name(archive_name) or _from_archive_name(prefix.rstrip("/") + ".tar.gz")
    if any(p.startswith(LEGACY_DIR) and p[len(LEGACY_DIR):] in LEGACY_MARKERS for p in rel_set):
        return LayoutGuess(Layout.aws_cni_support_legacy, prefix, collected_at=None)
    roots = {p.split("/", 1)[0] for p in rel_set if "/" in p}
    if len(roots & EKS_ROOT_DIRS) >= 2 or (roots & EKS_ROOT_DIRS and "ipamd" in roots):
        if _looks_like_nma(rel_set, had_dot_prefix, had_dir_members, archive_name, bool(named)):
            node = NMA_ARCHIVE_NAME.match(archive_name)
            return LayoutGuess(Layout.eks_node_monitoring_agent, prefix, node_name=node["node"] if node else None)
        return LayoutGuess(Layout.eks_log_collector, prefix, collector_version=named.get("ver"),
                           instance_id=named.get("iid") or None, collected_at=named.get("at"))
    return LayoutGuess(Layout.files if loose else Layout.directory, prefix)


def _looks_like_nma(paths: set[str], had_dot_prefix: bool, had_dir_members: bool, archive_name: str,
                    eks_named: bool) -> bool:
    if "system/script-params.txt" in paths:
        return False
    if any(p.startswith(NMA_CONCLUSIVE) for p in paths):
        return True
    if eks_named:
        return False
    supporting = [not had_dot_prefix, not had_dir_members, bool(NMA_ARCHIVE_NAME.match(archive_name)),
                  not any(p.startswith("var_log/aws-node-") for p in paths)]
    return sum(supporting) >= 3


def _from_archive_name(name: str) -> dict:
    found = EKS_ARCHIVE_NAME.match(name)
    if not found:
        return {}
    at = None
    if found["tz"].upper() == "UTC":
        at = datetime.strptime(f"{found['date']} {found['hhmm']}", "%Y-%m-%d %H%M").replace(tzinfo=UTC)
    return {"ver": found["ver"], "iid": found["iid"], "at": at}
