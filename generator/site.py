"""The core: a content folder in, Markdown pages and located problems out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator import collector, feeds, linking, opendata, parallel, translations
from generator import corpus as corpus_mod
from generator.corpus import Corpus
from generator.corpus_warnings import corpus_warnings
from generator.packed import Decoded, packed_of
from generator.pages import plan_groups
from generator.problems import Problem, error, has_errors, sorted_problems
from generator.reading import Document, display_path, find_files, read_document
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

    pages: Mapping[str, str] = field(default_factory=dict)  # docs-relative path → Markdown (held packed)
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


@dataclass(frozen=True)
class FileRead:
    """One record file read and validated: its document (``None`` when it could not be
    parsed), its record (``None`` when it did not validate) and the problems found."""

    doc: Document | None
    record: Record | None
    problems: tuple[Problem, ...]

    @property
    def broken_id(self) -> str | None:
        """The id of a file that exists but did not validate."""
        return None if self.record is not None else (self.doc.id if self.doc else None)


def read_record(kind: str, path: Path, shown: str) -> FileRead:
    """Read, parse and validate one record file (pure: the file in, a record or problems out)."""
    doc, problems = read_document(kind, path, shown)
    record = None
    if doc is not None:
        front, found = validate(doc)
        problems.extend(found)
        if front is not None:
            record = Record.from_document(doc, front)
    return FileRead(doc, record, tuple(problems))


def collect(
    reads: list[tuple[Path, FileRead]],
) -> tuple[dict[str, Record], set[str], list[Problem]]:
    """The valid records of files read in order, the ids of files that did not validate, and
    their problems; a second file with an id already used is an error."""
    records: dict[str, Record] = {}
    broken: set[str] = set()
    problems: list[Problem] = []
    for path, entry in reads:
        problems.extend(entry.problems)
        if entry.record is None:
            broken.add(entry.broken_id or path.name[: -len(".md")])
            continue
        record = entry.record
        if record.id in records:
            first = records[record.id]
            problems.append(
                error(
                    record.path,
                    1,
                    f"id '{record.id}' is already used by {first.path}: ids are unique across all kinds",
                )
            )
            continue
        records[record.id] = record
    return records, broken - set(records), problems


def load(content: Path, shown_base: Path | None = None) -> tuple[dict[str, Record], set[str], list[Problem]]:
    """Read and validate every record; ids checked for uniqueness across kinds.

    Returns the valid records, the ids of files that exist but did not validate (so
    references to them are not reported a second time), and the problems."""
    base = shown_base if shown_base is not None else content.parent
    with collector.paused():  # what is read is kept: see generator/collector.py
        files, problems = find_files(content, base)
        reads = [(path, read_record(kind, path, display_path(path, base))) for kind, path in files]
        records, broken, found = collect(reads)
    return records, broken, [*problems, *found]


def link(records: Mapping[str, Record], broken: set[str] | None = None) -> tuple[Corpus, list[Problem]]:
    known_broken = frozenset(broken or ())
    with collector.paused():  # what is linked is kept: see generator/collector.py
        problems = linking.check_references(records, known_broken)
        matcher = linking.build_matcher(records)
        problems.extend(linking.ambiguity_warnings(records, matcher))
        problems.extend(translations.translation_problems(records, known_broken))  # texts in other languages
        problems.extend(translations.script_warnings(records))
        texts, found = linking.link_texts(records, matcher, known_broken)
        problems.extend(found)
        # the quotes are looked for by another process while this one makes the texts' links
        quotes_found = parallel.alongside(lambda: linking.locate_quotes(records, texts))
        links = corpus_mod.links_of(texts)
        quotes, found = quotes_found.result()
        problems.extend(found)
        corpus = corpus_mod.build(records, texts, quotes, links)
    return corpus, problems


def check(content: Path, shown_base: Path | None = None) -> tuple[Corpus | None, list[Problem]]:
    """Everything but rendering: the linked corpus (if it loaded) and all problems.

    The warnings of the corpus as a whole (:func:`corpus_warnings`) are those of a whole
    corpus: every file read and every link holding. With a file broken they would be
    partly false (a record that only the broken file names is not "unreferenced"), so they
    wait for the save that mends it."""
    corpus, problems = _linked(content, shown_base)
    if not has_errors(problems):
        with collector.paused():
            problems.extend(corpus_warnings(corpus))
    return corpus, sorted_problems(problems)


def _linked(content: Path, shown_base: Path | None) -> tuple[Corpus, list[Problem]]:
    records, broken, problems = load(content, shown_base)
    corpus, found = link(records, broken)
    return corpus, [*problems, *found]


def generate(
    content: Path,
    templates: Path,
    shown_base: Path | None = None,
    site: SiteInfo | None = None,
) -> Generated:
    """Pages, open data and feeds for a corpus; no pages at all when the corpus has errors."""
    with collector.paused():  # the whole build: see generator/collector.py
        corpus, problems = _linked(content, shown_base)
        if has_errors(problems):
            return Generated({}, tuple(sorted_problems(problems)), corpus)
        info = site or SiteInfo()

        def other_files() -> dict[str, bytes]:
            feeds_made = packed_of(feeds.feeds(corpus, info.name, info.url, workers=1))
            return {**opendata.data_files(corpus).packed, **feeds_made}

        # Two processes of their own, while this one plans and renders the pages: what
        # check() adds, the warnings of the whole corpus; and the open data and the feeds.
        warned = parallel.alongside(lambda: corpus_warnings(corpus))
        files_made = parallel.alongside(other_files)
        try:
            # Jinja leaves cycles behind: collected, but not among the corpus's objects; each
            # group of pages planned by the process that renders it
            with collector.settled():
                pages, found = render_all(templates / "pages", corpus, plan_groups(corpus), info.url)
        except BaseException:  # (Ctrl-C, or a bug): no process is left working for nothing
            warned.cancel()
            files_made.cancel()
            raise
        problems = sorted_problems([*problems, *warned.result(), *found])
        if has_errors(problems):
            files_made.cancel()
            return Generated({}, tuple(problems), corpus)
        files = files_made.result()
        return Generated(Decoded(dict(sorted(pages.packed.items()))), tuple(problems), corpus, Decoded(files))
