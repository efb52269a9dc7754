"""Pictures drawn at build time: timelines, relation graphs and maps as inline SVG.

A page's context holds a picture as a small frozen spec (ids, dates, weights); the
renderer draws it with :func:`draw`, resolving ids to names and links through a
:class:`Resolve` callback so that the page depends on the records it shows. The output
is one HTML block (``<figure>`` with no blank line) that Python-Markdown passes through
untouched; every text in it is escaped, every link is a relative URL between pages.

Colours and fonts come from the stylesheet (``.picture`` classes), so the pictures
follow Material's light and dark schemes. Each picture has a title, a caption saying
where on the page the same facts stand as text, and links named for screen readers.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from generator.dates import PartialDate, Precision
from generator.geography import Projection, number, outlines

MAX_TIMELINE_ROWS = 60  # above this, a timeline shows events per month instead of one row each
MAX_GRAPH_NEIGHBOURS = 12
MAX_NETWORK_NODES = 40
MAX_NETWORK_EDGES = 120
WIDTH = 760


@dataclass(frozen=True)
class Node:
    """What a picture needs to know of a record or page: how to name it and where it is."""

    label: str
    kind: str
    href: str
    detail: str = ""  # shown in the tooltip and read by screen readers after the label
    short: str = ""  # a shorter label where space is tight (an organization's acronym)


Resolve = Callable[[str], Node]  # record id or page path → node


@dataclass(frozen=True)
class TimelineEntry:
    target: str  # an event id
    start: PartialDate
    end: PartialDate | None = None


@dataclass(frozen=True)
class Timeline:
    ident: str
    title: str
    entries: tuple[TimelineEntry, ...]
    caption: str = ""


@dataclass(frozen=True)
class Graph:
    """A record and the records it is most often related to."""

    ident: str
    title: str
    center: str
    neighbours: tuple[tuple[str, int], ...]
    caption: str = ""


@dataclass(frozen=True)
class Network:
    ident: str
    title: str
    nodes: tuple[tuple[str, int], ...]  # id, weight (its size)
    edges: tuple[tuple[str, str, int], ...]
    caption: str = ""


@dataclass(frozen=True)
class MapSpec:
    ident: str
    title: str
    countries: tuple[tuple[str, str, int], ...]  # record id, ISO alpha-2, weight
    places: tuple[tuple[str, float, float], ...]  # record id, latitude, longitude
    caption: str = ""


Picture = Timeline | Graph | Network | MapSpec


def draw(picture: Picture, resolve: Resolve) -> str:
    if isinstance(picture, Timeline):
        return timeline(picture, resolve)
    if isinstance(picture, Graph):
        return graph(picture, resolve)
    if isinstance(picture, Network):
        return network(picture, resolve)
    return world_map(picture, resolve)


# -- the frame ---------------------------------------------------------------------------------


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _figure(kind: str, ident: str, title: str, caption: str, width: float, height: float, body: str) -> str:
    svg = (
        f'<svg class="picture-svg" viewBox="0 0 {number(width)} {number(height)}" '
        f'width="{number(width)}" height="{number(height)}" role="group" '
        f'aria-labelledby="picture-{ident}-title">'
        f'<title id="picture-{ident}-title">{_e(title)}</title>{body}</svg>'
    )
    caption_html = f"<figcaption>{_e(caption)}</figcaption>" if caption else ""
    return (
        f'<figure class="picture picture-{kind}" id="picture-{ident}">\n'
        f'<div class="picture-scroll">{svg}</div>\n{caption_html}\n</figure>'
    )


def _link(node: Node, body: str) -> str:
    name = node.label + (f" ({node.detail})" if node.detail else "")
    return f'<a href="{_e(node.href)}" aria-label="{_e(name)}"><title>{_e(name)}</title>{body}</a>'


def _short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _text(x: float, y: float, label: str, anchor: str = "start", cls: str = "label") -> str:
    return f'<text class="{cls}" x="{number(x)}" y="{number(y)}" text-anchor="{anchor}">{_e(label)}</text>'


# -- timelines ---------------------------------------------------------------------------------


def _extent(entry: TimelineEntry) -> tuple[dt.date, dt.date]:
    end = entry.end or entry.start
    return entry.start.first_day(), end.last_day()


def _is_point(entry: TimelineEntry) -> bool:
    return entry.end is None and entry.start.precision is Precision.DAY


def timeline(spec: Timeline, resolve: Resolve) -> str:
    """One row per event on a time axis; a day is a dot, a month or a year a bar of its length."""
    entries = sorted(spec.entries, key=lambda e: (_extent(e), e.target))
    if not entries:
        return ""
    if len(entries) > MAX_TIMELINE_ROWS:
        return _histogram(spec, entries)
    first = min(_extent(e)[0] for e in entries)
    last = max(_extent(e)[1] for e in entries)
    scale = _TimeScale(first, last)
    row, top = 22, 30
    height = top + row * len(entries) + 8
    body = [scale.axis(height)]
    for i, entry in enumerate(entries):
        node = resolve(entry.target)
        start, end = _extent(entry)
        y = top + row * i + row / 2
        x0, x1 = scale(start), scale(end + dt.timedelta(days=1))
        if _is_point(entry):
            mark = f'<circle class="mark day" cx="{number(x0)}" cy="{number(y)}" r="5"/>'
            x1 = x0 + 5
            x0 -= 5
        else:
            precision = "range" if entry.end else entry.start.precision.name.lower()
            w = max(x1 - x0, 4)
            mark = (
                f'<rect class="mark {precision}" x="{number(x0)}" y="{number(y - 5)}" '
                f'width="{number(w)}" height="10" rx="2"/>'
            )
            x1 = x0 + w
        right, left = WIDTH - x1 - 10, x0 - 10  # room for the label on either side
        fits = int(max(right, left) / 6.4)
        label = _short(node.label, max(fits, 16))
        if right >= 6.4 * len(label) or right >= left:
            text = _text(x1 + 6, y + 4, label)
        else:
            text = _text(x0 - 6, y + 4, label, "end")
        body.append(_link(node, mark + text))
    return _figure("timeline", spec.ident, spec.title, spec.caption, WIDTH, height, "".join(body))


class _TimeScale:
    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.start = dt.date(first.year, 1, 1)
        self.end = dt.date(last.year + 1, 1, 1)
        self.left, self.right = 12.0, WIDTH - 12.0

    def __call__(self, day: dt.date) -> float:
        span = (self.end - self.start).days
        return self.left + (day - self.start).days / span * (self.right - self.left)

    def axis(self, height: float) -> str:
        years = list(range(self.start.year, self.end.year + 1))
        step = max(1, math.ceil(len(years) / 12))
        parts = []
        for year in years:
            x = self(dt.date(year, 1, 1))
            parts.append(
                f'<line class="grid" x1="{number(x)}" y1="18" x2="{number(x)}" y2="{number(height)}"/>'
            )
            if year < self.end.year and (year - years[0]) % step == 0:
                parts.append(_text(x + 4, 14, str(year), cls="axis"))
        if len(years) <= 3:  # a short span: months too
            for year in years[:-1]:
                for month in (4, 7, 10):
                    x = self(dt.date(year, month, 1))
                    parts.append(
                        f'<line class="grid minor" x1="{number(x)}" y1="22" x2="{number(x)}" '
                        f'y2="{number(height)}"/>'
                    )
                    if len(years) == 2:  # one year shown: name its quarters
                        parts.append(_text(x + 4, 14, f"{dt.date(year, month, 1):%b}", cls="axis"))
        return "".join(parts)


def _histogram(spec: Timeline, entries: list[TimelineEntry]) -> str:
    """Too many events for a row each: how many start in each month."""
    counts: dict[tuple[int, int], int] = {}
    for entry in entries:
        key = (entry.start.year, entry.start.month or 1)
        counts[key] = counts.get(key, 0) + 1
    first, last = min(counts), max(counts)
    scale = _TimeScale(dt.date(first[0], 1, 1), dt.date(last[0], 12, 31))
    height, base = 170, 150
    peak = max(counts.values())
    body = [scale.axis(base)]
    for (year, month), n in sorted(counts.items()):
        x0 = scale(dt.date(year, month, 1))
        x1 = scale(dt.date(year + month // 12, month % 12 + 1, 1))
        h = max(2.0, (base - 30) * n / peak)
        label = f"{n} event{'s' if n != 1 else ''} in {dt.date(year, month, 1):%B %Y}"
        body.append(
            f'<rect class="mark bar" x="{number(x0)}" y="{number(base - h)}" '
            f'width="{number(max(x1 - x0 - 1, 1))}" height="{number(h)}"><title>{_e(label)}</title></rect>'
        )
    body.append(_text(WIDTH - 12, height - 4, f"{len(entries)} events, by month", "end", "axis"))
    return _figure("timeline", spec.ident, spec.title, spec.caption, WIDTH, height, "".join(body))


# -- graphs ------------------------------------------------------------------------------------


def _node(x: float, y: float, node: Node, r: float, anchor: str, dy: float, center: bool = False) -> str:
    cls = f"node k-{node.kind}" + (" center" if center else "")
    circle = f'<circle class="{cls}" cx="{number(x)}" cy="{number(y)}" r="{number(r)}"/>'
    dx = {"start": r + 4, "end": -r - 4, "middle": 0.0}[anchor]
    return _link(node, circle + _text(x + dx, y + dy, _short(node.short or node.label), anchor))


def _edge(x0: float, y0: float, x1: float, y1: float, weight: float) -> str:
    return (
        f'<line class="edge" x1="{number(x0)}" y1="{number(y0)}" x2="{number(x1)}" y2="{number(y1)}" '
        f'stroke-width="{number(weight)}"/>'
    )


def _legend(kinds: Iterable[tuple[str, str]], y: float) -> str:
    parts, x = [], 12.0
    for kind, label in kinds:
        parts.append(f'<circle class="node k-{kind}" cx="{number(x + 5)}" cy="{number(y - 4)}" r="5"/>')
        parts.append(_text(x + 14, y, label, cls="axis"))
        x += 24 + 7 * len(label)
    return "".join(parts)


def _kinds_shown(nodes: Iterable[Node]) -> list[tuple[str, str]]:
    from generator.records import KIND_LABELS  # the labels of the kinds, in their order

    present = {n.kind for n in nodes}
    return [(k, labels[1]) for k, labels in KIND_LABELS.items() if k in present]


def graph(spec: Graph, resolve: Resolve) -> str:
    """The record in the middle, its relations around it, thicker lines for stronger ties."""
    neighbours = list(spec.neighbours[:MAX_GRAPH_NEIGHBOURS])
    if not neighbours:
        return ""
    center = resolve(spec.center)
    resolved = [(resolve(rid), w) for rid, w in neighbours]
    order = _kinds_shown([n for n, _ in resolved])
    kind_rank = {k: i for i, (k, _) in enumerate(order)}
    resolved.sort(key=lambda nw: (kind_rank[nw[0].kind], -nw[1], nw[0].label))
    width, height = WIDTH, 380
    cx, cy, rx, ry = width / 2, 180.0, 250.0, 135.0
    peak = max(w for _, w in resolved)
    edges, nodes = [], []
    for i, (node, weight) in enumerate(resolved):
        angle = -math.pi / 2 + 2 * math.pi * i / len(resolved)
        x, y = cx + rx * math.cos(angle), cy + ry * math.sin(angle)
        edges.append(_edge(cx, cy, x, y, 1 + 5 * weight / peak))
        anchor = "middle" if abs(x - cx) < 30 else ("start" if x > cx else "end")
        dy = -12.0 if anchor == "middle" and y < cy else (20.0 if anchor == "middle" else 4.0)
        tied = Node(node.label, node.kind, node.href, f"{weight}×, {node.detail}", node.short)
        nodes.append(_node(x, y, tied, 7, anchor, dy))
    middle = _node(cx, cy, center, 11, "middle", 28, center=True)
    body = "".join(edges) + "".join(nodes) + middle + _legend(order, height - 8)
    return _figure("graph", spec.ident, spec.title, spec.caption, width, height, body)


def layout(
    nodes: list[str], edges: list[tuple[str, str, int]], iterations: int = 300
) -> dict[str, tuple[float, float]]:
    """Deterministic force-directed positions (Fruchterman–Reingold with a pull to the
    middle, so that loosely tied records do not drift to the corners), scaled to fill
    the unit square."""
    n = len(nodes)
    pos = {
        node: (0.5 + 0.4 * math.cos(2 * math.pi * i / n), 0.5 + 0.4 * math.sin(2 * math.pi * i / n))
        for i, node in enumerate(nodes)
    }
    if n < 3:
        return pos
    k = math.sqrt(1.0 / n)
    peak = max((w for _, _, w in edges), default=1)
    temperature = 0.1
    for _ in range(iterations):
        move = {node: [0.0, 0.0] for node in nodes}
        for i, a in enumerate(nodes):
            ax, ay = pos[a]
            for b in nodes[i + 1 :]:
                bx, by = pos[b]
                dx, dy = ax - bx, ay - by
                dist = max(math.hypot(dx, dy), 1e-4)
                push = k * k / dist
                move[a][0] += dx / dist * push
                move[a][1] += dy / dist * push
                move[b][0] -= dx / dist * push
                move[b][1] -= dy / dist * push
        for a, b, w in edges:
            ax, ay = pos[a]
            bx, by = pos[b]
            dx, dy = ax - bx, ay - by
            dist = max(math.hypot(dx, dy), 1e-4)
            pull = dist * dist / k * (0.2 + 0.8 * w / peak)
            move[a][0] -= dx / dist * pull
            move[a][1] -= dy / dist * pull
            move[b][0] += dx / dist * pull
            move[b][1] += dy / dist * pull
        for node in nodes:
            x, y = pos[node]
            mx = move[node][0] + (0.5 - x) * 6 * k  # gravity
            my = move[node][1] + (0.5 - y) * 6 * k
            length = max(math.hypot(mx, my), 1e-9)
            step = min(length, temperature)
            pos[node] = (x + mx / length * step, y + my / length * step)
        temperature = max(0.002, temperature * 0.985)
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    spread_x, spread_y = max(max(xs) - min(xs), 1e-9), max(max(ys) - min(ys), 1e-9)
    return {
        node: (round((x - min(xs)) / spread_x, 4), round((y - min(ys)) / spread_y, 4))
        for node, (x, y) in pos.items()
    }


def network(spec: Network, resolve: Resolve) -> str:
    """The most related records of the whole corpus and the strongest ties between them."""
    nodes = list(spec.nodes[:MAX_NETWORK_NODES])
    if len(nodes) < 2:
        return ""
    ids = [rid for rid, _ in nodes]
    shown = set(ids)
    edges = [e for e in spec.edges if e[0] in shown and e[1] in shown][:MAX_NETWORK_EDGES]
    tied = {rid for a, b, _ in edges for rid in (a, b)}
    nodes = [(rid, w) for rid, w in nodes if rid in tied]  # a dot with no line tells nothing here
    ids = [rid for rid, _ in nodes]
    if len(nodes) < 2:
        return ""
    pos = layout(ids, edges)
    width, height, pad_x = WIDTH, 600, 110.0

    def at(rid: str) -> tuple[float, float]:
        x, y = pos[rid]
        return pad_x + x * (width - 2 * pad_x), 30 + y * (height - 80)

    peak_edge = max((w for *_, w in edges), default=1)
    peak_node = max(w for _, w in nodes)
    body = []
    for a, b, w in edges:
        body.append(_edge(*at(a), *at(b), 0.6 + 4 * w / peak_edge))
    resolved = {rid: resolve(rid) for rid in ids}
    radius = {rid: 4 + 8 * math.sqrt(w / peak_node) for rid, w in nodes}
    # Labels go where they overlap no other label and no dot; the biggest dots are labelled first.
    taken = [(at(rid)[0] - r, at(rid)[1] - r, at(rid)[0] + r, at(rid)[1] + r) for rid, r in radius.items()]
    for rid, _w in sorted(nodes, key=lambda nw: -nw[1]):
        x, y = at(rid)
        node = resolved[rid]
        label = _short(node.short or node.label, 22)
        r = radius[rid]
        others = [box for box in taken if box != (x - r, y - r, x + r, y + r)]
        tx, ty, anchor = _free_spot(x, y, 6.5 * len(label), others, width, gap=r + 3)
        circle = f'<circle class="node k-{node.kind}" cx="{number(x)}" cy="{number(y)}" r="{number(r)}"/>'
        body.append(_link(node, circle + _text(tx, ty, label, anchor, "label halo")))
    body.append(_legend(_kinds_shown(resolved.values()), height - 8))
    return _figure("network", spec.ident, spec.title, spec.caption, width, height, "".join(body))


# -- maps --------------------------------------------------------------------------------------


def world_map(spec: MapSpec, resolve: Resolve) -> str:
    """Countries shaded by weight, places as dots; only what the view shows is drawn."""
    shapes = outlines()
    countries = [(rid, iso, w) for rid, iso, w in spec.countries if iso.upper() in shapes]
    if not countries and not spec.places:
        return ""
    points: list[tuple[float, float]] = [(lon, lat) for _, lat, lon in spec.places]
    for _, iso, _ in countries:
        west, south, east, north = shapes[iso.upper()].bounds
        if east - west < 180:  # a country across the antimeridian would stretch the view round the world
            points.extend([(west, south), (east, north)])
    project = Projection.fitting(points)
    highlighted = {iso.upper() for _, iso, _ in countries}
    detail = project.detail
    body = [
        f'<rect class="sea" width="{number(project.width)}" height="{number(project.height)}"/>',
        f'<g class="world" transform="{project.transform(detail)}">',
    ]
    for iso, outline in sorted(shapes.items()):
        if (
            iso not in highlighted
            and project.sees(outline.bounds)
            and (shape := project.outline(iso, detail))
        ):
            body.append(f'<path class="land" d="{shape}"/>')
    peak = max((w for *_, w in countries), default=1)
    for rid, iso, weight in sorted(countries, key=lambda c: c[1]):
        level = 1 + min(3, int(3 * weight / peak)) if peak > 1 else 2
        node = resolve(rid)
        shape = project.outline(iso.upper(), detail)
        body.append(_link(node, f'<path class="land shade-{level}" d="{shape}"/>'))
    body.append("</g>")
    taken: list[tuple[float, float, float, float]] = []
    for rid, lat, lon in sorted(spec.places, key=lambda p: (-p[1], p[0])):
        x, y = project(lon, lat)
        node = resolve(rid)
        label = _short(node.label, 24)
        dot = f'<circle class="place" cx="{number(x)}" cy="{number(y)}" r="4.5"/>'
        x0, y0, anchor = _free_spot(x, y, 6.5 * len(label), taken, project.width)
        body.append(_link(node, dot + _text(x0, y0, label, anchor, "label halo")))
    return _figure("map", spec.ident, spec.title, spec.caption, project.width, project.height, "".join(body))


def _box(tx: float, ty: float, anchor: str, width: float) -> tuple[float, float, float, float]:
    left = {"start": tx, "end": tx - width, "middle": tx - width / 2}[anchor]
    return (left, ty - 12, left + width, ty + 2)


def _free_spot(
    x: float,
    y: float,
    width: float,
    taken: list[tuple[float, float, float, float]],
    limit: float,
    gap: float = 8,
) -> tuple[float, float, str]:
    """Where a label goes: right of its dot, else left, above or below, wherever it
    overlaps nothing placed before (the first choice if nothing is free). The label's
    box is added to ``taken``."""
    choices = [
        (x + gap, y + 4, "start"),
        (x - gap, y + 4, "end"),
        (x, y - gap - 3, "middle"),
        (x, y + gap + 11, "middle"),
    ]
    if x + gap + width > limit:
        choices.insert(0, choices.pop(1))
    for tx, ty, anchor in choices:
        box = _box(tx, ty, anchor, width)
        inside = box[0] >= 0 and box[2] <= limit
        if inside and all(box[2] < a or box[0] > c or box[3] < b or box[1] > d for a, b, c, d in taken):
            taken.append(box)
            return tx, ty, anchor
    tx, ty, anchor = choices[0]
    taken.append(_box(tx, ty, anchor, width))
    return tx, ty, anchor
