"""The control-plane channel: the cross-account ENIs through which EKS reaches the node.

From ``describe-network-interfaces`` (``--aws-json``): ENIs described ``Amazon EKS <cluster>``,
their subnets and security groups; from ``describe-subnets``: whether those subnets still exist
and how many free addresses they have; from the bundle: whether the API server answered
(``curl_api_server.txt`` / ``get_api_server.txt``). The checks follow the NET410 workshop's
troubleshooting tips.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from bundle_analyzer.artifacts import Kind
from bundle_analyzer.bundle import Bundle

LOW_FREE_IPS = 5
_REACHED = re.compile(r"(?m)^(?:< HTTP/\S+ (?P<code>\d{3})|\* Connected to |ok$|\[\+\]ping ok)")
_FAILED = re.compile(r"(?i)(could not resolve host|connection timed out|connection refused|"
                     r"operation timed out|failed to connect|no route to host|ssl_error|certificate)")


class ControlPlaneEni(BaseModel):
    id: str
    cluster: str | None = None
    subnet_id: str | None = None
    private_ip: str | None = None
    security_groups: list[str] = Field(default_factory=list)
    owner_id: str | None = None
    requester_id: str | None = None
    status: str | None = None
    source: str = ""


class ControlPlaneCheck(BaseModel):
    subject: str
    ok: bool | None  # None: the bundle cannot tell
    detail: str


class ControlPlaneView(BaseModel):
    enis: list[ControlPlaneEni] = Field(default_factory=list)
    checks: list[ControlPlaneCheck] = Field(default_factory=list)


def control_plane_view(bundle: Bundle) -> ControlPlaneView:
    view = ControlPlaneView()
    subnets = {}
    worker_groups: set[str] = set()
    for artifact in bundle.all(Kind.ec2_json):
        doc = artifact.parsed.value
        if doc is None:
            continue
        subnets.update({s.id: s for s in doc.subnets if s.id})
        for eni in doc.network_interfaces:
            if eni.is_control_plane_eni:
                view.enis.append(ControlPlaneEni(
                    id=eni.id or "?", cluster=eni.cluster_name, subnet_id=eni.subnet_id, private_ip=eni.private_ip,
                    security_groups=[g.id or g.name or "?" for g in eni.groups], owner_id=eni.owner_id,
                    requester_id=eni.requester_id, status=eni.status, source=artifact.path))
            elif eni.is_cni_managed or (eni.attachment and eni.attachment.instance_id == bundle.node.instance_id):
                worker_groups.update(g.id for g in eni.groups if g.id)
    if not view.enis:
        view.checks.append(ControlPlaneCheck(subject="control-plane ENIs", ok=None, detail=(
            "no 'Amazon EKS <cluster>' ENI in the describe-network-interfaces output given"
            if bundle.has(Kind.ec2_json) else "needs describe-network-interfaces JSON (--aws-json)")))
    for eni in view.enis:
        _check_eni(view, eni, subnets, worker_groups)
    view.checks.append(_api_server_check(bundle))
    return view


def _check_eni(view: ControlPlaneView, eni: ControlPlaneEni, subnets: dict, worker_groups: set[str]) -> None:
    view.checks.append(ControlPlaneCheck(
        subject=f"{eni.id} security groups", ok=bool(eni.security_groups),
        detail=(f"{', '.join(eni.security_groups)}; whether they admit the workers needs describe-security-groups"
                if eni.security_groups else "no security group on the control-plane ENI")))
    if worker_groups and eni.security_groups:
        shared = worker_groups & set(eni.security_groups)
        view.checks.append(ControlPlaneCheck(
            subject=f"{eni.id} shares a group with the workers", ok=None if not shared else True,
            detail=(f"shared: {', '.join(sorted(shared))}" if shared else
                    "no group in common with the node's ENIs: check that the cluster security group admits them")))
    if not subnets:
        view.checks.append(ControlPlaneCheck(subject=f"{eni.id} subnet {eni.subnet_id}", ok=None,
                                             detail="needs describe-subnets JSON to check the subnet and its free IPs"))
        return
    subnet = subnets.get(eni.subnet_id or "")
    if subnet is None:
        view.checks.append(ControlPlaneCheck(subject=f"{eni.id} subnet {eni.subnet_id}", ok=False,
                                             detail="subnet not in describe-subnets: deleted or in another VPC?"))
        return
    free = subnet.available_ips
    view.checks.append(ControlPlaneCheck(
        subject=f"{eni.id} subnet {subnet.id} ({subnet.cidr})", ok=free is None or free >= LOW_FREE_IPS,
        detail=f"{free} free addresses" + (" — EKS cannot place new control-plane ENIs here"
                                           if free is not None and free < LOW_FREE_IPS else "")))


def _api_server_check(bundle: Bundle) -> ControlPlaneCheck:
    text = bundle.texts.get(Kind.api_server_check.value)
    if text is None:
        return ControlPlaneCheck(subject="API server reachability", ok=None,
                                 detail="no networking/curl_api_server.txt or get_api_server.txt in the bundle")
    failed = _FAILED.search(text)
    reached = _REACHED.search(text)
    if reached and not failed:
        return ControlPlaneCheck(subject="API server reachability", ok=True, detail="the node reached the API server")
    if failed:
        return ControlPlaneCheck(subject="API server reachability", ok=False, detail=f"check failed: {failed.group(0)}")
    return ControlPlaneCheck(subject="API server reachability", ok=None, detail="the check's output is inconclusive")
