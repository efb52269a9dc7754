"""The linked corpus: records with everything that points at them.

Built once from validated records and their parsed texts; pages read from it and
never loop over the corpus themselves.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from itertools import chain, combinations
from operator import itemgetter
from typing import Any, cast

from generator.dates import PartialDate
from generator.linking import referenced
from generator.mentions import Sentences, Text
from generator.quotes import Found
from generator.records import KIND_ORDER as KIND_ORDER
from generator.records import Record
from generator.schema import Event, Member, Organization, Person, Place, Quote, Role, Source
from generator.slotted import quick_init


@quick_init  # made by the million: see generator/slotted.py
@dataclass(frozen=True, slots=True)
class Backlink:
    """One mention of a record: where it stands and the sentence around it."""

    target: str
    source: str  # the id of the record whose text holds it
    paragraph: int
    sentence: str
    at: int  # where the mention starts in ``sentence``
    shown: str
    explicit: bool


@dataclass(frozen=True, slots=True)
class QuoteRef:
    source: str
    index: int
    quote: Quote
    paragraph: int

    @property
    def anchor(self) -> str:
        return f"p-{self.paragraph}"


@dataclass(frozen=True, slots=True)
class Participation:
    event: str
    role: str | None


@dataclass(frozen=True, slots=True)
class Membership:
    organization: str
    member: str
    since: PartialDate | None
    until: PartialDate | None
    role: str | None


@dataclass(frozen=True, slots=True)
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
    # each source that has translations -> their ids (``translation_of``), by language then id
    translations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # each mentioned record -> how many mentions it has (its backlinks): what lists of records
    # show, so that they do not read every backlink
    mention_counts: Mapping[str, int] = field(default_factory=dict)
    # each mentioned record -> the ids of the records whose texts mention it: what its feed
    # chooses from, unchanged when a sentence around a mention changes
    mentioned_in: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # each id that a record's fields name -> those records, oldest first: whether anything
    # refers to a record is then one read of one key (see corpus_warnings)
    referrers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def mappings(self) -> dict[str, Mapping[str, Any]]:
        """The corpus's mappings by field name: all of it but the list of all quotes."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "quotes"}

    def of_kind(self, kind: str) -> list[Record]:
        return sorted((r for r in self.records.values() if r.kind == kind), key=sort_key)

    def event(self, event_id: str) -> Event:
        front = self.records[event_id].front
        assert isinstance(front, Event)
        return front


def sort_key(record: Record) -> tuple[object, ...]:
    """Events and sources by date, everything else by name; the id breaks ties."""
    return record.order_key


def event_date(corpus: Corpus, event_id: str) -> PartialDate:
    return corpus.event(event_id).when


@dataclass(frozen=True)
class TextLinks:
    """What one text contributes to the graph: its backlinks (by paragraph, then place in
    the sentence) and its co-mentions (flat: see :func:`pair_counts`)."""

    backlinks: tuple[Backlink, ...]
    pairs: Pairs


Pairs = tuple[str | int, ...]
"""Records mentioned together (or taking part together) and how often: ``(a, b, n, a, b, n,
...)``, ``a < b``, sorted. Flat, since a corpus of 10,000 sources has a million of them: a
tuple per pair and one for its two ids took 120 MB, the flat tuple 24 MB."""


def pair_counts(pairs: Pairs) -> Iterator[tuple[str, str, int]]:
    """``(a, b, n)`` for each pair of :data:`Pairs`."""
    items = iter(pairs)
    return cast("Iterator[tuple[str, str, int]]", zip(items, items, items, strict=True))


def flat_pairs(counts: Mapping[tuple[str, str], int]) -> Pairs:
    """:data:`Pairs` from counts by pair (the inverse of :func:`pair_counts`)."""
    flat: list[str | int] = []
    for pair, n in sorted(counts.items()):
        flat += pair
        flat.append(n)
    return tuple(flat)


def text_links(record_id: str, text: Text) -> TextLinks:
    backlinks: list[Backlink] = []
    pairs: Counter[tuple[str, str]] = Counter()
    per_paragraph: dict[int, set[str]] = defaultdict(set)
    blocks: dict[int, Sentences] = {}
    sentences: dict[str, str] = {}  # mentions in one sentence share its text
    names: dict[str, str] = {}  # the names shown are few, and shown again and again: one string each
    for block, seg, offset in text.mentions():
        number = block.number
        if not number:
            continue
        in_block = blocks.get(number)
        if in_block is None:
            in_block = blocks[number] = Sentences(block.plain)
        sentence, at = in_block.at(offset)
        sentence = sentences.setdefault(sentence, sentence)
        shown = names.get(seg.plain)
        if shown is None:
            shown = names[seg.plain] = sys.intern(" ".join(seg.plain.split()))
        backlinks.append(Backlink(seg.target, record_id, number, sentence, at, shown, seg.explicit))
        per_paragraph[number].add(seg.target)
    for ids in per_paragraph.values():
        pairs.update(combinations(sorted(ids), 2))
    backlinks.sort(key=_place_in_text)  # stable: mentions at one place keep reading order
    return TextLinks(tuple(backlinks), flat_pairs(pairs))


def _place_in_text(backlink: Backlink) -> tuple[int, int]:
    return backlink.paragraph, backlink.at


# -- the graph: what each record contributes, and how a key's contributions are put together --
#
# The pure build below and the incremental engine (generator/incremental/) share these
# functions, so a corpus kept up to date save by save is the same as one built whole.

FIELDS = (
    "backlinks", "participations", "parts", "reported_by", "quotes_by", "quotes_at", "memberships",
    "offices", "located", "suborganizations", "events_at", "tagged", "translations", "referrers",
)
"""The linked fields made of items that records contribute under a key (``marks``,
``quotes_in`` and ``related`` are made apart: see :func:`finish_related`)."""


@dataclass(frozen=True)
class Contribution:
    """What one record adds to the linked corpus.

    ``items``: field -> key -> the record's items there, in its own order (grouped as they
    are made: no list of (key, item) pairs to group again); ``pairs``: records mentioned
    together or taking part together, with counts (:data:`Pairs`); its quotes and their
    marks."""

    items: Mapping[str, Mapping[str, tuple[Any, ...]]]
    pairs: Pairs = ()
    quotes: tuple[QuoteRef, ...] = ()
    marks: Mapping[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)


def contribution(record: Record, links: TextLinks | None, found: Mapping[int, Found]) -> Contribution:
    """What ``record`` contributes, from its front matter, its text's links (``None`` for no
    text) and where its quotes were found (by quote index)."""
    grouped: dict[str, dict[str, list[Any]]] = defaultdict(dict)
    pairs: Counter[tuple[str, str]] = Counter()
    quotes: list[QuoteRef] = []
    marks: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rid = record.id

    def add(name: str, key: str, item: Any) -> None:
        grouped[name].setdefault(key, []).append(item)

    if links is not None:
        by_target = grouped["backlinks"]  # add() inlined: a corpus has a million backlinks
        for backlink in links.backlinks:
            by_target.setdefault(backlink.target, []).append(backlink)
    front = record.front
    if isinstance(front, Source):
        tagged: list[str] = []
        for event_id in front.reports:
            add("reported_by", event_id, rid)
        tagged.extend(front.topics)  # each of its own topics, repeats kept
        for i, quote in enumerate(front.quotes):
            where = found.get(i)
            ref = QuoteRef(rid, i, quote, where.first_paragraph if where else 0)
            quotes.append(ref)
            if where:
                for number, spans in where.spans.items():
                    marks[number].extend(spans)
            for by in quote.by:
                add("quotes_by", by, ref)
            if quote.event:
                add("quotes_at", quote.event, ref)
            for topic in quote.topics:
                if topic not in tagged:  # a source is tagged once per topic by its quotes
                    tagged.append(topic)
        for topic in tagged:
            add("tagged", topic, rid)
        original = front.translation_of
        if original and original != rid:
            add("translations", original, rid)
    elif isinstance(front, Event):
        for participant in front.participants:
            add("participations", participant.id, Participation(rid, participant.role))
        if front.part_of:
            add("parts", front.part_of, rid)
        if front.place:
            add("events_at", front.place, rid)
        for topic in front.topics:
            add("tagged", topic, rid)
        participant_ids = sorted({p.id for p in front.participants})
        for a, b in combinations(participant_ids, 2):
            pairs[(a, b)] += 1
    elif isinstance(front, Organization):
        for member in front.members:
            add("memberships", member.id, _membership(rid, member))
        for member in front.members:
            add("memberships", rid, _membership(rid, member))
        if front.parent:
            add("suborganizations", front.parent, rid)
        if front.country:
            add("located", front.country, rid)
    elif isinstance(front, Person):
        for role in front.roles:
            if role.of:
                add("offices", role.of, Office(rid, role))
        for role in front.roles:
            add("offices", rid, Office(rid, role))
    elif isinstance(front, Place) and front.country:
        add("located", front.country, rid)
    for referred in dict.fromkeys(referenced(record)):
        add("referrers", referred, rid)
    # a text's pairs are its links' own (shared), unless taking part in an event adds to them
    own_pairs = links.pairs if links is not None else ()
    if pairs:
        for a, b, n in pair_counts(own_pairs):
            pairs[(a, b)] += n
        own_pairs = flat_pairs(pairs)
    return Contribution(
        {name: {key: tuple(its) for key, its in keyed.items()} for name, keyed in grouped.items() if keyed},
        own_pairs,
        tuple(quotes),
        {k: tuple(v) for k, v in marks.items()},
    )


def _since(value: PartialDate | None) -> PartialDate:
    return value or PartialDate(0)


def finish(
    name: str,
    key: str,
    contributed: list[tuple[str, tuple[Any, ...]]],
    keys: Mapping[str, tuple[object, ...]],
    records: Mapping[str, Record],
) -> tuple[Any, ...] | None:
    """The value of field ``name`` at ``key`` from each contributor's items there
    (``contributed``: (contributor id, items), in the contributors' order, :func:`sort_key`);
    ``None`` for none. ``keys`` holds every record's sort key."""
    if name == "backlinks":
        if key not in records:
            return None
        # oldest text first: the contributors' order
        value: tuple[Any, ...] = tuple(chain.from_iterable(map(itemgetter(1), contributed)))
        return value or None
    items = [item for _rid, its in contributed for item in its]
    if not items:
        return None
    if name == "translations":
        if key not in records:
            return None
        items.sort(key=lambda t: (records[t].language.tag, t))
    elif name == "participations":
        items.sort(key=lambda p: (keys[p.event], p.role or ""))
    elif name in ("parts", "reported_by", "events_at", "tagged", "located", "referrers"):
        items.sort(key=keys.__getitem__)
    elif name == "memberships":
        items.sort(key=lambda m: (_since(m.since), m.organization, m.member))
    elif name == "offices":
        items.sort(key=lambda o: (_since(o.role.since), o.person))
    elif name == "suborganizations":
        items.sort()
    return tuple(items)


def finish_related(
    key: str, partners: Mapping[str, int], records: Mapping[str, Record]
) -> tuple[tuple[str, int], ...] | None:
    """The 12 records most often mentioned together with ``key`` (or taking part together)."""
    if key not in records:
        return None
    found = [(b, n) for b, n in partners.items() if b in records and n]
    if not found:
        return None
    return tuple(sorted(found, key=lambda x: (-x[1], records[x[0]].name.casefold(), x[0]))[:12])


def quotes_in_order(
    contributions: Mapping[str, Contribution], keys: Mapping[str, tuple[object, ...]]
) -> tuple[QuoteRef, ...]:
    """Every quote of the corpus, oldest source first, in text order."""
    with_quotes = sorted((rid for rid, c in contributions.items() if c.quotes), key=keys.__getitem__)
    return tuple(ref for rid in with_quotes for ref in contributions[rid].quotes)


def mentioned_by(backlinks: Iterable[Backlink]) -> frozenset[str]:
    """The ids of the records whose texts hold these mentions."""
    return frozenset(b.source for b in backlinks)


def assemble(
    records: Mapping[str, Record],
    texts: Mapping[str, Text],
    contributions: Mapping[str, Contribution],
) -> Corpus:
    """The linked corpus from every record's contribution (``records`` ordered by id)."""
    keys = {rid: sort_key(record) for rid, record in records.items()}
    gathered: dict[str, dict[str, list[tuple[str, tuple[Any, ...]]]]] = {name: {} for name in FIELDS}
    partners: dict[str, dict[str, int]] = defaultdict(dict)
    for rid in sorted(records, key=keys.__getitem__):  # each key's contributors in their order
        c = contributions[rid]
        for name, per_key in c.items.items():
            table = gathered[name]
            for key, its in per_key.items():
                table.setdefault(key, []).append((rid, its))
        for a, b, n in pair_counts(c.pairs):
            partners[a][b] = partners[a].get(b, 0) + n
            partners[b][a] = partners[b].get(a, 0) + n
    linked: dict[str, Any] = {}
    for name, table in gathered.items():
        values = {}
        for key in sorted(table):
            value = finish(name, key, table[key], keys, records)
            if value is not None:
                values[key] = value
        linked[name] = values
    related = {}
    for key in sorted(partners):
        value = finish_related(key, partners[key], records)
        if value is not None:
            related[key] = value
    marks = {rid: {n: list(s) for n, s in c.marks.items()} for rid, c in contributions.items() if c.marks}
    quotes = quotes_in_order(contributions, keys)
    quotes_in = {rid: contributions[rid].quotes for rid in sorted(contributions, key=keys.__getitem__)
                 if contributions[rid].quotes}
    mention_counts = {key: len(value) for key, value in linked["backlinks"].items()}
    mentioned_in = {key: mentioned_by(value) for key, value in linked["backlinks"].items()}
    return Corpus(
        records=records, texts=texts, quotes=quotes, marks=marks, related=related, quotes_in=quotes_in,
        mention_counts=mention_counts, mentioned_in=mentioned_in,
        **linked,
    )


def links_of(texts: Mapping[str, Text]) -> dict[str, TextLinks]:
    """What each text contributes to the graph (:func:`text_links`), by record id: it needs
    nothing but the text, so it can be made while the quotes are looked for."""
    return {rid: text_links(rid, text) for rid, text in texts.items()}


def build(
    records: Mapping[str, Record],
    texts: Mapping[str, Text],
    found: Mapping[tuple[str, int], Found],
    links: Mapping[str, TextLinks] | None = None,
) -> Corpus:
    """The linked corpus of validated records and their linked texts (pure); ``links`` are
    the texts' :func:`links_of`, when they are made already."""
    ordered = dict(sorted(records.items()))
    by_source: dict[str, dict[int, Found]] = defaultdict(dict)
    for (source, i), where in found.items():
        by_source[source][i] = where
    links = links if links is not None else links_of(texts)
    contributions = {
        rid: contribution(record, links.get(rid), by_source.get(rid, {})) for rid, record in ordered.items()
    }
    return assemble(ordered, texts, contributions)


def _membership(org: str, member: Member) -> Membership:
    return Membership(org, member.id, member.since, member.until, member.role)
