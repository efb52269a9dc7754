"""Planning: which page exists, at which path, from which template, with which facts."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.corpus import KIND_ORDER, Backlink, Corpus, sort_key
from generator.records import KIND_LABELS, Record
from generator.schema import Event, Source

BACKLINKS_SHOWN = 200  # on a record's page, newest sources first
MENTIONS_PER_PAGE = 200  # on the pages listing all mentions of a much-mentioned record


@dataclass(frozen=True)
class PageSpec:
    path: str  # Markdown file relative to the docs folder: "countries/iran.md"
    template: str
    title: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MentionGroup:
    """The mentions of one record in one text."""

    source: str
    backlinks: tuple[Backlink, ...]


ENTITY_TEMPLATE = "entity.md.j2"


def plan(corpus: Corpus) -> list[PageSpec]:
    specs = [home(corpus), timeline(corpus), quotes_index(corpus)]
    for kind in KIND_ORDER:
        specs.append(kind_index(corpus, kind))
    for record in corpus.records.values():
        specs.append(record_page(corpus, record))
        specs.extend(mention_pages(corpus, record))
    return specs


def home(corpus: Corpus) -> PageSpec:
    counts = {kind: sum(1 for r in corpus.records.values() if r.kind == kind) for kind in KIND_ORDER}
    events = corpus.of_kind("events")
    sources = corpus.of_kind("sources")
    first = events[0].front.when if events else None  # type: ignore[union-attr]
    last = events[-1].front.when if events else None  # type: ignore[union-attr]
    mentioned = Counter({k: len(v) for k, v in corpus.backlinks.items()})
    most = [
        rid
        for rid, _ in sorted(mentioned.items(), key=lambda x: (-x[1], x[0]))
        if corpus.records[rid].kind not in ("sources",)
    ][:10]
    return PageSpec(
        "index.md",
        "home.md.j2",
        "Home",
        {
            "counts": counts,
            "latest_events": [r.id for r in reversed(events[-8:])],
            "latest_sources": [r.id for r in reversed(sources[-5:])],
            "first": first,
            "last": last,
            "most_mentioned": [(rid, mentioned[rid]) for rid in most],
            "topics": [r.id for r in corpus.of_kind("topics")],
            "quote_count": len(corpus.quotes),
        },
    )


def timeline(corpus: Corpus) -> PageSpec:
    years: dict[int, list[str]] = defaultdict(list)
    for record in corpus.of_kind("events"):
        assert isinstance(record.front, Event)
        years[record.front.when.year].append(record.id)
    return PageSpec("timeline.md", "timeline.md.j2", "Timeline", {"years": sorted(years.items())})


def quotes_index(corpus: Corpus) -> PageSpec:
    return PageSpec("quotes.md", "quotes.md.j2", "Quotes", {"quotes": corpus.quotes})


def kind_index(corpus: Corpus, kind: str) -> PageSpec:
    records = corpus.of_kind(kind)
    if kind in ("events", "sources"):
        records = list(reversed(records))  # newest first
    mentions = {r.id: len(corpus.backlinks.get(r.id, ())) for r in records}
    return PageSpec(
        f"{kind}/index.md",
        "index.md.j2",
        KIND_LABELS[kind][1],
        {"kind": kind, "items": [r.id for r in records], "mentions": mentions},
    )


def _mentions_in_others(corpus: Corpus, record: Record) -> list[Backlink]:
    """A record's mentions in other texts: newest source first, then in reading order."""
    others = [b for b in corpus.backlinks.get(record.id, ()) if b.source != record.id]
    return sorted(others, key=lambda b: sort_key(corpus.records[b.source]), reverse=True)  # stable


def _grouped(backlinks: list[Backlink]) -> list[MentionGroup]:
    groups: dict[str, list[Backlink]] = {}
    for b in backlinks:
        groups.setdefault(b.source, []).append(b)
    return [MentionGroup(source, tuple(bs)) for source, bs in groups.items()]


def _mention_page_paths(record: Record, count: int) -> list[str]:
    if count <= BACKLINKS_SHOWN:
        return []
    pages = -(-count // MENTIONS_PER_PAGE)
    stem = record.page.removesuffix(".md")
    return [f"{stem}/mentions/{n}.md" for n in range(1, pages + 1)]


def mention_pages(corpus: Corpus, record: Record) -> list[PageSpec]:
    """All mentions of a record too often mentioned to list them on its page, split into pages."""
    backlinks = _mentions_in_others(corpus, record)
    paths = _mention_page_paths(record, len(backlinks))
    specs = []
    for number, path in enumerate(paths, start=1):
        first = (number - 1) * MENTIONS_PER_PAGE
        chunk = backlinks[first : first + MENTIONS_PER_PAGE]
        context = {
            "record": record,
            "number": number,
            "pages": paths,
            "mention_count": len(backlinks),
            "first": first + 1,
            "last": first + len(chunk),
            "mention_groups": _grouped(chunk),
        }
        title = f"Mentions of {record.name} ({number}/{len(paths)})"
        specs.append(PageSpec(path, "mentions.md.j2", title, context))
    return specs


def record_page(corpus: Corpus, record: Record) -> PageSpec:
    backlinks = _mentions_in_others(corpus, record)
    context: dict[str, Any] = {
        "record": record,
        "front": record.front,
        "mention_groups": _grouped(backlinks[:BACKLINKS_SHOWN]),
        "mention_count": len(backlinks),
        "mentions_hidden": max(0, len(backlinks) - BACKLINKS_SHOWN),
        "mention_pages": _mention_page_paths(record, len(backlinks)),
        "related": corpus.related.get(record.id, ()),
        "participations": corpus.participations.get(record.id, ()),
        "quotes": corpus.quotes_by.get(record.id, ()),
        "memberships": corpus.memberships.get(record.id, ()),
        "offices": corpus.offices.get(record.id, ()),
        "located": corpus.located.get(record.id, ()),
        "suborganizations": corpus.suborganizations.get(record.id, ()),
        "events_at": corpus.events_at.get(record.id, ()),
        "tagged": corpus.tagged.get(record.id, ()),
    }
    template = ENTITY_TEMPLATE
    if isinstance(record.front, Event):
        template = "event.md.j2"
        chain = []
        current = record.front.part_of
        while current and current not in chain:
            chain.append(current)
            current = corpus.event(current).part_of
        parent = record.front.part_of
        siblings = tuple(e for e in corpus.parts.get(parent, ()) if e != record.id) if parent else ()
        context.update(
            part_of_chain=chain,
            parts=corpus.parts.get(record.id, ()),
            beside=siblings,
            reported_by=corpus.reported_by.get(record.id, ()),
            quotes_at=corpus.quotes_at.get(record.id, ()),
        )
    elif isinstance(record.front, Source):
        template = "source.md.j2"
        text = corpus.texts.get(record.id)
        counts: Counter[str] = Counter()
        if text is not None:
            for _block, seg, _offset in text.mentions():
                if seg.target in corpus.records and seg.target != record.id:
                    counts[seg.target] += 1
        by_kind: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for rid, n in sorted(counts.items(), key=lambda x: (-x[1], corpus.records[x[0]].name.casefold())):
            by_kind[corpus.records[rid].kind].append((rid, n))
        context.update(
            mentioned=[(k, by_kind[k]) for k in KIND_ORDER if k in by_kind],
            source_quotes=[q for q in corpus.quotes if q.source == record.id],
        )
    return PageSpec(record.page, template, record.name, context)
