"""``/v1/pods``: pod → IP map of CNI v1.0 – v1.6 (``ipamd/pods.json``, legacy ``pod.output``/``pod.out``).

Go JSON of ``map[string]PodIPInfo`` keyed ``<pod>_<namespace>_<container>``; the container part is
the pause container id (v1.0 – v1.5, empty for pods found at start-up) or the CRI sandbox id (v1.6)::

    {"web-7d4b9c-x2x9q_default_5f0c4d2a…e1":{"IP":"10.0.12.50","DeviceNumber":0},
     "coredns-5d8f7c9b6-4k2lp_kube-system_":{"IP":"10.0.41.7","DeviceNumber":2}}

From CNI v1.7.0 the endpoint is gone and the file holds ipamd's root document
``{"AvailableCommands":[…]}``: that is parsed as ``root_document=True`` (a version fingerprint,
not damage).
"""

from __future__ import annotations

from bundle_analyzer.models.common import Parsed, Problem, decode_text, outcome
from bundle_analyzer.models.introspection import PodIp, PodsDump
from bundle_analyzer.parsers.jsondocs import (
    ROOT_DOCUMENT_KEY,
    FieldReader,
    is_root_document,
    json_type_name,
    read_json_document,
)


def parse_pods(data: bytes, path: str) -> Parsed[PodsDump]:
    """Parse ``/v1/pods`` (or the root document that replaced it); never raises on bad content."""
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)
    read = read_json_document(text, path, "pod map")
    problems = list(read.problems)
    doc = read.value
    if doc is None:
        return outcome(path, None, problems)
    if is_root_document(doc):
        commands = doc[ROOT_DOCUMENT_KEY]
        listed = [c for c in commands if isinstance(c, str)] if isinstance(commands, list) else None
        dump = PodsDump(root_document=True, available_commands=listed, min_cni_version="v1.7.0", line=read.line)
        return outcome(path, dump, problems)
    if not isinstance(doc, dict):
        problems.append(Problem(path=path, line=read.line, message=f"not a pod map: the document is {json_type_name(doc)}"))
        return outcome(path, None, problems)

    reader = FieldReader(path, read.line, problems, partial=not read.complete)
    pods = []
    for key, record in doc.items():
        pod = _read_pod(key, record, reader, read.line)
        if pod is not None:
            pods.append(pod)
    pods.sort(key=lambda pod: (pod.namespace, pod.pod_name, pod.container_id or ""))
    dump = PodsDump(pods=pods, min_cni_version="v1.0.0", max_cni_version="v1.6.x", line=read.line)
    return outcome(path, dump, problems)


def _read_pod(key: str, record: object, reader: FieldReader, line: int) -> PodIp | None:
    where = f"pod {key}"
    if not isinstance(record, dict):
        reader.problem(f"{where}: entry is {json_type_name(record)}, expected an object")
        return None
    # Pod names and namespaces cannot contain "_", so the key has exactly three parts.
    parts = key.split("_")
    if len(parts) < 3 or not parts[0] or not parts[1]:
        reader.problem(f"{where}: key is not <pod>_<namespace>_<container>")
        return None
    if len(parts) > 3:
        reader.problem(f"{where}: key has more than three _-separated parts")
    ip = reader.str_(record, "IP", where, required=True)
    device_number = reader.int_(record, "DeviceNumber", where, required=True)
    if ip is None or device_number is None:
        return None
    return PodIp(
        pod_name=parts[0],
        namespace=parts[1],
        container_id="_".join(parts[2:]) or None,
        ip=ip,
        device_number=device_number,
        line=line,
    )
