"""Which search engine a site gets, and the Pagefind indexer run on a built site.

Material's lunr search ships one index of the whole site (about 22 KB per source: 22 MB at
1,000 sources) that the browser downloads and parses before the first result. Pagefind
splits its index into chunks and fetches only the chunks and result fragments a query needs
(well under 300 KB on a large site). Small corpora keep lunr: it needs no extra build step,
works from ``file://`` and has suggestions and term highlighting on the target page.

Pure Python (no MkDocs import): the plugin calls :func:`choose_engine` in ``on_config`` and
:func:`run_pagefind` in ``on_post_build``.
"""

from __future__ import annotations

import importlib.util
import json
import os
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


def indexed(page: str) -> bool:
    """Whether Pagefind indexes this file of the built site (a path relative to it, with /)."""
    return page.endswith(".html") and NOT_INDEXED.fullmatch(page) is None


def pagefind_command(pages: Path, bundle: Path) -> list[str]:
    command = [sys.executable, "-m", "pagefind_bin", "--site", str(pages), "--output-path", str(bundle)]
    command += ["--root-selector", ROOT_SELECTOR, "--quiet"]
    for selector in EXCLUDE_SELECTORS:
        command += ["--exclude-selectors", selector]
    return command


def run_pagefind(site: Path, *, timeout: float = 1800) -> PagefindRun:
    """Index the built site in ``site`` into ``site/pagefind/``, replacing an earlier bundle.

    Deterministic (the same site gives the same bytes) and offline: the indexer is the
    binary of the ``pagefind-bin`` wheel; it reads no configuration file and no
    ``PAGEFIND_*`` variable, so only the options here count.
    """
    if importlib.util.find_spec("pagefind_bin") is None:
        raise PagefindError("search: pagefind needs the pagefind-bin package (pip install pagefind-bin)")
    site = site.resolve()
    bundle = site / BUNDLE
    shutil.rmtree(bundle, ignore_errors=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAGEFIND_")}
    started = time.perf_counter()
    # Pagefind reads the pages to index from a folder: the chosen pages are linked (or copied)
    # into one beside the site, at the same paths, so the URLs it stores are the site's.
    with tempfile.TemporaryDirectory(prefix=".pagefind-", dir=site.parent) as work:
        staged = Path(work) / "pages"
        _stage(site, staged)
        cwd = Path(work) / "cwd"  # empty: no pagefind.yml is found
        cwd.mkdir()
        try:
            result = subprocess.run(
                pagefind_command(staged, bundle),
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as error:
            raise PagefindError(f"Pagefind did not finish in {timeout:.0f}s") from error
    seconds = time.perf_counter() - started
    if result.returncode != 0 or not (bundle / "pagefind.js").is_file():
        raise PagefindError(
            f"Pagefind failed (exit {result.returncode}):\n{result.stdout.strip()}\n{result.stderr.strip()}"
        )
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    pages = sum(int(language.get("page_count", 0)) for language in entry.get("languages", {}).values())
    return PagefindRun(pages=pages, seconds=seconds, bundle=bundle)


def _stage(site: Path, pages: Path) -> None:
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        if not indexed(relative):
            continue
        target = pages / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)


def index_built_site(site: Path) -> PagefindRun:
    """:func:`run_pagefind` over a site any builder made (MkDocs, ProperDocs, Zensical):
    ``python -m generator search SITE``. Refuses a folder that holds no built site, since
    Pagefind would otherwise write an empty index there."""
    if not (site / "index.html").is_file():
        raise PagefindError("no index.html here: give the folder a builder wrote (e.g. site/)")
    if not any(indexed(path.relative_to(site).as_posix()) for path in site.rglob("*.html")):
        raise PagefindError("none of its pages is one the site indexes")
    return run_pagefind(site)
