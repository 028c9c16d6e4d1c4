"""`ip rule show` / `ip -6 rule show` (``networking/iprule.txt``, ``ip6rule.txt``; legacy
``iprule.out`` / ``iprule.output``).

Sample (CNI v1.9+ node, one pod on a secondary ENI)::

    0:	from all lookup local
    512:	from all to 10.0.41.7 lookup main
    1024:	from all fwmark 0x80/0x80 lookup main
    1536:	from 10.0.41.7 lookup 2
    32765:	from 10.0.40.10 lookup 2
    32766:	from all lookup main

Reads every rule shape the CNI ever wrote: v1.0-v1.2 ``not from all to <VPC> lookup main``,
v1.3-v1.8 ``from <pod> to <VPC CIDR> lookup N``, v1.9+ ``from <pod> lookup N``, SGPP ``iif
vlan.eth.N`` rules, v1.20+ / AL2023 nodeadm 32765 rules with tables >= 10000, and IPv6. The line is
tokenised rather than split at fixed places because newer iproute2 appends ``proto kernel``,
``[detached]``, ``uidrange``, ``suppress_prefixlength`` and similar tokens.
"""

from __future__ import annotations

from bundle_analyzer.models.common import Parsed, decode_text, outcome
from bundle_analyzer.models.routing import IpRule, IpRuleSet
from bundle_analyzer.parsers._netutil import (
    MAX_IP_RULES,
    ProblemLog,
    c_int,
    cut_short,
    family_from_path,
    numbered_lines,
    small_int,
    table_token,
)

# Selectors iproute2 prints as "<keyword> <value>" that the model keeps only in ``extra``.
_KEYWORDS_WITH_VALUE = frozenset(
    {
        "tos",
        "dsfield",
        "uidrange",
        "suppress_prefixlength",
        "suppress_ifgroup",
        "realms",
        "proto",
        "protocol",
        "ipproto",
        "sport",
        "dport",
        "pref",
        "priority",
        "order",
        "preference",
        "flowlabel",
        "dscp",
    }
)
_TERMINAL_ACTIONS = frozenset({"unreachable", "blackhole", "prohibit", "nop"})
_MAX_TOKENS = 256


def parse_ip_rules(data: bytes, path: str, *, family: int | None = None) -> Parsed[IpRuleSet]:
    """Parse `ip rule show` output. ``family`` defaults to what the path or addresses imply."""
    text = decode_text(data)
    if not text.strip():
        return outcome(path, None, [], empty=True)

    rules: list[IpRule] = []
    problems = ProblemLog(path)
    for number, raw in numbered_lines(text):
        stripped = raw.strip()
        if not stripped:
            continue
        if len(rules) >= MAX_IP_RULES:
            problems.add(number, cut_short(len(rules), MAX_IP_RULES, "policy rules"))
            break
        rule, error = _parse_rule_line(number, raw)
        if rule is None:
            problems.add(number, error or "unreadable rule")
        else:
            rules.append(rule)

    resolved = family or family_from_path(path) or _family_from_rules(rules)
    return outcome(path, IpRuleSet(family=resolved, rules=rules), problems.result())


def _parse_rule_line(number: int, line: str) -> tuple[IpRule | None, str | None]:
    # The first lookup/goto/type token decides the action; a second one is kept in ``extra``.
    head, colon, rest = line.partition(":")
    priority = small_int(head.strip(), max_digits=10)
    if not colon or priority is None:
        return None, f"not an ip rule line: {line.strip()[:80]!r}"
    tokens = rest.split()
    if len(tokens) > _MAX_TOKENS:
        return None, f"rule has {len(tokens)} tokens; refusing to read it"

    fields: dict[str, object] = {}
    extra: list[str] = []
    action: str | None = None
    table: str | None = None
    goto_target: int | None = None
    index = 0
    count = len(tokens)

    def value_after(position: int) -> str | None:
        return tokens[position + 1] if position + 1 < count else None

    while index < count:
        token = tokens[index]
        if token == "not":
            fields["invert"] = True
        elif token in ("from", "to"):
            value = value_after(index)
            if value is None:
                return None, f"'{token}' without an address"
            if value != "all":
                fields["src" if token == "from" else "dst"] = value
            index += 1
        elif token == "fwmark":
            value = value_after(index)
            mark = _parse_fwmark(value)
            if mark is None:
                return None, f"unreadable fwmark {value!r}"
            fields["fwmark"], fields["fwmask"] = mark
            index += 1
        elif token in ("iif", "oif"):
            value = value_after(index)
            if value is None:
                return None, f"'{token}' without an interface"
            fields[token] = value
            index += 1
        elif token in ("lookup", "table") and action is None:
            value = value_after(index)
            if value is None:
                return None, "'lookup' without a table"
            table = table_token(value)
            if table is None:
                return None, f"'lookup' with an impossible table {value[:40]!r}"
            action = "lookup"
            index += 1
        elif token == "goto" and action is None:
            value = value_after(index)
            goto_target = small_int(value, max_digits=10)
            if goto_target is None:
                return None, f"'goto' without a priority: {value!r}"
            action = "goto"
            index += 1
        elif token in _TERMINAL_ACTIONS and action is None:
            action = token
        elif token in ("nat", "map-to"):
            action = "nat"
            extra.append(token)
            value = value_after(index)
            if value is not None:
                extra.append(value)
                index += 1
        elif token in _KEYWORDS_WITH_VALUE and value_after(index) is not None:
            extra.extend((token, tokens[index + 1]))
            index += 1
        else:
            extra.append(token)
        index += 1

    if action is None:
        return None, "rule has no action (lookup/goto/unreachable/…)"
    rule = IpRule(
        line=number,
        priority=priority,
        action=action,
        table=table,
        goto_target=goto_target,
        extra=extra,
        text=line,
        **fields,  # type: ignore[arg-type]
    )
    return rule, None


def _parse_fwmark(value: str | None) -> tuple[int, int | None] | None:
    """``0x80/0x80`` -> (128, 128); ``0x80`` -> (128, None)."""
    if not value:
        return None
    mark_text, slash, mask_text = value.partition("/")
    mark = c_int(mark_text)
    mask = c_int(mask_text) if slash else None
    if mark is None or (slash and mask is None):
        return None
    return mark, mask


def _family_from_rules(rules: list[IpRule]) -> int:
    for rule in rules:
        for address in (rule.src, rule.dst):
            if address and ":" in address:
                return 6
    return 4
