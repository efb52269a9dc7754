"""Which search engine a site gets, and the Pagefind indexer run on a built site.

Material's lunr search ships one index of the whole site (about 22 KB per source: 22 MB at
1,000 sources) that the browser downloads and parses before the first result. Pagefind
splits its index into chunks and fetches only the chunks and result fragments a query needs
(well under 300 KB on a large site). Small corpora keep lunr: it needs no extra build step,
works from ``file://`` and has suggestions and term highlighting on the target page.

Pagefind keeps one index per page language, read from ``<html lang>``; this site's pages are
all English (their chrome is), and only a text's own elements carry its language
(``<p lang="zh">``). Chinese, Japanese and Thai write words without spaces between them, so in
the English index a run such as ``阿富汗塔利班`` stays one word and ``塔利班`` does not find it.
The pages whose text is in one of those languages (:data:`SEGMENTED`) are therefore indexed
a second time, by Pagefind's extended indexer (``pagefind-bin-extended``, which segments
them) forced to that language, into ``pagefind/<language>/``; the search box merges those
indexes into its search (``mergeIndex``) and shows a page found in both once, as
:data:`MERGE_FILE` says which page of a merged index is which page of the main one.

Pure Python (no MkDocs import): the plugin calls :func:`choose_engine` in ``on_config`` and
:func:`run_pagefind` in ``on_post_build``.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from generator import urls
from generator.reading import KINDS

Engine = Literal["lunr", "pagefind"]
SETTINGS = ("auto", "lunr", "pagefind")

# `search: auto` switches to Pagefind from this many sources on. At 100 sources the lunr
# index is already about 2 MB (ten times what a Pagefind query downloads), and Pagefind
# indexes such a site in well under a second.
PAGEFIND_FROM_SOURCES = 100

BUNDLE = "pagefind"  # the folder of the built site Pagefind writes into
# Only the page's article is indexed: not the navigation, header, footer or table of contents.
ROOT_SELECTOR = "article.md-content__inner"
# Not indexed inside it: the "¶" permalinks of headings, the text inside the pictures (their
# facts are beside them as text), and what the templates mark `{ .unindexed }` with attr_list:
# a record's mention sentences (its sources' own words, indexed on the source pages), a
# source's "Quotes in this text" (its text has them) and the "Open data" line of every page.
EXCLUDE_SELECTORS = (".headerlink", "svg", ".unindexed")
# Every page but these: the 404 page, and the pages that only list what other indexed pages
# hold, which would answer a query with a list beside (or instead of) the page it means:
# - the lists of quotes (each quote is also on its source's and its speaker's page);
# - the pages of a record's mentions (each is a sentence of an indexed source);
# - the index of each kind, the timeline, and two countries' shared events (each entry is a
#   record with a page of its own).
# They grow with the corpus, and a result's fragment is the whole page, downloaded to show its
# excerpt.
NOT_INDEXED = urls.not_indexed(tuple(KINDS))
# What Pagefind writes for its own UI, which this site does not use (it drives pagefind.js).
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)


# The languages Pagefind's extended indexer splits into words (charabia) and whose queries
# pagefind.js splits the same way (Intl.Segmenter): written without spaces between words.
SEGMENTED = ("zh", "ja", "th")
EXTENDED = "pagefind_bin_extended"  # the module of the pagefind-bin-extended wheel
# Beside pagefind.js: the merged indexes, for javascripts/pagefind-search.js.
MERGE_FILE = "corpus-merge.json"
# What a merged index needs (a merged instance runs on the main bundle's pagefind.js and wasm).
MERGED_KEEP = ("pagefind-entry.json", "fragment", "index", "filter")
# A text's block of another language: `<p id="p-1" lang="zh">`, a title `<h1 lang="ja">`.
_BLOCK = re.compile(rb"<(?:p|h[1-6]|li|dd|dt|td|th|blockquote|figcaption|div)\b([^>]*)>", re.IGNORECASE)
_LANG = re.compile(rb"""\slang\s*=\s*["']?([A-Za-z]{2,3})(?![A-Za-z])""", re.IGNORECASE)
_CLASS = re.compile(rb"""\sclass\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


class PagefindError(RuntimeError):
    """Pagefind is missing or failed; the message says what to do."""


def count_sources(content: Path) -> int:
    """The number of source texts in a corpus folder (``content/sources/**/*.md``)."""
    sources = content / "sources"
    return sum(1 for _ in sources.rglob("*.md")) if sources.is_dir() else 0


def choose_engine(setting: str, sources: int, *, serving: bool = False) -> Engine:
    """The engine for ``search: auto | lunr | pagefind``.

    ``auto`` is Pagefind from :data:`PAGEFIND_FROM_SOURCES` sources on, lunr below, and
    always lunr under ``mkdocs serve`` (no indexing step after every save).
    """
    if setting == "lunr":
        return "lunr"
    if setting == "pagefind":
        return "pagefind"
    if setting != "auto":
        raise ValueError(f"search must be one of {', '.join(SETTINGS)}, not {setting!r}")
    if serving:
        return "lunr"
    return "pagefind" if sources >= PAGEFIND_FROM_SOURCES else "lunr"


@dataclass(frozen=True)
class PagefindRun:
    pages: int
    seconds: float
    bundle: Path
    # the pages indexed again by language, for segmenting: (("zh", 12),)
    segmented: tuple[tuple[str, int], ...] = ()


def indexed(page: str) -> bool:
    """Whether Pagefind indexes this file of the built site (a path relative to it, with /)."""
    return page.endswith(".html") and NOT_INDEXED.fullmatch(page) is None


def segmented_languages(html: bytes) -> frozenset[str]:
    """The languages of :data:`SEGMENTED` that a page's text is written in: those marked on
    its blocks (``<p lang="zh">``, ``<h1 lang="ja">``), not on a phrase inside an English
    block (``<span lang="zh">``) nor on a block the index leaves out (``.unindexed``)."""
    if not _mentions_segmented(html):
        return frozenset()
    found = set()
    for block in _BLOCK.finditer(html):
        attributes = block.group(1)
        language = _LANG.search(attributes)
        if language is None:
            continue
        code = language.group(1).decode("ascii").lower()
        if code not in SEGMENTED:
            continue
        classes = _CLASS.search(attributes)
        if classes is not None and b"unindexed" in classes.group(1).split():
            continue
        found.add(code)
    return frozenset(found)


def _mentions_segmented(html: bytes) -> bool:
    """Whether a ``lang=`` of a language of :data:`SEGMENTED` is anywhere in the page: a quick
    look (one scan for ``lang=``, a few on a page) before the blocks are parsed."""
    codes = {code.encode("ascii") for code in SEGMENTED}
    start = html.find(b"lang=")
    while start != -1:
        value = html[start + 5 : start + 9].lstrip(b"\"'").lower()
        if value[:2] in codes and not value[2:3].isalpha():
            return True
        start = html.find(b"lang=", start + 5)
    return False


def pagefind_command(pages: Path, bundle: Path, *, language: str | None = None) -> list[str]:
    """The indexer's command: the main pass (``pagefind-bin``), or with ``language`` the pass
    of the pages in that language (``pagefind-bin-extended``, forced to it)."""
    module = "pagefind_bin" if language is None else EXTENDED
    command = [sys.executable, "-m", module, "--site", str(pages), "--output-path", str(bundle)]
    command += ["--root-selector", ROOT_SELECTOR, "--quiet"]
    for selector in EXCLUDE_SELECTORS:
        command += ["--exclude-selectors", selector]
    if language is not None:
        command += ["--force-language", language]
    return command


def run_pagefind(site: Path, *, timeout: float = 1800) -> PagefindRun:
    """Index the built site in ``site`` into ``site/pagefind/``, replacing an earlier bundle.

    Deterministic (the same site gives the same bytes) and offline: the indexers are the
    binaries of the ``pagefind-bin`` and ``pagefind-bin-extended`` wheels; they read no
    configuration file and no ``PAGEFIND_*`` variable, so only the options here count. The
    pages whose text is in a language of :data:`SEGMENTED` are indexed a second time, by
    language, into ``site/pagefind/<language>/`` (see the module's docstring).
    """
    if importlib.util.find_spec("pagefind_bin") is None:
        raise PagefindError("search: pagefind needs the pagefind-bin package (pip install pagefind-bin)")
    site = site.resolve()
    bundle = site / BUNDLE
    shutil.rmtree(bundle, ignore_errors=True)
    started = time.perf_counter()
    # Pagefind reads the pages to index from a folder: the chosen pages are linked (or copied)
    # into one beside the site, at the same paths, so the URLs it stores are the site's.
    with tempfile.TemporaryDirectory(prefix=".pagefind-", dir=site.parent) as work:
        staged = Path(work) / "pages"
        by_language = _stage(site, staged)
        if by_language and importlib.util.find_spec(EXTENDED) is None:
            raise PagefindError(
                f"search: pages in {', '.join(sorted(by_language))} need the pagefind-bin-extended "
                "package to be searchable by word (pip install pagefind-bin-extended)"
            )
        cwd = Path(work) / "cwd"  # empty: no pagefind.yml is found
        cwd.mkdir()
        deadline = started + timeout
        _index(pagefind_command(staged, bundle), cwd, deadline, bundle)
        merged = []
        for language, pages_of in sorted(by_language.items()):
            own = Path(work) / f"pages-{language}"
            _link_pages(site, own, pages_of)
            output = Path(work) / f"bundle-{language}"
            _index(pagefind_command(own, output, language=language), cwd, deadline, output)
            target = bundle / language
            target.mkdir()
            for name in MERGED_KEEP:
                if (output / name).exists():
                    shutil.move(output / name, target / name)
            for meta in sorted(output.glob("pagefind.*.pf_meta")):
                shutil.move(meta, target / meta.name)
            merged.append((language, len(pages_of)))
        _write_merge_file(bundle, [language for language, _ in merged])
    seconds = time.perf_counter() - started
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = sum(int(language.get("page_count", 0)) for language in entry.get("languages", {}).values())
    return PagefindRun(pages=pages, seconds=seconds, bundle=bundle, segmented=tuple(merged))


def _index(command: list[str], cwd: Path, deadline: float, output: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAGEFIND_")}
    timeout = max(1.0, deadline - time.perf_counter())
    try:
        result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        raise PagefindError(f"Pagefind did not finish in {timeout:.0f}s") from error
    if result.returncode != 0 or not (output / "pagefind-entry.json").is_file():
        raise PagefindError(
            f"Pagefind failed (exit {result.returncode}):\n{result.stdout.strip()}\n{result.stderr.strip()}"
        )


def fragment_urls(bundle: Path) -> dict[str, str]:
    """The page id (its fragment's name, as ``search()`` returns it) of each URL of a bundle."""
    urls_of: dict[str, str] = {}
    for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
        data = path.read_bytes()
        if not data.startswith(b"pagefind_dcd"):
            data = gzip.decompress(data)
        fragment = json.loads(data[len(b"pagefind_dcd") :])
        urls_of.setdefault(fragment["url"], path.name.removesuffix(".pf_fragment"))
    return urls_of


def _write_merge_file(bundle: Path, languages: list[str]) -> None:
    """``pagefind/corpus-merge.json``: each merged index, its language and folder, and for each
    of its pages the id the same page has in the main index (``same``), so the search box
    shows a page that both find once."""
    main = fragment_urls(bundle) if languages else {}
    indexes = []
    for language in languages:
        same = {page: main[url] for url, page in fragment_urls(bundle / language).items() if url in main}
        indexes.append({"language": language, "path": f"{language}/", "same": dict(sorted(same.items()))})
    text = json.dumps({"merge": indexes}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    (bundle / MERGE_FILE).write_text(text + "\n", encoding="utf-8")


def _stage(site: Path, pages: Path) -> dict[str, list[str]]:
    """Link the indexed pages into ``pages``; the pages of each language of :data:`SEGMENTED`."""
    chosen = []
    by_language: dict[str, list[str]] = {}
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        if not indexed(relative):
            continue
        chosen.append(relative)
        for language in segmented_languages(path.read_bytes()):
            by_language.setdefault(language, []).append(relative)
    _link_pages(site, pages, chosen)
    return by_language


def _link_pages(site: Path, pages: Path, chosen: list[str]) -> None:
    for relative in chosen:
        target = pages / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(site / relative, target)
        except OSError:
            shutil.copyfile(site / relative, target)


def index_built_site(site: Path) -> PagefindRun:
    """:func:`run_pagefind` over a site any builder made (MkDocs, ProperDocs, Zensical):
    ``python -m generator search SITE``. Refuses a folder that holds no built site, since
    Pagefind would otherwise write an empty index there."""
    if not (site / "index.html").is_file():
        raise PagefindError("no index.html here: give the folder a builder wrote (e.g. site/)")
    if not any(indexed(path.relative_to(site).as_posix()) for path in site.rglob("*.html")):
        raise PagefindError("none of its pages is one the site indexes")
    run = run_pagefind(site)
    retire_builder_index(site)
    return run


# The mark of the Pagefind search box (templates/theme/partials/search.html) in a built page.
BOX = b"data-corpus-search"
# Zensical's own index: its bundle downloads it on every page that has a `.md-search` element,
# the Pagefind box included (Material's only for a form named "search", which that box is not).
BUILDER_INDEX = "search.json"


def retire_builder_index(site: Path) -> bool:
    """When the built pages carry the Pagefind box (the standalone project's mkdocs.yml says
    ``extra: {corpus_search: pagefind}``), the builder's own index is never searched, yet
    Zensical's script downloads it (11.5 MB at 1,000 sources): it is replaced by an empty one,
    its ``config`` kept. Whether it was replaced."""
    index = site / BUILDER_INDEX
    if not index.is_file() or BOX not in (site / "index.html").read_bytes():
        return False
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return False  # not Zensical's index: left as it is
    empty = {"config": data.get("config", {}), "items": []}
    index.write_text(json.dumps(empty, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return True
