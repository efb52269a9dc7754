"""A deliberate cache for `mkdocs serve`: what one run of the core may reuse from the last.

Each stage keeps what it computed, keyed by exactly what it was computed from:

- a record file: its modification time, change time and size (re-read otherwise);
- a parsed body: the body text; its resolved mentions: the name matcher (for auto-linked
  sources) and the names of the records it mentions explicitly;
- a source's quote positions: the resolved text and the quotes;
- a text's backlinks and co-mentions: the resolved text;
- a page's Markdown: its template files, its planned context, and the version of every
  record the template read while rendering it;
- a record's open-data entry: the record object (the same object while its file is unchanged);
- a compiled template: its source (Jinja checks the checksum of the source itself), so
  templates are parsed and compiled once per serve, not once per save.

A run with a cache gives the same pages and problems as a run without one; the tests check
it after edits of every kind.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass
class BuildCache:
    files: dict[tuple[str, str], FileEntry] = field(default_factory=dict)
    parsed: dict[tuple[str, int], Text] = field(default_factory=dict)
    resolved: dict[str, tuple[Any, Text]] = field(default_factory=dict)
    quotes: dict[str, tuple[Any, dict[int, Found], list[Problem]]] = field(default_factory=dict)
    text_links: dict[str, tuple[Text, Any]] = field(default_factory=dict)
    candidates: dict[str, tuple[Text, list[tuple[str, int]]]] = field(default_factory=dict)
    pages: dict[str, tuple[Any, str, frozenset[str]]] = field(default_factory=dict)
    feeds: dict[str, tuple[object, str]] = field(default_factory=dict)  # path → (facts, XML)
    entries: dict[str, tuple[Record, dict[str, Any]]] = field(default_factory=dict)  # open data
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
