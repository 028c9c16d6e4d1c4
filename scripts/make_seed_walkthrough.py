"""Regenerate docs/seed-walkthrough.md: the NET410 workshop replayed on the seed bundle.

Every command block in the document is run here and its real output pasted below it, so the
walk-through cannot drift from what cnibundle prints. Run: python scripts/make_seed_walkthrough.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = "fixtures/seed-net410-aws-cni-support.tar.gz"
AWS = "fixtures/seed-aws/describe-network-interfaces.json"

STEPS = [
    ("What is in the bundle", "The workshop starts from `curl …/v1/enis | python -m json.tool`. cnibundle reads the "
     "same document from `eni.output` inside the 2018 `aws-cni-support.sh` tarball and joins it with the rest:",
     ["show", "enis", SEED]),
    ("Pods, IPs and veths", "Which IP belongs to which ENI, which veth carries it, which policy rules serve it "
     "(the workshop's `ip route` and `ip rule show` on the worker):", ["show", "ips", SEED]),
    ("Choosing the route table", "The workshop's `ip rule show`; `1536: from 192.168.130.206 lookup 3` is the pod's "
     "rule, `1024: not from all to 192.168.0.0/16 lookup main` sends non-VPC traffic to the main table (CNI ≤ v1.2):",
     ["show", "rules", SEED]),
    ("Pod to pod across the VPC", "The workshop pings 192.168.247.50 from the pod and watches it leave by eth2. "
     "Offline, hop by hop, each with the line that decided it:",
     ["trace", SEED, "--from", "192.168.130.206", "--to", "192.168.247.50", "--proto", "icmp"]),
    ("Pod to pod on the same node", "Traffic to 192.168.141.2 never leaves the node: rule 512 sends it to the main "
     "table, whose host route points at that pod's veth:",
     ["trace", SEED, "--from", "192.168.130.206", "--to", "192.168.141.2", "--proto", "icmp"]),
    ("Pod to the outside world", "`ping www.yahoo.com` in the workshop: the 1024 rule picks the main table, eth0, "
     "and the `AWS, SNAT` rule rewrites the source to the node's primary IP:",
     ["trace", SEED, "--from", "192.168.130.206", "--to", "87.248.98.7", "--proto", "icmp"]),
    ("Pod to a Service", "kube-proxy's DNAT for the `kubernetes` service (10.100.0.1:443): the endpoint it picks "
     "is the cross-account control-plane ENI 192.168.154.135:",
     ["trace", SEED, "--from", "192.168.130.206", "--to", "10.100.0.1", "--port", "443"]),
    ("The control-plane channel", "With the `describe-network-interfaces` output the workshop shows, the "
     "cross-account ENI, its security group and subnet are checked against the troubleshooting tips:",
     ["show", "control-plane", SEED, "--aws-json", AWS]),
    ("Is anything wrong?", "The full analysis of the healthy workshop node: no error, nothing damaged.",
     ["analyze", SEED]),
]


def run(args: list[str]) -> str:
    env = dict(os.environ, COLUMNS="160", NO_COLOR="1", TERM="dumb")
    done = subprocess.run([sys.executable, "-m", "bundle_analyzer", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)
    return (done.stdout + done.stderr).rstrip()


def main() -> None:
    parts = ["# The NET410 workshop, replayed offline", "",
             "The 2018 re:Invent workshop *NET410* (shared/seed) walks, on a live EKS node, how the VPC CNI routes "
             "pod-to-pod, pod-to-service and control-plane traffic. `fixtures/seed-net410-aws-cni-support.tar.gz` "
             "rebuilds that node as the legacy `aws-cni-support.sh` bundle it would have produced (CNI v1.2, "
             "`eni.output`, `iprule.output`, `route.output`, hourly seelog logs). Every output below is real: "
             "`scripts/make_seed_walkthrough.py` runs the commands and writes this page.", ""]
    for title, prose, args in STEPS:
        parts += [f"## {title}", "", prose, "", "```", "$ cnibundle " + " ".join(args), run(args), "```", ""]
    (ROOT / "docs" / "seed-walkthrough.md").write_text("\n".join(parts), encoding="utf-8")


if __name__ == "__main__":
    main()
