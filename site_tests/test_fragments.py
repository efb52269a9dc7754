"""Deep links to the exact passage: every backlink and quote link goes to the paragraph's
anchor and carries a text fragment whose words are in that paragraph."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest

from generator.fragments import text_directive


@pytest.mark.parametrize(
    "passage, directive",
    [
        ("", ""),
        ("   ", ""),
        ("Kabul fell.", ":~:text=Kabul%20fell."),
        ("a  b\n c", ":~:text=a%20b%20c"),  # white space as the browser sees it
        ("Russia-Pakistan talks, then more & more", ":~:text=Russia%2DPakistan%20talks%2C%20then%20more%20%26%20more"),
        ("(brackets) and #hash?", ":~:text=%28brackets%29%20and%20%23hash%3F"),
        ("one two three four five six seven eight nine ten", ":~:text=one%20two%20three%20four%20five%20six%20seven%20eight%20nine%20ten"),
        ("… he said, we can act …", ":~:text=he%20said%2C%20we%20can%20act"),  # a shortened sentence
        ("We will [...] never allow it", ":~:text=We%20will,never%20allow%20it"),  # an elided quote
        ("First … middle … last words", ":~:text=First,last%20words"),
        (
            "one two three four five six seven eight nine ten eleven",
            ":~:text=one%20two%20three%20four%20five,seven%20eight%20nine%20ten%20eleven",
        ),
    ],
)
def test_text_directive(passage: str, directive: str) -> None:
    assert text_directive(passage) == directive


def test_delimiters_never_appear_unencoded() -> None:
    directive = text_directive("a-b, c&d - e,f " * 4)
    start, end = directive.removeprefix(":~:text=").split(",")
    for part in (start, end):
        assert not set(part) & set("-,& ()#"), part


class _Paragraphs(HTMLParser):
    """The text of every element with an id, and every link's href."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: dict[str, str] = {}
        self.links: list[str] = []
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        if tag not in ("br", "img", "hr", "input", "meta", "link"):
            self._open.append((tag, a.get("id")))
            if a.get("id"):
                self.text.setdefault(a["id"] or "", "")

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _tag, ident in self._open:
            if ident:
                self.text[ident] += data


def _parse(path: Path) -> _Paragraphs:
    parser = _Paragraphs()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


@pytest.mark.slow
def test_every_passage_link_finds_its_words_in_the_paragraph(seed_site: Path) -> None:
    checked = 0
    parsed: dict[Path, _Paragraphs] = {}
    for page in sorted(seed_site.rglob("*.html")):
        for href in _parse(page).links:
            if ":~:text=" not in href or href.startswith("http"):
                continue
            url, _, directive = href.partition(":~:text=")
            path, _, anchor = url.partition("#")
            assert re.fullmatch(r"p-\d+", anchor), href
            target = Path(unquote(urljoin(page.relative_to(seed_site).as_posix(), path or page.name)))
            target_file = seed_site / target / "index.html" if not target.suffix else seed_site / target
            paragraphs = parsed.setdefault(target_file, _parse(target_file))
            paragraph = _words(paragraphs.text[anchor])
            for part in directive.split(","):
                assert _words(unquote(part)) in paragraph, (page, href, paragraph)
            checked += 1
    assert checked > 100  # backlinks on record pages and quotes in the quote lists

