"""The linked corpus: records with everything that points at them.

Built once from validated records and their parsed texts; pages read from it and
never loop over the corpus themselves.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from itertools import combinations
from typing import Any, TypeVar

from generator.dates import PartialDate
from generator.incremental import BuildCache, KeptValue, ReadLog, interned, still_holds
from generator.mentions import Text, sentence_at, sentence_bounds
from generator.quotes import Found
from generator.records import KIND_ORDER as KIND_ORDER
from generator.records import Record
from generator.schema import Event, Member, Organization, Person, Place, Quote, Role, Source
from generator.translations import translations_by_original


@dataclass(frozen=True)
class Backlink:
    """One mention of a record: where it stands and the sentence around it."""

    target: str
    source: str  # the id of the record whose text holds it
    paragraph: int
    sentence: str
    at: int  # where the mention starts in ``sentence``
    shown: str
    explicit: bool


@dataclass(frozen=True)
class QuoteRef:
    source: str
    index: int
    quote: Quote
    paragraph: int

    @property
    def anchor(self) -> str:
        return f"p-{self.paragraph}"


@dataclass(frozen=True)
class Participation:
    event: str
    role: str | None


@dataclass(frozen=True)
class Membership:
    organization: str
    member: str
    since: PartialDate | None
    until: PartialDate | None
    role: str | None


@dataclass(frozen=True)
class Office:
    person: str
    role: Role


@dataclass(frozen=True)
class Corpus:
    records: Mapping[str, Record]
    texts: Mapping[str, Text]
    quotes: tuple[QuoteRef, ...]
    marks: Mapping[str, Mapping[int, list[tuple[int, int]]]]
    backlinks: Mapping[str, tuple[Backlink, ...]] = field(default_factory=dict)
    participations: Mapping[str, tuple[Participation, ...]] = field(default_factory=dict)
    parts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    reported_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    quotes_by: Mapping[str, tuple[QuoteRef, ...]] = field(default_factory=dict)
    quotes_at: Mapping[str, tuple[QuoteRef, ...]] = field(default_factory=dict)
    memberships: Mapping[str, tuple[Membership, ...]] = field(default_factory=dict)
    offices: Mapping[str, tuple[Office, ...]] = field(default_factory=dict)
    located: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    suborganizations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    events_at: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    tagged: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    related: Mapping[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    quotes_in: Mapping[str, tuple[QuoteRef, ...]] = field(default_factory=dict)  # by source, in order

    def mappings(self) -> dict[str, Mapping[str, Any]]:
        """The corpus's mappings by field name: all of it but the list of all quotes."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "quotes"}

    def of_kind(self, kind: str) -> list[Record]:
        return sorted((r for r in self.records.values() if r.kind == kind), key=sort_key)

    def event(self, event_id: str) -> Event:
        front = self.records[event_id].front
        assert isinstance(front, Event)
        return front

    @functools.cached_property
    def translations(self) -> Mapping[str, tuple[str, ...]]:
        """Each source that has translations → their ids (``translation_of``), by language."""
        return translations_by_original(self.records)


class _NotRead(tuple[QuoteRef, ...]):
    """Stands for the list of all quotes in a corpus whose reads are noted (see :func:`kept`):
    reads of it would not be noted, so it refuses them."""

    def _refuse(self, *args: object) -> Any:
        raise AssertionError("what is kept per record must not read the list of all quotes")

    __iter__ = __len__ = __getitem__ = _refuse


T = TypeVar("T")


def kept(
    memo: dict[str, KeptValue],
    record: Record,
    extra: Any,
    corpus: Corpus,
    mappings: Mapping[str, Mapping[str, Any]],
    compute: Callable[[Corpus], T],
) -> tuple[T, bool]:
    """``compute(corpus)`` for one record, and whether it ran: kept from the last run when
    the record and ``extra`` are the same and every value of the corpus it read then is the
    same object now (the corpus keeps last run's value where it is equal; see
    :func:`incremental.interned`). ``mappings`` is ``corpus.mappings()``, made once per run."""
    hit = memo.get(record.id)
    if hit is not None and hit.record is record and hit.extra == extra and still_holds(hit.reads, mappings):
        value: T = hit.value
        return value, False
    log: list[tuple[str, Any, Any]] = []
    watched = {name: ReadLog(name, values, log) for name, values in mappings.items()}
    value = compute(replace(corpus, quotes=_NotRead(), **watched))
    reads = {(name, key): read for name, key, read in log}  # a key read twice was read once
    memo[record.id] = KeptValue(record, extra, tuple((n, k, read) for (n, k), read in reads.items()), value)
    return value, True


def sort_key(record: Record) -> tuple[object, ...]:
    """Events and sources by date, everything else by name; the id breaks ties."""
    return record.order_key


def event_date(corpus: Corpus, event_id: str) -> PartialDate:
    return corpus.event(event_id).when


@dataclass(frozen=True)
class TextLinks:
    """What one text contributes to the graph: its backlinks (by paragraph, then place in
    the sentence) and its co-mentions."""

    backlinks: tuple[Backlink, ...]
    pairs: tuple[tuple[tuple[str, str], int], ...]


def text_links(record_id: str, text: Text) -> TextLinks:
    backlinks: list[Backlink] = []
    pairs: Counter[tuple[str, str]] = Counter()
    per_paragraph: dict[int, set[str]] = defaultdict(set)
    plains: dict[int, tuple[str, list[tuple[int, int]]]] = {}
    for block, seg, offset in text.mentions():
        if not block.number:
            continue
        if block.number not in plains:
            plain = block.plain
            plains[block.number] = (plain, sentence_bounds(plain))
        plain, bounds = plains[block.number]
        sentence, at = sentence_at(plain, offset, bounds=bounds)
        backlinks.append(
            Backlink(
                seg.target, record_id, block.number, sentence, at, " ".join(seg.plain.split()), seg.explicit
            )
        )
        per_paragraph[block.number].add(seg.target)
    for ids in per_paragraph.values():
        pairs.update(combinations(sorted(ids), 2))
    backlinks.sort(key=_place_in_text)  # stable: mentions at one place keep reading order
    return TextLinks(tuple(backlinks), tuple(sorted(pairs.items())))


def _place_in_text(backlink: Backlink) -> tuple[int, int]:
    return backlink.paragraph, backlink.at


def build(
    records: Mapping[str, Record],
    texts: Mapping[str, Text],
    found: Mapping[tuple[str, int], Found],
    cache: BuildCache | None = None,
) -> Corpus:
    ordered = dict(sorted(records.items()))
    keys = {rid: sort_key(record) for rid, record in records.items()}
    backlinks: dict[str, list[Backlink]] = defaultdict(list)
    cooccur: Counter[tuple[str, str]] = Counter()
    # Texts in the order of their records, each text's backlinks in text order: every
    # record's backlinks come out oldest source first without being sorted.
    for record_id in sorted(texts, key=keys.__getitem__):
        text = texts[record_id]
        hit = cache.text_links.get(record_id) if cache is not None else None
        if hit is not None and hit[0] is text:
            links: TextLinks = hit[1]
        else:
            links = text_links(record_id, text)
            if cache is not None:
                cache.text_links[record_id] = (text, links)
        for backlink in links.backlinks:
            if backlink.target in records:
                backlinks[backlink.target].append(backlink)
        for pair, count in links.pairs:
            cooccur[pair] += count

    quotes: list[QuoteRef] = []
    marks: dict[str, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    quotes_by: dict[str, list[QuoteRef]] = defaultdict(list)
    quotes_at: dict[str, list[QuoteRef]] = defaultdict(list)
    participations: dict[str, list[Participation]] = defaultdict(list)
    parts: dict[str, list[str]] = defaultdict(list)
    reported_by: dict[str, list[str]] = defaultdict(list)
    memberships: dict[str, list[Membership]] = defaultdict(list)
    offices: dict[str, list[Office]] = defaultdict(list)
    located: dict[str, list[str]] = defaultdict(list)
    suborganizations: dict[str, list[str]] = defaultdict(list)
    events_at: dict[str, list[str]] = defaultdict(list)
    tagged: dict[str, list[str]] = defaultdict(list)

    for record in ordered.values():
        front = record.front
        if isinstance(front, Source):
            for event_id in front.reports:
                reported_by[event_id].append(record.id)
            for topic in front.topics:
                tagged[topic].append(record.id)
            for i, quote in enumerate(front.quotes):
                where = found.get((record.id, i))
                ref = QuoteRef(record.id, i, quote, where.first_paragraph if where else 0)
                quotes.append(ref)
                if where:
                    for number, spans in where.spans.items():
                        marks[record.id][number].extend(spans)
                for by in quote.by:
                    quotes_by[by].append(ref)
                if quote.event:
                    quotes_at[quote.event].append(ref)
                for topic in quote.topics:
                    # Only this source adds itself, and nothing else is added while it is
                    # read: if it is already tagged, it is the last one (a long list of
                    # sources need not be searched for it).
                    if record.id not in tagged[topic][-1:]:
                        tagged[topic].append(record.id)
        elif isinstance(front, Event):
            for participant in front.participants:
                participations[participant.id].append(Participation(record.id, participant.role))
            if front.part_of:
                parts[front.part_of].append(record.id)
            if front.place:
                events_at[front.place].append(record.id)
            for topic in front.topics:
                tagged[topic].append(record.id)
            participant_ids = sorted({p.id for p in front.participants})
            for a, b in combinations(participant_ids, 2):
                cooccur[(a, b)] += 1
        elif isinstance(front, Organization):
            for member in front.members:
                memberships[member.id].append(_membership(record.id, member))
                memberships[record.id].append(_membership(record.id, member))
            if front.parent:
                suborganizations[front.parent].append(record.id)
            if front.country:
                located[front.country].append(record.id)
        elif isinstance(front, Person):
            for role in front.roles:
                if role.of:
                    offices[role.of].append(Office(record.id, role))
                offices[record.id].append(Office(record.id, role))
        elif isinstance(front, Place) and front.country:
            located[front.country].append(record.id)

    related: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for (a, b), count in cooccur.items():
        if a in records and b in records:
            related[a].append((b, count))
            related[b].append((a, count))

    def by_date(ids: list[str]) -> tuple[str, ...]:
        return tuple(sorted(ids, key=keys.__getitem__))

    all_quotes = tuple(sorted(quotes, key=lambda q: (keys[q.source], q.index)))
    quotes_in: dict[str, list[QuoteRef]] = defaultdict(list)
    for ref in all_quotes:
        quotes_in[ref.source].append(ref)

    linked: dict[str, dict[str, Any]] = dict(
        marks={k: dict(v) for k, v in marks.items()},
        backlinks={k: tuple(v) for k, v in backlinks.items()},
        participations={
            k: tuple(sorted(v, key=lambda p: (keys[p.event], p.role or "")))
            for k, v in participations.items()
        },
        parts={k: by_date(v) for k, v in parts.items()},
        reported_by={k: by_date(v) for k, v in reported_by.items()},
        quotes_by={k: tuple(v) for k, v in quotes_by.items()},
        quotes_at={k: tuple(v) for k, v in quotes_at.items()},
        memberships={
            k: tuple(sorted(v, key=lambda m: (m.since or PartialDate(0), m.organization, m.member)))
            for k, v in memberships.items()
        },
        offices={
            k: tuple(sorted(v, key=lambda o: (o.role.since or PartialDate(0), o.person)))
            for k, v in offices.items()
        },
        located={k: tuple(sorted(v, key=keys.__getitem__)) for k, v in located.items()},
        suborganizations={k: tuple(sorted(v)) for k, v in suborganizations.items()},
        events_at={k: by_date(v) for k, v in events_at.items()},
        tagged={k: tuple(sorted(v, key=keys.__getitem__)) for k, v in tagged.items()},
        related={
            k: tuple(sorted(v, key=lambda x: (-x[1], records[x[0]].name.casefold(), x[0]))[:12])
            for k, v in related.items()
        },
        quotes_in={k: tuple(v) for k, v in quotes_in.items()},
    )
    if cache is not None:  # unchanged values stay the same objects from run to run
        linked = {name: interned(cache.corpus_values.setdefault(name, {}), values)
                  for name, values in linked.items()}
    return Corpus(records=ordered, texts=texts, quotes=all_quotes, **linked)


def _membership(org: str, member: Member) -> Membership:
    return Membership(org, member.id, member.since, member.until, member.role)
