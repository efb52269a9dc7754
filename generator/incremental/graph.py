"""The linked corpus kept up to date by difference.

Each record contributes items to the corpus's fields under keys (:func:`corpus.contribution`);
a key's value is put together from its contributors' items (:func:`corpus.finish`). A save
removes the changed records' old contributions, adds their new ones and puts together
again only the keys they touched: the corpus is never rebuilt whole. What changed comes out
as the set of ``(field, key)`` whose value is no longer equal, which is what the outputs
depend on (see :mod:`generator.incremental.reads`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from generator import corpus as core
from generator.corpus import Contribution, Corpus
from generator.incremental.reads import KEYS, WHOLE, Dep
from generator.mentions import Text
from generator.records import Record

_DERIVED = ("marks", "quotes_in", "related", "mention_counts")


class Graph:
    """The linked corpus of the last update, and how to change it."""

    def __init__(self) -> None:
        self.records: dict[str, Record] = {}
        self.keys: dict[str, tuple[object, ...]] = {}
        self.texts: dict[str, Text] = {}
        self.contributions: dict[str, Contribution] = {}
        # field -> key -> contributor -> its items there
        self.tables: dict[str, dict[str, dict[str, tuple[Any, ...]]]] = {n: {} for n in core.FIELDS}
        self.values: dict[str, dict[str, Any]] = {n: {} for n in (*core.FIELDS, *_DERIVED)}
        self.partners: dict[str, dict[str, int]] = {}
        self.quotes: tuple[core.QuoteRef, ...] = ()
        self.corpus = core.assemble({}, {}, {})

    def update(
        self,
        records: Mapping[str, Record],
        texts: Mapping[str, Text],
        contributions: Mapping[str, Contribution],
        changed: Iterable[str],
    ) -> set[Dep]:
        """Take the records, texts and contributions of this update, of which those of the
        ids in ``changed`` (records added, removed or changed, texts or quote places changed)
        differ from the last; returns what changed in the corpus."""
        changed = set(changed)
        deps: set[Dep] = set()
        old_records = self.records
        if set(records) != set(old_records):
            self.records = dict(sorted(records.items()))
            deps.add(("records", KEYS))
        else:
            self.records = dict(old_records)
            for rid in changed:
                if rid in records:
                    self.records[rid] = records[rid]
        for rid in changed:
            was, now = old_records.get(rid), records.get(rid)
            if was is now:
                continue  # its text or its quotes' places changed, not the record
            if was is None or now is None or _beyond_body(was) != _beyond_body(now):
                deps.add(("records", rid))
            if was is None or now is None or was.body != now.body:
                deps.add(("bodies", rid))
            if now is not None:
                self.keys[rid] = core.sort_key(now)
        if list(texts) != list(self.texts):
            deps.add(("texts", KEYS))
        deps.update(("texts", rid) for rid in changed if self.texts.get(rid) is not texts.get(rid))
        self.texts = dict(texts)

        touched: dict[str, set[str]] = {n: set() for n in core.FIELDS}
        related: set[str] = set()
        quotes_changed = False
        for rid in changed:
            old = self.contributions.get(rid)
            new = contributions.get(rid)
            was, now = old_records.get(rid), records.get(rid)
            # Where only the record's text changed (or only its links), and its items under a key
            # are the same as before, that key's value cannot have changed: leave it.
            same_place = was is not None and now is not None and (
                was is now or _beyond_body(was) == _beyond_body(now)
            )
            before = core.items_by_key(old) if old is not None else {}
            after = core.items_by_key(new) if new is not None else {}
            for name in before.keys() | after.keys():
                table = self.tables[name]
                mine_before, mine_after = before.get(name, {}), after.get(name, {})
                for key in mine_before.keys() | mine_after.keys():
                    its = mine_after.get(key)
                    if same_place and mine_before.get(key) == its:
                        continue
                    touched[name].add(key)
                    if its is None:
                        table[key].pop(rid, None)
                        if not table[key]:
                            del table[key]
                    else:
                        table.setdefault(key, {})[rid] = its
            same_pairs = same_place and old is not None and new is not None and old.pairs == new.pairs
            for c, sign in ((old, -1), (new, 1)):
                if c is None or same_pairs:
                    continue
                for (a, b), n in c.pairs:
                    for x, y in ((a, b), (b, a)):
                        mine = self.partners.setdefault(x, {})
                        mine[y] = mine.get(y, 0) + sign * n
                        if not mine[y]:
                            del mine[y]
                        if not mine:
                            del self.partners[x]
                    related.update((a, b))
            old_quotes, new_quotes = old.quotes if old else (), new.quotes if new else ()
            if old_quotes != new_quotes or (not same_place and (old_quotes or new_quotes)):
                quotes_changed = True  # or their order: they are sorted by their sources
            if new is None:
                self.contributions.pop(rid, None)
                self.keys.pop(rid, None)
            else:
                self.contributions[rid] = new
            # A record's existence, name and sort order show in the lists that hold it.
            touched["backlinks"].add(rid)
            touched["translations"].add(rid)
            related.add(rid)
            if was is None or now is None or was.name != now.name:
                related.update(self.partners.get(rid, ()))

        for name, keys in touched.items():
            table = self.tables[name]
            for key in keys:
                contributed = sorted(table.get(key, {}).items())
                value = core.finish(name, key, contributed, self.keys, self.records)
                self._put(name, key, value, deps)
                if name == "backlinks":
                    self._put("mention_counts", key, len(value) if value else None, deps)
        for key in related:
            value = core.finish_related(key, self.partners.get(key, {}), self.records)
            self._put("related", key, value, deps)
        for rid in changed:
            c = contributions.get(rid)
            marks = {n: list(s) for n, s in c.marks.items()} if c is not None and c.marks else None
            self._put("marks", rid, marks, deps)
            self._put("quotes_in", rid, c.quotes if c is not None and c.quotes else None, deps)
        if quotes_changed:
            quotes = core.quotes_in_order(self.contributions, self.keys)
            if quotes != self.quotes:
                self.quotes = quotes
                deps.add(("quotes", WHOLE))
        self.corpus = Corpus(records=self.records, texts=self.texts, quotes=self.quotes, **self.values)
        return deps

    def _put(self, name: str, key: str, value: Any, deps: set[Dep]) -> None:
        values = self.values[name]
        old = values.get(key)
        if value is None:
            if key in values:
                del values[key]
                deps.update(((name, key), (name, KEYS)))
        elif old is None:
            values[key] = value
            deps.update(((name, key), (name, KEYS)))
        elif old != value:
            values[key] = value
            deps.add((name, key))


def _beyond_body(record: Record) -> tuple[object, ...]:
    """All of a record but its text: what a ``("records", id)`` read sees (its ``lines``
    place the problems found in it)."""
    return (record.kind, record.path, record.front, record.body_line, record.lines)

