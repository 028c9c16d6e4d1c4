"""IPAM checkpoint ``/var/run/aws-node/ipam.json`` (``ipamd/ipam.json``; ``ipam-nic-N.json`` for
network card N > 0), written by ipamd since CNI v1.7.0 with a trailing newline::

    {"version":"vpc-cni-ipam/1","allocations":[{"networkName":"aws-cni","containerID":"9a3e…77",
     "ifName":"eth0","ipv4":"10.0.12.65","allocationTimestamp":1771574401500000000,
     "metadata":{"k8sPodNamespace":"kube-system","k8sPodName":"coredns-5d8f7c9b6-4k2lp"}}]}

Variants: v1.7 – v1.9 entries carry only the IPAMKey (``networkName``/``containerID``/``ifName``,
flattened) and ``ipv4``; v1.10 adds ``ipv6`` (IPv6 clusters: no ``ipv4``); v1.11 adds
``allocationTimestamp`` (Unix **nanoseconds**, ``0`` = unknown) and ``metadata``
(+``interfacesCount`` v1.20). ``allocations`` may be ``[]``; v1.7 migration entries have
``networkName: "_migrated-from-cri"``. A version other than ``vpc-cni-ipam/1`` makes ipamd refuse to
start, so it is reported as damage (the entries are still read).
"""

from __future__ import annotations

import re
from typing import Any

from bundle_analyzer.models.common import Parsed, Problem, decode_text, outcome
from bundle_analyzer.models.introspection import CheckpointAllocation, IpamCheckpoint
from bundle_analyzer.parsers.jsondocs import (
    FieldReader,
    from_unix_nanos,
    is_root_document,
    json_type_name,
    narrow_versions,
    read_json_document,
)

CHECKPOINT_VERSION = "vpc-cni-ipam/1"
_NIC_FILE = re.compile(r"ipam-nic-([0-9]{1,4})\.json$")


def parse_ipam_checkpoint(data: bytes, path: str) -> Parsed[IpamCheckpoint]:
    """Parse ``ipam.json``; never raises on bad content."""
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)
    read = read_json_document(text, path, "IPAM checkpoint")
    problems = list(read.problems)
    doc = read.value
    if doc is None:
        return outcome(path, None, problems)
    if is_root_document(doc) or not isinstance(doc, dict) or not ({"version", "allocations"} & set(doc) or not read.complete):
        what = "an ipamd root document" if is_root_document(doc) else json_type_name(doc)
        problems.append(Problem(path=path, line=read.line, message=f"not an IPAM checkpoint: the document is {what}"))
        return outcome(path, None, problems)

    reader = FieldReader(path, read.line, problems, partial=not read.complete)
    version = reader.str_(doc, "version", "checkpoint", required=True)
    if version is not None and version != CHECKPOINT_VERSION:
        reader.problem(f"checkpoint version {version!r} is not {CHECKPOINT_VERSION!r}: ipamd would refuse to start")
    entries = doc.get("allocations")
    if entries is None:
        entries = []
        if "allocations" not in doc:
            reader.missing("allocations", "checkpoint")
    elif not isinstance(entries, list):
        reader.problem(f"checkpoint: allocations is {json_type_name(entries)}, expected an array")
        entries = []

    low: str | None = "v1.7.0"
    high: str | None = None
    allocations = []
    for index, entry in enumerate(entries):
        allocation = _read_allocation(index, entry, reader)
        if allocation is None:
            continue
        allocations.append(allocation)
        if isinstance(entry, dict) and ("ipv6" in entry or "ipv4" not in entry):
            low, high = narrow_versions(low, high, at_least="v1.10.0")
        if isinstance(entry, dict) and ("allocationTimestamp" in entry or "metadata" in entry):
            low, high = narrow_versions(low, high, at_least="v1.11.0")
    checkpoint = IpamCheckpoint(
        version=version,
        network_card=network_card_of(path),
        allocations=allocations,
        min_cni_version=low,
        partial=not read.complete,
        line=read.line,
    )
    return outcome(path, checkpoint, problems)


def network_card_of(path: str) -> int:
    """Card N for ``…/ipam-nic-N.json``, 0 for ``ipam.json``."""
    match = _NIC_FILE.search(path)
    return int(match.group(1)) if match else 0


def _read_allocation(index: int, entry: Any, reader: FieldReader) -> CheckpointAllocation | None:
    where = f"allocation {index}"
    if not isinstance(entry, dict):
        reader.problem(f"{where}: entry is {json_type_name(entry)}, expected an object")
        return None
    ipv4 = reader.str_(entry, "ipv4", where) or None
    ipv6 = reader.str_(entry, "ipv6", where) or None
    if ipv4 is None and ipv6 is None and not reader.partial:
        reader.problem(f"{where}: neither ipv4 nor ipv6")
    nanos = reader.int_(entry, "allocationTimestamp", where)
    allocated_at = None
    if nanos is not None:
        try:
            allocated_at = from_unix_nanos(nanos)
        except ValueError:
            reader.problem(f"{where}: allocationTimestamp {nanos} is not a Unix time in nanoseconds")
    metadata = reader.obj(entry, "metadata", where)
    return CheckpointAllocation(
        network_name=reader.str_(entry, "networkName", where) or None,
        container_id=reader.str_(entry, "containerID", where) or None,
        if_name=reader.str_(entry, "ifName", where) or None,
        ipv4=ipv4,
        ipv6=ipv6,
        allocation_timestamp_ns=nanos,
        allocated_at=allocated_at,
        pod_namespace=reader.str_(metadata, "k8sPodNamespace", where) or None,
        pod_name=reader.str_(metadata, "k8sPodName", where) or None,
        interfaces_count=reader.int_(metadata, "interfacesCount", where),
        line=reader.line,
    )
