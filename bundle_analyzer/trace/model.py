"""What a trace returns: hops in the kernel's order, each with the bundle line that decided it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class HopVerdict(StrEnum):
    ok = "ok"
    changed = "changed"  # the packet was rewritten (DNAT, SNAT, mark)
    broken = "broken"  # the path ends here
    note = "note"  # context that decides nothing (an assumption, a warning)


class Hop(BaseModel):
    stage: str  # pod, prerouting, routing, forward, postrouting, egress, return
    decision: str
    verdict: HopVerdict = HopVerdict.ok
    table: str | None = None  # route table or iptables table/chain
    interface: str | None = None
    path: str | None = None
    line: int | None = None
    excerpt: str | None = None
    explained_by: str | None = None  # the knowledge-base rule that explains a break


class TraceResult(BaseModel):
    source: str
    destination: str
    protocol: str
    port: int | None = None
    hops: list[Hop] = Field(default_factory=list)
    delivered: bool = False
    summary: str = ""

    @property
    def broken(self) -> bool:
        return any(h.verdict is HopVerdict.broken for h in self.hops)
