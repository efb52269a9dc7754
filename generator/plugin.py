"""The MkDocs adapter: runs the core, adds its pages as generated files, watches the corpus.

Nothing is written into ``docs_dir``. ``mkdocs build`` runs the pure core once; it checks the
corpus in ``on_pre_build``, before MkDocs cleans ``site/``, so a corpus with errors leaves
the last built site as it was.

``mkdocs serve`` drives the incremental engine (:mod:`generator.incremental`), and, after its
first build, has MkDocs rebuild only the pages whose Markdown changed (its ``--dirty``
rebuild, arranged here: nobody needs to know the flag; a change of the theme overrides or of
``mkdocs.yml`` still rebuilds everything). A broken file keeps the last good pages; the
problems show at the top of every page through a small script the served pages load
(``_corpus/problems.js``), so the save that breaks a file and the one that fixes it cost what
any save costs. Material's search index follows every rebuild.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any, cast

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import get_relative_url
from watchdog import events as watchdog_events
from watchdog.observers import Observer
from watchdog.utils.dirsnapshot import DirectorySnapshot

from generator import collector, urls
from generator.incremental import Engine
from generator.incremental.bytecode import MemoryBytecodeCache
from generator.packed import Decoded, pack, pack_bytes, unpack, unpack_bytes
from generator.problems import Problem
from generator.sanitize import sanitize
from generator.search import SETTINGS, PagefindError, choose_engine, count_sources, run_pagefind
from generator.site import SiteInfo, generate

log = logging.getLogger("mkdocs.plugins.corpus")

LISTED = urls.NAV_LISTED
PROBLEMS_SCRIPT = "_corpus/problems.js"  # served only: the problems of the corpus, shown on every page
DATA_AFTER_IDLE = 2.0  # seconds without a save before the open data is written while serving
BANNER_SHOWN = 50  # problems listed in the served banner; the rest are counted


class CorpusConfig(base.Config):  # type: ignore[no-untyped-call]
    content = c.Type(str, default="content")
    templates = c.Type(str, default="templates")
    warnings_fail = c.Type(bool, default=False)
    # auto: Pagefind from generator.search.PAGEFIND_FROM_SOURCES sources on (not while serving)
    search = c.Choice(SETTINGS, default="auto")


class CorpusPlugin(BasePlugin[CorpusConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.serving = False
        self.pages: Mapping[str, str] = {}
        self.files: MutableMapping[str, str] = {}  # feeds and open data (data/…), published beside the pages
        self.problems: list[Problem] = []
        self.page_dir: Path | None = None
        self.written: set[str] = set()  # the generated files backed by a file in page_dir
        self.fresh: set[str] = set()  # those to write again: their bytes changed since written
        self.engine: Engine | None = None
        self.bytecode = MemoryBytecodeCache()
        self.search_engine = "lunr"  # what `search` resolved to; the search partial reads it
        self.builds = 0  # builds of this serve so far
        self.frozen_after_build = False  # the serve's build function freezes the heap once it returns
        self.dirty = False  # this build is MkDocs's dirty rebuild (only changed pages)
        self.search_entries: dict[str, str] = {}  # each page's lunr entries as JSON text, while serving
        self.held: dict[str, bytes] = {}  # each page's HTML, packed, from its making till it is written
        self._writer: int | None = None  # the process writing data/ after saves pause
        self._timer: threading.Timer | None = None  # the wait for saves to pause
        self._lock = threading.Lock()
        self._busy = False  # a rebuild is running: no writer is started
        self.events: _Touched | None = None  # the paths saves touched, when saves come as events
        self.warned: set[Problem] = set()  # the warnings logged while serving, not logged again
        self.as_read_when_watched = False  # the files were as read once the watches had begun

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance across rebuilds of `mkdocs serve`.
        self.serving = command == "serve"
        if self.serving:
            # Pages are backed by files here (never in docs_dir), rewritten only when their
            # Markdown changes, so MkDocs's dirty rebuild re-renders only changed pages.
            self.page_dir = Path(tempfile.mkdtemp(prefix="corpus-pages-"))
            atexit.register(shutil.rmtree, self.page_dir, ignore_errors=True)  # also on Ctrl-C
            _rebuild_dirty_after_first(self)

    @event_priority(-100)  # after Material's search plugin has set itself up
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        _root, content, _templates = self._paths(config)
        sources = count_sources(content)
        self.search_engine = choose_engine(self.config.search, sources, serving=self.serving)
        lunr = config.plugins.get("material/search")
        if self.search_engine == "pagefind" and lunr is None:
            log.warning("corpus: search: pagefind needs Material's search plugin (its search box)")
            self.search_engine = "lunr"
        if lunr is not None and self.search_engine == "pagefind":
            _skip_lunr_index(config, lunr)
        log.info(f"corpus: {self.search_engine} search ({sources} sources, search: {self.config.search})")
        return config

    def theme_key(self, config: MkDocsConfig) -> tuple[object, ...]:
        """What a page's HTML depends on besides its Markdown: the theme overrides and the
        configuration. When it changes, a serve rebuilds every page."""
        root, _content, templates = self._paths(config)
        found: list[object] = [_stat_key(Path(config.config_file_path or root / "mkdocs.yml"))]
        theme = templates / "theme"
        for folder, _dirs, names in sorted(os.walk(theme)):
            found.extend((f"{folder}/{n}", _stat_key(Path(folder) / n)) for n in sorted(names))
        return tuple(found)

    def _paths(self, config: MkDocsConfig) -> tuple[Path, Path, Path]:
        # Absolute: MkDocs gives the path as typed for the first build (`mkdocs serve` in the
        # project folder: relative) and an absolute one for the rebuilds; the engine must stay.
        path = config.config_file_path
        root = Path(os.path.abspath(path)).parent if path else Path.cwd()
        return root, root / self.config.content, root / self.config.templates

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        root, content, templates = self._paths(config)
        site = SiteInfo(config.site_name, config.site_url or None)
        if not self.serving:
            result = generate(content, templates, shown_base=root, site=site)
            self._report(result.problems)
            if not result.ok:
                listing = "\n".join(p.format() for p in result.errors)
                raise PluginError(
                    f"the corpus has {len(result.errors)} error(s); the site was not rebuilt:\n{listing}"
                )
            # Held packed as the core made them: each is unpacked when MkDocs reads it.
            self.pages, self.files = result.pages, ChainMap({}, cast(MutableMapping[str, str], result.files))
            return
        self._stop_writer()
        if self.engine is None or (self.engine.content, self.engine.site) != (content, site):
            self.engine = Engine(content, templates, root, site)
        # Saves that came as events name what they touched; the first rebuild looks at every
        # file unless the files were found as read once the watches had begun (on_serve): a
        # save made before that gave no event.
        touched = self.events.take() if self.events is not None else None
        if self.builds == 0 or (self.builds == 1 and not self.as_read_when_watched):
            touched = None
        update = self.engine.update(touched)
        stats = update.stats
        log.info(
            f"corpus: {stats.seconds:.2f}s, read {stats.files_read} file(s), linked {stats.texts_linked} "
            f"text(s), made {stats.outputs_made} output(s), kept {stats.outputs_kept}; "
            f"looked at {stats.files_looked_at} file(s){' events named' * (touched is not None)}; "
            f"{len(update.changed)} changed, {len(update.removed)} gone"
        )
        self._report(update.problems)
        self.pages = update.pages  # read only where written: most pages are as they were
        # The feeds are read only where written, as the pages; a ChainMap writes into its first
        # mapping only, so the engine's read-only view below it is never written.
        files = ChainMap({}, cast(MutableMapping[str, str], update.files))
        self.files = files
        self.fresh |= update.changed
        if not self.dirty:  # a whole build: the open data is part of it, every file is written
            # as one more read-only layer: held packed, each file unpacked as it is written
            files.maps.append(cast(MutableMapping[str, str], self.engine.data_files()))
            self.fresh |= self.written
        else:
            # A dirty rebuild keeps the open data's files as they are: the pages link them, and a
            # forked writer brings them up to date after the rebuild (_write_data_later).
            for path in self.written:
                if path.startswith("data/"):
                    self.files[path] = ""  # as written last: not written again (see _write), not read
        if not update.pages:
            self.pages = {"index.md": "# The corpus has errors\n"}
            self.fresh.add("index.md")

    def _report(self, problems: tuple[Problem, ...]) -> None:
        """Log the problems: every error each time, and, while serving, only the warnings a
        save brought (a corpus of 10,000 sources has hundreds, which every save printed again
        above the one line that mattered)."""
        self.problems = [p for p in problems if p.severity.value == "error"]
        told = self.warned if self.serving else set()
        again = 0
        for problem in problems:
            if problem.severity.value == "error":
                log.error(problem.format())
            elif problem in told:
                again += 1
            else:
                (log.warning if self.config.warnings_fail else log.info)(problem.format())
        if again:
            log.info(f"corpus: {again} warning(s) as before (python -m generator check lists them all)")
        if self.serving:
            warned = {p for p in problems if p.severity.value != "error"}
            # With an error the corpus's warnings wait (generator.site.check): those told before
            # are still known, so the save that mends the error does not tell them all again.
            self.warned = self.warned | warned if self.problems else warned

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        for path in self.pages:
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            inclusion = InclusionLevel.UNDEFINED
            if path not in LISTED and not urls.is_index(path):
                inclusion = InclusionLevel.NOT_IN_NAV
            if self.page_dir is None:
                files.append(_generated(config, path, self.pages, inclusion))
            else:
                source = self._write(path, self.pages)
                files.append(File.generated(config, path, abs_src_path=str(source), inclusion=inclusion))
        for path in self.files:
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            if self.page_dir is None:
                files.append(_generated(config, path, self.files))
            else:  # backed by a file, so a dirty rebuild copies it only when it changed
                files.append(File.generated(config, path, abs_src_path=str(self._write(path, self.files))))
        if self.page_dir is not None:
            for gone in self.written - self.pages.keys() - self.files.keys():
                (self.page_dir / gone).unlink(missing_ok=True)
                self.written.discard(gone)
                if self.dirty:  # a dirty rebuild does not clean the site: remove what went away
                    _remove_output(Path(config.site_dir), gone)
            self.fresh = set()
        return files

    def _write(self, path: str, texts: Mapping[str, str]) -> Path:
        """The file backing a generated page or file, written again when it changed (or was
        never written): the others are not read, so most pages stay as bytes in the engine."""
        assert self.page_dir is not None
        target = self.page_dir / path
        if path in self.fresh or path not in self.written:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(texts[path], encoding="utf-8")
            self.written.add(path)
        return target

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        # While serving, the theme's templates are compiled once, not on every save.
        if self.serving:
            env.bytecode_cache = self.bytecode
        return env

    @event_priority(-100)  # the last to see the page's HTML: it is held packed from here
    def on_page_content(self, html: str, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        # MkDocs makes every page HTML before it writes any, and keeps each page's Markdown and
        # HTML till the build ends. Nothing reads the Markdown once it is HTML (the page's title
        # is taken then; an empty string, not None, keeps it): let it go (mkdocs build of 1,000
        # sources: 571 MB at its peak before, 480 MB after, the same site). The HTML waits for
        # its page to be written packed (pack: UTF-8 and Zstandard), and goes once it is written.
        page.markdown = ""
        # A second line of defence: on a correct build this changes nothing visible.
        self.held[page.file.src_uri] = pack(sanitize(html))
        return ""

    @event_priority(100)  # before Material's search plugin reads the page's HTML
    def on_page_context(self, context: Any, *, page: Any, config: MkDocsConfig, nav: Any) -> Any:
        held = self.held.pop(page.file.src_uri, None)
        if held is not None:
            page.content = unpack(held)
        return context

    @event_priority(-100)  # after every other plugin: the page is written next
    def on_post_page(self, output: str, *, page: Any, config: MkDocsConfig) -> str:
        page.content = ""  # written: nothing reads its HTML again
        if not self.serving:
            return output
        src = get_relative_url(PROBLEMS_SCRIPT, page.url)
        return output.replace("</body>", f'<script src="{src}"></script></body>', 1)

    @event_priority(-100)  # after every other plugin has written into the site
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self.held.clear()  # the HTML of pages made but not written (none, on a build that ends)
        site = Path(config.site_dir)
        if self.serving:
            self._serve_post_build(config, site)
            return
        if self.search_engine != "pagefind":
            return
        try:
            run = run_pagefind(site)
        except PagefindError as error:
            raise PluginError(str(error)) from error
        log.info(f"corpus: Pagefind indexed {run.pages} page(s) in {run.seconds:.2f}s")

    def _serve_post_build(self, config: MkDocsConfig, site: Path) -> None:
        _write_if_changed(site / PROBLEMS_SCRIPT, problems_script(self.problems))
        lunr = config.plugins.get("material/search")
        if lunr is not None:
            self._merge_search_index(lunr, site, config)
        if self.dirty and self.engine is not None and not self.problems:
            self._write_data_later(site)
        if self.builds == 0 and not self.frozen_after_build:
            _freeze_heap()
        self.builds += 1

    def _merge_search_index(self, lunr: Any, site: Path, config: MkDocsConfig) -> None:
        """Material's index of a dirty rebuild holds only the pages it rebuilt: keep every
        page's entries across rebuilds (as the JSON text they are written as), drop the pages
        that went away, and write the whole index again, pages in the order a full build
        lists them: the same bytes as Material's own ``json.dumps`` of them all, without
        serializing again the pages that were not rebuilt."""
        index = getattr(lunr, "search_index", None)
        entries = getattr(index, "entries", None)
        settings = getattr(index, "config", None)
        if not isinstance(entries, list) or not isinstance(settings, dict):
            return
        rebuilt: dict[str, list[str]] = {}
        for entry in entries:
            page = str(entry.get("location", "")).split("#", 1)[0]
            rebuilt.setdefault(page, []).append(json.dumps(entry, separators=(",", ":"), default=str))
        if not self.dirty:
            self.search_entries = {}
        self.search_entries.update((page, ",".join(texts)) for page, texts in rebuilt.items())
        order = [_served_url(path) for path in ["index.md", *sorted(self.pages)] if path in self.pages]
        wanted = dict.fromkeys(order)
        for page in list(self.search_entries):
            if page not in wanted and page not in rebuilt:
                del self.search_entries[page]
        ordered = [self.search_entries[page] for page in wanted if self.search_entries.get(page)]
        ordered += [text for page, text in self.search_entries.items() if page not in wanted and text]
        shown = {key: settings[key] for key in ("lang", "separator", "pipeline", "fields") if key in settings}
        text = '{"config":' + json.dumps(shown, separators=(",", ":"), default=str)
        text += ',"docs":[' + ",".join(ordered) + "]}"
        _write_at_once(site / "search" / "search_index.json", text)

    def _write_data_later(self, site: Path) -> None:
        """The open data (the corpus JSON is 15 MB at 1,000 sources, 150 MB at 10,000) is
        brought up to date once saves pause for DATA_AFTER_IDLE seconds, by a forked process,
        so that no save waits for it or shares the machine with it: the next save stops an
        unfinished writer (:meth:`_stop_writer`)."""
        with self._lock:
            self._busy = False
            self._cancel_timer()
            timer = threading.Timer(DATA_AFTER_IDLE, self._fork_writer, args=(site,))
            timer.daemon = True
            self._timer = timer
            timer.start()

    def _fork_writer(self, site: Path) -> None:
        with self._lock:
            if self._busy or self.engine is None:
                return  # a save began: its rebuild asks again when it is done
            if not hasattr(os, "fork"):
                _write_data(self.engine, site, self.written, self.page_dir)
                return
            pid = os.fork()
            if pid == 0:  # the child: write, then leave at once (no atexit, no MkDocs teardown)
                code = 0
                try:
                    _write_data(self.engine, site, self.written, self.page_dir)
                except BaseException:
                    code = 1
                finally:
                    os._exit(code)
            self._writer = pid

    def _stop_writer(self) -> None:
        """A save begins: no open data is written while it runs (a writer finishing would
        share the cores, and the memory it shares makes the save's writes copy pages)."""
        with self._lock:
            self._busy = True
            self._cancel_timer()
            if self._writer is not None:
                with contextlib.suppress(ChildProcessError, OSError):
                    os.kill(self._writer, 9)
                    os.waitpid(self._writer, 0)
                self._writer = None

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def on_shutdown(self) -> None:
        with self._lock:
            self._cancel_timer()
        if self._writer is not None:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(self._writer, 0)
        if self.page_dir is not None:
            shutil.rmtree(self.page_dir, ignore_errors=True)
            self.page_dir = None

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        _root, content, templates = self._paths(config)
        self.events = _Touched()
        if _native_events(server, self.events):
            server.watch(str(content))
            server.watch(str(templates))
            self.as_read_when_watched = self.engine is not None and self.engine.as_read()
            log.info(f"corpus: watching {content.name}/ and {templates.name}/ (file system events)")
            return server
        with _polled_often(server, [content, templates]) as interval:
            server.watch(str(content))
            server.watch(str(templates))
        self.events = None
        log.info(f"corpus: watching {content.name}/ and {templates.name}/ every {interval:.2f}s")
        return server


_served_url = urls.served


def _stat_key(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (0, -1)
    return (st.st_mtime_ns, st.st_size)


def _write_if_changed(path: Path, text: str) -> None:
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    _write_at_once(path, text)


def _write_at_once(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


class _PackedFile(File):
    """A generated file whose content is held packed (:mod:`generator.packed`) until MkDocs
    reads it: a whole build's pages are not all held as text at once."""

    _packed: bytes | None = None

    @property
    def _content(self) -> bytes | None:  # what File reads its content from
        return None if self._packed is None else unpack_bytes(self._packed)

    @_content.setter
    def _content(self, value: str | bytes | None) -> None:
        if value is None:
            self._packed = None
        else:
            self._packed = pack(value) if isinstance(value, str) else pack_bytes(value)


def _generated(
    config: MkDocsConfig,
    path: str,
    texts: Mapping[str, str],
    inclusion: InclusionLevel = InclusionLevel.UNDEFINED,
) -> File:
    """A generated file of ``texts[path]``, left packed when ``texts`` holds it packed."""
    packed = _packed_in(texts, path)
    if packed is None:
        return File.generated(config, path, content=texts[path], inclusion=inclusion)
    made = _PackedFile.generated(config, path, content=b"", inclusion=inclusion)
    assert isinstance(made, _PackedFile)
    made._packed = packed
    return made


def _packed_in(texts: Mapping[str, str], path: str) -> bytes | None:
    """``texts[path]`` as packed bytes, if ``texts`` (or the ChainMap layer holding it) is a packed view."""
    for layer in texts.maps if isinstance(texts, ChainMap) else [texts]:
        if path in layer:
            return layer.packed[path] if isinstance(layer, Decoded) else None
    return None


def _remove_output(site: Path, path: str) -> None:
    """What MkDocs wrote for a generated file that went away: a page's folder index, or the file."""
    if path.endswith(".md"):
        served = _served_url(path)
        target = site / served / "index.html" if served else site / "index.html"
        target.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            target.parent.rmdir()
    else:
        (site / path).unlink(missing_ok=True)


def _write_data(engine: Engine, site: Path, written: set[str], page_dir: Path | None) -> None:
    data = engine.data_files()
    for path, text in data.items():
        _write_if_changed(site / path, text)
    for gone in [p for p in written if p.startswith("data/") and p not in data]:
        (site / gone).unlink(missing_ok=True)


def problems_script(problems: list[Problem]) -> str:
    """The served pages' banner of problems, as a script that draws it (with text nodes only:
    no message is ever parsed as HTML). Empty when the corpus is fine."""
    if not problems:
        return "// the corpus has no errors\n"
    shown = [p.format() for p in problems[:BANNER_SHOWN]]
    more = len(problems) - len(shown)
    data = json.dumps({"count": len(problems), "shown": shown, "more": more}, ensure_ascii=True)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")  # no markup at all
    return _BANNER_JS.replace("DATA", data)


_BANNER_JS = """(function () {
  var data = DATA;
  function show() {
    var box = document.createElement("div");
    box.className = "admonition failure corpus-problems";
    box.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.className = "admonition-title";
    title.textContent = "The corpus has " + data.count + " error(s): showing the last good pages";
    box.appendChild(title);
    var list = document.createElement("ul");
    data.shown.forEach(function (line) {
      var item = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = line;
      item.appendChild(code);
      list.appendChild(item);
    });
    if (data.more > 0) {
      var rest = document.createElement("li");
      rest.textContent = "and " + data.more + " more (python -m generator check lists them all)";
      list.appendChild(rest);
    }
    box.appendChild(list);
    var where = document.querySelector("article") || document.body;
    where.insertBefore(box, where.firstChild);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
  else show();
})();
"""


def _rebuild_dirty_after_first(plugin: CorpusPlugin) -> None:
    """Under ``mkdocs serve`` (or ``properdocs serve``), every rebuild after the first is
    MkDocs's dirty one, which renders only the pages whose Markdown file is newer than their
    HTML, unless the theme overrides or ``mkdocs.yml`` changed.

    MkDocs has no setting for this: its serve command calls ``build(config, dirty=...)``
    with the flag it was given, so the plugin wraps that function of the serve module for
    this process (a module attribute since MkDocs 1.4; should it go, rebuilds stay whole)."""
    for name in ("mkdocs.commands.serve", "properdocs.commands.serve"):
        module = sys.modules.get(name)
        real = getattr(module, "build", None)
        if module is None or real is None or getattr(real, "_corpus_wrapped", False):
            continue
        module.build = _dirty_build(plugin, real)  # type: ignore[attr-defined]


def _dirty_build(plugin: CorpusPlugin, real: Callable[..., None]) -> Callable[..., None]:
    state: dict[str, object] = {}

    def build(config: MkDocsConfig, *, serve_url: str | None = None, dirty: bool = False) -> None:
        key = plugin.theme_key(config)
        plugin.dirty = dirty or (plugin.builds > 0 and state.get("theme") == key)
        state["theme"] = key
        plugin.frozen_after_build = True
        with _quiet_dirty_warning():
            real(config, serve_url=serve_url, dirty=plugin.dirty)
        # MkDocs's pages of this build are garbage now (in cycles with their files): freed
        # before what is left is frozen, and their memory given back to the system.
        if plugin.builds == 1:  # the first build of this serve has just returned
            _freeze_heap()
        else:
            gc.collect()
        collector.give_back()

    build._corpus_wrapped = True  # type: ignore[attr-defined]
    return build


class _DirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


@contextlib.contextmanager
def _quiet_dirty_warning() -> Iterator[None]:
    """MkDocs warns on every dirty build that the navigation may be inaccurate. Here it is
    not: generated record pages are not in the navigation, and a change of what the
    navigation shows (mkdocs.yml, the theme) rebuilds everything."""
    logger = logging.getLogger("mkdocs.commands.build")
    quiet = _DirtyWarning()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


class _Touched:
    """The paths the file system's events named since the engine last took them (the observer
    adds from its thread; the build takes them)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: set[Path] = set()

    def add(self, event: Any) -> None:
        with self._lock:
            for path in (getattr(event, "src_path", ""), getattr(event, "dest_path", "")):
                if path:
                    self._paths.add(Path(os.fsdecode(path)))

    def take(self) -> list[Path]:
        with self._lock:
            paths, self._paths = self._paths, set()
        return sorted(paths)


class _Noting(watchdog_events.FileSystemEventHandler):
    """MkDocs's handler, after noting the paths of each event (so a rebuild, which MkDocs's
    handler sets off, always finds them)."""

    def __init__(self, inner: Any, touched: _Touched) -> None:
        self.inner = inner
        self.touched = touched

    def dispatch(self, event: Any) -> None:
        self.touched.add(event)
        self.inner.dispatch(event)


class _EventObserver(Observer):  # type: ignore[misc,valid-type]
    """watchdog's native observer (inotify on Linux), started once: by the plugin, so that a
    failure shows here and polling can take over, and then again by MkDocs, which is a no-op."""

    def __init__(self, touched: _Touched) -> None:
        super().__init__()
        self.touched = touched

    def start(self) -> None:
        if not self.is_alive():
            super().start()

    def schedule(self, event_handler: Any, path: Any, **options: Any) -> Any:
        # Only what changes a file: the engine's own reads (open, close without writing) must
        # not look like saves, or every rebuild would set off another.
        options.setdefault("event_filter", list(_CHANGES))
        return super().schedule(_Noting(event_handler, self.touched), path, **options)


_CHANGES = (
    watchdog_events.FileCreatedEvent,
    watchdog_events.FileDeletedEvent,
    watchdog_events.FileModifiedEvent,
    watchdog_events.FileMovedEvent,
    watchdog_events.FileClosedEvent,
    watchdog_events.DirCreatedEvent,
    watchdog_events.DirDeletedEvent,
    watchdog_events.DirMovedEvent,
)


def _native_events(server: Any, touched: _Touched) -> bool:
    """Have MkDocs's server learn of saves from the file system's events instead of polling.

    MkDocs polls every watched folder (a snapshot of every file, twice a second): at 1,000
    sources an idle server took 10% of a core. Events cost nothing while nothing changes and
    arrive at once. The server's observer and its watches are replaced (private attributes of
    MkDocs's LiveReloadServer; should they change, or the system refuse the watches, polling
    stays)."""
    paths = getattr(server, "_watched_paths", None)
    refs = getattr(server, "_watch_refs", None)
    old = getattr(server, "observer", None)
    if not isinstance(paths, dict) or not isinstance(refs, dict) or old is None or old.is_alive():
        return False
    counts, saved = dict(paths), dict(refs)  # the old observer keeps its own watches
    try:
        native = _EventObserver(touched)
        server.observer = native
        paths.clear()
        refs.clear()
        polled = False
        for path, count in counts.items():
            if Path(path).is_dir():
                server.watch(path)
                paths[path] = count
            else:  # a file (mkdocs.yml): events would come for its whole folder; keep polling it
                paths[path], refs[path] = count, saved[path]
                polled = True
        native.start()
        if polled:
            old.start()
    except Exception as exc:  # no events here (a limit on watches, an unsupported file system)
        log.info(f"corpus: no file system events ({exc}); polling")
        server.observer = old
        paths.clear()
        paths.update(counts)
        refs.clear()
        refs.update(saved)
        return False
    return True


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
