"""The linked corpus kept up to date by difference.

Each record contributes items to the corpus's fields under keys (:func:`corpus.contribution`);
a key's value is put together from its contributors' items (:func:`corpus.finish`). A save
removes the changed records' old contributions, adds their new ones and puts together
again only the keys they touched: the corpus is never rebuilt whole. What changed comes out
as the set of ``(field, key)`` whose value is no longer equal, which is what the outputs
depend on (see :mod:`generator.incremental.reads`).

Changes are also kept **net** between two makings of the outputs: each changed input's value
at the last making is remembered (:attr:`Graph.was`), so that a file broken by one save and
mended by the next changes nothing the outputs read (:meth:`Graph.net`), whatever the saves
in between changed and changed back.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping
from operator import itemgetter
from typing import Any

from generator import corpus as core
from generator.corpus import Contribution, Corpus
from generator.incremental.reads import KEYS, WHOLE, Dep
from generator.mentions import Text
from generator.records import Record

_LAST = itemgetter(-1)  # a sort key's last part: the record's id
_DERIVED = ("marks", "quotes_in", "related", "mention_counts", "mentioned_in")


class Graph:
    """The linked corpus of the last update, and how to change it."""

    def __init__(self) -> None:
        self.records: dict[str, Record] = {}
        self.keys: dict[str, tuple[object, ...]] = {}
        self.texts: dict[str, Text] = {}
        self.capitalised: dict[str, list[tuple[str, int]]] = {}  # each source's (corpus_warnings)
        self.contributions: dict[str, Contribution] = {}
        # field -> key -> contributor -> its items there
        self.tables: dict[str, dict[str, dict[str, tuple[Any, ...]]]] = {n: {} for n in core.FIELDS}
        # field -> key -> its contributors' sort keys, in order (what core.finish is given): kept
        # by insertion, so that a key with thousands of contributors is never sorted again
        self.order: dict[str, dict[str, list[tuple[Any, ...]]]] = {n: {} for n in core.FIELDS}
        self.values: dict[str, dict[str, Any]] = {n: {} for n in (*core.FIELDS, *_DERIVED)}
        self.partners: dict[str, dict[str, int]] = {}
        self.quotes: tuple[core.QuoteRef, ...] = ()
        self.corpus = core.assemble({}, {}, {})
        self.was: dict[Dep, Any] = {}  # each input changed since the outputs were last made: its value then

    def net(self, changes: Iterable[Dep]) -> set[Dep]:
        """Of these changes since the outputs were last made, those whose value is not what it
        was then (the others changed and changed back)."""
        was = self.was
        return {dep for dep in changes if dep not in was or was[dep] != self._value(dep)}

    def settle(self) -> None:
        """The outputs were made from the corpus as it is: changes count from now."""
        self.was = {}

    def _value(self, dep: Dep) -> Any:
        """What an output reading ``dep`` sees (a mapping's keys as a set: its order is never
        shown, the outputs sort what they list)."""
        name, key = dep
        if name == "quotes":
            return self.quotes
        if name in ("records", "bodies"):
            if key == KEYS:
                return frozenset(self.records)
            record = self.records.get(key)
            if record is None:
                return None
            return record.body if name == "bodies" else _beyond_body(record)
        if name == "capitalised":
            return self.capitalised.get(key)
        store: Mapping[str, Any] = self.texts if name == "texts" else self.values[name]
        return frozenset(store) if key == KEYS else store.get(key)

    def _note(self, deps: set[Dep], dep: Dep) -> None:
        """``dep`` changes now: its value is remembered if it had not changed since the last making."""
        if dep not in self.was:
            self.was[dep] = self._value(dep)
        deps.add(dep)

    def update(
        self,
        records: Mapping[str, Record],
        texts: Mapping[str, Text],
        contributions: Mapping[str, Contribution],
        changed: Iterable[str],
        capitalised: Mapping[str, list[tuple[str, int]]] | None = None,
    ) -> set[Dep]:
        """Take the records, texts and contributions of this update (and the capitalised
        names of the sources' texts), of which those of the ids in ``changed`` (records added,
        removed or changed, texts or quote places changed) differ from the last; returns what
        changed in the corpus."""
        changed = set(changed)
        deps: set[Dep] = set()
        old_records = self.records
        old_keys = {rid: self.keys[rid] for rid in changed if rid in self.keys}
        for rid in changed:  # what the outputs saw of these records, before they change
            was, now = old_records.get(rid), records.get(rid)
            if was is now:
                continue  # its text or its quotes' places changed, not the record
            if was is None or now is None or _beyond_body(was) != _beyond_body(now):
                self._note(deps, ("records", rid))
            if was is None or now is None or was.body != now.body:
                self._note(deps, ("bodies", rid))
            if now is not None:
                self.keys[rid] = core.sort_key(now)
        if set(records) != set(old_records):
            self._note(deps, ("records", KEYS))
            self.records = dict(sorted(records.items()))
        else:
            self.records = dict(old_records)
            for rid in changed:
                if rid in records:
                    self.records[rid] = records[rid]
        if list(texts) != list(self.texts):
            self._note(deps, ("texts", KEYS))
        for rid in changed:
            if self.texts.get(rid) is not texts.get(rid):
                self._note(deps, ("texts", rid))
        self.texts = dict(texts)
        if capitalised is not None:
            for rid in changed:
                names = capitalised.get(rid)
                if names != self.capitalised.get(rid):
                    self._note(deps, ("capitalised", rid))
                    if names is None:
                        del self.capitalised[rid]
                    else:
                        self.capitalised[rid] = names

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
            before = old.items if old is not None else {}
            after = new.items if new is not None else {}
            key_before: Any = old_keys.get(rid)
            key_after: Any = self.keys.get(rid)
            for name in before.keys() | after.keys():
                table, order = self.tables[name], self.order[name]
                mine_before, mine_after = before.get(name, {}), after.get(name, {})
                for key in mine_before.keys() | mine_after.keys():
                    its = mine_after.get(key)
                    if same_place and mine_before.get(key) == its:
                        continue
                    touched[name].add(key)
                    if key in mine_before and (its is None or key_before != key_after):
                        ordered = order[key]
                        del ordered[bisect_left(ordered, key_before)]
                    if its is None:
                        del table[key][rid]
                        if not table[key]:
                            del table[key], order[key]
                    else:
                        if key not in mine_before or key_before != key_after:
                            insort(order.setdefault(key, []), key_after)
                        table.setdefault(key, {})[rid] = its
            same_pairs = same_place and old is not None and new is not None and old.pairs == new.pairs
            for c, sign in ((old, -1), (new, 1)):
                if c is None or same_pairs:
                    continue
                for a, b, n in core.pair_counts(c.pairs):
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
            table, order = self.tables[name], self.order[name]
            for key in keys:
                held = table.get(key, {})
                rids = list(map(_LAST, order.get(key, ())))  # (map and zip: no Python loop per item)
                contributed = list(zip(rids, map(held.__getitem__, rids), strict=True))
                value = core.finish(name, key, contributed, self.keys, self.records)
                self._put(name, key, value, deps)
                if name == "backlinks":
                    self._put("mention_counts", key, len(value) if value else None, deps)
                    # the texts that mention it are the contributors of its backlinks
                    self._put("mentioned_in", key, frozenset(table[key]) if value else None, deps)
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
                self._note(deps, ("quotes", WHOLE))
                self.quotes = quotes
        self.corpus = Corpus(records=self.records, texts=self.texts, quotes=self.quotes, **self.values)
        return deps

    def _put(self, name: str, key: str, value: Any, deps: set[Dep]) -> None:
        values = self.values[name]
        old = values.get(key)
        if value is None:
            if key in values:
                self._note(deps, (name, key))
                self._note(deps, (name, KEYS))
                del values[key]
        elif old is None:
            self._note(deps, (name, key))
            self._note(deps, (name, KEYS))
            values[key] = value
        elif old != value:
            self._note(deps, (name, key))
            values[key] = value


def _beyond_body(record: Record) -> tuple[object, ...]:
    """All of a record but its text: what a ``("records", id)`` read sees (its ``lines``
    place the problems found in it)."""
    return (record.kind, record.path, record.front, record.body_line, record.lines)

