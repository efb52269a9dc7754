"""The nh3 layer over every page's content: removes what is live, keeps what the site makes."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import markdown
import pytest
import yaml
from mkdocs.utils.meta import get_data

from generator.sanitize import sanitize
from generator.site import generate
from site_tests.conftest import FIXTURES, ROOT
from site_tests.safety import check_page, live_content


@pytest.mark.parametrize(
    ("html", "kept"),
    [
        ('<p onclick="alert(1)">hi</p>', "<p>hi</p>"),
        ('<a href="javascript:alert(1)" title="t">x</a>', '<a title="t">x</a>'),
        ('<a href="data:text/html,x">x</a>', "<a>x</a>"),
        ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
        ('<p>before<iframe src="https://evil.example"></iframe>after</p>', "<p>beforeafter</p>"),
        ('<p>a<img src="https://tracker.example/p.gif" alt="pixel">b</p>', "<p>ab</p>"),
        (
            '<svg viewBox="0 0 1 1"><circle r="1" onload="alert(1)"/></svg>',
            '<svg viewBox="0 0 1 1"><circle r="1"></circle></svg>',
        ),
        (  # a table cell keeps its alignment (Markdown tables write it), nothing else of its style
            '<table><tr><td style="text-align: right; background: url(https://evil.example/x)">1</td></tr></table>',
            '<table><tbody><tr><td style="text-align:right">1</td></tr></tbody></table>',
        ),
        ('<td style="text-align: right">1</td>', "1"),  # a cell outside a table is no cell
        ('<a href="../people/x/" title="A person">X</a>', '<a href="../people/x/" title="A person">X</a>'),
        ('<p id="p-3">Text <mark>quoted</mark></p>', '<p id="p-3">Text <mark>quoted</mark></p>'),
    ],
)
def test_sanitize(html: str, kept: str) -> None:
    cleaned = sanitize(html)
    assert cleaned == kept
    assert live_content(cleaned, allowed_tags={"svg"}) == []
    assert "evil.example" not in cleaned


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.markup: Counter[str] = Counter()
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.markup[tag] += 1
        for name, _value in attrs:
            self.markup[f"{tag}[{name}]"] += 1

    def handle_data(self, data: str) -> None:
        self.words.extend(data.split())


def _markup(html: str) -> tuple[Counter[str], list[str]]:
    parser = _Markup()
    parser.feed(html)
    return parser.markup, parser.words


@pytest.mark.parametrize("corpus", ["seed", "small", "hostile"])
def test_nothing_the_site_makes_is_removed(corpus: str) -> None:
    """Every generated page, rendered with the site's Markdown extensions, keeps every tag,
    attribute and word through the sanitizer (it only has work to do on a broken build)."""
    content = ROOT / "content" if corpus == "seed" else FIXTURES / corpus / "content"
    result = generate(content, ROOT / "templates", ROOT)
    assert result.ok
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    extensions = [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]
    configs = {
        next(iter(e)): next(iter(e.values())) for e in config["markdown_extensions"] if isinstance(e, dict)
    }
    for path, page in result.pages.items():
        text, _meta = get_data(page)  # the front matter, as MkDocs reads it: not part of the body
        html = markdown.markdown(text, extensions=extensions, extension_configs=configs)
        assert _markup(sanitize(html)) == _markup(html), path


THEME_PAGE = (  # the live parts Material itself puts on every page, as it writes them
    '<html><head><script>__md_scope=new URL("..",location)</script>'
    '<link rel="stylesheet" href="../assets/stylesheets/main.css"><meta name="viewport" content="x">'
    '<script type="application/ld+json">{"name": "\\u003cb\\u003e"}</script></head><body>'
    '<header class="md-header"><form class="md-header__option" data-md-component="palette"></form>'
    '<form class="md-search__form" name="search"></form></header>'
    '<div class="md-sidebar"><nav class="md-nav">{nav}</nav></div><article>{article}</article>'
    '<script id="__config" type="application/json">{"base": ".."}</script>'
    '<script src="../assets/javascripts/bundle.js"></script></body></html>'
)


@pytest.mark.parametrize(
    ("nav", "article", "live"),
    [
        ("Home", "Text", []),
        ('<a href="javascript:alert(1)">x</a>', "", ["a[href=javascript:alert(1)]"]),  # in the navigation
        ('<span onmouseover="alert(1)">x</span>', "", ["span[onmouseover]"]),
        ("", '<img src="http://evil.example/p.gif">', ["<img>"]),
        ("", '<script>alert("x")</script>', ['<script>alert("x")']),  # an inline script holding the corpus's
        ("", '<script src="https://evil.example/x.js"></script>', ["<script src=https://evil.example/x.js>"]),
        ("", '<form action="https://evil.example"></form>', ["<form class=[]>"]),
        ("", "<iframe></iframe><object></object><style>x</style>", ["<iframe>", "<object>", "<style>"]),
        ("", '<svg><a href="data:text/html,x"><text>x</text></a></svg>', ["a[href=data:text/html,x]"]),
        ("", '<link rel="stylesheet" href="https://evil.example/x.css">', ["<link stylesheet https://evil.example/x.css>"]),
        # a title with markup: Material's content.tooltips puts it into the page as HTML on hover
        ("", '<a href="../x/" title="&lt;img src=x onerror=alert(1)&gt;">x</a>', ["a[title=<img src=x onerror=alert(1)>]"]),
        ("", '<a href="../x/" title="Iran &amp; its neighbours">x</a>', []),
    ],
)
def test_the_whole_page_check_finds_what_the_theme_does_not_make(nav: str, article: str, live: list[str]) -> None:
    found = check_page(THEME_PAGE.replace("{nav}", nav).replace("{article}", article))
    assert found.live == live
    assert found.json_ld == ['{"name": "\\u003cb\\u003e"}']
