"""CNI network configurations copied from ``/etc/cni/net.d/`` (``cni/10-aws.conflist``, ``cni/aws.conf``,
other CNIs' files such as ``00-multus.conf`` or ``10-calico.conflist``).

Sample (CNI v1.18, IPv4 cluster, defaults; abridged)::

    {
      "cniVersion": "0.4.0",
      "name": "aws-cni",
      "disableCheck": true,
      "plugins": [
        {"name": "aws-cni", "type": "aws-cni", "vethPrefix": "eni", "mtu": "9001",
         "podSGEnforcingMode": "strict", "pluginLogFile": "/var/log/aws-routed-eni/plugin.log",
         "pluginLogLevel": "DEBUG"},
        {"name": "egress-cni", "type": "egress-cni", "mtu": "9001", "enabled": "false", …},
        {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
      ]
    }

Generations read: v1.0-v1.1 ``aws.conf`` (a single plugin object, no ``cniVersion``); v1.2-v1.5
``10-aws.conflist`` without ``cniVersion``; v1.6.0 ``cniVersion`` 0.3.1 and ``"mtu":"9001"``;
v1.6.1+ ``pluginLogFile``/``pluginLogLevel``; v1.10 ``egress-v4-cni`` with a numeric ``mtu``;
v1.11+ ``podSGEnforcingMode``, ``disableCheck``; v1.13+ ``egress-cni``; v1.16.0's ``1.0.0``;
files re-marshalled with a ``bandwidth`` or ``tuning`` plugin (other key order, which does not
matter here); unknown keys (kept in ``raw``). Configurations of other CNIs are read generically.
"""

from __future__ import annotations

import posixpath
from typing import Any

from bundle_analyzer.models.common import Parsed, Problem, decode_text, outcome
from bundle_analyzer.models.config import AWS_PLUGIN_TYPE, CniConfig, CniPlugin
from bundle_analyzer.parsers._jsonpos import LineIndex, element_offsets, scan_documents
from bundle_analyzer.parsers.jsondocs import json_type_name

CONFIG_EXTENSIONS = (".conf", ".conflist", ".json")
# Written into cni/ by the collector, not by a CNI: never a network configuration.
_COLLECTOR_FILE_PREFIX = "cni-configuration-variables"


def parse_cni_config(data: bytes, path: str) -> Parsed[CniConfig]:
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)
    problems: list[Problem] = []
    scan = scan_documents(text)
    problems.extend(Problem(path=path, line=line, message=message) for line, message in scan.errors)
    for line, first in scan.stray_text:
        problems.append(Problem(path=path, line=line, message=f"text that is not JSON: {first[:80]!r}"))
    if not scan.documents:
        if not problems:
            problems.append(
                Problem(path=path, line=1, message="no JSON document found (CNI network configuration expected)")
            )
        return outcome(path, None, problems)
    if len(scan.documents) > 1:
        problems.append(
            Problem(
                path=path,
                line=scan.documents[1].line,
                message=f"{len(scan.documents)} JSON documents in one file; the container runtime cannot load it "
                "(the first one is described)",
            )
        )
    document = scan.documents[0]
    if not isinstance(document.value, dict):
        problems.append(
            Problem(
                path=path, line=document.line, message=f"expected a JSON object, found {json_type_name(document.value)}"
            )
        )
        return outcome(path, None, problems)
    lines = LineIndex(scan.text)
    plugin_lines: list[int] = []
    if document.complete:
        plugin_lines = [
            lines.line_at(offset) for offset in element_offsets(scan.text, document.offset, ("plugins", "*"))
        ]
    config = _config(document.value, document.line, plugin_lines, path, problems)
    return outcome(path, config, problems)


def _config(obj: dict[str, Any], line: int, plugin_lines: list[int], path: str, problems: list[Problem]) -> CniConfig:
    config = CniConfig(
        name=_string(obj, "name", line, path, problems),
        cni_version=_string(obj, "cniVersion", line, path, problems),
        disable_check=_boolean(obj, "disableCheck", line, path, problems),
        line=line,
    )
    if "plugins" in obj:
        entries = obj["plugins"]
        if not isinstance(entries, list):
            problems.append(Problem(path=path, line=line, message=f"plugins is {json_type_name(entries)}, not a list"))
            entries = []
        for index, entry in enumerate(entries):
            entry_line = plugin_lines[index] if len(plugin_lines) == len(entries) else line
            if not isinstance(entry, dict):
                problems.append(
                    Problem(
                        path=path, line=entry_line, message=f"plugin {index} is {json_type_name(entry)}, not an object"
                    )
                )
                continue
            config.plugins.append(_plugin(entry, entry_line, path, problems))
    elif "type" in obj:
        config.single_plugin = True
        config.plugins.append(_plugin(obj, line, path, problems))
    else:
        problems.append(
            Problem(path=path, line=line, message='neither a plugin list ("plugins") nor a single plugin ("type")')
        )
    config.is_aws = any(plugin.type == AWS_PLUGIN_TYPE for plugin in config.plugins)
    return config


def _plugin(obj: dict[str, Any], line: int, path: str, problems: list[Problem]) -> CniPlugin:
    return CniPlugin(
        type=_string(obj, "type", line, path, problems),
        name=_string(obj, "name", line, path, problems),
        veth_prefix=_string(obj, "vethPrefix", line, path, problems),
        mtu=_integer(obj, "mtu", line, path, problems),
        enabled=_boolean(obj, "enabled", line, path, problems),
        pod_sg_enforcing_mode=_string(obj, "podSGEnforcingMode", line, path, problems),
        plugin_log_file=_string(obj, "pluginLogFile", line, path, problems),
        plugin_log_level=_string(obj, "pluginLogLevel", line, path, problems),
        line=line,
        raw=obj,
    )


def _string(obj: dict[str, Any], key: str, line: int, path: str, problems: list[Problem]) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    problems.append(Problem(path=path, line=line, message=f"{key} is {json_type_name(value)}, not a string"))
    return None


def _integer(obj: dict[str, Any], key: str, line: int, path: str, problems: list[Problem]) -> int | None:
    # Templates write the MTU as a string ("9001"); the v1.10-v1.12 egress plugin as a number.
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 9:
        return int(value.strip())
    problems.append(Problem(path=path, line=line, message=f"{key} {_describe(value)} is not a whole number"))
    return None


def _boolean(obj: dict[str, Any], key: str, line: int, path: str, problems: list[Problem]) -> bool | None:
    # The egress plugin's "enabled" is the string "true"/"false", not a JSON boolean.
    value = obj.get(key)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    problems.append(Problem(path=path, line=line, message=f"{key} {_describe(value)} is not true/false"))
    return None


def _describe(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return f"({json_type_name(value)})"
    return repr(str(value)[:40])


def is_network_config_name(path: str) -> bool:
    """A file name the container runtime would load from ``/etc/cni/net.d/``."""
    name = posixpath.basename(path.replace("\\", "/"))
    return name.endswith(CONFIG_EXTENSIONS) and not name.startswith(_COLLECTOR_FILE_PREFIX)


def effective_cni_config(paths: list[str]) -> str | None:
    """The configuration the container runtime uses: the lexicographically first config file.

    libcni lists ``*.conf``, ``*.conflist`` and ``*.json`` of the directory itself (sorted by
    name, not recursive) and the runtime takes the first. ``paths`` are the files of the
    bundle's ``cni/`` directory; files in its subdirectories (``multus.d/``) and the collector's
    ``cni-configuration-variables-*`` are not candidates. Returns the winning path as given.
    """
    normalised = [(p, p.replace("\\", "/").strip("/")) for p in paths]
    if not normalised:
        return None
    directories = {posixpath.dirname(n) for _, n in normalised}
    top = min(directories, key=lambda d: (d.count("/") + (1 if d else 0), d))
    candidates = [
        (posixpath.basename(n), p) for p, n in normalised if posixpath.dirname(n) == top and is_network_config_name(n)
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda item: item[0].encode("utf-8", "surrogatepass"))[1]
