"""ipamd's parsed configuration: ``/v1/networkutils-env-settings`` and ``/v1/ipamd-env-settings``
(``ipamd/networkutils-env-settings.json``, ``ipamd/ipamd-env-settings.json``; CNI v1.2+).

Both are Go JSON of ``map[string]interface{}`` with **typed** values, e.g. (v1.17)::

    {"AWS_EXTERNAL_SERVICE_CIDRS":null,"AWS_VPC_CNI_NODE_PORT_SUPPORT":true,"AWS_VPC_ENI_MTU":9001,
     "AWS_VPC_K8S_CNI_CONNMARK":128,"AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS":["172.16.0.0/12"],
     "AWS_VPC_K8S_CNI_EXTERNALSNAT":false,"AWS_VPC_K8S_CNI_RANDOMIZESNAT":2,"AWS_VPC_K8S_CNI_VETHPREFIX":"eni"}

    {"AWS_MANAGE_ENIS_NON_SCHEDULABLE":false,"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG":false,
     "ENABLE_SUBNET_DISCOVERY":true,"WARM_ENI_TARGET":1,"WARM_IP_TARGET":0}

``AWS_VPC_K8S_CNI_RANDOMIZESNAT`` is a number (0 none, 1 hashrandom, 2 prng); unset CIDR lists are
``null``. Keys appeared release by release, so which keys are present bounds the CNI version.
The values are what ipamd made of the environment (invalid input already replaced by defaults).
"""

from __future__ import annotations

from typing import Any

from bundle_analyzer.models.common import Parsed, Problem, decode_text, outcome
from bundle_analyzer.models.introspection import IpamdEnv, NetworkutilsEnv
from bundle_analyzer.parsers.jsondocs import (
    FieldReader,
    JsonRead,
    is_root_document,
    json_type_name,
    narrow_versions,
    read_json_document,
)

RANDOMIZE_SNAT_MODES = {0: "none", 1: "hashrandom", 2: "prng"}

# Key -> first CNI release that reports it.
_NETWORKUTILS_SINCE = {
    "AWS_VPC_K8S_CNI_EXTERNALSNAT": "v1.2.0",
    "AWS_VPC_CNI_NODE_PORT_SUPPORT": "v1.2.0",
    "AWS_VPC_K8S_CNI_CONNMARK": "v1.2.0",
    "AWS_VPC_K8S_CNI_RANDOMIZESNAT": "v1.4.0",
    "AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS": "v1.6.0",
    "AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER": "v1.6.3",
    "AWS_VPC_ENI_MTU": "v1.6.3",
    "AWS_VPC_K8S_CNI_VETHPREFIX": "v1.9.0",
    "AWS_EXTERNAL_SERVICE_CIDRS": "v1.12.6",
}
_IPAMD_SINCE = {
    "WARM_ENI_TARGET": "v1.2.0",
    "WARM_IP_TARGET": "v1.2.0",
    "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "v1.2.0",
    "AWS_MANAGE_ENIS_NON_SCHEDULABLE": "v1.12.6",
    "ENABLE_SUBNET_DISCOVERY": "v1.18.0",
}
_RPFILTER_LAST = "v1.12.0"


def parse_networkutils_env(data: bytes, path: str) -> Parsed[NetworkutilsEnv]:
    """Parse ``/v1/networkutils-env-settings``; never raises on bad content."""
    read, problems, doc = _read_settings(data, path, "networkutils env settings")
    if doc is None:
        return _empty_or_damaged(path, read, problems)
    reader = FieldReader(path, read.line, problems, partial=not read.complete)
    where = "networkutils env settings"
    low, high = _since(doc, _NETWORKUTILS_SINCE)
    if "AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER" in doc:
        low, high = narrow_versions(low, high, at_most=_RPFILTER_LAST)
    settings = NetworkutilsEnv(
        external_snat=reader.bool_(doc, "AWS_VPC_K8S_CNI_EXTERNALSNAT", where),
        node_port_support=reader.bool_(doc, "AWS_VPC_CNI_NODE_PORT_SUPPORT", where),
        connmark=_non_negative(reader, doc, "AWS_VPC_K8S_CNI_CONNMARK", where),
        randomize_snat=_randomize_snat(reader, doc, where),
        exclude_snat_cidrs=reader.str_list(doc, "AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS", where),
        configure_rpfilter=reader.bool_(doc, "AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER", where),
        eni_mtu=_non_negative(reader, doc, "AWS_VPC_ENI_MTU", where),
        veth_prefix=reader.str_(doc, "AWS_VPC_K8S_CNI_VETHPREFIX", where),
        external_service_cidrs=reader.str_list(doc, "AWS_EXTERNAL_SERVICE_CIDRS", where),
        min_cni_version=low,
        max_cni_version=high,
        raw=doc,
        line=read.line,
    )
    return outcome(path, settings, problems)


def parse_ipamd_env(data: bytes, path: str) -> Parsed[IpamdEnv]:
    """Parse ``/v1/ipamd-env-settings``; never raises on bad content."""
    read, problems, doc = _read_settings(data, path, "ipamd env settings")
    if doc is None:
        return _empty_or_damaged(path, read, problems)
    reader = FieldReader(path, read.line, problems, partial=not read.complete)
    where = "ipamd env settings"
    settings = IpamdEnv(
        warm_eni_target=reader.int_(doc, "WARM_ENI_TARGET", where),
        warm_ip_target=reader.int_(doc, "WARM_IP_TARGET", where),
        custom_network_cfg=reader.bool_(doc, "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG", where),
        manage_enis_non_schedulable=reader.bool_(doc, "AWS_MANAGE_ENIS_NON_SCHEDULABLE", where),
        enable_subnet_discovery=reader.bool_(doc, "ENABLE_SUBNET_DISCOVERY", where),
        min_cni_version=_since(doc, _IPAMD_SINCE)[0],
        raw=doc,
        line=read.line,
    )
    return outcome(path, settings, problems)


def _read_settings(data: bytes, path: str, what: str) -> tuple[JsonRead | None, list[Problem], dict[str, Any] | None]:
    text = decode_text(data)
    if not text.strip():
        return None, [], None
    read = read_json_document(text, path, what)
    problems = list(read.problems)
    doc = read.value
    if doc is None:
        return read, problems, None
    if is_root_document(doc):
        problems.append(Problem(path=path, line=read.line, message=f'not {what}: ipamd root document {{"AvailableCommands":[…]}}'))
        return read, problems, None
    if not isinstance(doc, dict):
        problems.append(Problem(path=path, line=read.line, message=f"not {what}: the document is {json_type_name(doc)}"))
        return read, problems, None
    return read, problems, doc


def _empty_or_damaged(path: str, read: JsonRead | None, problems: list[Problem]) -> Parsed[Any]:
    return outcome(path, None, problems, empty=read is None)


def _since(doc: dict[str, Any], since: dict[str, str]) -> tuple[str | None, str | None]:
    low: str | None = None
    high: str | None = None
    for key, version in since.items():
        if key in doc:
            low, high = narrow_versions(low, high, at_least=version)
    return low, high


def _non_negative(reader: FieldReader, doc: dict[str, Any], key: str, where: str) -> int | None:
    value = reader.int_(doc, key, where)
    if value is not None and value < 0:
        reader.problem(f"{where}: {key} is negative ({value})")
        return None
    return value


def _randomize_snat(reader: FieldReader, doc: dict[str, Any], where: str) -> str | None:
    key = "AWS_VPC_K8S_CNI_RANDOMIZESNAT"
    if key not in doc:
        return None
    value = doc[key]
    if isinstance(value, str) and value in RANDOMIZE_SNAT_MODES.values():
        return value
    number = reader.int_(doc, key, where)
    if number is None:
        return None
    if number not in RANDOMIZE_SNAT_MODES:
        reader.problem(f"{where}: {key} is {number}, expected 0, 1 or 2")
        return None
    return RANDOMIZE_SNAT_MODES[number]
