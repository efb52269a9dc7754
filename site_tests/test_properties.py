"""Properties of the mention parser, the auto-linker and the quote matcher (Hypothesis)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.mentions import Matcher, parse, render, resolve
from generator.quotes import find, normalize
from site_tests.safety import live_content

NAMES = {"iran": "Iran", "russia": "Russia", "lavrov": "Sergey Lavrov"}
MATCHER = Matcher.build(
    {
        "iran": ["Iran", "Islamic Republic of Iran"],
        "russia": ["Russia"],
        "lavrov": ["Sergey Lavrov", "Lavrov"],
    }
)

# Text made of the pieces that matter: names, Markdown and HTML syntax, escapes, white space.
PIECES = st.sampled_from(
    [
        "Iran",
        "Russia",
        "Lavrov",
        "Sergey Lavrov",
        "Islamic Republic of Iran",
        "Iranian",
        " ",
        " ",
        "\n",
        "\n\n",
        "[[iran]]",
        "[[russia|Moscow]]",
        "[[",
        "]]",
        "\\[[",
        "[",
        "]",
        "(",
        ")",
        "`",
        "``",
        "*",
        "_",
        "#",
        "## ",
        "<",
        ">",
        "<script>",
        "{:",
        "}",
        "{",
        "|",
        "!",
        "\\",
        "https://x.org",
        "javascript:alert(1)",
        "[a](https://x.org)",
        "[b](javascript:x)",
        "![i](http://x/y.png)",
        "“",
        "”",
        "'",
        '"',
        ".",
        ",",
        "    ",
        "```",
        "---",
        "> ",
        "- ",
        "1. ",
        "word",
        "said",
    ]
)
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=40).map("".join)


def link(target: str) -> str:
    return f"/{target}.md"


class _Structure(HTMLParser):
    """Counts links nested in links, and auto-links inside code."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.nested_links = 0
        self.links_in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            if "a" in self.stack:
                self.nested_links += 1
            if "code" in self.stack or "pre" in self.stack:
                self.links_in_code += 1
        if tag not in ("br", "hr", "img", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass


def to_html(text: str) -> str:
    return markdown.markdown(text, extensions=["attr_list", "admonition", "tables", "toc"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
@example("[[iran]] [Iran](https://x.org) `Iran` Iran")
@example("# Iran\n\nIran")
@example("!Iran")  # once made an image of an auto-link
@example("`[b](javascript:x)``")  # once a code span to us, a live link to Markdown (runs of unequal ticks)
@example("`\r<script>`")  # once raw HTML: a code span's second line read as an HTML block
def test_render_never_crashes_nests_links_or_goes_live(body: str) -> None:
    text = resolve(parse(body), NAMES, MATCHER)
    html = to_html(render(text, link))
    structure = _Structure()
    structure.feed(html)
    assert structure.nested_links == 0
    assert structure.links_in_code == 0
    assert live_content(html) == []


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_no_autolinks_in_headings_or_code(body: str) -> None:
    text = resolve(parse(body.replace("[[", "")), NAMES, MATCHER)
    for block in text.blocks:
        if block.kind != "paragraph":
            assert all(not (s.kind == "mention" and not s.explicit) for s in block.segments)
        for seg in block.segments:
            if seg.kind == "mention" and not seg.explicit:
                assert re.fullmatch(
                    r"Iran|Russia|Lavrov|Sergey\s+Lavrov|Islamic\s+Republic\s+of\s+Iran", seg.raw
                )


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_linking_is_idempotent(body: str) -> None:
    once = resolve(parse(body), NAMES, MATCHER)
    twice = resolve(once, NAMES, MATCHER)
    assert once == twice
    assert render(once, link) == render(twice, link)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.data())
def test_every_stretch_of_the_text_is_found_as_a_quote(body: str, data: st.DataObject) -> None:
    text = resolve(parse(body), NAMES, MATCHER)
    paragraphs = [b.plain for b in text.paragraphs if b.plain.strip()]
    if not paragraphs:
        assert find("anything", text) is None
        return
    plain = data.draw(st.sampled_from(paragraphs))
    start = data.draw(st.integers(0, len(plain) - 1))
    end = data.draw(st.integers(start + 1, len(plain)))
    quote = plain[start:end]
    if not normalize(quote)[0]:
        return
    # the same words with other white space and quotation marks are found too
    variant = quote.replace("“", '"').replace("”", '"').replace(" ", "  ").replace("\n", " ")
    assert find(quote, text) is not None
    assert find(variant, text) is not None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.text(max_size=50))
def test_quote_matcher_never_crashes(body: str, quote: str) -> None:
    find(quote, resolve(parse(body), {}))
