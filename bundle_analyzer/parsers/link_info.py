"""Interface inventories and NIC counters: ``ifconfig`` (``networking/ifconfig.txt``, legacy
``ifconfig.out`` / ``ifconig.output``), ``ip addr`` / ``ip -o a`` text, and ``ethtool -S``
blocks (``networking/ethtool.txt``, collector 0.7.5+ and the node monitoring agent).

Old net-tools ``ifconfig`` (as in the 2018 workshop)::

    eth0      Link encap:Ethernet  HWaddr 2E:9F:31:AB:BB:33
              inet addr:192.168.130.206  Bcast:192.168.130.206  Mask:255.255.255.255
              UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1

New net-tools ``ifconfig``::

    eni61b9c53e3d2: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
            inet6 fe80::2450:8ff:fe03:3ea6  prefixlen 64  scopeid 0x20<link>
            ether 26:50:08:03:3e:a6  txqueuelen 0  (Ethernet)

``ip addr`` (full and one-line forms)::

    2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP group default qlen 1000
        link/ether 0a:1b:2c:3d:4e:5f brd ff:ff:ff:ff:ff:ff
        inet 10.0.12.34/19 brd 10.0.31.255 scope global dynamic eth0
    2: eth0    inet 10.0.12.34/19 brd 10.0.31.255 scope global dynamic eth0\\       valid_lft 3000sec preferred_lft 3000sec

``ethtool.txt``::

    Interface eth0
    NIC statistics:
         bw_in_allowance_exceeded: 0
         pps_allowance_exceeded: 12
    Interface lo
    no stats available

MACs are lower-cased and IPv4 masks become prefix lengths so the three sources compare equal.
Old net-tools prints the name with ``%-9.9s``, so long veth names may be cut to 9 characters
there (``eni61b9c5``); the name is kept as printed.
"""

from __future__ import annotations

import re

from bundle_analyzer.models.common import Parsed, decode_text, outcome
from bundle_analyzer.models.host import EthtoolStats, Link, LinkSet
from bundle_analyzer.parsers._netutil import (
    MAX_LINKS,
    ProblemLog,
    cut_short,
    mask_to_prefix,
    numbered_lines,
    parse_network,
    small_int,
)

_OLD_HEADER = re.compile(r"^(?P<name>\S+)\s+Link encap:.*?(?:HWaddr\s+(?P<mac>\S+))?\s*$")
_NEW_HEADER = re.compile(r"^(?P<name>\S+):\s+flags=\d+<(?P<flags>[^>]*)>(?:\s+mtu\s+(?P<mtu>\d{1,10}))?")
_IP_HEADER = re.compile(r"^(?P<index>\d{1,10}):\s+(?P<rest>\S.*)$")
_MAC = re.compile(r"^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5,19}$")
_STAT = re.compile(r"^(?P<key>\S.*?):\s*(?P<value>-?\d{1,20})$")
_MAX_ADDRESSES = 4096


def _add_address(link: Link, cidr: str) -> None:
    family_list = link.ipv6 if ":" in cidr else link.ipv4
    if cidr not in family_list and len(family_list) < _MAX_ADDRESSES:
        family_list.append(cidr)


def _cidr(address: str, prefix: int | None, *, default_prefix: int) -> str | None:
    """``10.0.0.5`` + 19 -> ``10.0.0.5/19`` (host part kept); None if not an address."""
    if "/" in address:
        address, _, prefix_text = address.partition("/")
        prefix = small_int(prefix_text, max_digits=3)
        if prefix is None:
            return None
    if parse_network(address) is None:
        return None
    return f"{address}/{default_prefix if prefix is None else prefix}"


# --- ifconfig ---------------------------------------------------------------------------------


def parse_ifconfig(data: bytes, path: str) -> Parsed[LinkSet]:
    """Parse old (``Link encap:``) and new (``flags=…<…>``) net-tools ``ifconfig`` output."""
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)

    problems = ProblemLog(path)
    result = LinkSet()
    current: Link | None = None

    for number, raw in numbered_lines(text):
        stripped = raw.strip()
        if not stripped:
            continue
        if not raw[:1].isspace():
            current = _ifconfig_header(number, stripped)
            if current is None:
                problems.add(number, f"not an ifconfig interface line: {stripped[:80]!r}")
                continue
            if current.name in result.links:
                problems.add(number, f"interface {current.name} listed twice; keeping the later one")
            elif len(result.links) >= MAX_LINKS:
                problems.add(number, cut_short(len(result.links), MAX_LINKS, "interfaces"))
                break
            result.links[current.name] = current
            continue
        if current is None:
            problems.add(number, "interface details before any interface name")
            continue
        error = _ifconfig_detail(current, stripped)
        if error:
            problems.add(number, error)

    return outcome(path, result, problems.result())


def _ifconfig_header(number: int, line: str) -> Link | None:
    new = _NEW_HEADER.match(line)
    if new is not None:
        flags = new.group("flags").split(",")
        mtu = small_int(new.group("mtu")) if new.group("mtu") else None
        return Link(name=new.group("name"), mtu=mtu, up="UP" in flags, flags=[f for f in flags if f], line=number)
    old = _OLD_HEADER.match(line)
    if old is not None:
        mac = old.group("mac")
        return Link(
            name=old.group("name"),
            mac=mac.lower() if mac and _MAC.match(mac) else None,
            line=number,
        )
    return None


def _ifconfig_detail(link: Link, line: str) -> str | None:
    tokens = line.split()
    head = tokens[0]
    if head == "inet" and len(tokens) > 1:
        if tokens[1].startswith("addr:"):  # old: inet addr:1.2.3.4  Bcast:…  Mask:255.255.255.0
            address = tokens[1][5:]
            mask = next((t[5:] for t in tokens[2:] if t.startswith("Mask:")), None)
        else:  # new: inet 1.2.3.4  netmask 255.255.255.0  broadcast …
            address = tokens[1]
            mask = _value_after(tokens, "netmask")
        prefix = mask_to_prefix(mask) if mask else None
        cidr = _cidr(address, prefix, default_prefix=32)
        if cidr is None:
            return f"unreadable IPv4 address {address[:60]!r}"
        _add_address(link, cidr)
    elif head == "inet6" and len(tokens) > 1:
        if tokens[1] == "addr:" and len(tokens) > 2:  # old: inet6 addr: fe80::1/64 Scope:Link
            cidr = _cidr(tokens[2], None, default_prefix=128)
        else:  # new: inet6 fe80::1  prefixlen 64  scopeid 0x20<link>
            prefix = small_int(_value_after(tokens, "prefixlen"), max_digits=3)
            cidr = _cidr(tokens[1], prefix, default_prefix=128)
        if cidr is None:
            return f"unreadable IPv6 address in {line[:60]!r}"
        _add_address(link, cidr)
    elif head == "ether" and len(tokens) > 1 and _MAC.match(tokens[1]):
        link.mac = tokens[1].lower()
    else:
        mtu_token = next((t for t in tokens if t.startswith("MTU:")), None)
        if mtu_token is not None:  # old: UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1
            link.mtu = small_int(mtu_token[4:])
            link.up = "UP" in tokens
            link.flags = [t for t in tokens[: tokens.index(mtu_token)] if t.isupper()]
    return None


def _value_after(tokens: list[str], keyword: str) -> str | None:
    for position, token in enumerate(tokens[:-1]):
        if token == keyword:
            return tokens[position + 1]
    return None


# --- ip addr / ip -o a --------------------------------------------------------------------------


def parse_ip_addr(data: bytes, path: str) -> Parsed[LinkSet]:
    """Parse ``ip addr`` / ``ip link`` in full or one-line (``-o``) form; lines of a link merge."""
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)

    problems = ProblemLog(path)
    result = LinkSet()
    current: Link | None = None

    for number, raw in numbered_lines(text):
        stripped = raw.strip()
        if not stripped:
            continue
        header = _IP_HEADER.match(stripped) if not raw[:1].isspace() else None
        if header is not None:
            rest = header.group("rest").replace("\\", " ")
            name_token, _, attributes = rest.partition(" ")
            name = name_token.rstrip(":").split("@", 1)[0]
            if not name:
                problems.add(number, f"interface line without a name: {stripped[:80]!r}")
                current = None
                continue
            index = small_int(header.group("index"))
            current = result.links.get(name)
            if current is None and len(result.links) >= MAX_LINKS:
                problems.add(number, cut_short(len(result.links), MAX_LINKS, "interfaces"))
                break
            if current is None:
                current = Link(name=name, index=index, line=number)
                result.links[name] = current
            error = _ip_attributes(current, attributes.split())
        elif current is not None and raw[:1].isspace():
            error = _ip_attributes(current, stripped.split())
        else:
            error = f"not ip addr output: {stripped[:80]!r}"
        if error:
            problems.add(number, error)

    return outcome(path, result, problems.result())


def _ip_attributes(link: Link, tokens: list[str]) -> str | None:
    error = None
    count = len(tokens)
    for position, token in enumerate(tokens):
        following = tokens[position + 1] if position + 1 < count else None
        if token.startswith("<") and token.endswith(">"):
            link.flags = [f for f in token[1:-1].split(",") if f]
            link.up = "UP" in link.flags
        elif token == "mtu" and following is not None:
            link.mtu = small_int(following) or link.mtu
        elif token.startswith("link/") and following is not None and _MAC.match(following):
            link.mac = following.lower()
        elif token in ("inet", "inet6") and following is not None:
            cidr = _cidr(following, None, default_prefix=32 if token == "inet" else 128)
            if cidr is None:
                error = f"unreadable address {following[:60]!r}"
            else:
                _add_address(link, cidr)
    return error


# --- ethtool -S ---------------------------------------------------------------------------------


def parse_ethtool_stats(data: bytes, path: str) -> Parsed[EthtoolStats]:
    """Parse ``Interface <name>`` + ``ethtool -S`` blocks; non-numeric output marks "no stats"."""
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)

    problems = ProblemLog(path)
    result = EthtoolStats()
    counters: dict[str, int] | None = None
    current: str | None = None
    repeated_at: int | None = None

    for number, raw in numbered_lines(text):
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("Interface ") and not raw[:1].isspace():
            current = stripped[len("Interface ") :].strip()
            if current not in result.interfaces and len(result.interfaces) >= MAX_LINKS:
                problems.add(number, cut_short(len(result.interfaces), MAX_LINKS, "interfaces"))
                break
            if current in result.interfaces or current in result.no_stats:
                repeated_at = repeated_at or number
                if current in result.no_stats:
                    result.no_stats.remove(current)
            counters = {}
            result.interfaces[current] = counters
            result.lines[current] = number
            continue
        if current is None or counters is None:
            problems.add(number, f"ethtool output before any 'Interface' line: {stripped[:80]!r}")
            continue
        if stripped == "NIC statistics:":
            continue
        stat = _STAT.match(stripped)
        if stat is not None:
            counters[stat.group("key")] = int(stat.group("value"))
            continue
        lowered = stripped.lower()
        if "no stats available" in lowered or lowered.startswith(("cannot ", "operation not")):
            if current not in result.no_stats:
                result.no_stats.append(current)
            continue
        problems.add(number, f"unreadable ethtool line: {stripped[:80]!r}")

    for name in result.no_stats:
        if not result.interfaces.get(name):
            result.interfaces.pop(name, None)
    if repeated_at is not None:
        problems.add(repeated_at, "interfaces listed again (runs appended with >>); the last block wins")
    return outcome(path, result, problems.result())
