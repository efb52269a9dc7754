"""Every path and URL of the site, in one place.

A page is named by its Markdown file relative to the docs folder (``countries/iran.md``);
MkDocs serves it at a directory URL (``countries/iran/``). Everything else that names a page
(planning, links, the JSON-LD, the feeds, the open data, the plugin's navigation, the search
index's exclusions) asks this module, so a URL shape changes here and nowhere else;
``site_tests/test_urls.py`` checks that every page of a built site is one of these shapes.
"""

from __future__ import annotations

import re

HOME = "index.md"
TIMELINE = "timeline.md"
QUOTES = "quotes.md"
NETWORK = "network.md"
MAP = "map.md"
MEMBERSHIPS = "memberships.md"

NAV_LISTED = frozenset({HOME, TIMELINE, QUOTES})
"""Pages the navigation may list besides the kinds' indexes; records are reached from those."""

SITE_FEED = "feeds/all.xml"
CORPUS_JSON = "data/corpus.json"
CORPUS_SCHEMA = "data/corpus.schema.json"
RECORD_SCHEMA = "data/record.schema.json"
ALL_QUOTES = "quotes"  # the folder of the pages listing every quote: quotes/<n>.md


def record_page(kind: str, record_id: str) -> str:
    """A record's page: ``<kind>/<id>.md``."""
    return f"{kind}/{record_id}.md"


def stem(page: str) -> str:
    """A page without ``.md``: the folder its sub-pages go under (``countries/iran``)."""
    return page.removesuffix(".md")


def kind_index(kind: str, number: int = 1) -> str:
    """Page ``number`` of a kind's index: ``<kind>/index.md``, then ``<kind>/pages/<n>.md``."""
    return f"{kind}/index.md" if number == 1 else f"{kind}/pages/{number}.md"


def list_pages(stem_of: str, what: str, count: int) -> list[str]:
    """The ``count`` pages of a long list: ``<stem>/<what>/<n>.md`` (``<what>/<n>.md`` with no stem)."""
    folder = f"{stem_of}/{what}" if stem_of else what
    return [f"{folder}/{n}.md" for n in range(1, count + 1)]


def is_index(page: str) -> bool:
    """Whether a page is a folder's index (``<kind>/index.md``): the navigation may list it."""
    return page == HOME or page.endswith("/index.md")


def table(name: str) -> str:
    """A CSV table of the open data: ``data/<name>.csv``."""
    return f"data/{name}.csv"


def timeline_year(year: int) -> str:
    return f"timeline/{year}.md"


def pair_page(a: str, b: str) -> str:
    """The page of two countries' shared events, under the first one's page."""
    first, second = sorted((a, b))
    return f"countries/{first}/with/{second}.md"


def data_file(kind: str, record_id: str) -> str:
    """A record's open data, beside the site's corpus files under ``data/``."""
    return f"data/{kind}/{record_id}.json"


def feed_file(kind: str, record_id: str) -> str:
    return f"feeds/{kind}/{record_id}.xml"


def served(page: str) -> str:
    """The URL MkDocs serves a Markdown page at, with directory URLs: ``countries/iran/``
    (``""`` for the home page)."""
    path = stem(page)
    if path == "index" or path.endswith("/index"):
        return path[: -len("index")]
    return path + "/"


def record_url(kind: str, record_id: str) -> str:
    """A record's page as served: ``<kind>/<id>/``."""
    return served(record_page(kind, record_id))


def not_indexed(kinds: tuple[str, ...]) -> re.Pattern[str]:
    """The built pages (``…/index.html``) the search index leaves out: the 404 page and the
    pages that only list what other indexed pages hold (the lists of quotes and of a
    record's mentions, the kinds' indexes, the timeline, two countries' shared events)."""
    return re.compile(
        r"404\.html|quotes/(\d+/)?index\.html|quotes\.html|.+/(mentions|quotes)/\d+/index\.html|pagefind/.*"
        rf"|({'|'.join(kinds)})/(pages/\d+/)?index\.html|timeline/.*|countries/[^/]+/with/.*"
    )
