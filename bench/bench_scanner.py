"""Throughput of the streaming log scan (a script, not a test).

Builds ~200 MB of realistic zap ipamd.log lines in memory (DEBUG-level reconcile chatter, pool
stats, iptables checks, ADD/DEL round trips, a sprinkling of EC2 and datastore errors), scans it
in 1 MiB chunks with ~40 signatures from the failure catalog, and prints MB/s next to a plain
``bytes.count(b"\\n")`` pass over the same chunks.

    python bench/bench_scanner.py [--mb 200] [--patterns 40] [--catalog PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

from bundle_analyzer.logs.scanner import CHUNK_BYTES, LogScanner, ScanPattern

DEFAULT_CATALOG = Path("/work/shared/spec/failure-catalog.yaml")

_PLACEHOLDER = re.compile(r"%[-+# 0-9.]*[vsdtqwxf]")


def format_to_regex(fmt: str) -> str:
    """A Go format string as a regex: literal text, `%…` verbs as `.*`, trailing verbs dropped."""
    parts = _PLACEHOLDER.split(fmt)
    while len(parts) > 1 and not parts[-1].strip():
        parts.pop()
    parts[-1] = parts[-1].rstrip()
    return ".*".join(re.escape(p) for p in parts)


def catalog_patterns(catalog: Path, limit: int) -> list[ScanPattern]:
    """Signatures for ipamd/plugin logs: the regex when given, else the format turned into one.

    The pool-stats extractor (a hit every few lines) comes first: real rule packs have one.
    """
    from ruamel.yaml import YAML

    entries = YAML(typ="safe").load(catalog.read_text())
    entries.sort(key=lambda e: e.get("id") != "ip-cooldown-churn-starvation")
    seen: set[str] = set()
    patterns: list[ScanPattern] = []
    for entry in entries:
        for sig in (entry.get("evidence") or {}).get("signatures") or []:
            file = str(sig.get("file", ""))
            if "ipamd.log" not in file and "plugin.log" not in file:
                continue
            regex = sig.get("regex") or format_to_regex(str(sig.get("format", "")))
            if len(regex) < 8 or regex in seen:
                continue
            seen.add(regex)
            patterns.append(ScanPattern(entry["id"], regex))
            if len(patterns) >= limit:
                return patterns
    return patterns


def _eni(rng: random.Random) -> str:
    return f"eni-{rng.getrandbits(68):017x}"


def _ip(rng: random.Random) -> str:
    return f"10.0.{rng.randrange(0, 64)}.{rng.randrange(1, 255)}"


def _sandbox(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


_MESSAGES = [
    (
        30,
        "debug",
        "ipamd/ipamd.go:2141",
        lambda r: (
            f"IP pool stats: Total IPs/Prefixes = {r.randrange(9, 60)}/0, AssignedIPs/CooldownIPs: "
            f"{r.randrange(0, 30)}/{r.randrange(0, 3)}, c.maxIPsPerENI = 9"
        ),
    ),
    (
        40,
        "debug",
        "ipamd/ipamd.go:1598",
        lambda r: (
            f"Reconciling ENI/IP pool info because time since last 1m0.00{r.randrange(1000, 9999)}s > 1m0s"
        ),
    ),
    (
        40,
        "debug",
        "ipamd/ipamd.go:1619",
        lambda r: f"Found ENI {_eni(r)} that has less than the minimum number of IP/Prefixes, fixing",
    ),
    (60, "debug", "ipamd/ipamd.go:1664", lambda r: f"Reconcile existing ENI {_eni(r)} IP pool"),
    (
        60,
        "debug",
        "ipamd/ipamd.go:1701",
        lambda r: f"Reconcile and skip primary IP {_ip(r)} on ENI {_eni(r)}",
    ),
    (40, "debug", "ipamd/ipamd.go:1781", lambda r: "Successfully Reconciled ENI/IP pool"),
    (
        50,
        "debug",
        "networkutils/network.go:1011",
        lambda r: (
            "rule nat/AWS-SNAT-CHAIN-0 rule first SNAT rules for non-VPC outbound traffic shouldExist true "
            "rule [-m comment --comment AWS SNAT CHAIN -j RETURN] exists true, err <nil>"
        ),
    ),
    (
        30,
        "debug",
        "networkutils/network.go:829",
        lambda r: "execute iptable rule : first SNAT rules for non-VPC outbound traffic",
    ),
    (
        20,
        "info",
        "rpc/rpc.pb.go:713",
        lambda r: (
            f"Received AddNetwork for NS /var/run/netns/cni-{r.getrandbits(64):016x}, "
            f"Sandbox {_sandbox(r)}, ifname eth0"
        ),
    ),
    (
        20,
        "debug",
        "datastore/data_store.go:795",
        lambda r: (
            f"AssignPodIPv4Address: IP address pool stats: total {r.randrange(9, 60)}, assigned {r.randrange(0, 30)}"
        ),
    ),
    (
        20,
        "info",
        "rpc/rpc.pb.go:713",
        lambda r: (
            f"Send AddNetworkReply: IPv4Addr: {_ip(r)}, IPv6Addr: , DeviceNumber: {r.randrange(0, 3)}, err: <nil>"
        ),
    ),
    (20, "info", "rpc/rpc.pb.go:731", lambda r: f"Received DelNetwork for Sandbox {_sandbox(r)}"),
    (
        20,
        "info",
        "rpc/rpc.pb.go:731",
        lambda r: f"Send DelNetworkReply: IPv4Addr: {_ip(r)}, DeviceNumber: 0, err: <nil>",
    ),
    (
        10,
        "debug",
        "ipamd/ipamd.go:657",
        lambda r: f"Trying to allocate {r.randrange(1, 9)} IP addresses on ENI {_eni(r)}",
    ),
    (
        10,
        "debug",
        "awsutils/awsutils.go:457",
        lambda r: f"Found ENI mac address : 0a:{r.getrandbits(40):010x}",
    ),
    (
        8,
        "debug",
        "ipamd/ipamd.go:845",
        lambda r: "Skipping ENI allocation as the max ENI limit is already reached",
    ),
    # Rare failures (a few per ten thousand lines).
    (1, "error", "datastore/data_store.go:858", lambda r: "DataStore has no available IP/Prefix addresses"),
    (
        1,
        "error",
        "ipamd/rpc_handler.go:257",
        lambda r: (
            "Returning failure response for AddNetwork: AssignPodIPAddress: no available IP/Prefix addresses"
        ),
    ),
    (
        1,
        "error",
        "awsutils/awsutils.go:2082",
        lambda r: (
            f"Failed to allocate a private IP/Prefix addresses on ENI {_eni(r)}: InsufficientFreeAddressesInSubnet: "
            f"The specified subnet does not have enough free addresses to satisfy the request.\n\tstatus code: 400, "
            f"request id: {r.getrandbits(128):032x}"
        ),
    ),
    (
        1,
        "error",
        "ipamd/ipamd.go:1073",
        lambda r: (
            "Failed to increase pool size due to not able to allocate ENI AllocENI: error attaching ENI: "
            "attachENI: failed to attach ENI: AttachmentLimitExceeded"
        ),
    ),
]


def generate(size_mb: int, seed: int = 7) -> bytes:
    """~size_mb of zap lines; 50 000 distinct lines tiled (RE2's speed depends on content only)."""
    rng = random.Random(seed)
    weights = [w for w, *_ in _MESSAGES]
    lines: list[bytes] = []
    ms = 0
    for _ in range(50_000):
        _, level, caller, make = rng.choices(_MESSAGES, weights)[0]
        ms += rng.randrange(0, 400)
        s, milli = divmod(ms, 1000)
        ts = f"2024-01-{10 + s // 86400 % 18:02d}T{s // 3600 % 24:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{milli:03d}Z"
        record = {"level": level, "ts": ts, "caller": caller, "msg": make(rng)}
        lines.append(json.dumps(record, separators=(",", ":")).encode() + b"\n")
    block = b"".join(lines)
    return block * max(1, -(-size_mb * 1_000_000 // len(block)))


def chunked(data: bytes, size: int = CHUNK_BYTES) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def timed(label: str, fn, megabytes: float) -> tuple[float, object]:
    """Best of three; CPU time, so that other processes on a shared machine skew it less."""
    best_cpu = best_wall = float("inf")
    value = None
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        value = fn()
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    print(f"  {label:<48} cpu {best_cpu:6.3f} s {megabytes / best_cpu:6.0f} MB/s   (wall {best_wall:6.3f} s)")
    return best_cpu, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--patterns", type=int, default=40)
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    args = parser.parse_args(argv)
    if not args.catalog.exists():
        print(f"failure catalog not found: {args.catalog}", file=sys.stderr)
        return 2

    patterns = catalog_patterns(args.catalog, args.patterns)
    data = generate(args.mb)
    chunks = chunked(data)
    mb = len(data) / 1e6
    lines = data.count(b"\n")
    print(f"{mb:.0f} MB, {lines:,} lines, {len(chunks)} chunks of 1 MiB, {len(patterns)} patterns")

    base, _ = timed(
        'bytes.count(b"\\n") per chunk (baseline)', lambda: sum(c.count(b"\n") for c in chunks), mb
    )
    scanner = LogScanner(patterns)
    full, result = timed(
        f"LogScanner.scan, {len(patterns)} catalog patterns", lambda: scanner.scan(chunks, "ipamd.log"), mb
    )
    rare = [p for p in patterns if "CooldownIPs" not in p.regex]
    rare_scanner = LogScanner(rare)
    rare_time, _ = timed(
        f"  same without the pool-stats extractor ({len(rare)})",
        lambda: rare_scanner.scan(chunks, "ipamd.log"),
        mb,
    )
    empty, _ = timed(
        "LogScanner.scan, no patterns (line count only)", lambda: LogScanner([]).scan(chunks, "x"), mb
    )

    hits = sum(result.hit_counts.values())
    print(f"hit lines kept {len(result.hits):,}, hits counted {hits:,}, cap reached {result.hit_cap_reached}")
    top = sorted(result.hit_counts.items(), key=lambda kv: -kv[1])[:6]
    print("top keys: " + ", ".join(f"{k}={v:,}" for k, v in top))
    print(f"scan / baseline time ratio: {full / base:.1f}x (without pool stats {rare_time / base:.1f}x)")
    print(
        f"RESULT scan {mb / full:.0f} MB/s; rare-only {mb / rare_time:.0f} MB/s; baseline {mb / base:.0f} MB/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
