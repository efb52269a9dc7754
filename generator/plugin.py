"""The MkDocs adapter: runs the core, adds its pages as generated files, watches the corpus.

Nothing is written into ``docs_dir``. The corpus is checked in ``on_pre_build``,
before MkDocs cleans ``site/``, so a corpus with errors leaves the last built
site as it was. While serving, a broken corpus keeps the last good pages and
shows the problems at the top of every page.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import logging
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from watchdog.utils.dirsnapshot import DirectorySnapshot

from generator.incremental import BuildCache
from generator.mentions import escape_markdown
from generator.problems import Problem
from generator.sanitize import sanitize
from generator.search import SETTINGS, PagefindError, choose_engine, count_sources, run_pagefind
from generator.site import SiteInfo, generate

log = logging.getLogger("mkdocs.plugins.corpus")

LISTED = {"index.md", "timeline.md", "quotes.md"}  # pages the nav may list; records are reached from indexes


class CorpusConfig(base.Config):  # type: ignore[no-untyped-call]
    content = c.Type(str, default="content")
    templates = c.Type(str, default="templates")
    warnings_fail = c.Type(bool, default=False)
    # auto: Pagefind from generator.search.PAGEFIND_FROM_SOURCES sources on (not while serving)
    search = c.Choice(SETTINGS, default="auto")


class CorpusPlugin(BasePlugin[CorpusConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.serving = False
        self.last_good: dict[str, str] = {}
        self.pages: dict[str, str] = {}
        self.files: dict[str, str] = {}  # open data (data/…), published beside the pages
        self.problems: list[Problem] = []
        self.page_dir: Path | None = None
        self.written: dict[str, str] = {}
        self.cache: BuildCache | None = None
        self.search_engine = "lunr"  # what `search` resolved to; the search partial reads it
        self.dirty = False
        self.indexed = False  # a build of this serve has written the search index
        self.keep_index = False  # this build keeps that index (`serve --dirty`)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance across rebuilds of `mkdocs serve`.
        self.serving = command == "serve"
        self.dirty = dirty
        if self.serving:
            # Pages are backed by files here (never in docs_dir), rewritten only when their
            # Markdown changes, so `mkdocs serve --dirty` re-renders only changed pages.
            self.page_dir = Path(tempfile.mkdtemp(prefix="corpus-pages-"))
            atexit.register(shutil.rmtree, self.page_dir, ignore_errors=True)  # also on Ctrl-C
            self.cache = BuildCache()  # reuse what an edit did not change

    @event_priority(-100)  # after Material's search plugin has set itself up
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        _root, content, _templates = self._paths(config)
        sources = count_sources(content)
        self.search_engine = choose_engine(self.config.search, sources, serving=self.serving)
        lunr = config.plugins.get("material/search")
        if self.search_engine == "pagefind" and lunr is None:
            log.warning("corpus: search: pagefind needs Material's search plugin (its search box)")
            self.search_engine = "lunr"
        # `serve --dirty` builds only the changed pages, and either index would hold just those:
        # keep the whole one the first build wrote (stale for the edited pages until a restart).
        self.keep_index = self.serving and self.dirty and self.indexed
        if lunr is not None and (self.search_engine == "pagefind" or self.keep_index):
            _skip_lunr_index(config, lunr)
        log.info(f"corpus: {self.search_engine} search ({sources} sources, search: {self.config.search})")
        return config

    @event_priority(-100)  # after every other plugin has written into the site
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.cache is not None and not self.indexed:
            _freeze_heap()
        keep, self.indexed = self.keep_index, True
        if self.search_engine != "pagefind" or keep:
            return
        site = Path(config.site_dir)
        stale = site / "search" / "search_index.json"  # from an earlier lunr build with --dirty
        if stale.is_file():
            stale.unlink()
            with contextlib.suppress(OSError):
                stale.parent.rmdir()
        try:
            run = run_pagefind(site)
        except PagefindError as error:
            raise PluginError(str(error)) from error
        log.info(f"corpus: Pagefind indexed {run.pages} page(s) in {run.seconds:.2f}s")

    def on_shutdown(self) -> None:
        if self.page_dir is not None:
            shutil.rmtree(self.page_dir, ignore_errors=True)
            self.page_dir = None

    def _paths(self, config: MkDocsConfig) -> tuple[Path, Path, Path]:
        root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        return root, root / self.config.content, root / self.config.templates

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        root, content, templates = self._paths(config)
        started = time.perf_counter()
        site = SiteInfo(config.site_name, config.site_url or None)
        result = generate(content, templates, shown_base=root, cache=self.cache, site=site)
        if self.cache is not None:
            stats = self.cache.stats
            log.info(
                f"corpus: {time.perf_counter() - started:.2f}s, read {stats.files_read} file(s), "
                f"linked {stats.texts_linked} text(s), planned {stats.records_planned} record(s), "
                f"rendered {stats.pages_rendered} page(s), kept {stats.pages_reused}"
            )
        self.problems = list(result.problems)
        for problem in result.warnings:
            (log.warning if self.config.warnings_fail else log.info)(problem.format())
        if result.ok:
            self.pages = dict(result.pages)
            self.files = dict(result.files)
            self.last_good = self.pages
            return
        listing = "\n".join(p.format() for p in result.errors)
        if not self.serving:
            raise PluginError(
                f"the corpus has {len(result.errors)} error(s); the site was not rebuilt:\n{listing}"
            )
        for problem in result.errors:
            log.error(problem.format())
        banner = _banner(result.errors)
        base_pages = self.last_good or {"index.md": "# The corpus has errors\n"}
        self.pages = {path: banner + md for path, md in base_pages.items()}

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        for path, markdown in self.pages.items():
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            inclusion = InclusionLevel.UNDEFINED
            if path not in LISTED and not path.endswith("/index.md"):
                inclusion = InclusionLevel.NOT_IN_NAV
            if self.page_dir is None:
                files.append(File.generated(config, path, content=markdown, inclusion=inclusion))
            else:
                source = self._write(path, markdown)
                files.append(File.generated(config, path, abs_src_path=str(source), inclusion=inclusion))
        for path, text in self.files.items():
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            if self.page_dir is None:
                files.append(File.generated(config, path, content=text))
            else:  # backed by a file, so `--dirty` copies it only when it changed
                files.append(File.generated(config, path, abs_src_path=str(self._write(path, text))))
        if self.page_dir is not None:
            for gone in set(self.written) - set(self.pages) - set(self.files):
                (self.page_dir / gone).unlink(missing_ok=True)
                del self.written[gone]
        return files

    def _write(self, path: str, markdown: str) -> Path:
        assert self.page_dir is not None
        target = self.page_dir / path
        if self.written.get(path) != markdown:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(markdown, encoding="utf-8")
            self.written[path] = markdown
        return target

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        # While serving, the theme's templates are compiled once, not on every save.
        if self.cache is not None:
            env.bytecode_cache = self.cache.bytecode
        return env

    def on_page_content(self, html: str, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        # A second line of defence: on a correct build this changes nothing visible.
        return sanitize(html)

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        _root, content, templates = self._paths(config)
        with _polled_often(server, [content, templates]) as interval:
            server.watch(str(content))
            server.watch(str(templates))
        log.info(f"corpus: watching {content.name}/ and {templates.name}/ every {interval:.2f}s")
        return server


@contextlib.contextmanager
def _polled_often(server: Any, folders: list[Path]) -> Iterator[float]:
    """Poll the corpus folders more often than MkDocs's 0.5 s, as often as costs at most 5%
    of a core (between every 0.1 s and every 0.5 s): the wait for a save to be noticed is
    most of what an author waits for on a small corpus.

    MkDocs exposes no setting for this; watchdog's observer takes the interval of the
    folders scheduled on it from its timeout. Should that attribute go, MkDocs's default stays.
    """
    observer = getattr(server, "observer", None)
    previous = getattr(observer, "_timeout", None)
    if not isinstance(previous, int | float):
        yield 0.5
        return
    started = time.perf_counter()
    for folder in folders:
        if folder.is_dir():
            DirectorySnapshot(str(folder))
    interval = min(max(previous, 0.5), max(0.1, (time.perf_counter() - started) * 20))
    observer._timeout = interval  # type: ignore[union-attr]
    try:
        yield interval
    finally:
        observer._timeout = previous  # type: ignore[union-attr]


def _freeze_heap() -> None:
    """After the first build of a serve: what it left (mostly the cache, millions of objects)
    is moved out of reach of the cyclic garbage collector, which otherwise scans it all on each
    full collection during every later rebuild (measured on 1,000 sources: MkDocs's part of a
    rebuild went from 0.9-2.0 s to about 0.9 s). Garbage is collected once first; what is
    frozen is still freed by reference counting when the cache lets go of it."""
    gc.collect()
    gc.freeze()


def _skip_lunr_index(config: MkDocsConfig, lunr: BasePlugin[Any]) -> None:
    """Keep Material's search plugin (its box is drawn only while it is enabled) but drop
    its indexing of every page and its search_index.json: Pagefind replaces both, or
    (`serve --dirty`) the whole index of the first build stays."""
    for event in ("page_context", "post_build"):
        handler = getattr(lunr, f"on_{event}", None)
        handlers = config.plugins.events.get(event, [])
        config.plugins.events[event] = [h for h in handlers if h != handler]


def _banner(problems: list[Problem]) -> str:
    lines = [f'!!! failure "The corpus has {len(problems)} error(s): showing the last good pages"', ""]
    for problem in problems[:50]:
        lines.append(
            f"    - `{problem.path}:{problem.line}:{problem.column}` {escape_markdown(problem.message)}"
        )
    lines.append("")
    return "\n".join(lines) + "\n"
