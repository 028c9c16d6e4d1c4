"""`iptables -n -v -L [-t T]` and `ip6tables -n -v -L` listings (``networking/iptables.txt``,
``iptables-{mangle,filter,nat}.txt``, ``ip6tables*.txt``; legacy ``iptables.out``,
``iptables-nat.out``, ``iptables-mangle.out``).

Sample (collector since 2020-12 appends the rule-count trailer)::

    Chain AWS-SNAT-CHAIN-0 (1 references)
     pkts bytes target     prot opt in     out     source               destination
     120K 9876K RETURN     all  --  *      *       0.0.0.0/0            10.0.0.0/16          /* AWS SNAT CHAIN */
     3456  210K SNAT       all  --  *      !vlan+  0.0.0.0/0            0.0.0.0/0            /* AWS, SNAT */ ADDRTYPE match dst-type !LOCAL to:10.0.12.34 random-fully

    =======
    Total Number of Rules: 57

Counters are humanised (K/M/G/T, base 1000) and therefore approximate. Columns are aligned with
spaces but overflow for long chain names, the target column is blank for rules without ``-j`` and
ip6tables leaves ``opt`` blank (or drops it), so the fixed fields are found by shape: the
source/destination pair is the first two consecutive addresses, the two tokens before it are the
interfaces, and what lies between the counters and the interfaces is ``[target] prot [opt]``.
Everything after the destination is free text; a ``/* … */`` comment is lifted out of it.
"""

from __future__ import annotations

import re

from bundle_analyzer.models.common import Parsed, decode_text, outcome
from bundle_analyzer.models.iptables import IptablesListing, ListedChain, ListedRule
from bundle_analyzer.parsers._netutil import (
    MAX_IPTABLES_RULES,
    ProblemLog,
    cut_short,
    gc_paused,
    numbered_lines,
    small_int,
)

_CHAIN = re.compile(
    r"^Chain (?P<name>\S+) \((?:policy (?P<policy>\S+)"
    r"(?: (?P<packets>\d+[KMGTP]?) packets, (?P<bytes>\d+[KMGTP]?) bytes)?"
    r"|(?P<refs>\d+) references?)\)"
)
_TRAILER = re.compile(r"^Total Number of Rules:\s*(\d+)\s*$")
_COUNTER = re.compile(r"^(\d{1,20})([KMGTP]?)$")
_WORD = re.compile(r"\S+")
_IPV4 = re.compile(r"^!?\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,3}(?:\.\d{1,3}){0,3})?$")
_IPV6 = re.compile(r"^!?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:/\d{1,3})?$")
_OPT_VALUES = frozenset({"--", "-f", "!f"})
_UNIT = {"": 1, "K": 1000, "M": 1000**2, "G": 1000**3, "T": 1000**4, "P": 1000**5}
_NOT_INSTALLED = ("iptables not installed", "ip6tables not installed")
_MAX_LINE = 65536


def humanised_count(text: str) -> int | None:
    """``120K`` -> 120000, ``3456`` -> 3456 (iptables prints base-1000 units without ``-x``)."""
    match = _COUNTER.match(text)
    if match is None:
        return None
    return int(match.group(1)) * _UNIT[match.group(2)]


def parse_iptables_listing(data: bytes, path: str) -> Parsed[IptablesListing]:
    """Parse one `-nvL` listing (one table) with its optional ``Total Number of Rules`` trailer."""
    with gc_paused():
        return _parse(data, path)


def _parse(data: bytes, path: str) -> Parsed[IptablesListing]:
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)

    problems = ProblemLog(path)
    listing = IptablesListing()
    current: ListedChain | None = None
    records = 0

    for number, raw in numbered_lines(text):
        stripped = raw.strip()
        if not stripped:
            continue
        if records >= MAX_IPTABLES_RULES:
            problems.add(number, cut_short(records, MAX_IPTABLES_RULES, "rules and chains"))
            break
        records += 1
        if len(stripped) > _MAX_LINE:
            problems.add(number, f"line of {len(stripped)} characters skipped")
            continue
        if stripped.startswith("Chain "):
            current = _parse_chain_header(number, stripped)
            if current is None:
                problems.add(number, f"unreadable chain header {stripped[:80]!r}")
                continue
            if current.name in listing.chains:
                problems.add(number, f"chain {current.name} listed again; keeping the later one")
            listing.chains[current.name] = current
            continue
        if stripped.startswith(("pkts ", "num ", "target ")):
            continue
        if stripped.strip("=") == "":
            continue
        trailer = _TRAILER.match(stripped)
        if trailer is not None:
            listing.total_rules_trailer = small_int(trailer.group(1))
            continue
        if stripped.lower() in _NOT_INSTALLED:
            problems.add(number, stripped)
            continue
        if current is None:
            problems.add(number, f"not an iptables listing line: {stripped[:80]!r}")
            continue
        rule, error = _parse_rule(number, raw, current.name)
        if rule is None:
            problems.add(number, error or "unreadable rule line")
        else:
            current.rules.append(rule)

    return outcome(path, listing, problems.result())


def _parse_chain_header(number: int, line: str) -> ListedChain | None:
    match = _CHAIN.match(line)
    if match is None:
        return None
    packets = humanised_count(match.group("packets")) if match.group("packets") else None
    byte_count = humanised_count(match.group("bytes")) if match.group("bytes") else None
    references = small_int(match.group("refs")) if match.group("refs") else None
    return ListedChain(
        name=match.group("name"),
        line=number,
        policy=match.group("policy"),
        references=references,
        packets=packets,
        bytes=byte_count,
    )


def _is_address(token: str) -> bool:
    return bool(_IPV4.match(token) or (":" in token and _IPV6.match(token)))


def _parse_rule(number: int, raw: str, chain: str) -> tuple[ListedRule | None, str | None]:
    words = list(_WORD.finditer(raw))
    tokens = [word.group() for word in words]
    if len(tokens) < 7:
        return None, f"too few columns for a rule: {raw.strip()[:80]!r}"
    pkts = humanised_count(tokens[0])
    byte_count = humanised_count(tokens[1])
    if pkts is None or byte_count is None:
        return None, f"unreadable counters in {raw.strip()[:80]!r}"

    # Source/destination: the first two consecutive addresses after at least prot+in+out.
    source_at = None
    for position in range(5, len(tokens) - 1):
        if _is_address(tokens[position]) and _is_address(tokens[position + 1]):
            source_at = position
            break
    if source_at is None:
        return None, f"no source/destination columns in {raw.strip()[:80]!r}"

    middle = tokens[2 : source_at - 2]
    target: str | None
    opt: str | None
    if len(middle) == 3:
        target, prot, opt = middle
    elif len(middle) == 2:
        if middle[1] in _OPT_VALUES:
            target, (prot, opt) = None, middle
        else:
            (target, prot), opt = middle, None
    elif len(middle) == 1:
        target, prot, opt = None, middle[0], None
    else:
        return None, f"cannot tell target/prot/opt apart in {raw.strip()[:80]!r}"

    rest = raw[words[source_at + 1].end() :].strip()
    comment, extra = _split_comment(rest)
    rule = ListedRule(
        line=number,
        chain=chain,
        pkts=pkts,
        bytes=byte_count,
        target=target,
        prot=prot,
        opt=opt,
        in_iface=tokens[source_at - 2],
        out_iface=tokens[source_at - 1],
        source=tokens[source_at],
        destination=tokens[source_at + 1],
        comment=comment,
        extra=extra,
    )
    return rule, None


def _split_comment(rest: str) -> tuple[str | None, str]:
    start = rest.find("/* ")
    if start < 0:
        return None, rest
    end = rest.find(" */", start + 3)
    if end < 0:
        return None, rest
    comment = rest[start + 3 : end]
    extra = f"{rest[:start].rstrip()} {rest[end + 3 :].lstrip()}".strip()
    return comment, extra
