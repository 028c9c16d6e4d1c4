"""``/v1/eni-configs`` (``ipamd/eni-configs.json``): custom-networking ENIConfig as ipamd sees it.

Three generations:

* A, CNI v1.2 – v1.3: ``{"ENI":{"us-west-2a":{"securityGroups":["sg-0123…"],"subnet":"subnet-0aaa…"}},"MyENI":"us-west-2a"}``
* B, CNI v1.4 – v1.7: the same plus ``"EniConfigAnnotationDef":"k8s.amazonaws.com/eniConfig",
  "EniConfigLabelDef":"k8s.amazonaws.com/eniConfig"``
* C, CNI v1.8+: a bare JSON string, the node's ENIConfig name: ``"us-west-2a"`` (``"default"`` when
  the node has no label/annotation)

curl runs without ``-f``, so an HTTP error leaves its plain body (``Not Found``,
``Internal Server Error``) in the file: damaged, with the body as the problem.
"""

from __future__ import annotations

from bundle_analyzer.models.common import Parsed, Problem, decode_text, outcome
from bundle_analyzer.models.introspection import EniConfigsDump, EniConfigSpec
from bundle_analyzer.parsers.jsondocs import (
    FieldReader,
    is_root_document,
    json_type_name,
    read_json_document,
)


def parse_eni_configs(data: bytes, path: str) -> Parsed[EniConfigsDump]:
    """Parse ``/v1/eni-configs`` of any generation; never raises on bad content."""
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)
    read = read_json_document(text, path, "ENIConfig info")
    problems = list(read.problems)
    doc = read.value
    if doc is None:
        return outcome(path, None, problems)
    if isinstance(doc, str):
        dump = EniConfigsDump(generation="C", node_config_name=doc, min_cni_version="v1.8.0", line=read.line)
        return outcome(path, dump, problems)
    if is_root_document(doc):
        problems.append(
            Problem(path=path, line=read.line, message='not ENIConfig info: ipamd root document {"AvailableCommands":[…]}')
        )
        return outcome(path, None, problems)
    if not isinstance(doc, dict) or not ({"ENI", "MyENI"} & set(doc) or not read.complete):
        what = json_type_name(doc) if not isinstance(doc, dict) else "an object without ENI/MyENI"
        problems.append(Problem(path=path, line=read.line, message=f"not ENIConfig info: the document is {what}"))
        return outcome(path, None, problems)

    reader = FieldReader(path, read.line, problems, partial=not read.complete)
    configs = []
    for name, spec in reader.obj(doc, "ENI", "ENIConfigInfo", required=True).items():
        where = f"ENIConfig {name}"
        if not isinstance(spec, dict):
            reader.problem(f"{where}: spec is {json_type_name(spec)}, expected an object")
            continue
        configs.append(
            EniConfigSpec(
                name=name,
                security_groups=reader.str_list(spec, "securityGroups", where) or [],
                subnet=reader.str_(spec, "subnet", where) or None,
            )
        )
    configs.sort(key=lambda config: config.name)
    with_defs = "EniConfigAnnotationDef" in doc or "EniConfigLabelDef" in doc
    # A cut document may have lost the *Def fields that come last: then A and B look alike.
    undecided = not with_defs and not read.complete
    dump = EniConfigsDump(
        generation=None if undecided else "B" if with_defs else "A",
        node_config_name=reader.str_(doc, "MyENI", "ENIConfigInfo", required=True) or None,
        configs=configs,
        annotation_def=reader.str_(doc, "EniConfigAnnotationDef", "ENIConfigInfo"),
        label_def=reader.str_(doc, "EniConfigLabelDef", "ENIConfigInfo"),
        min_cni_version="v1.4.0" if with_defs else "v1.2.0",
        max_cni_version="v1.7.x" if with_defs or undecided else "v1.3.x",
        line=read.line,
    )
    return outcome(path, dump, problems)
