"""Search that scales: `search: auto | lunr | pagefind` in the corpus plugin.

A corpus of PAGEFIND_FROM_SOURCES synthetic sources builds with Pagefind: the built site has
site/pagefind/, no lunr index, and Material's search box answers from Pagefind in headless
Chromium, downloading little and nothing from outside. The seed corpus keeps lunr.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from generator import search
from generator.search import PAGEFIND_FROM_SOURCES, choose_engine, count_sources, run_pagefind
from generator.tools.synthetic import write_corpus
from site_tests.conftest import FIXTURES, ROOT, mkdocs_build, serve_folder, write_config

QUERY_BUDGET = 300_000  # bytes one query may download on a large site


# -- the decision -------------------------------------------------------------------------------

AUTO_CASES = [
    # setting,   sources,                     serving, engine
    ("auto", 0, False, "lunr"),
    ("auto", 3, False, "lunr"),
    ("auto", PAGEFIND_FROM_SOURCES - 1, False, "lunr"),
    ("auto", PAGEFIND_FROM_SOURCES, False, "pagefind"),
    ("auto", 10_000, False, "pagefind"),
    ("auto", 10_000, True, "lunr"),  # mkdocs serve: no indexing after every save
    ("auto", 3, True, "lunr"),
    ("lunr", 10_000, False, "lunr"),
    ("lunr", 10_000, True, "lunr"),
    ("pagefind", 3, False, "pagefind"),
    ("pagefind", 3, True, "pagefind"),  # asked for explicitly: serve indexes too
]


@pytest.mark.parametrize(("setting", "sources", "serving", "engine"), AUTO_CASES)
def test_choose_engine(setting: str, sources: int, serving: bool, engine: str) -> None:
    assert choose_engine(setting, sources, serving=serving) == engine


@pytest.mark.parametrize("setting", ["", "Auto", "elasticsearch", "none"])
def test_an_unknown_setting_is_refused(setting: str) -> None:
    with pytest.raises(ValueError, match="auto, lunr, pagefind"):
        choose_engine(setting, 3)


def test_sources_are_counted_in_subfolders(tmp_path: Path) -> None:
    assert count_sources(tmp_path) == 0
    (tmp_path / "sources" / "2021").mkdir(parents=True)
    (tmp_path / "sources" / "a.md").write_text("", encoding="utf-8")
    (tmp_path / "sources" / "2021" / "b.md").write_text("", encoding="utf-8")
    (tmp_path / "sources" / "2021" / "notes.txt").write_text("", encoding="utf-8")
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "c.md").write_text("", encoding="utf-8")
    assert count_sources(tmp_path) == 2


INDEXED_CASES = [
    ("index.html", True),
    ("people/sergey-lavrov/index.html", True),
    ("countries/china/with/russia/index.html", False),  # shared events: each has its page
    ("sources/index.html", False),  # a kind's index lists records with pages
    ("timeline/index.html", False),  # lists events, each with its page
    ("countries/china/index.html", True),
    ("map/index.html", True),
    ("404.html", False),
    ("quotes/index.html", False),  # every quote is on its source's and its speaker's page
    ("people/sergey-lavrov/mentions/2/index.html", False),  # sentences of indexed sources
    ("quotes/3/index.html", False),  # the pages of all quotes
    ("people/sergey-lavrov/quotes/2/index.html", False),
    ("timeline/2021/index.html", False),
    ("sources/pages/2/index.html", False),
    ("pagefind/index.html", False),
    ("data/records.json", False),
    ("sitemap.xml", False),
]


@pytest.mark.parametrize(("page", "expected"), INDEXED_CASES)
def test_which_pages_pagefind_indexes(page: str, expected: bool) -> None:
    assert search.indexed(page) is expected


def test_the_seed_corpus_is_below_the_threshold() -> None:
    assert choose_engine("auto", count_sources(ROOT / "content")) == "lunr"


@pytest.mark.slow
def test_the_plugin_refuses_an_unknown_setting(tmp_path: Path) -> None:
    config = _with_search(write_config(tmp_path, FIXTURES / "small" / "content"), "elasticsearch")
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode != 0
    assert "search" in result.stderr and "elasticsearch" in result.stderr


# -- building ---------------------------------------------------------------------------------


def _with_search(config: Path, setting: str) -> Path:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for plugin in data["plugins"]:
        if isinstance(plugin, dict) and "corpus" in plugin:
            plugin["corpus"]["search"] = setting
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A synthetic corpus just big enough for `search: auto` to choose Pagefind, built by
    `mkdocs build --strict` with the project's mkdocs.yml (auto is the default)."""
    root = tmp_path_factory.mktemp("pagefind")
    write_corpus(root / "content", PAGEFIND_FROM_SOURCES)
    site = root / "site"
    result = mkdocs_build(write_config(root, root / "content"), site)
    if result.returncode != 0:
        raise AssertionError(f"mkdocs build failed:\n{result.stdout}\n{result.stderr}")
    assert "corpus: Pagefind indexed" in result.stderr
    return root / "content", site


@pytest.fixture
def hostile(small_site: Path) -> Path:
    """The small fixture corpus (its texts hold markup as text), built once per session with
    `search: pagefind` forced."""
    return small_site


def _fragments(site: Path) -> dict[str, dict[str, Any]]:
    """Pagefind's stored page fragments by URL (gzip files with a 12-byte signature)."""
    found = {}
    for path in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        fragment = json.loads(data[len(b"pagefind_dcd") :])
        found[fragment["url"]] = fragment
    return found


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_a_large_corpus_builds_a_pagefind_bundle_and_no_lunr_index(large: tuple[Path, Path]) -> None:
    content, site = large
    bundle = site / "pagefind"
    assert (bundle / "pagefind.js").is_file() and (bundle / "pagefind-entry.json").is_file()
    assert list(bundle.glob("wasm.*.pagefind")) and list(bundle.glob("index/*.pf_index"))
    assert not (bundle / "pagefind-ui.js").exists()  # Pagefind's own UI is not shipped
    assert not (site / "search" / "search_index.json").exists()
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = [p for p in site.rglob("index.html") if p.parent != site / "pagefind"]
    indexed = [p for p in pages if search.indexed(p.relative_to(site).as_posix())]
    assert len(indexed) < len(pages)  # the synthetic corpus has pages of mentions
    assert sum(language["page_count"] for language in entry["languages"].values()) == len(indexed)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "search_index" not in html, page
        assert "data-corpus-search" in html and 'data-md-component="search"' not in html, page
        assert '<form class="md-search__form" name="search"' not in html, page  # Material fetches its index for it
        assert "javascripts/pagefind-search.js" in html and 'data-pagefind="' in html, page


@pytest.mark.slow
def test_pagefind_indexes_the_article_only(large: tuple[Path, Path]) -> None:
    content, site = large
    fragments = _fragments(site)
    person = sorted((content / "people").glob("*.md"))[0]
    name = yaml.safe_load(person.read_text(encoding="utf-8").split("---")[1])["name"]
    page = fragments[f"/people/{person.stem}/"]
    assert page["meta"]["title"] == name  # the heading without its "¶" permalink
    assert page["anchors"] and all("¶" not in anchor["text"] for anchor in page["anchors"])
    for fragment in fragments.values():
        # the header, the navigation and the footer are not in the index
        text = fragment["content"]
        assert fragment["url"] == "/" or "Regional diplomacy on Afghanistan" not in text, fragment["url"]
        assert "Home Timeline Quotes Network" not in text, fragment["url"]
        assert "Made with" not in text and "Skip to content" not in text, fragment["url"]
    assert "/404.html" not in fragments and not any("404" in url for url in fragments)
    assert "/quotes/" not in fragments and not any("/mentions/" in url for url in fragments)
    assert list(site.glob("*/*/mentions/1/index.html"))  # there were such pages to leave out
    # lists of records that have pages of their own: the kind indexes, the timeline, the
    # shared events of two countries
    assert not any(url.startswith("/timeline/") or "/with/" in url for url in fragments)
    assert not {"/sources/", "/events/", "/people/"} & fragments.keys()
    assert list(site.glob("countries/*/with/*/index.html")) and (site / "sources/index.html").is_file()
    # words every page has, and a source's quotes (its text has them), are not indexed again
    sources = [f for url, f in fragments.items() if url.startswith("/sources/")]
    assert sources and not any("Open data:" in f["content"] for f in fragments.values())
    quoting = [f for f in sources if "Quotes in this text" in f["content"]]
    assert quoting and not any("Go to the passage" in f["content"] for f in quoting)
    # a record's mention sentences are its sources' words: indexed on those pages, not again
    html = (site / "people" / person.stem / "index.html").read_text(encoding="utf-8")
    # marked for Pagefind's exclude selector by attr_list (no md_in_html wrapper)
    assert 'data-pagefind-ignore' not in html and '<h3 class="unindexed"' in html
    sentence = re.search(r'<li class="unindexed">“(.+?)”', html, re.S)
    assert sentence is not None
    words = re.sub(r"<[^>]+>", "", sentence.group(1)).split()[:6]
    assert " ".join(words) not in page["content"]
    assert any(" ".join(words) in f["content"] for url, f in fragments.items() if url.startswith("/sources/"))


@pytest.mark.slow
def test_pagefind_output_is_deterministic(large: tuple[Path, Path], tmp_path: Path) -> None:
    _content, site = large
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    run = run_pagefind(copy)
    assert run.pages > PAGEFIND_FROM_SOURCES
    assert _digest(copy / "pagefind") == _digest(site / "pagefind")


def test_a_missing_pagefind_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(search.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(search.PagefindError, match="pip install pagefind-bin"):
        run_pagefind(tmp_path)


@pytest.mark.slow
def test_the_seed_site_keeps_lunr(seed_site: Path) -> None:
    assert (seed_site / "search" / "search_index.json").is_file()
    assert not (seed_site / "pagefind").exists()
    html = (seed_site / "index.html").read_text(encoding="utf-8")
    assert 'data-md-component="search"' in html and "data-corpus-search" not in html
    assert "pagefind" not in html


# -- in the browser ---------------------------------------------------------------------------

ALLOWED_TAGS = {"LI", "A", "ARTICLE", "DIV", "H1", "H2", "P", "MARK"}


def _open_search(page: Any) -> Any:
    if page.locator("input.md-search__input").is_hidden():  # narrow screens fold the search box
        page.locator("label.md-search__icon").first.click()
    return page.locator("input.md-search__input")


def _local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob") or parts.hostname == "127.0.0.1"


@pytest.mark.browser
@pytest.mark.slow
def test_pagefind_search_in_the_browser(browser: Any, large: tuple[Path, Path]) -> None:
    content, site = large
    person = sorted((content / "people").glob("*.md"))[0]
    name = yaml.safe_load(person.read_text(encoding="utf-8").split("---")[1])["name"]
    url = serve_folder(site)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[Any] = []
    context.on("request", lambda request: requests.append(request))
    # Playwright does not see a worker script's own download: no worker may be started.
    context.add_init_script(
        "window.__workers = []; const Native = window.Worker;"
        "window.Worker = function (url, options) { window.__workers.push(String(url));"
        " return new Native(url, options); };"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(url + "/events/", wait_until="networkidle")
        before = len(requests)
        page.keyboard.press("/")  # Material's shortcut focuses the box
        search = _open_search(page)
        assert search.evaluate("node => node === document.activeElement")
        assert page.locator("#__search").is_checked()
        search.press_sequentially(name, delay=20)
        hit = page.locator(f"li.md-search-result__item a.md-search-result__link[href$='/people/{person.stem}/']")
        hit.first.wait_for(state="visible", timeout=30_000)
        page.wait_for_load_state("networkidle")
        meta = page.locator(".md-search-result__meta").inner_text()
        assert re.fullmatch(r"\d+ matching documents|1 matching document", meta.strip()), meta
        article = hit.first.locator("article")
        assert article.locator("h1").inner_text() == name
        snippet = article.locator("p")
        assert snippet.inner_text().strip()
        assert snippet.locator("mark").count() >= 1
        marked = " ".join(snippet.locator("mark").all_inner_texts()).lower()
        assert any(word.lower() in marked for word in name.split())

        query = requests[before:]
        urls = [r.url for r in query]
        assert all(_local(r.url) for r in requests), [u for u in (r.url for r in requests) if not _local(u)]
        assert any(u.endswith("/pagefind/pagefind.js") for u in urls)
        assert any(re.search(r"/pagefind/wasm\.\w+\.pagefind$", u) for u in urls), urls
        assert any(u.endswith(".pf_index") for u in urls), urls
        assert any(u.endswith(".pf_fragment") for u in urls), urls
        assert not any("search_index" in u or "/workers/search." in u for u in (r.url for r in requests))
        transferred = 0
        for request in query:
            sizes = request.sizes()
            transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        assert 0 < transferred < QUERY_BUDGET, (transferred, urls)
        assert page.evaluate("window.__workers") == []

        # the keyboard: ArrowDown moves into the results, Enter opens the focused one
        search.focus()
        page.keyboard.press("ArrowDown")
        first = page.locator("li.md-search-result__item a.md-search-result__link").first
        assert first.evaluate("node => node === document.activeElement")
        target = first.get_attribute("href")
        assert target
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(re.escape(urlsplit(target).path) + "$"))
        assert not page.locator("#__search").is_checked()
        assert errors == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_pagefind_snippets_cannot_inject_markup(browser: Any, hostile: Path) -> None:
    """The fixture text holds `<script>alert(1)</script>` as text: a result shows it as text."""
    page = browser.new_page()
    try:
        page.goto(serve_folder(hostile) + "/", wait_until="networkidle")
        search = _open_search(page)
        search.click()
        search.press_sequentially("alert", delay=20)
        hit = page.locator("li.md-search-result__item a[href$='/sources/tehran-meeting/']")
        hit.first.wait_for(state="visible", timeout=30_000)
        snippet = hit.first.locator("p").inner_text()
        assert "<script>alert(1)</script>" in snippet
        tags = page.locator("[data-corpus-search-result] ol").evaluate(
            "list => [...list.querySelectorAll('*')].map(node => node.tagName)"
        )
        assert set(tags) <= ALLOWED_TAGS, set(tags) - ALLOWED_TAGS
        attributes = page.locator("[data-corpus-search-result] ol").evaluate(
            "list => [...list.querySelectorAll('*')].flatMap(node => node.getAttributeNames())"
        )
        assert set(attributes) <= {"class", "href", "tabindex"}, set(attributes)
    finally:
        page.close()


@pytest.mark.browser
def test_lunr_search_still_works_on_the_seed(browser: Any, seed_url: str) -> None:
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(seed_url + "/", wait_until="networkidle")  # the search worker has its index
        page.keyboard.press("/")
        search = _open_search(page)
        search.press_sequentially("Lavrov", delay=30)
        hit = page.locator("a.md-search-result__link[href*='people/sergey-lavrov']").first
        hit.wait_for(state="visible", timeout=15_000)
        assert "Lavrov" in hit.inner_text()
        assert any(u.endswith("/search/search_index.json") for u in requests)
        assert not any("/pagefind/" in u for u in requests)
        hit.click()
        page.wait_for_url(re.compile(r"/people/sergey-lavrov/(\?h=.*)?$"))  # search.highlight
    finally:
        page.close()


@pytest.mark.slow
def test_the_hostile_build_uses_pagefind(hostile: Path) -> None:
    assert (hostile / "pagefind" / "pagefind.js").is_file()
    assert not (hostile / "search").exists()
