"""The incremental engine: the core's pure stages, composed so that a save costs what it changed.

One :class:`Engine` lives as long as a server (``mkdocs serve``, ``generator watch``, the
language server). Each :meth:`Engine.update` :

1. **reads** only the files whose time or size changed (:func:`site.read_record`);
2. **links** only the texts that can have changed: the changed records' own, the texts
   explicitly naming a record whose name or existence changed, and, when names or aliases
   changed, the auto-linked texts that contain one of the names that changed;
3. updates the **linked corpus by difference** (:class:`~generator.incremental.graph.Graph`):
   the changed records' old contributions out, their new ones in;
4. finds the **outputs** whose inputs changed through the index from inputs to outputs, and
   makes only those again. An output's inputs are what its core code read of the corpus while
   it was made (:mod:`generator.incremental.reads`): known by construction.

The results equal the pure core's (:func:`generator.site.generate`) byte for byte after any
sequence of edits; ``site_tests/test_engine.py`` checks it with a stateful property test.
Whole-corpus open data (``data/``) is made on request (:meth:`Engine.data_files`), not on
every save.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import collector, feeds, kinds, linking, opendata, pages, relations
from generator.corpus import Contribution, Corpus, TextLinks, contribution, text_links
from generator.corpus_warnings import RECORD_CHECKS, candidate_records, capitalised_names
from generator.incremental.graph import Graph
from generator.incremental.reads import KEYS, Dep, Noting, noting_corpus
from generator.mentions import Matcher, Text
from generator.packed import Decoded, pack
from generator.problems import Problem, has_errors, sorted_problems
from generator.quotes import Found
from generator.reading import display_path, find_files, is_ignored
from generator.records import Record
from generator.render import Collected, Renderer
from generator.schema import Source
from generator.site import FileRead, SiteInfo, collect, read_record

StatKey = tuple[int, int, int]


@dataclass
class Stats:
    """How much one update did (the plugin logs it; the tests read it)."""

    files_read: int = 0
    files_looked_at: int = 0  # files whose time and size were looked at (all, unless events named some)
    texts_linked: int = 0
    outputs_made: int = 0
    outputs_kept: int = 0
    seconds: float = 0.0


@dataclass
class Output:
    """What one output group made (path -> its bytes, packed: see :func:`pack`) and what it read."""

    files: dict[str, bytes]
    deps: frozenset[Dep]
    problems: tuple[Problem, ...] = ()
    pages: dict[str, PageMade] = field(default_factory=dict)
    chosen: FeedChosen | None = None  # a feed's: what it announces, and what choosing it read


@dataclass(frozen=True)
class FeedChosen:
    """What a feed announces (its head and its entries' ids, newest first) and what choosing
    them read: every dated record that names the feed's record, for their dates. An edit of
    one of their texts leaves the choice as it was: only the entries are written again."""

    head: tuple[str, str, str, str | None, str]
    ids: tuple[str, ...]
    deps: frozenset[Dep]


@dataclass(frozen=True)
class PageMade:
    """One page of a group: the plan it was rendered from, its Markdown and what rendering it
    read. (A digest of the plan would take less memory, but pickling the plans of a record's
    hundreds of mention pages costs more than the save's other work at 10,000 sources.)"""

    spec: pages.PageSpec
    markdown: bytes  # packed (see pack)
    deps: frozenset[Dep]


@dataclass
class Update:
    """What one update of the engine gives its adapter."""

    ok: bool
    problems: tuple[Problem, ...]
    pages: Mapping[str, str]  # every page of the last good state: path -> Markdown (read on access)
    files: Mapping[str, str]  # feeds (data/ is made on request)
    changed: frozenset[str]  # paths whose bytes changed since the last good update
    removed: frozenset[str]  # paths that went away since then
    stats: Stats = field(default_factory=Stats)


class Engine:
    """The site of one content folder, kept up to date save by save."""

    def __init__(
        self, content: Path, templates: Path, shown_base: Path | None = None, site: SiteInfo | None = None
    ) -> None:
        self.content = content
        self.templates = templates
        self.base = shown_base if shown_base is not None else content.parent
        self.site = site or SiteInfo()
        self.graph = Graph()
        self._reads: dict[str, tuple[StatKey, Path, str, FileRead]] = {}  # shown -> (stat, path, kind, read)
        self._claims: dict[str, int] = {}  # each id: how many files claim it (see _claim)
        self._files: list[tuple[str, Path]] | None = None  # the record files of the last look at all
        self._file_problems: list[Problem] = []
        self._known_paths: tuple[list[tuple[str, Path]], dict[str, str]] | None = None
        self._records: dict[str, Record] = {}
        self._found: list[Problem] = []  # the problems of reading the record files, as collected
        self._broken: frozenset[str] = frozenset()
        self._matcher = Matcher.build({})
        self._matchers: dict[linking.MatcherInputs, Matcher] = {}  # see _matcher_for
        self._names: dict[str, str] = {}
        self._texts: dict[str, Text] = {}
        self._explicit: dict[str, frozenset[str]] = {}  # text -> ids it names explicitly
        # Problems by id are kept only for the ids that have any: a save walks the few, not
        # every text (10,000 empty lists, 0.03 s of an edit at 10,000 sources).
        self._mention_problems: dict[str, list[Problem]] = {}  # text -> its mentions' problems
        self._quotes: dict[str, dict[int, Found]] = {}  # source -> where its quotes were found
        self._quote_problems: dict[str, list[Problem]] = {}  # source -> its quotes' problems
        self._links: dict[str, TextLinks] = {}
        self._capitalised: dict[str, list[tuple[str, int]]] = {}
        self._capitalised_changed: set[str] = set()
        self._names_stale = False  # names changed that the matcher does not know yet (see _link)
        self._ungraphed: set[str] = set()  # ids changed since the graph was last updated (see _check)
        self._whole: dict[str, tuple[Any, frozenset[Dep]]] = {}  # see _of_whole
        self._whole_made: dict[str, tuple[Any, frozenset[Dep]]] = {}  # _whole when outputs were last made
        # each record's warnings (see _record_warnings): (check, id) -> (problems, what it read)
        self._warned: dict[tuple[int, str], tuple[list[Problem], frozenset[Dep]]] = {}
        self._warned_by: dict[Dep, set[tuple[int, str]]] = {}  # what was read -> the checks that read it
        self._warn_again: set[tuple[int, str]] = set()  # checks whose reads changed (or new records)
        self._warned_list: list[Problem] | None = None  # every record's warnings, as one list
        self._warned_some: set[tuple[int, str]] = set()  # the checks that found any
        self._derived_from: tuple[Any, Any] = (None, None)
        self._contributions: dict[str, Contribution] = {}
        self._ref_problems: dict[str, list[Problem]] = {}  # the records whose references have problems
        self._refs: dict[str, frozenset[str]] = {}  # the ids each record's fields name
        self._kind_of: dict[str, str] = {}  # each valid record's kind, as references last saw them
        self._kinds_broken: frozenset[str] = frozenset()  # the broken ids then
        self._cycles: list[Problem] | None = None  # the cycle problems of the records' chains
        self._kinds_seen = 0  # counts the changes of _kind_of: the output groups follow it
        self._outputs: dict[str, Output] = {}
        self._with_problems: set[str] = set()  # the outputs whose making found problems
        self._index: dict[Dep, set[str]] = {}
        self._pending: set[Dep] = set()  # changes not yet made into outputs (while broken)
        self._templates_key: object = None
        self._renderer: Renderer | None = None
        self._group_key: object = None
        self._group_list: dict[str, Callable[[Corpus, Output | None], Output]] = {}
        self._derived: dict[str, dict[Any, Any]] = {"met": {}, "partners": {}, "site": {}}
        self._page_bytes: dict[str, bytes] = {}  # every page of the last good state, packed
        self._feed_bytes: dict[str, bytes] = {}  # every feed
        self._served_whole = False  # the served pages are those of every output (no update failed since)
        self._changed: frozenset[str] = frozenset()  # what the last good update changed, removed
        self._removed: frozenset[str] = frozenset()
        self.pages: Mapping[str, str] = Decoded(self._page_bytes)
        self.files: Mapping[str, str] = Decoded(self._feed_bytes)
        self._data: tuple[Corpus, Mapping[str, str]] | None = None
        self.problems: tuple[Problem, ...] = ()

    # -- the update ----------------------------------------------------------------------

    def update(self, touched: Iterable[Path] | None = None) -> Update:
        """Bring everything up to date with the files as they are now.

        ``touched``: the paths that changed since the last update, when the caller knows them
        (file system events); only those are looked at, as long as each is a record file
        already known or a file the corpus passes over (an editor's backup). Anything else
        (a file created, deleted or moved; a folder) and ``None`` look at every file."""
        # Paused: the engine keeps millions of objects alive, and an update allocates enough to
        # set off full collections, each a scan of that whole heap (0.45 s of a 1.8 s save at
        # 1,000 sources, measured); what the first update builds is frozen, not scanned.
        with collector.kept():
            return self._update(touched)

    def as_read(self) -> bool:
        """Whether the record files are as the last update read them: the same files, each of
        the time and size it had then. A server asks once its file system watches have begun:
        a save made before that gave no event, and if there was none its first save can trust
        the events (looking at every file, 0.25 s at 10,000 sources, is done once, at start)."""
        if self._files is None:
            return False
        files, problems = find_files(self.content, self.base)
        if files != self._files or problems != self._file_problems:
            return False
        reads = self._reads
        return all(_as_read(reads.get(display_path(path, self.base)), path, kind) for kind, path in files)

    def check(self, touched: Iterable[Path] | None = None) -> tuple[Corpus, tuple[Problem, ...]]:
        """What ``python -m generator check`` gives (the linked corpus and every problem of
        reading and linking), kept up to date the same way; no output is made (the next
        :meth:`update` makes what this left to do)."""
        with collector.kept():
            problems = self._check(Stats(), touched, graphed=True)
        return self.graph.corpus, tuple(problems)

    def _check(
        self, stats: Stats, touched: Iterable[Path] | None = None, graphed: bool = False
    ) -> list[Problem]:
        """Every problem of reading and linking the files as they are now, and the warnings
        of the corpus if it is whole (as :func:`generator.site.check` gives them).

        With an error, no output is made and no warning of the whole corpus is shown: the
        linked corpus (:attr:`graph`) stays the last good one unless ``graphed`` asks for it
        as it is, and what changed waits (:attr:`_ungraphed`) for the save that mends the
        error, which finds the corpus as it was before the break: a save that breaks a file
        costs its reading and linking, and the one that mends it what it changed."""
        changed_ids, problems = self._read(stats, touched)
        changed_ids |= self._link(changed_ids, stats, defer_names=has_errors(problems) and not graphed)
        problems.extend(self._reference_problems(changed_ids))
        if self._names_stale:  # which records each name names now, without the pattern
            named = linking.matcher_of(linking.matcher_inputs(self._records), find=False)
            problems.extend(linking.ambiguity_warnings(self._records, named))
        else:
            problems.extend(linking.ambiguity_warnings(self._records, self._matcher))
        for found in self._mention_problems.values():
            problems.extend(found)
        for found in self._quote_problems.values():
            problems.extend(found)
        self._ungraphed |= changed_ids | self._capitalised_changed
        self._capitalised_changed = set()
        whole = not has_errors(problems)
        if not whole and not graphed:
            return sorted_problems(problems)
        changed_ids, self._ungraphed = self._ungraphed, set()
        changes = self.graph.update(
            self._records, self._texts, self._contributions, changed_ids, self._capitalised
        )
        self._pending |= changes
        for name in [n for n, (_value, deps) in self._whole.items() if not deps.isdisjoint(changes)]:
            del self._whole[name]
        for dep in changes:
            self._warn_again.update(self._warned_by.pop(dep, ()))
        self._warn_again.update((i, rid) for rid in changed_ids for i in range(len(RECORD_CHECKS)))
        if whole:
            problems.extend(self._record_warnings())
            problems.extend(self._of_whole("candidates", self._candidates))
        return sorted_problems(problems)

    def _record_warnings(self) -> list[Problem]:
        """Every record's warnings (:data:`RECORD_CHECKS`), each check of each record made
        again only when what it read changed."""
        again, self._warn_again = self._warn_again, set()
        if again or self._warned_list is None:
            deps: set[Dep] = set()  # shared by the noting corpus: emptied after each check
            corpus = noting_corpus(self.graph.corpus, deps)
            records = self.graph.corpus.records
            for key in sorted(again):
                i, rid = key
                known = self._warned.pop(key, None)
                self._warned_some.discard(key)
                if known is not None:
                    for dep in known[1]:
                        readers = self._warned_by.get(dep)
                        if readers is not None:
                            readers.discard(key)
                            if not readers:
                                del self._warned_by[dep]
                if rid not in records:
                    continue
                deps.clear()
                found = RECORD_CHECKS[i](corpus, corpus.records[rid])
                read = frozenset(deps)
                self._warned[key] = (found, read)
                if found:
                    self._warned_some.add(key)
                for dep in read:
                    self._warned_by.setdefault(dep, set()).add(key)
            self._warned_list = [p for key in self._warned_some for p in self._warned[key][0]]
        return self._warned_list

    def _candidates(self, _noting: Corpus, deps: set[Dep]) -> list[Problem]:
        # It reads every record and the capitalised names of every text: said outright, and
        # computed on the plain corpus (noting each of 20,000 reads cost more than the check).
        corpus = self.graph.corpus
        deps.update((("records", KEYS), ("texts", KEYS)))
        deps.update(("records", rid) for rid in corpus.records)
        deps.update(("capitalised", rid) for rid in corpus.texts)
        return candidate_records(corpus, self.graph.capitalised)

    def _of_whole(self, name: str, compute: Callable[[Corpus, set[Dep]], Any]) -> Any:
        """A value computed from the whole corpus (its warnings, the countries' meetings), kept
        until what computing it read changes."""
        known = self._whole.get(name)
        if known is None:  # as it was when the outputs were last made, if what it read is as then
            made = self._whole_made.get(name)
            if made is not None and made[1].isdisjoint(self.graph.net(self._pending)):
                known = self._whole[name] = made
        if known is None:
            deps: set[Dep] = set()
            value = compute(noting_corpus(self.graph.corpus, deps), deps)
            known = self._whole[name] = (value, frozenset(deps))
        return known[0]

    def _update(self, touched: Iterable[Path] | None) -> Update:
        started = time.perf_counter()
        stats = Stats()
        problems = self._check(stats, touched)
        corpus = self.graph.corpus
        if has_errors(problems):
            self.problems = tuple(problems)
            stats.seconds = time.perf_counter() - started
            return Update(False, self.problems, self.pages, self.files, frozenset(), frozenset(), stats)
        self._pending |= self._derive(corpus)
        found = self._make_outputs(corpus, stats)
        problems = sorted_problems([*problems, *found])
        self.problems = tuple(problems)
        if has_errors(problems):
            stats.seconds = time.perf_counter() - started
            return Update(False, self.problems, self.pages, self.files, frozenset(), frozenset(), stats)
        stats.seconds = time.perf_counter() - started
        return Update(True, self.problems, self.pages, self.files, self._changed, self._removed, stats)

    def _read(self, stats: Stats, touched: Iterable[Path] | None) -> tuple[set[str], list[Problem]]:
        look = None if touched is None or self._files is None else self._to_look_at(self._files, touched)
        if look is not None:
            some = self._read_some(stats, look)
            if some is not None:
                return some
        if look is None:  # every record file is looked at
            self._files, self._file_problems = find_files(self.content, self.base)
        files = self._files
        assert files is not None
        problems = list(self._file_problems)
        reads: list[tuple[Path, FileRead]] = []
        seen: dict[str, tuple[StatKey, Path, str, FileRead]] = {}
        claims: dict[str, int] = {}
        for kind, path in files:
            shown = display_path(path, self.base)
            known = self._reads.get(shown)
            if look is None or shown in look or known is None:
                stats.files_looked_at += 1
                if known is None or not _as_read(known, path, kind):
                    stats.files_read += 1
                    known = (_stat(path), path, kind, read_record(kind, path, shown))
            seen[shown] = known
            reads.append((path, known[3]))
            claim = _claim(path, known[3])
            claims[claim] = claims.get(claim, 0) + 1
        self._reads = seen
        self._claims = claims
        records, broken, found = collect(reads)
        self._found = found
        problems.extend(found)
        old = self._records
        changed = {rid for rid in records.keys() | old.keys() if records.get(rid) is not old.get(rid)}
        self._records = records
        self._broken = frozenset(broken)
        return changed, problems

    def _read_some(self, stats: Stats, look: set[str]) -> tuple[set[str], list[Problem]] | None:
        """The files events named read again, when no id each had or has now is another
        file's too (the usual save; a file broken, mended, or given another id): the other
        records, and the problems of the other files, are as they were. ``None`` otherwise
        (what is read is kept for the whole look, where :func:`collect` says who has an id)."""
        reads = dict(self._reads)
        fresh: dict[str, tuple[FileRead, FileRead]] = {}  # shown -> (as it was, as it is)
        looked = times_read = 0
        for shown in look:
            known = reads.get(shown)
            if known is None:
                return None
            looked += 1
            key = _stat(known[1])
            if known[0] == key and key[2] >= 0:
                continue
            times_read += 1
            again = read_record(known[2], known[1], shown)
            reads[shown] = (key, known[1], known[2], again)
            fresh[shown] = (known[3], again)
        self._reads = reads  # what was read is kept, for the whole look if it comes to one
        stats.files_read += times_read  # (the whole look does not read these again)
        # each file read again: the id it claimed, the id it claims now, and what it gives now
        moves = [
            (_claim(reads[shown][1], was), _claim(reads[shown][1], now), now)
            for shown, (was, now) in fresh.items()
        ]
        claims = dict(self._claims)
        for before, after, _now in moves:
            claims[before] -= 1
            if not claims[before]:
                del claims[before]
            claims[after] = claims.get(after, 0) + 1
        if any((before != after and before in claims) or claims[after] != 1 for before, after, _now in moves):
            return None  # an id that two files claim: who has it is collect's to say
        stats.files_looked_at += looked
        self._claims = claims
        old = self._records
        records = dict(old)
        broken = set(self._broken)
        for before, _after, _now in moves:
            records.pop(before, None)
            broken.discard(before)
        for _before, after, now in moves:
            if now.record is not None:
                records[after] = now.record
            else:
                broken.add(after)
        claimed = {rid for before, after, _now in moves for rid in (before, after)}
        changed = {rid for rid in claimed if records.get(rid) is not old.get(rid)}
        self._records = records
        self._broken = frozenset(broken)
        self._found = [p for p in self._found if p.path not in fresh]
        self._found += [p for _before, _after, now in moves for p in now.problems]
        return changed, [*self._file_problems, *self._found]

    def _to_look_at(self, files: list[tuple[str, Path]], touched: Iterable[Path]) -> set[str] | None:
        """The record files (as shown) these touched paths name, when they leave the list of
        files as it is; ``None`` when they may have changed it (a file created, deleted or
        moved in, a folder, a path that is not a known record file)."""
        known = self._known_paths
        if known is None or known[0] is not files:
            absolute = {os.path.abspath(path): display_path(path, self.base) for _kind, path in files}
            known = self._known_paths = (files, absolute)
        content = os.path.abspath(self.content) + os.sep
        templates = os.path.abspath(self.templates) + os.sep
        look: set[str] = set()
        for path in touched:
            text = os.path.abspath(path)
            if text.startswith(templates):
                continue  # the templates have a key of their own
            if not text.startswith(content):
                return None  # the content folder itself, or somewhere else
            if any(is_ignored(part) for part in Path(text[len(content) :]).parts):
                continue
            shown = known[1].get(text)
            if shown is None or not os.path.isfile(text):
                return None
            look.add(shown)
        return look

    def _link(self, changed: set[str], stats: Stats, defer_names: bool = False) -> set[str]:
        """Link the texts that can have changed; returns the ids whose contribution changed.

        ``defer_names``: a file has an error, so nothing is shown until it is mended, and no
        problem comes of an auto-link (only of explicit mentions): the names are matched as
        they were (:attr:`_names_stale`), every text staying linked with :attr:`_matcher`.
        The save that mends the file finds the names as they were before the break: it
        builds no matcher and looks for no name in every text (1 s at 10,000 sources when
        a named record broke)."""
        records = self._records
        old_names = self._names
        if old_names and len(changed) < len(records) // 4:  # a save: only the changed can be renamed
            self._names = dict(old_names)
            for rid in changed:
                if rid in records:
                    self._names[rid] = records[rid].name
                else:
                    self._names.pop(rid, None)
        else:
            self._names = linking.record_names(records)
        renamed = {rid for rid in changed if old_names.get(rid) != self._names.get(rid)}
        relink = {rid for rid in changed if rid in records}
        matcher = self._matcher
        names_matter = any(_names_matter(rid, records, changed) for rid in changed)
        if defer_names:
            self._names_stale = self._names_stale or names_matter
        elif self._names_stale or names_matter:
            self._names_stale = False
            matcher = self._matcher_for(records)
        if matcher.signature != self._matcher.signature:
            surfaces = {
                s
                for s in matcher.targets.keys() | self._matcher.targets.keys()
                if matcher.targets.get(s) != self._matcher.targets.get(s)
            }
            probes = {_probe(s) for s in surfaces}
            for rid, record in records.items():
                if rid not in relink and linking.autolinked(record) and record.body.strip():
                    body = record.body.casefold()
                    if any(p in body for p in probes):
                        relink.add(rid)
        self._matcher = matcher
        # Explicit mentions show the record's name; unknown ids are reported.
        exists_changed = {rid for rid in changed if (rid in records) != (rid in self._contributions)}
        broken_changed = self._broken.symmetric_difference(getattr(self, "_last_broken", frozenset()))
        self._last_broken = self._broken
        named = renamed | exists_changed | set(broken_changed)
        if named:
            relink.update(t for t, ids in self._explicit.items() if ids & named and t in records)
        touched: set[str] = set(changed)
        for rid in list(self._texts):
            if rid not in records:
                for store in (
                    self._texts,
                    self._explicit,
                    self._mention_problems,
                    self._links,
                    self._capitalised,
                    self._quotes,
                    self._quote_problems,
                ):
                    store.pop(rid, None)
                self._capitalised_changed.add(rid)
        for rid in sorted(relink):
            record = records[rid]
            if not record.body.strip():
                had = self._texts.pop(rid, None)
                for store in (self._explicit, self._mention_problems, self._links, self._capitalised):
                    store.pop(rid, None)
                self._capitalised_changed.add(rid)
                if had is not None:
                    touched.add(rid)
                self._place_quotes(record, Text(()))
                continue
            stats.texts_linked += 1
            text = linking.link_text(record, self._names, matcher)
            found_here = linking.mention_problems(record, text, records, self._broken)
            _keep_some(self._mention_problems, rid, found_here)
            old = self._texts.get(rid)
            if old is not None and old == text and rid not in changed:
                continue
            self._texts[rid] = text
            self._explicit[rid] = frozenset(s.target for _b, s, _o in text.mentions() if s.explicit)
            self._links[rid] = text_links(rid, text)
            if isinstance(record.front, Source):
                names = capitalised_names(text)
                if self._capitalised.get(rid) != names:
                    self._capitalised[rid] = names
                    self._capitalised_changed.add(rid)
            touched.add(rid)
            self._place_quotes(record, text)
        for rid in changed:
            if rid in records and rid not in self._texts:
                self._place_quotes(records[rid], Text(()))
        for rid in touched:
            current = records.get(rid)
            if current is None:
                self._contributions.pop(rid, None)
                self._quotes.pop(rid, None)
                self._quote_problems.pop(rid, None)
                continue
            found = self._quotes.get(rid, {})
            self._contributions[rid] = contribution(current, self._links.get(rid), found)
        return touched

    def _matcher_for(self, records: Mapping[str, Record]) -> Matcher:
        """The matcher of these records' names: the last two are kept by what they were made
        from, so that a save that changed no name (an event's date), and the save that mends
        a file a save broke, build none (0.3 s at 10,000 sources)."""
        inputs = linking.matcher_inputs(records)
        found = self._matchers.pop(inputs, None)
        if found is None:
            found = linking.matcher_of(inputs)
        self._matchers = dict([(inputs, found), *list(self._matchers.items())[:1]])  # newest first
        return found

    def _place_quotes(self, record: Record, text: Text) -> None:
        if isinstance(record.front, Source):
            self._quotes[record.id], problems = linking.quotes_of(record, text)
            _keep_some(self._quote_problems, record.id, problems)
        else:
            self._quotes.pop(record.id, None)
            self._quote_problems.pop(record.id, None)

    def _reference_problems(self, changed: set[str]) -> list[Problem]:
        records = self._records
        old_kinds = self._kind_of
        now = {rid: records[rid].kind if rid in records else None for rid in changed}
        moved = {rid for rid, kind in now.items() if kind != old_kinds.get(rid)}
        moved |= self._broken ^ self._kinds_broken
        redo = {rid for rid in changed if rid in records}
        if moved:
            # A record came, went, changed kind or broke: the references to it may change, and
            # so may the closest ids that problems suggest.
            known = dict(old_kinds)
            for rid in moved:
                kind = records[rid].kind if rid in records else None
                if kind is None:
                    known.pop(rid, None)
                else:
                    known[rid] = kind
            self._kind_of, self._kinds_broken = known, self._broken
            self._kinds_seen += 1
            redo |= {rid for rid in self._ref_problems if rid in records}
            redo |= {rid for rid, ids in self._refs.items() if not ids.isdisjoint(moved) and rid in records}
        for rid in changed:
            if rid not in records:
                self._ref_problems.pop(rid, None)
                self._refs.pop(rid, None)
        for rid in redo:
            record = records[rid]
            self._refs[rid] = frozenset(linking.referenced(record))
            _keep_some(self._ref_problems, rid, linking.record_problems(record, records, self._broken))
        problems = [p for found in self._ref_problems.values() for p in found]
        # Cycles run through the chains of kinds.CHAINS alone (an event's part_of...).
        kinds_changed = {old_kinds.get(r) for r in changed} | set(now.values())
        if self._cycles is None or not {kind for kind, _field in kinds.CHAINS}.isdisjoint(kinds_changed):
            self._cycles = linking.cycle_problems(records)
        problems.extend(self._cycles)
        return problems

    # -- outputs -------------------------------------------------------------------------

    def _derive(self, corpus: Corpus) -> set[Dep]:
        """Values made from the whole corpus that outputs read: the countries' meetings, each
        country's partners, the date an empty feed gives."""
        met = self._of_whole("met", _meetings)
        fallback = self._of_whole("fallback", _fallback_date)
        if (met, fallback) == self._derived_from:
            return set()
        self._derived_from = (met, fallback)
        new: dict[str, dict[Any, Any]] = {
            "met": met,
            "partners": pages.partners_of(met),
            "site": {"fallback": fallback},
        }
        deps: set[Dep] = set()
        for name, values in new.items():
            old = self._derived[name]
            for key in values.keys() | old.keys():
                if values.get(key) != old.get(key):
                    deps.add((name, key))
            if list(values) != list(old):
                deps.add((name, KEYS))
        self._derived = new
        return deps

    def _groups(self, corpus: Corpus) -> dict[str, Callable[[Corpus, Output | None], Output]]:
        """Every output group of the site, by name, in the order of the core's plan."""
        groups: dict[str, Callable[..., Output]] = {}
        for name in pages.SITE_GROUPS:
            groups[f"site:{name}"] = self._page_group(functools.partial(_site_pages, name))
        # A group reads its own record through the corpus it is given, like everything else
        # it reads, so that a change of the record is one of its inputs.
        for rid in corpus.records:
            groups[f"record:{rid}"] = self._page_group(functools.partial(_record_pages, rid))
        groups["site:pairs"] = self._page_group(functools.partial(_site_pages, "pairs"))
        groups["feed:all"] = self._feed_group(functools.partial(_site_feed, self.site.name))
        for record in feeds.feed_records(corpus):
            groups[f"feed:{record.id}"] = self._feed_group(
                functools.partial(_record_feed, self.site.name, record.id)
            )
        return groups

    def _page_group(
        self, planner: Callable[[Corpus, Mapping[str, Any]], list[pages.PageSpec]]
    ) -> Callable[..., Output]:
        """A group of pages planned together (a record's pages, the timeline and its years...).

        The group is planned again whenever what its plan read changed; a page of it is
        rendered again only when its plan differs from the last one or what rendering it
        read changed (a much-mentioned record has dozens of mention pages, and an edit of
        one source changes one of them)."""

        def make(corpus: Corpus, previous: Output | None) -> Output:
            renderer = self._renderer
            assert renderer is not None
            plan_deps: set[Dep] = set()
            specs = planner(noting_corpus(corpus, plan_deps), self._noting_derived(plan_deps))
            collected = Collected()
            made: dict[str, PageMade] = {}
            deps = set(plan_deps)
            for spec in specs:
                old = previous.pages.get(spec.path) if previous is not None else None
                if old is not None and old.spec == spec and old.deps.isdisjoint(self._pending):
                    made[spec.path] = old
                    deps |= old.deps
                    continue
                page_deps: set[Dep] = set()
                renderer.bind(noting_corpus(corpus, page_deps))
                markdown, found = renderer.render_page(spec)
                packed = None if markdown is None else pack(markdown)
                collected.add(spec.path, spec.template, packed, found)
                deps |= page_deps
                if packed is not None and not found:
                    made[spec.path] = PageMade(spec, packed, frozenset(page_deps))
            files = {spec.path: made[spec.path].markdown for spec in specs if spec.path in made}
            return Output(files, frozenset(deps), tuple(collected.problems), made)

        return make

    def _noting_derived(self, deps: set[Dep]) -> dict[str, Noting[Any]]:
        return {n: Noting(n, values, deps) for n, values in self._derived.items()}

    def _feed_group(self, wanted: Callable[[Corpus], feeds.Wanted]) -> Callable[..., Output]:
        def make(corpus: Corpus, previous: Output | None) -> Output:
            chosen = previous.chosen if previous is not None else None
            if chosen is None or not chosen.deps.isdisjoint(self._pending):
                choice_deps: set[Dep] = set()
                path, name, title, subtitle, page, items = wanted(noting_corpus(corpus, choice_deps))
                head = (path, name, title, subtitle, page)
                chosen = FeedChosen(head, tuple(r.id for r in items), frozenset(choice_deps))
            deps: set[Dep] = set(chosen.deps)
            watched = noting_corpus(corpus, deps)
            fallback = self._noting_derived(deps)["site"]["fallback"]
            feed = (*chosen.head, [watched.records[rid] for rid in chosen.ids])
            xml = feeds.write_feed(watched, self.site.name, self.site.url, fallback, feed)
            return Output({feed[0]: pack(xml)}, frozenset(deps), chosen=chosen)

        return make

    def _make_outputs(self, corpus: Corpus, stats: Stats) -> list[Problem]:
        key = _templates_key(self.templates / "pages"), self.site
        if key != self._templates_key or self._renderer is None:
            self._templates_key = key
            self._renderer = Renderer(self.templates / "pages", corpus, None, self.site.url)
            self._outputs.clear()
            self._with_problems.clear()
            self._index.clear()
            self._served_whole = False
        group_key = (self._kinds_seen, self._templates_key)
        if self._group_key != group_key:  # the groups follow the records and their kinds
            self._group_key = group_key
            self._group_list = self._groups(corpus)
        groups = self._group_list
        # What changed and changed back since the outputs were last made (a file broken, then
        # mended) is left out: the outputs that read it are as they were.
        self._pending = self.graph.net(self._pending)
        affected = {g for dep in self._pending for g in self._index.get(dep, ())}
        affected.update(g for g in groups if g not in self._outputs)
        remade: list[tuple[str, Output | None]] = []  # each group made or gone, with its last output
        for gone in set(self._outputs) - set(groups):
            remade.append((gone, self._outputs.get(gone)))
            self._forget(gone)
        to_make = [name for name in groups if name in affected]  # in the groups' order
        stats.outputs_made += len(to_make)
        stats.outputs_kept += len(groups) - len(to_make)
        for name in to_make:
            previous = self._outputs.get(name)
            output = groups[name](corpus, previous)
            remade.append((name, previous))
            self._with_problems.discard(name)
            self._outputs[name] = output
            # the index follows what the output reads now: only what it no longer reads, or
            # reads anew, is touched (a much-mentioned record's pages read 12,000 inputs)
            was = previous.deps if previous is not None else frozenset()
            self._unindex(name, was - output.deps)
            for dep in output.deps - was:
                self._index.setdefault(dep, set()).add(name)
            if output.problems:
                self._with_problems.add(name)
        # (the few outputs with problems are kept by name: no walk over every output for them)
        problems = [p for name in sorted(self._with_problems) for p in self._outputs[name].problems]
        self._pending.clear()
        self.graph.settle()
        self._whole_made = dict(self._whole)
        # A broken template fails every page it writes: report it once, as the core does.
        problems = list(dict.fromkeys(problems))
        if has_errors(problems):
            self._served_whole = False  # put the served pages together again from every output
            return problems
        if self._served_whole:
            self._apply(remade)
        else:
            self._put_together(groups)
        return problems

    def _apply(self, remade: list[tuple[str, Output | None]]) -> None:
        """The served pages and feeds with the outputs just made (and gone) put in their place."""
        pages, feeds = dict(self._page_bytes), dict(self._feed_bytes)
        changed: set[str] = set()
        removed: set[str] = set()
        for name, previous in remade:  # first what went away (a path may pass to another group)
            target = feeds if name.startswith("feed:") else pages
            now = self._outputs[name].files if name in self._outputs else {}
            for path in previous.files.keys() - now.keys() if previous is not None else ():
                del target[path]
                removed.add(path)
        for name, _previous in remade:
            target = feeds if name.startswith("feed:") else pages
            for path, data in (self._outputs[name].files if name in self._outputs else {}).items():
                if target.get(path) != data:
                    changed.add(path)
                    target[path] = data
        added = changed - self._page_bytes.keys() - self._feed_bytes.keys()
        if added or removed:
            pages, feeds = dict(sorted(pages.items())), dict(sorted(feeds.items()))
        self._page_bytes, self._feed_bytes = pages, feeds
        self.pages, self.files = Decoded(pages), Decoded(feeds)
        self._changed, self._removed = frozenset(changed), frozenset(removed - changed)

    def _put_together(self, groups: Mapping[str, object]) -> None:
        """The served pages and feeds from every output (after a failed update)."""
        made_pages: dict[str, bytes] = {}
        made_files: dict[str, bytes] = {}
        for name in groups:
            target = made_files if name.startswith("feed:") else made_pages
            target.update(self._outputs[name].files)
        before_pages, before_files = self._page_bytes, self._feed_bytes
        self._page_bytes = dict(sorted(made_pages.items()))
        self._feed_bytes = dict(sorted(made_files.items()))
        self.pages, self.files = Decoded(self._page_bytes), Decoded(self._feed_bytes)
        self._changed = frozenset(
            p
            for store, before in ((self._page_bytes, before_pages), (self._feed_bytes, before_files))
            for p, data in store.items()
            if before.get(p) != data
        )
        self._removed = frozenset(
            (before_pages.keys() - self._page_bytes.keys()) | (before_files.keys() - self._feed_bytes.keys())
        )
        self._served_whole = True

    def _forget(self, name: str) -> None:
        self._with_problems.discard(name)
        old = self._outputs.pop(name, None)
        if old is not None:
            self._unindex(name, old.deps)

    def _unindex(self, name: str, deps: Iterable[Dep]) -> None:
        for dep in deps:
            users = self._index.get(dep)
            if users is not None:
                users.discard(name)
                if not users:
                    del self._index[dep]

    # -- on request ----------------------------------------------------------------------

    def data_files(self) -> Mapping[str, str]:
        """The open data of the last good state (``data/``), made when asked for and kept
        until the corpus changes."""
        corpus = self.graph.corpus
        if self._data is None or self._data[0] is not corpus:
            self._data = (corpus, opendata.data_files(corpus))
        return self._data[1]


def _meetings(corpus: Corpus, _deps: set[Dep]) -> dict[tuple[str, str], tuple[str, ...]]:
    return relations.meetings(corpus)


def _fallback_date(corpus: Corpus, _deps: set[Dep]) -> Any:
    return feeds.fallback_date(corpus)


def _site_pages(name: str, corpus: Corpus, derived: Mapping[str, Mapping[Any, Any]]) -> list[pages.PageSpec]:
    return pages.site_group(name, corpus, derived["met"])


def _record_pages(rid: str, corpus: Corpus, derived: Mapping[str, Mapping[Any, Any]]) -> list[pages.PageSpec]:
    return pages.record_pages(corpus, corpus.records[rid], derived["partners"].get(rid, ()))


def _site_feed(site_name: str, corpus: Corpus) -> feeds.Wanted:
    return feeds.site_feed(corpus, site_name)


def _record_feed(site_name: str, rid: str, corpus: Corpus) -> feeds.Wanted:
    return feeds.record_feed(corpus, site_name, corpus.records[rid])


def _claim(path: Path, read: FileRead) -> str:
    """The id a file claims: its record's, or the one :func:`collect` counts as broken."""
    if read.record is not None:
        return read.record.id
    return read.broken_id or path.name[: -len(".md")]


def _as_read(known: tuple[StatKey, Path, str, FileRead] | None, path: Path, kind: str) -> bool:
    """Whether the file at ``path`` is as ``known`` read it (the same path and kind, the same
    time and size, and there)."""
    if known is None or known[1] != path or known[2] != kind:
        return False
    key = _stat(path)
    return known[0] == key and key[2] >= 0


def _keep_some(store: dict[str, list[Problem]], key: str, problems: list[Problem]) -> None:
    """Keep ``key``'s problems in ``store`` if there are any (see Engine._mention_problems)."""
    if problems:
        store[key] = problems
    else:
        store.pop(key, None)


def _stat(path: Path) -> StatKey:
    try:
        st = path.stat()
    except OSError:
        return (0, 0, -1)
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size)


def _templates_key(templates: Path) -> tuple[tuple[str, int, int], ...]:
    found = []
    for folder, _dirs, names in sorted(os.walk(templates)):
        for name in sorted(names):
            path = Path(folder) / name
            try:
                st = path.stat()
            except OSError:
                continue
            found.append((path.as_posix(), st.st_mtime_ns, st.st_size))
    return tuple(found)


def _names_matter(rid: str, records: Mapping[str, Record], changed: set[str]) -> bool:
    """Whether a change of this record can change the matcher (its names or aliases)."""
    return rid in changed and (rid not in records or records[rid].kind != "sources")


def _probe(surface: str) -> str:
    """A piece of a name that every text able to contain the name (in any inflected form the
    matcher knows) contains: the start of its first word, case folded."""
    first = surface.split()[0] if surface.split() else surface
    return first[: max(2, len(first) - 3)].casefold()
