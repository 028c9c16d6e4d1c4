"""Which CNI release ran on the node, inferred from the most reliable evidence first (§13)."""

from __future__ import annotations

from pydantic import BaseModel

from bundle_analyzer.artifacts import Kind
from bundle_analyzer.bundle import Bundle
from bundle_analyzer.versions import format_version, parse_version


class VersionEvidence(BaseModel):
    version: str | None = None  # exact release, e.g. "v1.18.3"
    source: str | None = None  # how it was inferred, for the report
    minimum: str | None = None  # what file shapes prove when no exact version is known
    maximum: str | None = None


def infer_cni_version(bundle: Bundle) -> VersionEvidence:
    bounds = _bounds_from_shapes(bundle)
    for source, version in _exact_candidates(bundle):
        parsed = parse_version(version)
        if parsed:
            return VersionEvidence(version=format_version(parsed), source=source, **bounds)
    return VersionEvidence(source=_describe_bounds(bounds) if any(bounds.values()) else None, **bounds)


def _exact_candidates(bundle: Bundle):
    metrics = bundle.first(Kind.ipamd_metrics)
    if metrics is not None and getattr(metrics, "cni_version", None):
        yield f"{bundle.path_of(Kind.ipamd_metrics)}: awscni_build_info", metrics.cni_version
    env = bundle.first(Kind.cni_container_env)
    current = getattr(env, "current", None) if env is not None else None
    if current is not None and current.cni_version:
        yield f"{bundle.path_of(Kind.cni_container_env)}: image {current.image}", current.cni_version
    for key, what in (("fact:ipamd-start", "Starting L-IPAMD"), ("fact:plugin-start", "Starting CNI Plugin"),
                      ("fact:aws-node-image", "aws-node image")):
        found = _last_fact(bundle, key)
        if found:
            path, line, version = found
            yield f"{path}:{line}: {what} {version}", version


def _last_fact(bundle: Bundle, key: str) -> tuple[str, int, str] | None:
    """The newest occurrence wins: after an upgrade the last start line is the running version."""
    best = None
    for log in bundle.logs:
        for hit in log.hits:
            if key not in hit.keys:
                continue
            version = _version_in(hit.event.message) or _version_in(hit.event.raw)
            if not version:
                continue
            stamp = hit.event.timestamp
            rank = (stamp.timestamp() if stamp else 0.0, log.path, hit.event.line)
            if best is None or rank > best[0]:
                best = (rank, (log.path, hit.event.line, version))
    return best[1] if best else None


def _version_in(text: str) -> str | None:
    import re

    found = re.search(r"(?:L-IPAMD|CNI Plugin|amazon-k8s-cni:)\s*(v?\d+\.\d+\.\d+)", text)
    return found.group(1) if found else None


def _bounds_from_shapes(bundle: Bundle) -> dict[str, str | None]:
    minimum: tuple[int, int, int] | None = None
    maximum: tuple[int, int, int] | None = None
    for kind in (Kind.ipamd_enis, Kind.ipamd_pods, Kind.eni_configs, Kind.networkutils_env):
        model = bundle.first(kind)
        low = parse_version(getattr(model, "min_cni_version", None)) if model is not None else None
        high = parse_version(getattr(model, "max_cni_version", None)) if model is not None else None
        if low and (minimum is None or low > minimum):
            minimum = low
        if high and (maximum is None or high < maximum):
            maximum = high
    formats = {log.format for log in bundle.logs if log.kind in (Kind.ipamd_log, Kind.plugin_log)}
    if formats == {"seelog"}:
        maximum = min(maximum, (1, 6, 0)) if maximum else (1, 6, 0)
    if bundle.has(Kind.ipam_checkpoint):
        minimum = max(minimum, (1, 7, 0)) if minimum else (1, 7, 0)
    return {"minimum": format_version(minimum) if minimum else None,
            "maximum": format_version(maximum) if maximum else None}


def _describe_bounds(bounds: dict[str, str | None]) -> str:
    low, high = bounds.get("minimum"), bounds.get("maximum")
    if low and high:
        return f"file formats only: between {low} and {high}"
    return f"file formats only: at least {low}" if low else f"file formats only: at most {high}"
