"""iptables state of a node: `iptables-save` dumps and `iptables -n -v -L` listings.

The saved form (:class:`IptablesDump`) is what rules reason about; the listing
(:class:`IptablesListing`) adds only packet/byte counters, which are humanised and approximate.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, PrivateAttr


class IptablesRule(BaseModel):
    """One ``-A CHAIN …`` line of `iptables-save`, tokenised the way iptables-restore reads it."""

    line: int
    table: str
    chain: str
    args: list[str] = Field(default_factory=list)
    """Every token after the chain name, quotes removed (``--comment``, ``AWS, SNAT`` …)."""
    comment: str | None = None
    target: str | None = None
    """The ``-j``/``-g`` target (``SNAT``, ``RETURN``, ``AWS-SNAT-CHAIN-0``); None if absent."""
    goto: bool = False
    """True when the target was given with ``-g`` (goto) rather than ``-j`` (jump)."""
    target_args: list[str] = Field(default_factory=list)
    src: str | None = None
    src_negated: bool = False
    dst: str | None = None
    dst_negated: bool = False
    in_iface: str | None = None
    in_negated: bool = False
    out_iface: str | None = None
    out_negated: bool = False
    protocol: str | None = None
    protocol_negated: bool = False
    matches: list[str] = Field(default_factory=list)
    """The ``-m`` module names in order (``comment``, ``addrtype``, ``conntrack`` …)."""
    text: str

    def option(self, flag: str) -> str | None:
        """The token after the first ``flag`` (``--to-source`` -> ``10.0.12.34``)."""
        args = self.args
        for index, token in enumerate(args[:-1]):
            if token == flag:
                return args[index + 1]
        return None

    def has(self, token: str) -> bool:
        return token in self.args

    def negated(self, flag: str) -> bool:
        """Whether ``flag`` is preceded by ``!`` (``! --dst-type LOCAL``)."""
        args = self.args
        return any(token == flag and index > 0 and args[index - 1] == "!" for index, token in enumerate(args))


class IptablesChain(BaseModel):
    """A ``:NAME POLICY [packets:bytes]`` chain header; policy None for user chains (``-``)."""

    name: str
    policy: str | None = None
    packets: int | None = None
    bytes: int | None = None
    line: int


class IptablesTable(BaseModel):
    name: str
    line: int | None = None
    chains: dict[str, IptablesChain] = Field(default_factory=dict)
    rules: list[IptablesRule] = Field(default_factory=list)
    committed: bool = False
    """False when the table ended without ``COMMIT`` (truncated dump)."""

    _index: dict[str, list[IptablesRule]] | None = PrivateAttr(default=None)
    _indexed_count: int = PrivateAttr(default=-1)

    def rules_in(self, chain: str) -> list[IptablesRule]:
        """Rules of one chain in order; indexed once so repeated look-ups stay linear overall."""
        if self._index is None or self._indexed_count != len(self.rules):
            index: dict[str, list[IptablesRule]] = {}
            for rule in self.rules:
                index.setdefault(rule.chain, []).append(rule)
            self._index = index
            self._indexed_count = len(self.rules)
        return list(self._index.get(chain, ()))

    def jumps_to(self, target: str) -> list[IptablesRule]:
        return [rule for rule in self.rules if rule.target == target]


class IptablesDump(BaseModel):
    family: int = 4
    generator: str | None = None
    """The program and version from the header: ``iptables-save v1.8.4``."""
    version: str | None = None
    backend: str | None = None
    """``legacy`` or ``nf_tables``; None when the dump has no header to tell."""
    tables: dict[str, IptablesTable] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    """``# Warning: iptables-legacy tables present …`` and similar lines."""

    def table(self, name: str) -> IptablesTable | None:
        return self.tables.get(name)

    def rules_in(self, table: str, chain: str) -> list[IptablesRule]:
        found = self.tables.get(table)
        return found.rules_in(chain) if found is not None else []

    def has_chain(self, table: str, chain: str) -> bool:
        found = self.tables.get(table)
        return found is not None and (chain in found.chains or bool(found.rules_in(chain)))


class ListedRule(BaseModel):
    """One rule row of `iptables -n -v -L`."""

    line: int
    chain: str
    pkts: int
    bytes: int
    target: str | None = None
    """None when the rule has no target (blank column)."""
    prot: str
    opt: str | None = None
    """``--`` for IPv4; None when ip6tables leaves the column blank or omits it."""
    in_iface: str
    out_iface: str
    source: str
    destination: str
    comment: str | None = None
    extra: str = ""
    """Free text after the destination, comment removed (``ADDRTYPE match dst-type !LOCAL …``)."""


class ListedChain(BaseModel):
    name: str
    line: int
    policy: str | None = None
    references: int | None = None
    packets: int | None = None
    bytes: int | None = None
    rules: list[ListedRule] = Field(default_factory=list)


class IptablesListing(BaseModel):
    chains: dict[str, ListedChain] = Field(default_factory=dict)
    total_rules_trailer: int | None = None
    """``Total Number of Rules: N`` appended by the collector (since 2020-12)."""

    @property
    def rule_count(self) -> int:
        return sum(len(chain.rules) for chain in self.chains.values())

    def chain(self, name: str) -> ListedChain | None:
        return self.chains.get(name)
