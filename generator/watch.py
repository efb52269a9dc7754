"""`python -m generator watch --out DIR`: the standalone docs project in DIR kept up to date
as ``content/`` and ``templates/`` change, for a builder that watches its own ``docs/`` folder
(``zensical serve``, ``properdocs serve`` or ``mkdocs serve`` run in DIR).

One class, :class:`ProjectWatch`, holds the whole loop:

- change detection: watchdog's polling observer over ``content/`` and ``templates/`` (polling,
  as MkDocs's own ``serve`` does: it works on every file system, bind mounts included);
- one run of the core per burst of saves, told which files changed;
- the new project (:func:`generator.docs_project.project_files`) compared with what DIR holds,
  by content digest: only the files whose bytes changed are written, each atomically (a
  temporary file in DIR, then :func:`os.replace`), so a builder never reads half a page;
- the files that went away removed (only under ``docs/`` and ``overrides/``: the builder's own
  output, such as ``site/``, is never touched);
- a broken corpus or template writes nothing: the last good pages stay, and the problems are
  printed as ``path:line:col: severity: message``, as ``check`` prints them.

What computes the pages is one callable, ``generate(changed) -> Generation``: by default the
incremental engine that ``mkdocs serve`` uses (:class:`generator.incremental.Engine`), so both
live loops share it; a test may pass a full run of :func:`generator.site.generate` instead.
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers.polling import PollingObserver

from generator.docs_project import OUTPUT_MARK, ProjectConfig, project_files
from generator.incremental import Engine
from generator.problems import Problem, has_errors
from generator.site import SiteInfo

# The parts of DIR this loop owns: files here that the project no longer has are removed.
OWNED = ("docs/", "overrides/")
CONFIG = "mkdocs.yml"
STAGING = ".watch-staging"  # temporary files, renamed into place (same file system as DIR)


class Generation(Protocol):
    """What one run of the core gives the loop (:class:`generator.site.Generated` has it)."""

    @property
    def ok(self) -> bool: ...

    @property
    def pages(self) -> Mapping[str, str]: ...

    @property
    def files(self) -> Mapping[str, str]: ...

    @property
    def problems(self) -> tuple[Problem, ...]: ...


Generate = Callable[[frozenset[Path]], Generation]


class WatchError(Exception):
    """DIR cannot be used (not written by this generator)."""


@dataclass(frozen=True)
class Update:
    """What one update of DIR did."""

    written: tuple[str, ...]  # project-relative paths whose bytes changed (or are new)
    removed: tuple[str, ...]  # project-relative paths that went away
    problems: tuple[Problem, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _owned(rel: str) -> bool:
    return rel == CONFIG or rel.startswith(OWNED)


class ProjectWatch:
    """Keeps the standalone project in ``out`` equal to what the corpus generates."""

    def __init__(
        self,
        content: Path,
        templates: Path,
        out: Path,
        project: ProjectConfig,
        shown_base: Path,
        generate_pages: Generate | None = None,
    ) -> None:
        self.content = content
        self.templates = templates
        self.out = out.resolve()
        self.project = project
        self.shown_base = shown_base
        site = SiteInfo(project.site_name, project.site_url)
        self._generate: Generate = generate_pages or _engine(Engine(content, templates, shown_base, site))
        if self.out.exists() and any(self.out.iterdir()) and not (self.out / OUTPUT_MARK).exists():
            raise WatchError("folder is not empty and was not written by this command; choose another --out")
        self._on_disk: dict[str, bytes] = self._scan()
        self._shown: tuple[Problem, ...] = ()  # the problems last printed

    def _scan(self) -> dict[str, bytes]:
        """Digests of the owned files DIR holds now (a project an earlier run left)."""
        found: dict[str, bytes] = {}
        if not self.out.is_dir():
            return found
        config = self.out / CONFIG
        if config.is_file():
            found[CONFIG] = _digest(config.read_bytes())
        for part in OWNED:
            folder = self.out / part
            for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
                if path.is_file():
                    found[path.relative_to(self.out).as_posix()] = _digest(path.read_bytes())
        return found

    def update(self, changed: Collection[Path] = ()) -> Update:
        """Generate again and bring DIR up to date; nothing is written when the corpus is broken."""
        started = time.perf_counter()
        result = self._generate(frozenset(changed))
        problems = tuple(result.problems)
        if not result.ok:
            return Update((), (), problems, time.perf_counter() - started)
        files = project_files(self.project, result.pages, result.files)
        written = self.apply(files)
        removed = self.remove(rel for rel in list(self._on_disk) if rel not in files)
        return Update(written, removed, problems, time.perf_counter() - started)

    def apply(self, files: Mapping[str, str | bytes]) -> tuple[str, ...]:
        """Write those of ``files`` (project-relative paths) whose bytes differ from DIR's;
        returns their paths. An engine that reports only the outputs that changed calls this
        with them (their paths under ``docs/``) and :meth:`remove` with the ones that went away."""
        # one file at a time: a project's files made all at once take gigabytes (see
        # docs_project.ProjectFiles); each is read twice only where it is written
        written = tuple(rel for rel, data in files.items() if self._on_disk.get(rel) != _digest(_bytes(data)))
        self._write(written, files)
        return written

    def remove(self, paths: Iterable[str]) -> tuple[str, ...]:
        """Remove these project-relative paths from DIR, if it holds them and they are the
        loop's own (under ``docs/`` or ``overrides/``); returns the ones removed."""
        removed = tuple(
            sorted(rel for rel in set(paths) if rel in self._on_disk and _owned(rel) and rel != CONFIG)
        )
        self._remove(removed)
        return removed

    def _write(self, paths: Iterable[str], data: Mapping[str, str | bytes]) -> None:
        """Write ``data[rel]`` of each path, each read once."""
        paths = list(paths)
        if not paths:
            return
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / OUTPUT_MARK).touch()
        staging = self.out / STAGING
        staging.mkdir(exist_ok=True)
        try:
            for rel in paths:
                target = (self.out / rel).resolve()
                if self.out not in target.parents:
                    raise WatchError(f"refusing to write outside the output folder: {rel}")
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, temporary = tempfile.mkstemp(dir=staging, prefix=target.name + ".")
                try:
                    content = _bytes(data[rel])
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(content)
                    os.chmod(temporary, 0o644)
                    os.replace(temporary, target)
                except BaseException:
                    Path(temporary).unlink(missing_ok=True)
                    raise
                self._on_disk[rel] = _digest(content)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _remove(self, paths: Iterable[str]) -> None:
        for rel in paths:
            target = self.out / rel
            target.unlink(missing_ok=True)
            del self._on_disk[rel]
            # empty folders left behind go too, up to the owned folder itself
            folder = target.parent
            while folder != self.out and folder.relative_to(self.out).as_posix() + "/" not in OWNED:
                try:
                    folder.rmdir()
                except OSError:
                    break
                folder = folder.parent

    def run(
        self,
        *,
        interval: float = 0.3,
        stop: threading.Event | None = None,
        report: TextIO | None = None,
    ) -> None:
        """Update once, then again after every burst of changes, until ``stop`` is set (or Ctrl-C)."""
        stream = report or sys.stderr
        stop = stop or threading.Event()
        changes: queue.SimpleQueue[Path] = queue.SimpleQueue()
        observer = PollingObserver(timeout=interval)
        handler = _Changes(changes)
        for folder in (self.content, self.templates):
            if folder.is_dir():
                observer.schedule(handler, str(folder), recursive=True)
        # watching starts before the first update, so a save made during it is not missed
        observer.start()
        try:
            self._report(self.update(), stream, first=True)
            while not stop.is_set():
                try:
                    first = changes.get(timeout=0.2)
                except queue.Empty:
                    continue
                changed = {first}
                # a save is often several events (an editor's temporary file, a rename): wait
                # for a quiet moment, then run once for all of them
                while True:
                    try:
                        changed.add(changes.get(timeout=0.1))
                    except queue.Empty:
                        break
                self._report(self.update(changed), stream)
        finally:
            observer.stop()
            observer.join(timeout=5)

    def _report(self, update: Update, stream: TextIO, first: bool = False) -> None:
        # the whole list when it changed; the same warnings after every save would hide the news
        if update.problems != self._shown:
            for problem in update.problems:
                print(problem.format(), file=stream)
            self._shown = update.problems
        elif update.problems:
            print(f"watch: the same {len(update.problems)} problem(s) as before", file=stream)
        if not update.ok:
            kept = "kept the last good pages" if self._on_disk else "nothing written yet"
            print(f"watch: the corpus has errors; {kept} in {self.out}", file=stream, flush=True)
            return
        what = f"{len(update.written)} file(s) written, {len(update.removed)} removed"
        when = "first update" if first else "update"
        print(f"watch: {when}: {what} in {update.seconds:.2f}s ({self.out})", file=stream, flush=True)


@dataclass(frozen=True)
class _EngineRun:
    ok: bool
    pages: Mapping[str, str]
    files: Mapping[str, str]
    problems: tuple[Problem, ...]


def _engine(engine: Engine) -> Generate:
    """The incremental engine ``mkdocs serve`` uses, as this loop's ``generate``: each update
    makes only the outputs whose inputs changed; the open data comes from it on request."""

    def run(_changed: frozenset[Path]) -> Generation:
        update = engine.update()  # it finds the changed files itself, by time and size
        files = {**update.files, **engine.data_files()} if update.ok else {}
        return _EngineRun(update.ok, update.pages, files, tuple(update.problems))

    return run


class _Changes(FileSystemEventHandler):
    def __init__(self, changes: queue.SimpleQueue[Path]) -> None:
        self.changes = changes

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if path:
                self.changes.put(Path(os.fsdecode(path)))
