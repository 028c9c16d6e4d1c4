"""Policy-routing state of a node: `ip rule` and `ip route` as parsed from a bundle.

Table names follow iproute2's own convention so that rules and routes can be joined on a plain
string: 253/254/255 become ``default``/``main``/``local`` and every other table is its decimal
number (``"3"``, ``"10001"``).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

RESERVED_TABLE_NAMES = {"253": "default", "254": "main", "255": "local"}


def normalise_table(token: str) -> str:
    """``254`` -> ``main``; names stay names; ``0x10`` or ``007`` become ``16`` / ``7``."""
    text = token.strip()
    number: int | None = None
    if text.isdigit():
        number = int(text)
    elif text.lower().startswith("0x"):
        try:
            number = int(text, 16)
        except ValueError:
            number = None
    if number is None:
        return text
    decimal = str(number)
    return RESERVED_TABLE_NAMES.get(decimal, decimal)


class IpRule(BaseModel):
    """One line of `ip rule show`."""

    line: int
    priority: int
    invert: bool = False
    src: str | None = None
    """Source selector as printed (``10.0.41.7``, ``10.0.0.0/16``); None for ``from all``."""
    dst: str | None = None
    fwmark: int | None = None
    fwmask: int | None = None
    """None when iproute2 printed no mask, which means the full 0xffffffff mask."""
    iif: str | None = None
    oif: str | None = None
    table: str | None = None
    """Normalised table (``main``, ``local``, ``"3"``); None when the action is not a lookup."""
    action: str = "lookup"
    """``lookup``, ``goto``, ``nop``, ``unreachable``, ``blackhole``, ``prohibit``, ``nat``."""
    goto_target: int | None = None
    extra: list[str] = Field(default_factory=list)
    """Tokens kept for completeness (``proto kernel``, ``[detached]``, ``uidrange 0-0`` …)."""
    text: str


class IpRuleSet(BaseModel):
    family: int = 4
    rules: list[IpRule] = Field(default_factory=list)

    def with_priority(self, priority: int) -> list[IpRule]:
        return [rule for rule in self.rules if rule.priority == priority]

    def lookups(self, table: str) -> list[IpRule]:
        """Rules that send traffic to ``table`` (already normalised, e.g. ``"2"`` or ``main``)."""
        return [rule for rule in self.rules if rule.action == "lookup" and rule.table == table]


class Route(BaseModel):
    """One route of `ip route show table all` (multipath next hops kept in ``flags``)."""

    line: int
    type: str = "unicast"
    dst: str
    """Destination as printed: ``default``, ``10.0.12.50``, ``10.0.0.0/19``."""
    dst_network: str | None = None
    """The destination as a network: ``0.0.0.0/0``, ``10.0.12.50/32``; None if unreadable."""
    via: str | None = None
    dev: str | None = None
    table: str = "main"
    proto: str | None = None
    scope: str | None = None
    src: str | None = None
    metric: int | None = None
    flags: list[str] = Field(default_factory=list)
    """Everything else, one entry per flag or keyword+value (``linkdown``, ``pref medium``,
    ``nexthop via 10.0.0.1 dev eth0 weight 1``)."""
    text: str


class RouteSet(BaseModel):
    family: int = 4
    routes: list[Route] = Field(default_factory=list)
    dumps: int = 0
    """How many dumps the file held (``>>``-appended runs); ``routes`` is the last one."""

    def table(self, name: str) -> list[Route]:
        """Routes of one table; accepts ``main``/``254``/``"2"`` alike."""
        wanted = normalise_table(name)
        return [route for route in self.routes if route.table == wanted]

    def tables(self) -> list[str]:
        """The tables present, in order of first appearance."""
        return list(dict.fromkeys(route.table for route in self.routes))
