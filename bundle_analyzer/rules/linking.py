"""Root causes first: a fired rule that ``explains`` another fired rule is linked to it.

E.g. an IAM denial explains an empty datastore, which explains pods stuck without IPs; the
report leads with the denial instead of listing three unrelated items.
"""

from __future__ import annotations

from bundle_analyzer.report.model import Finding
from bundle_analyzer.rules.compile import CompiledRule


def link_findings(findings: list[Finding], rules: list[CompiledRule]) -> list[Finding]:
    explains = {r.id: set(r.rule.explains) for r in rules}
    fired = {(f.bundle, f.rule_id): f for f in findings}
    for cause in findings:
        for effect_id in sorted(explains.get(cause.rule_id, ())):
            effect = fired.get((cause.bundle, effect_id))
            if effect is None or effect is cause:
                continue
            if effect_id not in cause.explains:
                cause.explains.append(effect_id)
            if cause.rule_id not in effect.caused_by:
                effect.caused_by.append(cause.rule_id)
    return order_findings(findings)


def order_findings(findings: list[Finding]) -> list[Finding]:
    """Worst first; each effect right after its cause."""
    roots = sorted((f for f in findings if not f.caused_by),
                   key=lambda f: (-f.severity.rank, -len(f.explains), f.rule_id))
    by_id = {(f.bundle, f.rule_id): f for f in findings}
    ordered: list[Finding] = []
    placed: set[int] = set()

    def place(finding: Finding) -> None:
        if id(finding) in placed:
            return
        placed.add(id(finding))
        ordered.append(finding)
        for effect_id in finding.explains:
            effect = by_id.get((finding.bundle, effect_id))
            if effect is not None:
                place(effect)

    for root in roots:
        place(root)
    for finding in sorted(findings, key=lambda f: (-f.severity.rank, f.rule_id)):
        place(finding)
    return ordered
