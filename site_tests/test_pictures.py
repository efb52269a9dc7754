"""The pictures drawn at build time: what they show, how they link, and that they are safe."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator import pictures, relations
from generator.dates import PartialDate
from generator.geography import DETAILS, Projection, drawing, outlines
from generator.pictures import Graph, MapSpec, Network, Node, Timeline, TimelineEntry, draw
from generator.render import url_between
from generator.sanitize import sanitize
from generator.site import check

SEED = Path(__file__).resolve().parents[1] / "content"
SVG = "{http://www.w3.org/2000/svg}"


def resolve(target: str) -> Node:
    return Node(target.replace("-", " ").title(), "countries", f"../{target}/", "Country")


def svg_of(figure: str) -> ET.Element:
    """The SVG of a figure, parsed as XML (it must be well-formed)."""
    match = re.search(r"<svg.*</svg>", figure, re.S)
    assert match, figure
    return ET.fromstring(match.group(0).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))


def d(text: str) -> PartialDate:
    return PartialDate.parse(text)


@pytest.mark.parametrize(
    ("from_page", "to_page", "url"),
    [
        ("countries/iran.md", "countries/russia.md", "../russia/"),
        ("index.md", "timeline.md", "timeline/"),
        ("countries/iran.md", "index.md", "../../"),
        ("countries/index.md", "countries/iran.md", "iran/"),
        ("countries/china/with/russia.md", "events/sco.md", "../../../../events/sco/"),
        ("timeline.md", "timeline.md", "./"),
    ],
)
def test_links_in_pictures_are_relative_to_the_served_page(from_page: str, to_page: str, url: str) -> None:
    assert url_between(from_page, to_page) == url


@pytest.mark.parametrize(
    ("start", "end", "shape", "cls"),
    [
        ("2021-09-16", None, "circle", "day"),
        ("2021-09", None, "rect", "month"),
        ("2021", None, "rect", "year"),
        ("2021-05-01", "2021-08-30", "rect", "range"),
    ],
)
def test_a_timeline_draws_days_as_dots_and_months_and_years_as_spans(
    start: str, end: str | None, shape: str, cls: str
) -> None:
    entry = TimelineEntry("sco", d(start), d(end) if end else None)
    other = TimelineEntry("other", d("2022-01-01"))
    svg = svg_of(draw(Timeline("t", "Events", (entry, other)), resolve))
    link = svg.find(f"{SVG}a[@href='../sco/']")
    assert link is not None
    mark = link.find(f"{SVG}{shape}")
    assert mark is not None and cls in mark.get("class", "")


def test_a_month_is_drawn_as_long_as_the_month_and_a_year_as_long_as_the_year() -> None:
    entries = (TimelineEntry("month", d("2021-02")), TimelineEntry("year", d("2021")))
    svg = svg_of(draw(Timeline("t", "Events", entries), resolve))
    widths = {
        a.get("href"): float(a.find(f"{SVG}rect").get("width"))  # type: ignore[union-attr,arg-type]
        for a in svg.iter(f"{SVG}a")
    }
    assert widths["../year/"] / widths["../month/"] == pytest.approx(365 / 28, rel=0.01)


def test_a_crowded_timeline_is_summarised_by_month() -> None:
    entries = tuple(
        TimelineEntry(f"e{i}", PartialDate(2021 + i % 3, 1 + i % 12, 1 + i % 28))
        for i in range(pictures.MAX_TIMELINE_ROWS + 1)
    )
    svg = svg_of(draw(Timeline("t", "Events", entries), resolve))
    assert list(svg.iter(f"{SVG}a")) == []
    bars = [r for r in svg.iter(f"{SVG}rect") if "bar" in r.get("class", "")]
    assert len(bars) == len({(e.start.year, e.start.month) for e in entries})


def test_a_graph_shows_the_record_and_at_most_twelve_ties_each_a_link() -> None:
    ties = tuple((f"r{i}", 20 - i) for i in range(15))
    svg = svg_of(draw(Graph("g", "Ties", "center", ties), resolve))
    hrefs = [a.get("href") for a in svg.iter(f"{SVG}a")]
    assert hrefs[-1] == "../center/"
    assert sorted(hrefs[:-1]) == sorted(f"../r{i}/" for i in range(12))
    widths = [float(line.get("stroke-width", 0)) for line in svg.iter(f"{SVG}line")]
    assert max(widths) == widths[0] > min(widths)  # the strongest tie is the thickest


def test_the_network_layout_is_deterministic_and_inside_the_picture() -> None:
    nodes = tuple((f"n{i}", i + 1) for i in range(30))
    edges = tuple((f"n{i}", f"n{(i * 7) % 30}", i % 5 + 1) for i in range(30) if i != (i * 7) % 30)
    first = draw(Network("n", "Network", nodes, edges), resolve)
    assert first == draw(Network("n", "Network", nodes, edges), resolve)
    svg = svg_of(first)
    width, height = (float(v) for v in svg.get("viewBox", "").split()[2:])
    for circle in svg.iter(f"{SVG}circle"):
        assert 0 <= float(circle.get("cx", -1)) <= width
        assert 0 <= float(circle.get("cy", -1)) <= height
    for text in svg.iter(f"{SVG}text"):
        assert 0 <= float(text.get("x", -1)) <= width


def test_a_map_shades_the_countries_links_them_and_puts_places_inside_the_view() -> None:
    spec = MapSpec(
        "m",
        "Map",
        (("tajikistan", "TJ", 1), ("russia", "RU", 3), ("nowhere", "XX", 1)),
        (("dushanbe", 38.56, 68.79),),
    )
    svg = svg_of(draw(spec, resolve))
    hrefs = {a.get("href") for a in svg.iter(f"{SVG}a")}
    assert hrefs == {"../tajikistan/", "../russia/", "../dushanbe/"}
    width, height = (float(v) for v in svg.get("viewBox", "").split()[2:])
    dot = next(c for c in svg.iter(f"{SVG}circle") if c.get("class") == "place")
    assert 0 < float(dot.get("cx", -1)) < width and 0 < float(dot.get("cy", -1)) < height
    assert width <= 760 and height <= 460


def test_projection_fits_its_points_and_path_data_is_compact() -> None:
    project = Projection.fitting([(61.0, 29.0), (75.0, 38.5)])
    for lon, lat in [(61.0, 29.0), (75.0, 38.5)]:
        x, y = project(lon, lat)
        assert 0 < x < project.width and 0 < y < project.height
    path = project.outline("AF", project.detail)
    assert re.fullmatch(r"(M-?\d+ -?\d+l[-\d ]+z)+", path), path[:80]


def _bounds_of(ring: tuple[tuple[float, float], ...]) -> tuple[float, float, float, float]:
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-180, 180), st.floats(-80, 80)), min_size=1, max_size=4))
@example([(61.0, 29.0), (75.0, 38.5)])  # Afghanistan: the finest drawing
@example([(20.0, 40.0), (180.0, 75.0)])  # Russia's breadth
@example([(-170.0, -55.0), (179.0, 80.0)])  # the world: the coarsest
def test_the_shared_drawing_is_put_where_the_projection_puts_each_point(
    points: list[tuple[float, float]],
) -> None:
    """Maps share each country's drawing and place it with a transform: for every ring in
    view, the transform must land its first point within a pixel of the projection's."""
    project = Projection.fitting(points)
    detail = project.detail
    assert detail >= project.scale or detail == DETAILS[0]
    matrix = re.fullmatch(r"matrix\((.*)\)", project.transform(detail))
    assert matrix is not None
    a, _, _, d, e, f = (float(v) for v in matrix[1].split())
    checked = 0
    for iso, outline in outlines().items():
        if not project.sees(outline.bounds):
            continue
        firsts = {_bounds_of(ring): ring[0] for ring in outlines()[iso].rings}
        for bounds, path in drawing(iso, detail):
            if not project.sees(bounds):
                continue
            start = re.match(r"M(-?\d+) (-?\d+)", path)
            assert start is not None
            lon, lat = firsts[bounds]
            x, y = project(lon, lat)
            assert abs(a * int(start[1]) + e - x) <= 1 and abs(d * int(start[2]) + f - y) <= 1, (iso, detail)
            checked += 1
    assert checked or not project.sees(outlines()["AF"].bounds)


@pytest.mark.parametrize("picture", ["timeline", "graph", "network", "map"])
def test_names_are_escaped_and_the_sanitizer_keeps_the_picture(picture: str) -> None:
    def hostile(target: str) -> Node:
        return Node('<script>alert(1)</script>"', "countries", f"../{target}/", "x")

    specs = {
        "timeline": Timeline("t", "<b>T</b>", (TimelineEntry("a", d("2021")), TimelineEntry("b", d("2022")))),
        "graph": Graph("g", "<b>G</b>", "a", (("b", 1), ("c", 2))),
        "network": Network("n", "<b>N</b>", (("a", 1), ("b", 2)), (("a", "b", 1),)),
        "map": MapSpec("m", "<b>M</b>", (("a", "AF", 1),), (("b", 34.5, 69.2),)),
    }
    html = draw(specs[picture], hostile)
    assert "<script" not in html and "<b>" not in html
    svg_of(html)  # well-formed
    cleaned = sanitize(html)
    assert cleaned.count("<a ") == html.count("<a ") > 0
    assert 'viewBox="' in cleaned and "<title" in cleaned and 'aria-label="' in cleaned


def test_countries_that_took_part_in_the_same_event_met() -> None:
    corpus, _ = check(SEED)
    assert corpus is not None
    met = relations.meetings(corpus)
    assert "csto-summit-2021" in met[("armenia", "belarus")]
    assert met[("china", "russia")] == tuple(sorted(met[("china", "russia")], key=lambda e: corpus.event(e).when))
    assert all(a < b for a, b in met)
    assert relations.pair_page("russia", "china") == "countries/china/with/russia.md"


@pytest.mark.parametrize(
    ("record", "other", "held"),
    [
        ("sergey-lavrov", "russia", 2),  # two roles `of: russia` (minister, UN representative)
        ("russia", "sergey-lavrov", 2),  # the same ties, seen from the country
        ("csto", "armenia", 1),  # one membership
        ("armenia", "csto", 1),
    ],
)
def test_ties_count_memberships_and_offices(record: str, other: str, held: int) -> None:
    """A tie's weight is the records' co-mentions plus one per office or membership between them."""
    corpus, _ = check(SEED)
    assert corpus is not None
    co_mentions = dict(corpus.related.get(record, ())).get(other, 0)
    assert co_mentions > 0
    assert dict(relations.ties(corpus, record))[other] == co_mentions + held
    assert {"armenia", "belarus", "russia"} <= set(dict(relations.ties(corpus, "csto")))
