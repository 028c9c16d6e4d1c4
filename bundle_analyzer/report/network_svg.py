"""The node network view as an inline SVG picture, drawn server-side from a ``NetworkView``.

Columns follow a packet leaving a pod the way an engineer sketches it by hand::

    ENIs -> IPs / prefixes -> pods / veths -> ip rules -> route tables -> interfaces

Broken nodes and links are drawn red and dashed; a link to a node the view does not have
(a rule that should exist but does not) gets a dashed "missing" placeholder so the gap shows.
The picture grows in height with the longest column; every string is escaped here, since the
result is inserted into the HTML as markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

from bundle_analyzer.report.model import NetworkView
from bundle_analyzer.report.text import one_line

COLUMNS = ("ENIs", "IPs / prefixes", "Pods / veths", "Rules", "Route tables", "Interfaces")
_COLUMN_OF = {"eni": 0, "ip": 1, "prefix": 1, "pod": 2, "veth": 2, "rule": 3, "table": 4, "interface": 5}

# Rules ("1536: from 10.0.2.14 lookup 2") need the widest boxes.
_WIDTHS = (180, 190, 190, 260, 180, 150)
_CHAR_PX = 6.4
_NODE_H = 22
_PITCH = 28
_GAP = 34
_MARGIN = 10
_LEGEND_H = 30
_HEADER_H = 26
# A node with thousands of pods would make an unreadable, huge picture: draw the first ones
# per column and say how many were left out.
MAX_PER_COLUMN = 250
# A node linked to more boxes than this on one side does not pull them into line with it.
_HUB = 3


@dataclass
class _Box:
    id: str
    kind: str
    label: str
    detail: str
    broken: bool
    column: int
    order: int
    placeholder: bool = False
    row: float = 0.0
    neighbours: list[str] = field(default_factory=list)


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _short(label: str, column: int) -> str:
    limit = int((_WIDTHS[column] - 14) / _CHAR_PX)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _layout(view: NetworkView) -> tuple[dict[str, _Box], list[list[_Box]], dict[int, int]]:
    boxes: dict[str, _Box] = {}
    for i, node in enumerate(view.nodes):
        if node.id in boxes:
            continue
        boxes[node.id] = _Box(
            id=node.id,
            kind=node.kind,
            label=one_line(node.label, 200) or one_line(node.id, 200),
            detail=one_line(node.detail, 400),
            broken=node.broken,
            column=_COLUMN_OF[node.kind],
            order=i,
        )
    for link in view.links:
        for end, other in ((link.source, link.target), (link.target, link.source)):
            if end not in boxes and other in boxes:
                # The far end of a link that names a node nobody listed: draw it as missing.
                near = boxes[other]
                column = min(near.column + 1, len(COLUMNS) - 1) if end == link.target else max(near.column - 1, 0)
                boxes[end] = _Box(
                    id=end,
                    kind="missing",
                    label=_missing_label(one_line(link.note or end, 200)),
                    detail=one_line(link.note, 400),
                    broken=True,
                    column=column,
                    order=len(boxes) + 10**6,
                    placeholder=True,
                )
        if link.source in boxes and link.target in boxes:
            boxes[link.source].neighbours.append(link.target)
            boxes[link.target].neighbours.append(link.source)

    columns: list[list[_Box]] = [[] for _ in COLUMNS]
    for box in boxes.values():
        columns[box.column].append(box)
    for col in columns:
        col.sort(key=lambda b: b.order)

    # One barycentre sweep left to right: each node sits near the nodes it links to in the
    # columns before it, which keeps an ENI's IPs, their pods and their rules in one band.
    position: dict[str, float] = {}
    for c, col in enumerate(columns):
        if c > 0:
            keys: dict[str, tuple[int, float, int]] = {}
            for b in col:
                ys = [position[n] for n in b.neighbours if n in position and boxes[n].column < c]
                if ys:
                    keys[b.id] = (0, sum(ys) / len(ys), b.order)
            for b in col:
                if b.id not in keys:
                    # A veth linked only to its pod (same column) goes right under that pod.
                    peers = [keys[n] for n in b.neighbours if n in keys and boxes[n].column == c]
                    keys[b.id] = (peers[0][0], peers[0][1] + 1e-6, peers[0][2]) if peers else (1, 0.0, b.order)
            col.sort(key=lambda b: keys[b.id])
        for row, box in enumerate(col):
            position[box.id] = row

    hidden: dict[int, int] = {}
    for c, col in enumerate(columns):
        if len(col) > MAX_PER_COLUMN:
            hidden[c] = len(col) - MAX_PER_COLUMN
            del col[MAX_PER_COLUMN:]
    _place(boxes, columns)
    return boxes, columns, hidden


def _place(boxes: dict[str, _Box], columns: list[list[_Box]]) -> None:
    """Give each box a vertical slot near the boxes it links to, keeping the column order.

    Sweeps left to right and back a few times; a box is pulled towards its neighbours in the
    column just swept, except towards a hub (an ENI with 50 IPs, a table behind 50 rules):
    being pulled towards a hub would stack its whole fan-out on one spot. An IP with its pod,
    veth and rule is not a hub. Boxes never overlap: each sits at least one slot below the
    one above it.
    """
    drawn = {b.id for col in columns for b in col}
    links = {b.id: [n for n in b.neighbours if n in drawn] for col in columns for b in col}
    fan = {
        (b.id, direction): sum(1 for n in links[b.id] if (boxes[n].column - b.column) * direction > 0)
        for col in columns
        for b in col
        for direction in (1, -1)
    }
    for row, box in ((r, b) for col in columns for r, b in enumerate(col)):
        box.row = row

    def sweep(order: list[int], direction: int) -> None:
        for c in order:
            previous = -1.0
            for box in columns[c]:
                pulls = [
                    boxes[n].row
                    for n in links[box.id]
                    if (box.column - boxes[n].column) * direction > 0 and fan[(n, direction)] <= _HUB
                ]
                want = sum(pulls) / len(pulls) if pulls else box.row
                box.row = max(want, previous + 1)
                previous = box.row

    last = len(columns) - 1
    for _ in range(2):
        sweep(list(range(1, last + 1)), 1)
        sweep(list(range(last - 1, -1, -1)), -1)
    sweep(list(range(1, last + 1)), 1)


def _missing_label(text: str) -> str:
    return text if text.lower().startswith("missing") else "missing: " + text


def _x(column: int) -> int:
    return _MARGIN + sum(_WIDTHS[:column]) + column * _GAP


def _y(row: float) -> int:
    return round(_MARGIN + _LEGEND_H + _HEADER_H + row * _PITCH)


def _legend() -> list[str]:
    y = _MARGIN
    return [
        f'<g class="nv-legend" transform="translate({_MARGIN},{y})">',
        '<rect class="nv-box" x="0" y="2" width="34" height="14" rx="3" fill="#eef2f7" stroke="#5b6b7f"/>',
        '<text x="40" y="13">node</text>',
        '<rect class="nv-box nv-bad" x="90" y="2" width="34" height="14" rx="3" fill="#fdecea" stroke="#c62828" stroke-dasharray="4 3"/>',
        '<text x="130" y="13">broken / missing node</text>',
        '<line class="nv-link" x1="290" y1="9" x2="330" y2="9" stroke="#8a99ab" stroke-width="1.5"/>',
        '<text x="336" y="13">link</text>',
        '<line class="nv-link nv-bad" x1="380" y1="9" x2="420" y2="9" stroke="#c62828" stroke-width="2" stroke-dasharray="6 4"/>',
        '<text x="426" y="13">broken link</text>',
        "</g>",
    ]


def _link_path(a: _Box, b: _Box) -> str:
    ay, by = _y(a.row) + _NODE_H / 2, _y(b.row) + _NODE_H / 2
    if a.column == b.column:
        # Pod -> veth and similar: an arc bulging to the right of the shared column.
        x = _x(a.column) + _WIDTHS[a.column]
        return f"M{x},{ay:.0f} C{x + 24},{ay:.0f} {x + 24},{by:.0f} {x},{by:.0f}"
    if a.column > b.column:
        a, b = b, a
        ay, by = by, ay
    x1, x2 = _x(a.column) + _WIDTHS[a.column], _x(b.column)
    mid = (x1 + x2) / 2
    return f"M{x1},{ay:.0f} C{mid:.0f},{ay:.0f} {mid:.0f},{by:.0f} {x2},{by:.0f}"


def network_svg(view: NetworkView, *, title: str = "Node network view") -> Markup:
    """The SVG picture (safe markup: every bundle string in it is escaped)."""
    boxes, columns, hidden = _layout(view)
    drawn = {b.id for col in columns for b in col}
    rows = max((col[-1].row + 1 + (1 if i in hidden else 0) for i, col in enumerate(columns) if col), default=0)
    width = _x(len(COLUMNS)) - _GAP + _MARGIN
    height = _y(max(rows, 1)) + _MARGIN

    n_broken = sum(1 for b in boxes.values() if b.broken) + sum(1 for link in view.links if link.broken)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network-view" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="system-ui, sans-serif" font-size="11">',
        f"<title>{_attr(title)}: {len(boxes)} nodes, {len(view.links)} links, {n_broken} broken</title>",
    ]
    out += _legend()
    for c, name in enumerate(COLUMNS):
        y = _MARGIN + _LEGEND_H + 14
        out.append(f'<text class="nv-col" x="{_x(c)}" y="{y}" font-weight="bold">{_attr(name)}</text>')

    # Links first so that boxes are drawn over their ends.
    out.append('<g class="nv-links" fill="none">')
    for link in view.links:
        if link.source not in drawn or link.target not in drawn:
            continue
        a, b = boxes[link.source], boxes[link.target]
        bad = link.broken or a.placeholder or b.placeholder
        cls = "nv-link nv-bad" if bad else "nv-link"
        stroke = (
            'stroke="#c62828" stroke-width="2" stroke-dasharray="6 4"' if bad else 'stroke="#8a99ab" stroke-width="1.2"'
        )
        tip = f"{a.label} → {b.label} ({one_line(link.kind, 60)})"
        if link.note:
            tip += ": " + one_line(link.note, 300)
        out.append(
            f'<path class="{cls}" d="{_link_path(a, b)}" {stroke} '
            f'data-source="{_attr(link.source)}" data-target="{_attr(link.target)}"><title>{_attr(tip)}</title></path>'
        )
    out.append("</g>")

    out.append('<g class="nv-nodes">')
    for c, col in enumerate(columns):
        for box in col:
            x, y = _x(c), _y(box.row)
            cls = f"nv-node nv-{_attr(box.kind)}" + (" nv-bad" if box.broken else "")
            if box.broken:
                shape = 'fill="#fdecea" stroke="#c62828" stroke-width="1.5" stroke-dasharray="4 3"'
            else:
                shape = 'fill="#eef2f7" stroke="#5b6b7f" stroke-width="1"'
            tip = f"{box.kind}: {box.label}" + (f"\n{box.detail}" if box.detail else "")
            out.append(
                f'<g class="{cls}" data-id="{_attr(box.id)}"><title>{_attr(tip)}</title>'
                f'<rect class="nv-box" x="{x}" y="{y}" width="{_WIDTHS[c]}" height="{_NODE_H}" rx="4" {shape}/>'
                f'<text x="{x + 7}" y="{y + 15}">{_attr(_short(box.label, c))}</text></g>'
            )
        if c in hidden:
            y = _y(col[-1].row + 1 if col else 0) + 15
            out.append(f'<text class="nv-more" x="{_x(c) + 7}" y="{y}">… {hidden[c]} more not drawn</text>')
    out.append("</g></svg>")
    return Markup("\n".join(out))


def broken_items(view: NetworkView) -> list[str]:
    """The broken parts of the picture as plain sentences, for readers who cannot see it."""
    labels = {n.id: one_line(n.label, 200) or one_line(n.id, 200) for n in view.nodes}
    items = [
        f"{n.kind} {labels[n.id]}" + (f": {one_line(n.detail, 300)}" if n.detail else "")
        for n in view.nodes
        if n.broken
    ]
    for link in view.links:
        missing = link.source not in labels or link.target not in labels
        if link.broken or missing:
            src = labels.get(link.source, f"{one_line(link.source, 200)} (absent)")
            dst = labels.get(link.target, f"{one_line(link.target, 200)} (absent)")
            note = f": {one_line(link.note, 300)}" if link.note else ""
            items.append(f"{src} → {dst} ({one_line(link.kind, 60)}){note}")
    return items
