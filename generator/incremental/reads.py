"""Noting what a computation reads of the linked corpus: the engine's dependencies.

An output (a page, a feed) is made by pure core code from a :class:`~generator.corpus.Corpus`.
The engine hands that code a corpus whose every mapping notes each key read (and notes a
whole read when it is iterated or counted), so the output's inputs are known by
construction: nothing is declared by hand, and nothing read can be missed.

A mapping's keys and each of its values are inputs of their own: iterating or counting a
mapping reads its keys (``(name, KEYS)``), and each value is read key by key (the views
``values()`` and ``items()`` go through ``__getitem__``). A record's text is an input apart
from the rest of the record (``("bodies", id)``): the many lists that show a source's title
and date are not made again when one of its sentences is edited.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import fields, replace
from typing import Any, TypeVar, overload

from generator.corpus import Corpus
from generator.records import Record

KEYS = "\0keys"  # the key of a read of which keys a mapping holds (iterated or counted)
WHOLE = "\0whole"  # the key of a read of a whole sequence (the list of all quotes)

Dep = tuple[str, Any]  # (mapping name, key) or (mapping name, WHOLE)

V = TypeVar("V")


class Noting(Mapping[Any, V]):
    """A read-only view of a mapping that adds ``(name, key)`` to ``deps`` for every read."""

    __slots__ = ("_data", "_deps", "_name")

    def __init__(self, name: str, data: Mapping[Any, V], deps: set[Dep]) -> None:
        self._name = name
        self._data = data
        self._deps = deps

    def __getitem__(self, key: Any) -> V:
        self._deps.add((self._name, key))
        return self._data[key]

    def get(self, key: Any, default: Any = None) -> Any:
        self._deps.add((self._name, key))
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        self._deps.add((self._name, key))
        return key in self._data

    def __iter__(self) -> Iterator[Any]:
        self._deps.add((self._name, KEYS))
        return iter(self._data)

    def __len__(self) -> int:
        self._deps.add((self._name, KEYS))
        return len(self._data)


class NotedRecord(Record):
    """A record as an output reads it: reading its text notes ``("bodies", id)``; the rest
    of the record is the ``("records", id)`` read that gave it."""

    @property
    def body(self) -> str:
        own = self.__dict__
        own["_deps"].add(("bodies", own["id"]))
        return str(own["body"])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and _fields(self) == _fields(other)

    def __hash__(self) -> int:
        return hash(_fields(self))


def _fields(record: Record) -> tuple[object, ...]:
    return (record.kind, record.id, record.path, record.front, record.body, record.body_line)


def _noted(record: Record, deps: set[Dep]) -> Record:
    noted = object.__new__(NotedRecord)
    own = noted.__dict__
    own.update(record.__dict__)
    own["_deps"] = deps
    return noted


class NotingRecords(Noting[Record]):
    """The records, each handed out as a :class:`NotedRecord` (made once per record: the
    corpus warnings read each record five times over)."""

    __slots__ = ("_handed",)

    def __init__(self, name: str, data: Mapping[Any, Record], deps: set[Dep]) -> None:
        super().__init__(name, data, deps)
        self._handed: dict[Any, Record] = {}

    def __getitem__(self, key: Any) -> Record:
        self._deps.add((self._name, key))
        handed = self._handed.get(key)
        if handed is None:
            handed = self._handed[key] = _noted(self._data[key], self._deps)
        return handed

    def get(self, key: Any, default: Any = None) -> Any:
        if key not in self._data:
            self._deps.add((self._name, key))
            return default
        return self[key]


class NotingSequence(Sequence[V]):
    """A read-only view of a tuple whose every use is a whole read."""

    __slots__ = ("_data", "_deps", "_name")

    def __init__(self, name: str, data: Sequence[V], deps: set[Dep]) -> None:
        self._name = name
        self._data = data
        self._deps = deps

    @overload
    def __getitem__(self, index: int) -> V: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[V]: ...
    def __getitem__(self, index: int | slice) -> V | Sequence[V]:
        self._deps.add((self._name, WHOLE))
        return self._data[index]

    def __len__(self) -> int:
        self._deps.add((self._name, WHOLE))
        return len(self._data)

    def __iter__(self) -> Iterator[V]:
        self._deps.add((self._name, WHOLE))
        return iter(self._data)


CORPUS_MAPPINGS = tuple(f.name for f in fields(Corpus) if f.name not in ("quotes", "records"))


def noting_corpus(corpus: Corpus, deps: set[Dep]) -> Corpus:
    """``corpus`` with every mapping (and the list of all quotes) noting its reads in ``deps``."""
    watched: dict[str, Any] = {name: Noting(name, getattr(corpus, name), deps) for name in CORPUS_MAPPINGS}
    watched["records"] = NotingRecords("records", corpus.records, deps)
    watched["quotes"] = NotingSequence("quotes", corpus.quotes, deps)
    return replace(corpus, **watched)
