"""The core: a content folder in, Markdown pages and located problems out."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator import corpus as corpus_mod
from generator import feeds, linking, opendata, translations
from generator.corpus import Corpus
from generator.corpus_warnings import corpus_warnings
from generator.incremental import BuildCache, FileEntry
from generator.pages import plan
from generator.problems import Problem, error, has_errors, sorted_problems
from generator.reading import display_path, find_files, read_document
from generator.records import Record
from generator.render import render_all
from generator.schema import validate


@dataclass(frozen=True)
class SiteInfo:
    """What the core needs to know of the site it writes for (from ``mkdocs.yml``)."""

    name: str = "Knowledge site"
    url: str | None = None  # the published address: absolute links in feeds and JSON-LD


@dataclass(frozen=True)
class Generated:
    """What one run of the core produced."""

    pages: Mapping[str, str] = field(default_factory=dict)  # docs-relative path → Markdown
    problems: tuple[Problem, ...] = ()
    corpus: Corpus | None = None
    files: Mapping[str, str] = field(default_factory=dict)  # other files of the site: data/…

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity.value == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity.value == "warning"]


def load(
    content: Path, shown_base: Path | None = None, cache: BuildCache | None = None
) -> tuple[dict[str, Record], set[str], list[Problem]]:
    """Read and validate every record; ids checked for uniqueness across kinds.

    Returns the valid records, the ids of files that exist but did not validate (so
    references to them are not reported a second time), and the problems. With a cache,
    files whose time and size did not change are not read again."""
    base = shown_base if shown_base is not None else content.parent
    files, problems = find_files(content, base)
    records: dict[str, Record] = {}
    broken: set[str] = set()
    seen: set[tuple[str, str]] = set()
    for kind, path in files:
        shown = display_path(path, base)
        entry = _read(kind, path, shown, cache)
        seen.add((kind, shown))
        problems.extend(entry.problems)
        if entry.record is None:
            broken.add(entry.doc.id if entry.doc else path.name[: -len(".md")])
            continue
        record = entry.record
        if record.id in records:
            first = records[record.id]
            problems.append(
                error(
                    shown,
                    1,
                    f"id '{record.id}' is already used by {first.path}: ids are unique across all kinds",
                )
            )
            continue
        records[record.id] = record
    if cache is not None:
        for gone in set(cache.files) - seen:
            del cache.files[gone]
    return records, broken - set(records), problems


def _read(kind: str, path: Path, shown: str, cache: BuildCache | None) -> FileEntry:
    try:
        st = path.stat()
        key = (st.st_mtime_ns, st.st_ctime_ns, st.st_size)
    except OSError:
        key = (0, 0, -1)
    if cache is not None:
        cached = cache.files.get((kind, shown))
        if cached is not None and cached.key == key and key[2] >= 0:
            return cached
        cache.stats.files_read += 1
    doc, problems = read_document(kind, path, shown)
    record = None
    if doc is not None:
        front, found = validate(doc)
        problems.extend(found)
        if front is not None:
            record = Record.from_document(doc, front)
    entry = FileEntry(key, cache.next_version() if cache else 0, doc, record, tuple(problems))
    if cache is not None:
        cache.files[(kind, shown)] = entry
    return entry


def link(
    records: Mapping[str, Record], broken: set[str] | None = None, cache: BuildCache | None = None
) -> tuple[Corpus, list[Problem]]:
    known_broken = frozenset(broken or ())
    problems = linking.check_references(records, known_broken)
    matcher = linking.build_matcher(records)
    problems.extend(linking.ambiguity_warnings(records, matcher))
    problems.extend(translations.translation_problems(records, known_broken))  # texts in other languages
    problems.extend(translations.script_warnings(records))
    texts, found = linking.link_texts(records, matcher, known_broken, cache)
    problems.extend(found)
    quotes, found = linking.locate_quotes(records, texts, cache)
    problems.extend(found)
    corpus = corpus_mod.build(records, texts, quotes, cache)
    if not has_errors(problems):
        problems.extend(corpus_warnings(corpus, cache))
    return corpus, problems


def check(
    content: Path, shown_base: Path | None = None, cache: BuildCache | None = None
) -> tuple[Corpus | None, list[Problem]]:
    """Everything but rendering: the linked corpus (if it loaded) and all problems."""
    records, broken, problems = load(content, shown_base, cache)
    corpus, found = link(records, broken, cache)
    problems.extend(found)
    return corpus, sorted_problems(problems)


def generate(
    content: Path,
    templates: Path,
    shown_base: Path | None = None,
    cache: BuildCache | None = None,
    site: SiteInfo | None = None,
) -> Generated:
    """Pages for a corpus; no pages at all when the corpus has errors.

    ``cache`` (kept by `mkdocs serve` between rebuilds) lets a run reuse what did not
    change since the last one; the result is the same as without it."""
    if cache is None:
        return _generate(content, templates, shown_base, None, site)
    cache.start_run()
    with _cyclic_gc_paused():
        return _generate(content, templates, shown_base, cache, site)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic collector off for one cached run, back as it was afterwards.

    While serving, the cache keeps millions of objects alive, and a run that reuses them
    still allocates enough to set off full collections, each a scan of that whole heap:
    measured on 1,000 sources, planning took 0.7-1.1 s with the collector and 0.33 s without.
    Reference counting still frees what a run drops; cycles wait for the next collection."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _generate(
    content: Path,
    templates: Path,
    shown_base: Path | None,
    cache: BuildCache | None,
    site: SiteInfo | None,
) -> Generated:
    corpus, problems = check(content, shown_base, cache)
    if has_errors(problems) or corpus is None:
        return Generated({}, tuple(problems), corpus)
    site = site or SiteInfo()
    pages, found = render_all(templates / "pages", corpus, plan(corpus, cache), cache, site.url)
    problems = sorted_problems([*problems, *found])
    if has_errors(problems):
        return Generated({}, tuple(problems), corpus)
    data = opendata.data_files(corpus, cache.open_data if cache is not None else None)
    memo = cache.feeds if cache is not None else None
    files = {**data, **feeds.feeds(corpus, site.name, site.url, memo)}
    return Generated(dict(sorted(pages.items())), tuple(problems), corpus, files)
