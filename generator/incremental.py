"""A deliberate cache for `mkdocs serve`: what one run of the core may reuse from the last.

Each stage keeps what it computed, keyed by exactly what it was computed from:

- a record file: its modification time, change time and size (re-read otherwise);
- a parsed body: the body text; its resolved mentions: the name matcher (for auto-linked
  sources) and the names of the records it mentions explicitly;
- a source's quote positions: the resolved text and the quotes;
- a text's backlinks and co-mentions: the resolved text;
- a page's Markdown: its template files, its planned context, and every record the template
  read while rendering it (none of them changed since the pages were last rendered);
- a record's open data: its entry, the record object (the same object while its file is
  unchanged); its mention rows and its JSON file, what they are made of;
- a record's planned pages, and the facts its feed shows: the record, and every value of the
  linked corpus read to make them (compared by identity: the corpus keeps last run's value
  where it is equal; see :func:`corpus.kept`); a feed's XML: the facts it shows;
- a compiled template: its source (Jinja checks the checksum of the source itself), so
  templates are parsed and compiled once per serve, not once per save.

A run with a cache gives the same pages and problems as a run without one; the tests check
it after edits of every kind.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import jinja2.bccache

from generator.mentions import Text
from generator.problems import Problem
from generator.quotes import Found
from generator.reading import Document
from generator.records import Record


@dataclass
class FileEntry:
    key: tuple[int, int, int]
    version: int
    doc: Document | None
    record: Record | None
    problems: tuple[Problem, ...]


@dataclass
class RunStats:
    """How much work the last run did (shown by the plugin, checked by the tests)."""

    files_read: int = 0
    texts_linked: int = 0
    pages_rendered: int = 0
    pages_reused: int = 0
    records_planned: int = 0


class MemoryBytecodeCache(jinja2.bccache.BytecodeCache):
    """Compiled Jinja templates kept in memory between builds of one serve.

    Jinja stores each template's source checksum beside its code and recompiles when the
    source changed, so an edited template is never served stale.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._store.clear()

    def __len__(self) -> int:
        return len(self._store)


V = TypeVar("V")
MISSING: Any = object()  # a read of a key the mapping did not have
WHOLE: Any = object()  # the key of a read of a whole mapping (iterated or counted)


class ReadLog(Mapping[str, V]):
    """A mapping that notes every read in ``log`` as ``(name, key, value)``; reading it whole
    notes ``(name, WHOLE, mapping)``. Replaying the log against a newer mapping tells whether
    what was computed from it still holds (see :func:`still_holds`)."""

    def __init__(self, name: str, data: Mapping[str, V], log: list[tuple[str, Any, Any]]) -> None:
        self._name = name
        self._data = data
        self._log = log

    def __getitem__(self, key: str) -> V:
        value = self._data.get(key, MISSING)
        self._log.append((self._name, key, value))
        if value is MISSING:
            raise KeyError(key)
        return value  # type: ignore[no-any-return]

    def get(self, key: str, default: Any = None) -> Any:
        value = self._data.get(key, MISSING)
        self._log.append((self._name, key, value))
        return default if value is MISSING else value

    def __contains__(self, key: object) -> bool:
        value = self._data.get(key, MISSING)  # type: ignore[call-overload]
        self._log.append((self._name, key, value))
        return value is not MISSING

    def __iter__(self) -> Iterator[str]:
        self._log.append((self._name, WHOLE, self._data))
        return iter(self._data)

    def __len__(self) -> int:
        self._log.append((self._name, WHOLE, self._data))
        return len(self._data)


def still_holds(log: tuple[tuple[str, Any, Any], ...], mappings: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether every read in ``log`` gives the very same object from ``mappings`` now."""
    for name, key, value in log:
        data = mappings[name]
        if key is WHOLE:
            if data is not value:
                return False
        elif data.get(key, MISSING) is not value:
            return False
    return True


def interned(previous: dict[str, Any], values: dict[str, V]) -> dict[str, V]:
    """``values`` with each value equal to the one ``previous`` had for its key replaced by
    that older object, so that later stages can tell "unchanged" by identity; ``previous``
    becomes the new values."""
    out: dict[str, V] = {}
    for key, value in values.items():
        old = previous.get(key, MISSING)
        out[key] = old if old is not MISSING and (old is value or old == value) else value
    previous.clear()
    previous.update(out)
    return out


@dataclass
class PageEntry:
    """One page's Markdown and what it was rendered from."""

    context: Any  # the planned context (the same object while its record's plan is kept)
    frozen: Any  # its comparable form (see :func:`freeze`)
    context_key: Any  # templates, site address, template, title and frozen context
    markdown: str
    deps: frozenset[str]  # the records the template read


@dataclass
class OpenDataMemo:
    """What the open data keeps between runs of one serve, per record: its entry (keyed on the
    record object), its mention rows (keyed on its tuple of backlinks, which the corpus keeps
    while equal) and its JSON file (keyed on everything in it)."""

    entries: dict[str, tuple[Record, dict[str, Any]]] = field(default_factory=dict)
    mentions: dict[str, tuple[Any, list[dict[str, Any]]]] = field(default_factory=dict)
    files: dict[str, tuple[tuple[Any, ...], str]] = field(default_factory=dict)


@dataclass
class FeedMemo:
    """The feeds kept between runs of one serve: each feed's XML with the facts it shows, and
    each record's facts with what they were gathered from (see :func:`corpus.kept`)."""

    xml: dict[str, tuple[object, str]] = field(default_factory=dict)  # path → (facts, XML)
    facts: dict[str, KeptValue] = field(default_factory=dict)  # record id → its feed's facts


@dataclass
class KeptValue:
    """What was computed for one record (its planned pages, its feed) and what it read."""

    record: Record
    extra: Any  # what the computation was given besides the corpus (compared with ==)
    reads: tuple[tuple[str, Any, Any], ...]
    value: Any  # the result


@dataclass
class BuildCache:
    files: dict[tuple[str, str], FileEntry] = field(default_factory=dict)
    parsed: dict[tuple[str, int], Text] = field(default_factory=dict)
    resolved: dict[str, tuple[Any, Text]] = field(default_factory=dict)
    quotes: dict[str, tuple[Any, dict[int, Found], list[Problem]]] = field(default_factory=dict)
    text_links: dict[str, tuple[Text, Any]] = field(default_factory=dict)
    candidates: dict[str, tuple[Text, list[tuple[str, int]]]] = field(default_factory=dict)
    pages: dict[str, PageEntry] = field(default_factory=dict)
    feeds: FeedMemo = field(default_factory=FeedMemo)
    open_data: OpenDataMemo = field(default_factory=OpenDataMemo)
    corpus_values: dict[str, dict[str, Any]] = field(default_factory=dict)  # field → last values
    plans: dict[str, KeptValue] = field(default_factory=dict)  # record id → its pages' plan
    rendered_versions: dict[str, int] = field(default_factory=dict)  # versions() at the last render
    bytecode: MemoryBytecodeCache = field(default_factory=MemoryBytecodeCache)
    stats: RunStats = field(default_factory=RunStats)
    _versions: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_version(self) -> int:
        return next(self._versions)

    def versions(self) -> dict[str, int]:
        """Record id → version of the file it was read from."""
        return {e.record.id: e.version for e in self.files.values() if e.record is not None}

    def start_run(self) -> None:
        self.stats = RunStats()


_ATOMS = frozenset({str, int, float, bool, type(None)})


def freeze(value: Any) -> Any:
    """A comparable, hashable form of a page context (dicts and lists become tuples)."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if isinstance(value, dict):
        return tuple((k, freeze(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    if isinstance(value, set | frozenset):
        return tuple(sorted(freeze(v) for v in value))
    return value


def template_signature(templates: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple(
        (p.as_posix(), p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(templates.rglob("*"))
        if p.is_file()
    )
