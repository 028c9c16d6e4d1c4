"""Kubelet settings that bound pod networking: ``kubelet/kubelet-config.json`` (AL2),
``kubelet/config.json`` and ``kubelet/config.json.d/*`` (AL2023 nodeadm; Bottlerocket and Auto
Mode bundles save a YAML file under the same name), and ``kubelet/kubelet_service.txt``
(``systemctl cat kubelet``).

KubeletConfiguration sample (AL2, abridged)::

    {
      "kind": "KubeletConfiguration",
      "apiVersion": "kubelet.config.k8s.io/v1beta1",
      "clusterDNS": ["172.20.0.10"],
      "maxPods": 17
    }

Unit listing sample::

    # /etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf
    [Service]
    Environment='KUBELET_EXTRA_ARGS=--max-pods=110 --node-ip=10.0.12.34'

JSON is read as JSON; anything else with the YAML safe loader (never the unsafe one). A
``--max-pods`` flag overrides ``maxPods`` of the file, and drop-ins override the base file.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from bundle_analyzer.models.common import Parsed, Problem, decode_text, outcome
from bundle_analyzer.models.config import KubeletConfig, KubeletFlag, KubeletServiceArgs
from bundle_analyzer.parsers._jsonpos import scan_documents
from bundle_analyzer.parsers.jsondocs import json_type_name

KIND = "KubeletConfiguration"
# The YAML loader manages ~100 KB/s on hostile input; a kubelet config is a few KB at most.
MAX_YAML_CHARS = 64 * 1024
MAX_FLAGS = 10_000
# Deep flow nesting ("[[[[…") makes the YAML loader slow long before it gives up.
MAX_FLOW_DEPTH = 64


def parse_kubelet_config(data: bytes, path: str) -> Parsed[KubeletConfig]:
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)
    problems: list[Problem] = []
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        document, line = _load_json(text, path, problems)
    else:
        document, line = _load_yaml(text, path, problems)
    if document is None:
        return outcome(path, None, problems)
    if not isinstance(document, dict):
        problems.append(Problem(path=path, line=line, message=f"expected a mapping, found {json_type_name(document)}"))
        return outcome(path, None, problems)
    raw = {str(key): value for key, value in document.items()}
    kind = raw.get("kind")
    if kind is not None and kind != KIND:
        problems.append(Problem(path=path, line=line, message=f"kind is {str(kind)[:60]!r}, not {KIND}"))
    return outcome(path, config_from_mapping(raw, path=path, line=line, problems=problems), problems)


def _load_json(text: str, path: str, problems: list[Problem]) -> tuple[Any, int]:
    scan = scan_documents(text)
    problems.extend(Problem(path=path, line=line, message=message) for line, message in scan.errors)
    for line, first in scan.stray_text:
        problems.append(Problem(path=path, line=line, message=f"text that is not JSON: {first[:80]!r}"))
    if not scan.documents:
        return None, 1
    if len(scan.documents) > 1:
        problems.append(
            Problem(
                path=path,
                line=scan.documents[1].line,
                message=f"{len(scan.documents)} JSON documents; the first is used",
            )
        )
    return scan.documents[0].value, scan.documents[0].line


def _load_yaml(text: str, path: str, problems: list[Problem]) -> tuple[Any, int]:
    if len(text) > MAX_YAML_CHARS:
        problems.append(
            Problem(path=path, line=1, message=f"{len(text)} characters: too large for a kubelet configuration")
        )
        return None, 1
    if _flow_depth(text) > MAX_FLOW_DEPTH:
        problems.append(Problem(path=path, line=1, message="YAML nested too deeply to read"))
        return None, 1
    loader = YAML(typ="safe")
    try:
        documents = list(loader.load_all(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # libyaml puts an error at the very end on the line after a last line with no newline.
        line = min(mark.line + 1, text.count("\n") + 1) if mark is not None else 1
        problems.append(Problem(path=path, line=line, message=f"not valid JSON or YAML: {exc.problem or exc.context}"))
        return None, 1
    except RecursionError:
        problems.append(Problem(path=path, line=1, message="YAML nested too deeply to read"))
        return None, 1
    except Exception as exc:  # noqa: BLE001 - the YAML library raises assorted types on hostile input
        problems.append(Problem(path=path, line=1, message=f"not valid JSON or YAML: {type(exc).__name__}"))
        return None, 1
    documents = [doc for doc in documents if doc is not None]
    if not documents:
        problems.append(Problem(path=path, line=1, message="no configuration document found"))
        return None, 1
    if len(documents) > 1:
        problems.append(Problem(path=path, line=1, message=f"{len(documents)} YAML documents; the first is used"))
    return documents[0], 1


def _flow_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}" and depth:
            depth -= 1
    return deepest


def config_from_mapping(
    raw: dict[str, Any], *, path: str = "", line: int = 1, problems: list[Problem] | None = None
) -> KubeletConfig:
    """Read ``maxPods`` and ``clusterDNS`` of a KubeletConfiguration mapping."""
    sink: list[Problem] = [] if problems is None else problems
    max_pods: int | None = None
    value = raw.get("maxPods")
    if isinstance(value, int) and not isinstance(value, bool):
        max_pods = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 9:
        max_pods = int(value.strip())
    elif value is not None:
        sink.append(Problem(path=path, line=line, message=f"maxPods is {json_type_name(value)}, not a number"))
    dns = raw.get("clusterDNS")
    cluster_dns: list[str] = []
    if isinstance(dns, str):
        cluster_dns = [dns]
    elif isinstance(dns, list):
        cluster_dns = [entry for entry in dns if isinstance(entry, str)]
        if len(cluster_dns) != len(dns):
            sink.append(Problem(path=path, line=line, message="clusterDNS has entries that are not strings"))
    elif dns is not None:
        sink.append(Problem(path=path, line=line, message=f"clusterDNS is {json_type_name(dns)}, not a list"))
    return KubeletConfig(max_pods=max_pods, cluster_dns=cluster_dns, raw=raw)


def merge_kubelet_configs(configs: list[KubeletConfig]) -> KubeletConfig | None:
    """Base file first, then drop-ins in file-name order: later values override earlier ones.

    Kubelet merges drop-ins field by field; nested mappings are merged, lists replaced.
    """
    if not configs:
        return None
    merged: dict[str, Any] = {}
    for config in configs:
        merged = _merge(merged, config.raw)
    return config_from_mapping(merged)


def _merge(base: dict[str, Any], override: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    result = dict(base)
    for key, value in override.items():
        if depth < 32 and isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value, depth + 1)
        else:
            result[key] = value
    return result


# --- systemctl cat kubelet ------------------------------------------------------------------

_FLAG_EQUALS = re.compile(r"(?<![\w-])--([a-z][a-z0-9-]*)=([^\s'\"\\]*)")
_FLAG_SPACED = re.compile(r"(?<![\w-])--(max-pods|node-ip)[ \t]+([^\s'\"\\-][^\s'\"\\]*)")
_SECTION = re.compile(r"^\s*\[(Unit|Service|Install)\]\s*$", re.MULTILINE)


def parse_kubelet_service(data: bytes, path: str) -> Parsed[KubeletServiceArgs]:
    """Kubelet flags (``--max-pods``, ``--node-ip`` …) from ``systemctl cat kubelet`` output."""
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)
    problems: list[Problem] = []
    args = KubeletServiceArgs()
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        found = [(m.start(), m.group(1), m.group(2)) for m in _FLAG_EQUALS.finditer(line)]
        found += [(m.start(), m.group(1), m.group(2)) for m in _FLAG_SPACED.finditer(line)]
        for _, name, value in sorted(found):
            if len(args.flags) >= MAX_FLAGS:
                break
            args.flags.append(KubeletFlag(name=name, value=value, line=number))
    if not args.flags and not _SECTION.search(text):
        first = text.strip().splitlines()[0].strip()
        problems.append(Problem(path=path, line=1, message=f"not a systemd unit listing: {first[:120]!r}"))
    return outcome(path, args, problems)


def effective_max_pods(config: KubeletConfig | None, service: KubeletServiceArgs | None) -> int | None:
    """The value kubelet runs with: a ``--max-pods`` flag wins over ``maxPods`` of the file."""
    if service is not None and service.max_pods is not None:
        return service.max_pods
    return config.max_pods if config is not None else None
