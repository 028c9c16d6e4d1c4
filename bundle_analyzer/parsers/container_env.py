"""The ``aws-node`` container as the runtime saw it: ``cni/cni-configuration-variables-containerd.json``
(``ctr --namespace k8s.io container info <id>``) and ``cni/cni-configuration-variables-dockerd.txt``
(``docker inspect``), collected since 2023-10.

containerd sample (one pretty-printed object per matching container, concatenated; abridged)::

    {
        "ID": "5f1c…",
        "Labels": {"io.kubernetes.container.name": "aws-node", "io.kubernetes.pod.name": "aws-node-7xk2p", …},
        "Image": "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.18.3-eksbuild.1",
        "CreatedAt": "2024-01-10T20:40:01.123456789Z",
        "UpdatedAt": "2024-01-10T20:40:01.123456789Z",
        "Spec": {"process": {"env": ["WARM_ENI_TARGET=1", "AWS_VPC_K8S_CNI_LOGLEVEL=DEBUG", …]}, …}
    }

Docker sample: ``docker inspect`` arrays (``[{"Id": …, "Created": …, "Config": {"Image": …,
"Env": [...], "Labels": {...}}}]``), one per container, concatenated in a ``.txt`` file.

Variants read: several containers (current and exited), stderr text mixed in (``2>&1``), a file
holding only ctr's error text (no container matched, ``xargs`` ran ``ctr`` without an id),
documents cut short. The environment can hold secrets-adjacent values; models keep it, reports
must not echo it.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from bundle_analyzer.models.common import Parsed, Problem, decode_text, outcome
from bundle_analyzer.models.config import AwsNodeContainer, ContainerEnvDump, cni_version_from_image
from bundle_analyzer.parsers._jsonpos import scan_documents
from bundle_analyzer.parsers.jsondocs import json_type_name, parse_go_time

POD_NAME_LABEL = "io.kubernetes.pod.name"
CONTAINER_NAME_LABEL = "io.kubernetes.container.name"
MAX_ENV_ENTRIES = 10_000
MAX_ENCODED_SPEC = 16 * 1024 * 1024


def parse_container_env(data: bytes, path: str) -> Parsed[ContainerEnvDump]:
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)
    problems: list[Problem] = []
    scan = scan_documents(text)
    problems.extend(Problem(path=path, line=line, message=message) for line, message in scan.errors)
    for line, first in scan.stray_text:
        problems.append(
            Problem(path=path, line=line, message=f"runtime message instead of container info: {first[:160]!r}")
        )
    dump = ContainerEnvDump()
    for document in scan.documents:
        objects = document.value if isinstance(document.value, list) else [document.value]
        for obj in objects:
            container = _container(obj, document.line, document.complete)
            if container is None:
                problems.append(
                    Problem(
                        path=path,
                        line=document.line,
                        message=f"not a container description ({json_type_name(obj)} without ID/Id)",
                    )
                )
                continue
            dump.containers.append(container)
    if not dump.containers and not problems:
        problems.append(Problem(path=path, line=1, message="no container description found"))
    problems.sort(key=lambda problem: problem.line or 0)
    return outcome(path, dump, problems)


def _container(obj: Any, line: int, complete: bool) -> AwsNodeContainer | None:
    if not isinstance(obj, dict):
        return None
    if "ID" in obj or "Spec" in obj:
        return _from_containerd(obj, line, complete)
    if "Id" in obj or "Config" in obj:
        return _from_docker(obj, line, complete)
    return None


def _from_containerd(obj: dict[str, Any], line: int, complete: bool) -> AwsNodeContainer:
    labels = _dict(obj.get("Labels"))
    spec = _spec(obj.get("Spec"))
    process = _dict(spec.get("process"))
    image = _str(obj.get("Image"))
    return AwsNodeContainer(
        runtime="containerd",
        container_id=_str(obj.get("ID")),
        image=image,
        cni_version=cni_version_from_image(image),
        container_name=_str(labels.get(CONTAINER_NAME_LABEL)),
        pod_name=_str(labels.get(POD_NAME_LABEL)),
        created_at=parse_go_time(obj.get("CreatedAt")),
        updated_at=parse_go_time(obj.get("UpdatedAt")),
        env=_env(process.get("env")),
        complete=complete,
        line=line,
    )


def _from_docker(obj: dict[str, Any], line: int, complete: bool) -> AwsNodeContainer:
    config = _dict(obj.get("Config"))
    labels = _dict(config.get("Labels"))
    state = _dict(obj.get("State"))
    # Config.Image is the reference the container was started from; top-level Image is a digest.
    image = _str(config.get("Image")) or _str(obj.get("Image"))
    name = _str(labels.get(CONTAINER_NAME_LABEL))
    if name is None and isinstance(obj.get("Name"), str):
        name = obj["Name"].lstrip("/") or None
    return AwsNodeContainer(
        runtime="docker",
        container_id=_str(obj.get("Id")),
        image=image,
        cni_version=cni_version_from_image(image),
        container_name=name,
        pod_name=_str(labels.get(POD_NAME_LABEL)),
        created_at=parse_go_time(obj.get("Created")),
        updated_at=parse_go_time(state.get("StartedAt")),
        env=_env(config.get("Env")),
        complete=complete,
        line=line,
    )


def _spec(value: Any) -> dict[str, Any]:
    """The OCI spec; older ``ctr`` printed it as a protobuf Any (``type_url`` + base64 ``value``)."""
    spec = _dict(value)
    encoded = spec.get("value")
    if "process" in spec or not isinstance(encoded, str) or len(encoded) > MAX_ENCODED_SPEC:
        return spec
    try:
        decoded = json.loads(base64.b64decode(encoded, validate=True))
    except (ValueError, RecursionError):
        return spec
    return _dict(decoded)


def _env(entries: Any) -> dict[str, str]:
    env: dict[str, str] = {}
    if not isinstance(entries, list):
        return env
    for entry in entries[:MAX_ENV_ENTRIES]:
        if not isinstance(entry, str):
            continue
        name, _, value = entry.partition("=")
        if name:
            env[name] = value
    return env


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
