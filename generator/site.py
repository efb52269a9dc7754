"""The core: a content folder in, Markdown pages and located problems out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator import corpus as corpus_mod
from generator import linking
from generator.corpus import Corpus
from generator.corpus_warnings import corpus_warnings
from generator.pages import plan
from generator.problems import Problem, error, has_errors, sorted_problems
from generator.reading import display_path, find_files, read_document
from generator.records import Record
from generator.render import render_all
from generator.schema import validate


@dataclass(frozen=True)
class Generated:
    """What one run of the core produced."""

    pages: Mapping[str, str] = field(default_factory=dict)  # docs-relative path → Markdown
    problems: tuple[Problem, ...] = ()
    corpus: Corpus | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity.value == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity.value == "warning"]


def load(content: Path, shown_base: Path | None = None) -> tuple[dict[str, Record], set[str], list[Problem]]:
    """Read and validate every record; ids checked for uniqueness across kinds.

    Returns the valid records, the ids of files that exist but did not validate (so
    references to them are not reported a second time), and the problems."""
    base = shown_base if shown_base is not None else content.parent
    files, problems = find_files(content, base)
    records: dict[str, Record] = {}
    broken: set[str] = set()
    for kind, path in files:
        shown = display_path(path, base)
        doc, found = read_document(kind, path, shown)
        problems.extend(found)
        if doc is None:
            broken.add(path.name[: -len(".md")])
            continue
        front, found = validate(doc)
        problems.extend(found)
        if front is None:
            broken.add(doc.id)
            continue
        if doc.id in records:
            first = records[doc.id]
            problems.append(
                error(
                    shown,
                    1,
                    f"id '{doc.id}' is already used by {first.path}: ids are unique across all kinds",
                )
            )
            continue
        records[doc.id] = Record.from_document(doc, front)
    return records, broken - set(records), problems


def link(records: Mapping[str, Record], broken: set[str] | None = None) -> tuple[Corpus, list[Problem]]:
    known_broken = frozenset(broken or ())
    problems = linking.check_references(records, known_broken)
    matcher = linking.build_matcher(records)
    problems.extend(linking.ambiguity_warnings(records, matcher))
    texts, found = linking.link_texts(records, matcher, known_broken)
    problems.extend(found)
    quotes, found = linking.locate_quotes(records, texts)
    problems.extend(found)
    corpus = corpus_mod.build(records, texts, quotes)
    if not has_errors(problems):
        problems.extend(corpus_warnings(corpus))
    return corpus, problems


def check(content: Path, shown_base: Path | None = None) -> tuple[Corpus | None, list[Problem]]:
    """Everything but rendering: the linked corpus (if it loaded) and all problems."""
    records, broken, problems = load(content, shown_base)
    corpus, found = link(records, broken)
    problems.extend(found)
    return corpus, sorted_problems(problems)


def generate(content: Path, templates: Path, shown_base: Path | None = None) -> Generated:
    """Pages for a corpus; no pages at all when the corpus has errors."""
    corpus, problems = check(content, shown_base)
    if has_errors(problems) or corpus is None:
        return Generated({}, tuple(problems), corpus)
    pages, found = render_all(templates / "pages", corpus, plan(corpus))
    problems = sorted_problems([*problems, *found])
    if has_errors(problems):
        return Generated({}, tuple(problems), corpus)
    return Generated(dict(sorted(pages.items())), tuple(problems), corpus)
