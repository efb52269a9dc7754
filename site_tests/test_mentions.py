"""Mentions, escapes, auto-linking and the safety of the Markdown that comes out."""

from __future__ import annotations

import re

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import mentions
from generator.mentions import Matcher, Sentences, escape_markdown, parse, render, resolve, sentence_at
from site_tests.safety import live_content

NAMES = {
    "iran": "Iran",
    "russia": "Russia",
    "lavrov": "Sergey Lavrov",
    "sco": "Shanghai Cooperation Organization",
}
MATCHER = Matcher.build(
    {
        "iran": ["Iran"],
        "russia": ["Russia"],
        "lavrov": ["Sergey Lavrov", "Lavrov"],
        "sco": ["Shanghai Cooperation Organization", "SCO"],
        "sco-summit": ["SCO summit"],
        "ministry-a": ["Foreign Ministry"],
        "ministry-b": ["Foreign Ministry"],
    }
)


def link(target: str) -> str:
    return f"/{target}.md"


def targets(body: str, auto: bool = True) -> list[tuple[str, str, bool]]:
    text = resolve(parse(body), NAMES, MATCHER if auto else None)
    return [(seg.target, seg.plain, seg.explicit) for _b, seg, _o in text.mentions()]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[[iran]] met", [("iran", "Iran", True)]),
        ("[[iran|Tehran's government]] met", [("iran", "Tehran's government", True)]),
        ("\\[[iran]] is literal", []),
        ("`[[iran]]` is code", []),
        ("[[ iran ]] has spaces", [("iran", "Iran", True)]),
        ("[[unknown-id]]", [("unknown-id", "unknown-id", True)]),
    ],
)
def test_explicit_mentions(body: str, expected: list[tuple[str, str, bool]]) -> None:
    assert targets(body, auto=False) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # whole words, case-sensitive
        ("Iran and Russia", ["iran", "russia"]),
        ("Iranian and russia", []),
        ("IRAN", []),
        # longest match first
        ("Sergey Lavrov said", ["lavrov"]),
        ("the SCO summit opened", ["sco-summit"]),
        ("the SCO met", ["sco"]),
        ("Shanghai Cooperation Organization", ["sco"]),
        # a name broken over two lines still matches
        ("Sergey\nLavrov said", ["lavrov"]),
        # never inside a link, code or heading
        ("[Iran](https://example.org) and `Russia`", []),
        ("# Iran\n\nRussia", ["russia"]),
        # an ambiguous alias is not linked
        ("the Foreign Ministry said", []),
        # explicit mentions are not auto-linked again
        ("[[iran|Iran]] and Iran", ["iran", "iran"]),
    ],
)
def test_autolinking(body: str, expected: list[str]) -> None:
    assert [t for t, _p, _e in targets(body)] == expected


def test_autolink_off_leaves_names() -> None:
    assert targets("Iran and Russia", auto=False) == []


def to_html(markdown_text: str) -> str:
    """The HTML MkDocs would make of it, with the site's Markdown extensions."""
    return markdown.markdown(markdown_text, extensions=["attr_list", "admonition", "tables", "toc"])


@pytest.mark.parametrize(
    ("body", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "<img"),
        ("[click](javascript:alert(1))", 'href="javascript'),
        ("[click](javascript:alert)", 'href="javascript'),
        ("[click](JaVaScRiPt:alert)", 'href="'),
        ("[click](data:text/html,hi)", 'href="data'),
        ("![x](http://tracker.example/p.png)", "<img"),
        ('Hello\n{: onclick="alert(1)" }', '" onclick="alert(1)">'),
        ('*hi*{: onmouseover="alert(1)" }', "<em onmouseover"),
        ("[x][ref]\n\n[ref]: javascript:alert(1)", 'href="javascript'),
        ("<https://ok.example> <javascript:alert(1)>", 'href="javascript'),
        ("[[iran|<b>bold</b>]]", "<b>"),
        ("Text\\<script>", "<script"),
        ("<!-- hidden --><iframe src=x></iframe>", "<iframe"),
        ("<object data=x></object>", "<object"),
        ("`code` <svg onload=alert(1)>", "<svg"),
    ],
)
def test_rendered_markdown_is_inert(body: str, forbidden: str) -> None:
    html = to_html(render(resolve(parse(body), NAMES, MATCHER), link))
    assert live_content(html) == []
    assert forbidden not in html.replace("&lt;", "")  # shown as text at most


def test_safe_links_survive() -> None:
    out = render(parse("[site](https://example.org/a?b=1) and <mailto:a@example.org>"), link)
    assert "[site](https://example.org/a?b=1)" in out


def test_rendered_text_keeps_emphasis_and_anchors() -> None:
    out = render(resolve(parse("**Iran** said *this*.\n\n## Part\n\nMore."), NAMES, MATCHER), link)
    assert out == "**[Iran](/iran.md)** said *this*.\n{ #p-1 }\n\n### Part { #p-2 }\n\nMore.\n{ #p-3 }\n"


def test_marks_highlight_plain_offsets() -> None:
    text = resolve(parse("He said “act now” to Iran."), NAMES, MATCHER)
    out = render(text, link, marks={1: [(9, 16)]})
    assert "“<mark>act now</mark>”" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a*b_c<d", "a\\*b\\_c&lt;d"),
        ("[x](y)", "\\[x\\]\\(y\\)"),
        ("1. not a list", "1\\. not a list"),
        ("{: #id }", "\\{: \\#id \\}"),
        ("a | b", "a \\| b"),
    ],
)
def test_escape_markdown(text: str, expected: str) -> None:
    assert escape_markdown(text) == expected


def test_sentence_context() -> None:
    plain = "First one. Officials met Lavrov in Tehran. Last one."
    sentence, at = sentence_at(plain, plain.index("Lavrov"))
    assert sentence == "Officials met Lavrov in Tehran."
    assert sentence[at:].startswith("Lavrov")


_WORDS = st.sampled_from(["Lavrov", "met", "in", "Tehran.", "Kabul!", "«Yes»", "A.", "1.", "Да.", "Он", "ok?", "…"])
_SPACES = st.sampled_from([" "] * 30 + ["  ", "\n", "\u00a0", "\t "])  # mostly folded already


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_WORDS, _SPACES), min_size=1, max_size=120),
    st.lists(st.integers(min_value=0, max_value=2000), min_size=1, max_size=20),
    st.sampled_from([400, 40, 12]),
)
def test_shared_sentences_are_what_sentence_at_gives(words, offsets, limit) -> None:
    """The sentences a block's mentions share (:class:`Sentences`, the corpus's fast path)
    are those :func:`sentence_at` cuts for each mention: folded, cut with ellipses, at the
    same place, wherever the offset falls (in a word, in white space, between sentences)."""
    plain = "".join(w + s for w, s in words).rstrip()
    shared = Sentences(plain)
    for offset in offsets:
        offset = offset % (len(plain) or 1)
        assert shared.at(offset, limit) == sentence_at(plain, offset, limit)


_STOPS_PLAINLY = (
    r"[.!?…][\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[A-Z0-9])"
    r"|[.!?…؟۔][\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[А-ЯЁЂ-ЏҐΑ-Ω\u0590-\u06ff\u0900-\u097f])"
    r"|[。！？][」』”’）)]*\s*(?=\S)"
)
"""Where a sentence ends, written as its three alternatives (what the fast pattern must match)."""


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=list(".!?…؟۔。！？\"'”’»)]“‘«([ \n\tAZa09АЯΩ\u0600\u0900」』）x"), max_size=30))
def test_the_sentence_ends_are_those_of_the_plain_pattern(text: str) -> None:
    import re

    from generator.mentions import _SENTENCE_END_RE

    plainly = [(m.span(), m.group(0)) for m in re.finditer(_STOPS_PLAINLY, text)]
    assert [(m.span(), m.group(0)) for m in _SENTENCE_END_RE.finditer(text)] == plainly


@given(st.text(alphabet=st.sampled_from(list("ab .-1\n&<\\`*_{}[]()#+!|~>é中")), max_size=40))
def test_prose_without_special_characters_is_escaped_as_if_it_were_translated(text: str) -> None:
    # escape_once translates only a text holding a character to escape: the same result
    always = re.compile("")  # found in every text: every text translated
    expected_before = mentions.escape_once(text)
    original = mentions._MD_SPECIAL_RE
    mentions._MD_SPECIAL_RE = always
    try:
        assert mentions.escape_once(text) == expected_before
    finally:
        mentions._MD_SPECIAL_RE = original
