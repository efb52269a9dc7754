"""The fast paths taken for speed give exactly what the plain code they replaced gave.

Each reference below is the straightforward version that was in the generator before it
was optimised; Hypothesis compares the two on inputs made of the characters that matter.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from generator import mentions, quotes
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


# -- render: relative links between pages ------------------------------------------------------

SEGMENT = st.sampled_from(["a", "b", "index", "x.md", "index.md", ".", "..", ""])
PAGE_PATH = st.lists(SEGMENT, min_size=1, max_size=4).map("/".join)


def _reference_relative(from_page: str, to_page: str) -> str:
    import posixpath

    from_dir, _, _ = from_page.rpartition("/")
    to_dir, _, to_name = to_page.rpartition("/")
    if from_dir == to_dir:
        return to_name
    if not from_dir:
        return to_page
    if "/" not in from_dir:
        return "../" + to_page
    return posixpath.relpath(to_page, from_dir)


def _reference_url_between(from_page: str, to_page: str) -> str:
    import posixpath

    from generator.render import page_url

    here = page_url(from_page).rstrip("/") or "."
    there = page_url(to_page).rstrip("/") or "."
    path = posixpath.relpath(there, here)
    return "./" if path == "." else path + "/"


def _outcome(function: Callable[[str, str], str], *args: str) -> tuple[str, object]:
    """What a call gives: its value, or the kind of error it raises (for an empty path)."""
    try:
        return "value", function(*args)
    except ValueError as exc:
        return "error", type(exc)


@settings(max_examples=500, deadline=None)
@given(PAGE_PATH, PAGE_PATH)
def test_relpath_is_posixpaths(path: str, start: str) -> None:
    import posixpath

    from generator.render import relpath

    assert _outcome(relpath, path, start) == _outcome(posixpath.relpath, path, start)
    assert _outcome(relpath, path, ".") == _outcome(posixpath.relpath, path, ".")
    assert _outcome(relpath, ".", start) == _outcome(posixpath.relpath, ".", start)


@settings(max_examples=500, deadline=None)
@given(PAGE_PATH, PAGE_PATH)
def test_links_between_pages_as_before(from_page: str, to_page: str) -> None:
    from generator.render import relative, url_between

    assert _outcome(relative, from_page, to_page) == _outcome(_reference_relative, from_page, to_page)
    assert _outcome(url_between, from_page, to_page) == _outcome(_reference_url_between, from_page, to_page)


# -- fragments: text directives encoded word by word -------------------------------------------

PASSAGE = st.text(
    alphabet=st.sampled_from(list("ab -,&%.…[]\n\t\u00a0éß€\U0001f600#:~")),
    max_size=60,
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab-,&% .éß€\U0001f600#:~")), min_size=1), max_size=8))
def test_words_encoded_as_before(words: list[str]) -> None:
    from urllib.parse import quote

    from generator import fragments

    words = [w for word in words for w in word.split()]
    assert fragments._encode(words) == quote(" ".join(words), safe="").replace("-", "%2D")


@settings(max_examples=500, deadline=None)
@given(PASSAGE)
def test_text_directive_as_before(passage: str) -> None:
    from urllib.parse import quote

    from generator import fragments

    def encode(words: list[str]) -> str:
        return quote(" ".join(words), safe="").replace("-", "%2D")

    pieces = [w for w in (piece.split() for piece in fragments._ELISION.split(passage)) if w]
    if not pieces:
        expected = ""
    elif len(pieces) == 1 and len(pieces[0]) <= 2 * fragments.EDGE_WORDS:
        expected = ":~:text=" + encode(pieces[0])
    else:
        edge = fragments.EDGE_WORDS
        expected = ":~:text=" + encode(pieces[0][:edge]) + "," + encode(pieces[-1][-edge:])
    assert fragments.text_directive(passage) == expected
    # percent-encoded words and commas: written into an href as it is, nothing to escape
    assert html.escape(expected) == expected


# -- render: {{ value }} compiled without the escape() that could not change it ----------------

OUTPUT_VALUE = st.one_of(
    st.none(),
    st.integers(),
    st.text(alphabet=st.sampled_from(list("a<>&\"'*_[]#-1. \n")), max_size=20),
    st.text(alphabet=st.sampled_from(list("a<>&\"'*_[]#-1. \n")), max_size=20).map(Markup),
)


@settings(max_examples=300, deadline=None)
@given(OUTPUT_VALUE, OUTPUT_VALUE)
def test_output_as_with_escape(first: object, second: object) -> None:
    import jinja2

    from generator import render

    source = "{{ a }}|{{ b }}{% macro m(x) %}<{{ x }}>{% endmacro %}|{{ m(a) }}|{{ m(b) | string }}"
    fast = render._Environment(autoescape=True, finalize=render._finalize).from_string(source)
    plain = jinja2.Environment(autoescape=True, finalize=render._finalize).from_string(source)
    assert fast.render(a=first, b=second) == plain.render(a=first, b=second)


# -- feeds: newest first by the plain date tuple -----------------------------------------------


def test_feeds_order_as_by_partial_dates() -> None:
    from pathlib import Path

    from generator import feeds
    from generator.site import load

    records, _broken, _problems = load(Path(__file__).resolve().parent.parent / "content")
    dated = [r for r in records.values() if r.kind in ("events", "sources")]
    assert len(dated) > 10
    expected = sorted(dated, key=lambda r: (feeds._date_of(r), r.kind, r.id), reverse=True)
    assert feeds._newest_first(dated) == expected
