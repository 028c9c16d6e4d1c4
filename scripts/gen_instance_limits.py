#!/usr/bin/env python3
"""Regenerate ``bundle_analyzer/data/instance_limits.json``, the per-instance-type ENI/IP table.

Sources, applied in this order (later ones win for the same instance type):

1. ``--base``: an existing table to extend (default: none, i.e. rebuild from scratch);
2. ``--go``: the VPC CNI's ``pkg/vpc/vpc_ip_resource_limit.go`` (v1.16+), or the older
   ``pkg/awsutils/vpc_ip_resource_limit.go`` of any generation;
3. ``--describe``: files of ``aws ec2 describe-instance-types --output json`` (pages may be
   concatenated), the same data the CNI's own generator queries.

Instance types that are known but missing from the sources (``HAND_ADDED``) are added last unless
a source has them. Examples::

    python scripts/gen_instance_limits.py --go vpc_ip_resource_limit.go -o bundle_analyzer/data/instance_limits.json
    python scripts/gen_instance_limits.py --base bundle_analyzer/data/instance_limits.json \\
        --describe us-east-1.json --describe eu-west-1.json -o bundle_analyzer/data/instance_limits.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bundle_analyzer.parsers.aws_cli import parse_aws_json
from bundle_analyzer.state.limits import InstanceLimits, dump_limits, limits_from_instance_types, parse_go_limits

# Retired types the CNI's generated table no longer lists but old nodes still run:
# i3.metal has 15 ENIs x 50 IPv4 on one card (eni-max-pods.txt: 737).
HAND_ADDED = {
    "i3.metal": InstanceLimits(
        name="i3.metal", enis=15, ipv4_per_eni=50, network_cards=[(0, 15)], hypervisor="unknown", bare_metal=True
    ),
}


def build(base: Path | None, go_files: list[Path], describe_files: list[Path]) -> dict[str, InstanceLimits]:
    table: dict[str, InstanceLimits] = {}
    if base is not None:
        raw = json.loads(base.read_text(encoding="utf-8"))
        table.update({name: InstanceLimits.from_json_entry(name, entry) for name, entry in raw.items()})
    for go_file in go_files:
        parsed = parse_go_limits(go_file.read_text(encoding="utf-8"))
        if not parsed:
            raise SystemExit(f"{go_file}: no instance type limits found")
        print(f"{go_file}: {len(parsed)} instance types", file=sys.stderr)
        table.update(parsed)
    for describe_file in describe_files:
        result = parse_aws_json(describe_file.read_bytes(), str(describe_file))
        for problem in result.problems:
            print(f"{describe_file}:{problem.line}: {problem.message}", file=sys.stderr)
        types = result.value.instance_types if result.value else []
        parsed = limits_from_instance_types(types)
        print(f"{describe_file}: {len(parsed)} instance types", file=sys.stderr)
        table.update(parsed)
    for name, limits in HAND_ADDED.items():
        table.setdefault(name, limits)
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, help="existing instance_limits.json to extend")
    parser.add_argument("--go", type=Path, action="append", default=[], help="vpc_ip_resource_limit.go")
    parser.add_argument("--describe", type=Path, action="append", default=[], help="describe-instance-types JSON")
    parser.add_argument("-o", "--output", type=Path, help="where to write (default: stdout)")
    args = parser.parse_args(argv)
    if args.base is None and not args.go and not args.describe:
        parser.error("give at least one of --base, --go, --describe")
    text = dump_limits(build(args.base, args.go, args.describe))
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
