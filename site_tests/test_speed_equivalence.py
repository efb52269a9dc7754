"""The fast paths taken for speed give exactly what the plain code they replaced gave.

Each reference below is the straightforward version that was in the generator before it
was optimised; Hypothesis compares the two on inputs made of the characters that matter.
"""

from __future__ import annotations

import bisect
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from generator import mentions, quotes
from generator.geography import Projection, outlines
from generator.records import Record

# -- quotes: folding white space and quotation marks ----------------------------------------

_QUOTE_MARKS = str.maketrans({c: '"' for c in "“”„‟″«»"} | {c: "'" for c in "‘’‚‛′`"})
_SPACE_RE = re.compile(r"\s+")


def _reference_fold(text: str) -> tuple[str, list[tuple[int, int]]]:
    translated = text.translate(_QUOTE_MARKS)
    parts: list[str] = []
    breaks: list[tuple[int, int]] = []
    folded_len = 0
    pos = 0
    for m in _SPACE_RE.finditer(translated):
        if m.start() > pos:
            breaks.append((folded_len, pos))
            parts.append(translated[pos : m.start()])
            folded_len += m.start() - pos
        if folded_len and m.end() < len(translated):
            breaks.append((folded_len, m.end() - 1))
            parts.append(" ")
            folded_len += 1
        pos = m.end()
    if pos < len(translated):
        breaks.append((folded_len, pos))
        parts.append(translated[pos:])
    return "".join(parts), breaks


def _origin(breaks: list[tuple[int, int]], folded_index: int) -> int:
    i = bisect.bisect_right(breaks, (folded_index, float("inf"))) - 1
    folded_at, original_at = breaks[i]
    return original_at + (folded_index - folded_at)


FOLD_TEXT = st.text(
    alphabet=st.sampled_from(list("ab .\n\t\r\x0b\x0c\x1c\x85\xa0\u2009\u2028\u3000\u200b“”„‟″«»‘’‚‛′`'\"")),
    max_size=40,
)


@settings(max_examples=500, deadline=None)
@given(FOLD_TEXT)
def test_fold_maps_every_character_as_before(text: str) -> None:
    folded, breaks = quotes._fold(text)
    expected, expected_breaks = _reference_fold(text)
    assert folded == expected
    for i in range(len(folded)):
        assert _origin(breaks, i) == _origin(expected_breaks, i)


# -- mentions: inline syntax and line/column of segments -------------------------------------

INLINE_TEXT = st.lists(
    st.sampled_from([*"ab [[]]|`!<>()\\*\n:h/", "[[iran]]", "[[a|b]]", "<http://x>", "](http://y)"]), max_size=30
).map("".join)


@settings(max_examples=500, deadline=None)
@given(INLINE_TEXT)
def test_inline_matches_are_finditer(raw: str) -> None:
    fast = [(m.span(), m.lastgroup, m.groupdict()) for m in mentions._inline_matches(raw)]
    plain = [(m.span(), m.lastgroup, m.groupdict()) for m in mentions._INLINE_RE.finditer(raw)]
    assert fast == plain


@settings(max_examples=300, deadline=None)
@given(INLINE_TEXT, st.integers(min_value=1, max_value=50), st.data())
def test_line_and_column_as_before(raw: str, first_line: int, data: st.DataObject) -> None:
    offset = data.draw(st.integers(min_value=0, max_value=len(raw)))
    before = raw[:offset]
    expected = first_line + before.count("\n"), offset - (before.rfind("\n") + 1) + 1
    assert mentions._line_column(mentions._line_breaks(raw), first_line, offset) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab\\*[]!.-")), max_size=30))
def test_plain_map_fast_path(raw: str) -> None:
    plain, index = mentions._plain_map(raw)
    assert plain == mentions.plain_of(raw)
    assert len(index) == len(plain)
    assert all(0 <= i < len(raw) for i in index)


# -- geography: outline paths ------------------------------------------------------------------


def _reference_path(project: Projection, rings: tuple[tuple[tuple[float, float], ...], ...]) -> str:
    parts = []
    k, west, north = project.squeeze * project.scale, project.west, project.north
    for ring in rings:
        lons = [p[0] for p in ring]
        lats = [p[1] for p in ring]
        if not project.sees((min(lons), min(lats), max(lons), max(lats))):
            continue
        points: list[tuple[int, int]] = []
        for lon, lat in ring:
            here = (round((lon - west) * k), round((north - lat) * project.scale))
            if points and abs(here[0] - points[-1][0]) + abs(here[1] - points[-1][1]) < 2:
                continue
            points.append(here)
        if len(points) < 3:
            continue
        steps = "".join(
            f"{'' if b[0] - a[0] < 0 else ' '}{b[0] - a[0]}{'' if b[1] - a[1] < 0 else ' '}{b[1] - a[1]}"
            for a, b in zip(points, points[1:], strict=False)
        )
        parts.append(f"M{points[0][0]} {points[0][1]}l{steps.lstrip(' ')}z")
    return "".join(parts)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-180, 180), st.floats(-80, 80)),
        min_size=1,
        max_size=4,
    )
)
def test_outline_paths_as_before(points: list[tuple[float, float]]) -> None:
    project = Projection.fitting(points)
    for outline in outlines().values():
        assert project.path(outline.rings) == _reference_path(project, outline.rings)


# -- records: the cached sort key orders as the PartialDate key did ----------------------------


def _reference_sort_key(record: Record) -> tuple[object, ...]:
    from generator.dates import PartialDate
    from generator.records import KIND_ORDER
    from generator.schema import Event, Source

    front = record.front
    if isinstance(front, Event):
        when = front.when
    elif isinstance(front, Source):
        when = front.published
    else:
        when = PartialDate(0)
    return (KIND_ORDER.index(record.kind), when, record.name.casefold(), record.id)


def test_order_key_sorts_like_partial_dates() -> None:
    from pathlib import Path

    from generator.corpus import sort_key
    from generator.site import load

    records, _broken, _problems = load(Path(__file__).resolve().parent.parent / "content")
    assert len(records) > 20
    everything = list(records.values())
    assert sorted(everything, key=sort_key) == sorted(everything, key=_reference_sort_key)
    assert sorted(everything, key=sort_key, reverse=True) == sorted(
        everything, key=_reference_sort_key, reverse=True
    )
