"""Planning: which page exists, at which path, from which template, with which facts."""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, groupby
from operator import attrgetter
from typing import Any

from generator import kinds, relations, urls
from generator.contexts import (
    EventContext,
    HomeContext,
    KindIndexContext,
    MapContext,
    MembershipsContext,
    MentionGroup,
    MentionListContext,
    NetworkContext,
    PageContext,
    PairContext,
    QuoteListContext,
    RecordContext,
    ShownQuotes,
    SourceContext,
    TimelineContext,
    TimelineYearContext,
)
from generator.corpus import KIND_ORDER, Backlink, Corpus, QuoteRef, sort_key
from generator.pictures import Graph, MapSpec, Network, Timeline, TimelineEntry
from generator.records import KIND_LABELS, Record
from generator.schema import Country, Event, Place, Source
from generator.translations import original_of

BACKLINKS_SHOWN = 50  # on a record's page, newest sources first (100 kept a place page over 150 KB)
MENTIONS_PER_PAGE = 100  # on the pages listing all mentions of a much-mentioned record
LIST_SHOWN = 100  # events of a record, events at a place, records on a topic: the newest
QUOTES_SHOWN = 20  # on a record's page (the newest); all of them on pages of QUOTES_PER_PAGE
QUOTES_ON_INDEX = 100  # on quotes.md (the newest); all of them on pages of QUOTES_PER_PAGE
QUOTES_PER_PAGE = 100
INDEX_PER_PAGE = 500  # rows of a kind's index page
TIMELINE_INLINE = 100  # events the timeline page lists itself; past that, a page per year


@dataclass(frozen=True)
class PageSpec:
    path: str  # Markdown file relative to the docs folder: "countries/iran.md"
    template: str
    title: str
    context: PageContext


ENTITY_TEMPLATE = "entity.md.j2"
PAGER_AROUND = 2  # page numbers a pager shows on each side of the current page


def pager_numbers(count: int, current: int, around: int = PAGER_AROUND) -> list[int | None]:
    """The page numbers a pager of ``count`` pages shows on page ``current``: the first, the
    last and ``around`` on each side of the current one; ``None`` where numbers are left out
    (a gap of one number shows the number). A pager listing every page would make each of a
    record's 700 mention pages link to all 700: quadratic in bytes and in time."""
    shown = sorted({1, count, *range(max(1, current - around), min(count, current + around) + 1)})
    numbers: list[int | None] = []
    last = 0
    for number in shown:
        if number - last == 2:
            numbers.append(last + 1)
        elif number - last > 2:
            numbers.append(None)
        numbers.append(number)
        last = number
    return numbers


SITE_GROUPS = (
    "home", "quotes", "network", "map", "memberships", "timeline", "all-quotes",
    *(f"index:{kind}" for kind in KIND_ORDER),
)
"""The pages that are not a record's, in groups planned together, in the order of the site's
plan (record pages come after them, pair pages last)."""


def site_group(name: str, corpus: Corpus, met: Mapping[tuple[str, str], tuple[str, ...]]) -> list[PageSpec]:
    """The pages of one of :data:`SITE_GROUPS` (or ``"pairs"``: the pages of two countries)."""
    if name == "home":
        return [home(corpus)]
    if name == "quotes":
        return [quotes_index(corpus)]
    if name == "network":
        return [network_page(corpus, met)]
    if name == "map":
        return [map_page(corpus)]
    if name == "memberships":
        return [memberships_page(corpus)]
    if name == "timeline":
        return timeline(corpus)
    if name == "all-quotes":
        return quote_pages(corpus.quotes, "", QUOTES_ON_INDEX, "All quotes")
    if name.startswith("index:"):
        return kind_index(corpus, name.removeprefix("index:"))
    if name == "pairs":
        return pair_pages(corpus, met)
    raise KeyError(name)


Group = Callable[[], list[PageSpec]]
"""A group of pages planned together, still to be planned: called, it gives their specs."""


def plan(corpus: Corpus) -> list[PageSpec]:
    """Every page of the site (pure)."""
    return [spec for group in plan_groups(corpus) for spec in group()]


def plan_groups(corpus: Corpus) -> list[Group]:
    """The site's plan as groups still to be planned, in its order: :data:`SITE_GROUPS`,
    each record's pages, the pairs' pages. A full build has each planned by the process
    that renders it (:func:`generator.render.render_all`), so planning is shared as well."""
    met = relations.meetings(corpus)
    partners = partners_of(met)
    return [
        *(functools.partial(site_group, name, corpus, met) for name in SITE_GROUPS),
        *(
            functools.partial(record_pages, corpus, record, partners.get(record.id, ()))
            for record in corpus.records.values()
        ),
        functools.partial(site_group, "pairs", corpus, met),
    ]


def record_pages(
    corpus: Corpus, record: Record, partners: tuple[tuple[str, int, str], ...] = ()
) -> list[PageSpec]:
    """A record's page, and the pages listing all its mentions and quotes where they are many."""
    backlinks = _mentions_in_others(corpus, record)  # both lists read them: found once
    specs = [record_page(corpus, record, partners, backlinks)]
    specs.extend(mention_pages(corpus, record, backlinks))
    quoted = _quotes_of(corpus, record)
    stem = urls.stem(record.page)
    specs.extend(quote_pages(quoted, stem, QUOTES_SHOWN, f"Quotes of {record.name}", record))
    return specs


# -- pictures ----------------------------------------------------------------------------------


def timeline_entries(corpus: Corpus, event_ids: list[str] | tuple[str, ...]) -> tuple[TimelineEntry, ...]:
    entries = []
    for eid in dict.fromkeys(event_ids):
        front = corpus.event(eid)
        entries.append(TimelineEntry(eid, front.when, front.end))
    return tuple(entries)


def event_map(corpus: Corpus, record: Record) -> MapSpec | None:
    """The countries that took part in an event (and the country it was held in), and its place."""
    front = record.front
    assert isinstance(front, Event)
    country_ids = [p.id for p in front.participants if corpus.records[p.id].kind == "countries"]
    places: list[tuple[str, float, float]] = []
    if front.place:
        place = corpus.records[front.place].front
        if isinstance(place, Place):
            if place.coordinates:
                places.append((front.place, *place.coordinates))
            if place.country:
                country_ids.append(place.country)
    countries = _countries(corpus, {cid: 1 for cid in country_ids})
    if not countries and not places:
        return None
    caption = "Shaded: the countries taking part."
    return MapSpec("map", f"Map of {record.name}", countries, tuple(places), caption)


def _countries(corpus: Corpus, weights: dict[str, int]) -> tuple[tuple[str, str, int], ...]:
    found = []
    for cid, weight in sorted(weights.items()):
        front = corpus.records[cid].front
        if isinstance(front, Country):
            found.append((cid, front.iso, weight))
    return tuple(found)


def partners_of(
    met: Mapping[tuple[str, str], tuple[str, ...]],
) -> dict[str, tuple[tuple[str, int, str], ...]]:
    """For each country, the countries it met: (id, shared events, pair page)."""
    found: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for (a, b), events in met.items():
        page = relations.pair_page(a, b)
        found[a].append((b, len(events), page))
        found[b].append((a, len(events), page))
    return {k: tuple(sorted(v, key=lambda x: (-x[1], x[0]))) for k, v in found.items()}


def pair_pages(corpus: Corpus, met: Mapping[tuple[str, str], tuple[str, ...]]) -> list[PageSpec]:
    specs = []
    for (a, b), events in met.items():
        first, second = corpus.records[a], corpus.records[b]
        title = f"{first.name} and {second.name}"
        picture = Timeline("timeline", f"Events {title} both took part in", timeline_entries(corpus, events),
                           "The same events are listed below.")
        context = PairContext(first=a, second=b, events=events, picture=picture)
        specs.append(PageSpec(relations.pair_page(a, b), "pair.md.j2", title, context))
    return specs


def network_page(corpus: Corpus, met: Mapping[tuple[str, str], tuple[str, ...]]) -> PageSpec:
    nodes, edges = relations.network(corpus)
    picture = Network(
        "network", "The most connected records and their strongest ties", nodes, edges,
        "The ties drawn are listed in the table below.",
    )
    context = NetworkContext(
        picture=picture,
        edges=edges[:60],
        pairs=relations.strongest_pairs(met, 30),
        pair_pages={pair: relations.pair_page(*pair) for pair in met},
    )
    return PageSpec(urls.NETWORK, "network.md.j2", "Network", context)


def map_page(corpus: Corpus) -> PageSpec:
    events_per_country: Counter[str] = Counter()
    for event in corpus.of_kind("events"):
        assert isinstance(event.front, Event)
        for cid in {p.id for p in event.front.participants if corpus.records[p.id].kind == "countries"}:
            events_per_country[cid] += 1
    places = []
    for record in corpus.of_kind("places"):
        assert isinstance(record.front, Place)
        if record.front.coordinates:
            places.append((record.id, *record.front.coordinates))
    countries = _countries(corpus, dict(events_per_country))
    picture = MapSpec(
        "map", "Places and the countries taking part in events", countries, tuple(places),
        "Darker countries took part in more events. The same facts are in the tables below.",
    )
    context = MapContext(
        picture=picture,
        places=[p[0] for p in places],
        countries=sorted(events_per_country.items(), key=lambda x: (-x[1], x[0])),
    )
    return PageSpec(urls.MAP, "map.md.j2", "Map", context)


def memberships_page(corpus: Corpus) -> PageSpec:
    """Countries against the organizations they belong to."""
    cells: dict[tuple[str, str], list[object]] = defaultdict(list)
    organizations: set[str] = set()
    countries: set[str] = set()
    for record in corpus.of_kind("organizations"):
        for ms in corpus.memberships.get(record.id, ()):
            if ms.organization == record.id and corpus.records[ms.member].kind == "countries":
                cells[(ms.member, record.id)].append(ms)
                organizations.add(record.id)
                countries.add(ms.member)
    ordered = [r.id for r in corpus.of_kind("countries") if r.id in countries]
    columns = [r.id for r in corpus.of_kind("organizations") if r.id in organizations]
    return PageSpec(
        urls.MEMBERSHIPS,
        "memberships.md.j2",
        "Memberships",
        MembershipsContext(
            rows=ordered, columns=columns, cells={k: tuple(v) for k, v in sorted(cells.items())}
        ),
    )


def home(corpus: Corpus) -> PageSpec:
    of_kinds = Counter(r.kind for r in corpus.records.values())
    counts = {kind: of_kinds[kind] for kind in KIND_ORDER}
    events = corpus.of_kind("events")
    sources = corpus.of_kind("sources")
    first = events[0].front.when if events else None  # type: ignore[union-attr]
    last = events[-1].front.when if events else None  # type: ignore[union-attr]
    mentioned = Counter(corpus.mention_counts)
    most = [
        rid
        for rid, _ in sorted(mentioned.items(), key=lambda x: (-x[1], x[0]))
        if corpus.records[rid].kind not in ("sources",)
    ][:10]
    return PageSpec(
        urls.HOME,
        "home.md.j2",
        "Home",
        HomeContext(
            counts=counts,
            latest_events=[r.id for r in reversed(events[-8:])],
            latest_sources=[r.id for r in reversed(sources[-5:])],
            first=first,
            last=last,
            most_mentioned=[(rid, mentioned[rid]) for rid in most],
            topics=[r.id for r in corpus.of_kind("topics")],
            quote_count=len(corpus.quotes),
            picture=Timeline(
                "timeline", "All events", timeline_entries(corpus, [r.id for r in events]),
                "The latest events are listed below; all of them are on the timeline page.",
            ),
        ),
    )


def timeline(corpus: Corpus) -> list[PageSpec]:
    years: dict[int, list[str]] = defaultdict(list)
    for record in corpus.of_kind("events"):
        assert isinstance(record.front, Event)
        years[record.front.when.year].append(record.id)
    all_events = [r.id for r in corpus.of_kind("events")]
    pictures = {
        year: Timeline(f"timeline-{year}", f"Events of {year}", timeline_entries(corpus, ids), "")
        for year, ids in years.items()
    }
    split = len(all_events) > TIMELINE_INLINE
    context = TimelineContext(
        years=sorted(years.items()),
        picture=Timeline("timeline", "All events", timeline_entries(corpus, all_events),
                         "Each year's events are listed below, with a picture of the year."
                         if not split else "Each year's events are listed on the year's page."),
        year_pictures=pictures,
        year_pages={year: urls.timeline_year(year) for year in years} if split else {},
    )
    specs = [PageSpec(urls.TIMELINE, "timeline.md.j2", "Timeline", context)]
    if split:
        for year, ids in sorted(years.items()):
            year_context = TimelineYearContext(year=year, events=ids, picture=pictures[year])
            path = urls.timeline_year(year)
            specs.append(PageSpec(path, "timeline_year.md.j2", f"Events of {year}", year_context))
    return specs


def _list_pages(stem: str, what: str, count: int, shown: int, per_page: int) -> list[str]:
    """The pages listing all ``count`` items of a list a page shows ``shown`` of:
    ``<stem>/<what>/<n>.md`` (``<what>/<n>.md`` with no stem), none when all are shown."""
    if count <= shown:
        return []
    return urls.list_pages(stem, what, -(-count // per_page))


def _quote_page_paths(stem: str, count: int, shown: int) -> list[str]:
    return _list_pages(stem, "quotes", count, shown, QUOTES_PER_PAGE)


def _quotes_of(corpus: Corpus, record: Record) -> tuple[QuoteRef, ...]:
    """The quotes a record's page lists, oldest source first: said by it (a person, a country…)
    or at it (an event)."""
    quotes = corpus.quotes_at if isinstance(record.front, Event) else corpus.quotes_by
    found = quotes.get(record.id, ())
    return tuple(sorted(found, key=lambda q: (sort_key(corpus.records[q.source]), q.index)))


def _shown_quotes(quotes: Sequence[QuoteRef], stem: str, shown: int) -> dict[str, Any]:
    """What a page shows of a long list of quotes: the newest ``shown`` (in text order), the
    count, and the pages listing them all (the fields of :class:`contexts.ShownQuotes`)."""
    return {
        "quotes": tuple(quotes[-shown:]) if len(quotes) > shown else tuple(quotes),
        "quote_count": len(quotes),
        "quote_pages": _quote_page_paths(stem, len(quotes), shown),
    }


def quote_pages(
    quotes: Sequence[QuoteRef], stem: str, shown: int, title: str, record: Record | None = None
) -> list[PageSpec]:
    """All quotes of a list too long for its page, in text order, split into pages."""
    paths = _quote_page_paths(stem, len(quotes), shown)
    specs = []
    for number, path in enumerate(paths, start=1):
        first = (number - 1) * QUOTES_PER_PAGE
        chunk = tuple(quotes[first : first + QUOTES_PER_PAGE])
        context = QuoteListContext(
            record=record,
            number=number,
            pages=paths,
            quote_count=len(quotes),
            first=first + 1,
            last=first + len(chunk),
            quotes=chunk,
        )
        specs.append(PageSpec(path, "quote_list.md.j2", f"{title} ({number}/{len(paths)})", context))
    return specs


def quotes_index(corpus: Corpus) -> PageSpec:
    context = ShownQuotes(**_shown_quotes(corpus.quotes, "", QUOTES_ON_INDEX))
    return PageSpec(urls.QUOTES, "quotes.md.j2", "Quotes", context)


def kind_index(corpus: Corpus, kind: str) -> list[PageSpec]:
    """The index of a kind: ``<kind>/index.md``, and past INDEX_PER_PAGE records, further
    pages ``<kind>/pages/<n>.md`` with a pager on each."""
    records = corpus.of_kind(kind)
    if kind in kinds.DATED:
        records = list(reversed(records))  # newest first
    count = -(-len(records) // INDEX_PER_PAGE)
    paths = [urls.kind_index(kind, n) for n in range(1, max(count, 1) + 1)]
    specs = []
    for number, path in enumerate(paths, start=1):
        chunk = records[(number - 1) * INDEX_PER_PAGE : number * INDEX_PER_PAGE]
        mentions = {r.id: corpus.mention_counts.get(r.id, 0) for r in chunk}
        title = KIND_LABELS[kind][1] + (f" ({number}/{len(paths)})" if number > 1 else "")
        context = KindIndexContext(
            kind=kind,
            items=[r.id for r in chunk],
            mentions=mentions,
            pages=paths if len(paths) > 1 else [],
            number=number,
            total=len(records),
        )
        specs.append(PageSpec(path, "index.md.j2", title, context))
    return specs


def _mentions_in_others(corpus: Corpus, record: Record) -> list[Backlink]:
    """A record's mentions in other texts: newest source first, then in reading order.

    ``corpus.backlinks`` holds them oldest source first, a source's together in reading
    order, so reversing the order of the sources is enough (no sort)."""
    runs = groupby(corpus.backlinks.get(record.id, ()), key=_SOURCE)
    others = [tuple(run) for source, run in runs if source != record.id]
    return list(chain.from_iterable(reversed(others)))


_SOURCE = attrgetter("source")


def _grouped(backlinks: list[Backlink], corpus: Corpus | None = None) -> list[MentionGroup]:
    groups: dict[str, list[Backlink]] = {}
    for source, run in groupby(backlinks, key=_SOURCE):  # by runs: a text's mentions stand together
        groups.setdefault(source, []).extend(run)
    made = [MentionGroup(source, tuple(bs)) for source, bs in groups.items()]
    if corpus is None or not corpus.translations:
        return made
    # a text and its translations together: each translation right after its original
    # (asked of the chunk's own sources: a pager of hundreds of pages asks it once per page)
    originals = {t: o for t in groups if (o := original_of(corpus.records[t])) and o != t and o in groups}
    together: list[MentionGroup] = []
    for group in made:
        if group.source in originals:
            continue
        together.append(group)
        for t in corpus.translations.get(group.source, ()):
            if t in groups:
                together.append(MentionGroup(t, tuple(groups[t]), group.source))
    return together


def _mention_page_paths(record: Record, count: int) -> list[str]:
    return _list_pages(urls.stem(record.page), "mentions", count, BACKLINKS_SHOWN, MENTIONS_PER_PAGE)


def mention_pages(corpus: Corpus, record: Record, backlinks: list[Backlink] | None = None) -> list[PageSpec]:
    """All mentions of a record too often mentioned to list them on its page, split into pages
    (``backlinks``: its :func:`_mentions_in_others`, when the caller has them)."""
    backlinks = _mentions_in_others(corpus, record) if backlinks is None else backlinks
    paths = _mention_page_paths(record, len(backlinks))
    specs = []
    for number, path in enumerate(paths, start=1):
        first = (number - 1) * MENTIONS_PER_PAGE
        chunk = backlinks[first : first + MENTIONS_PER_PAGE]
        context = MentionListContext(
            record=record,
            number=number,
            pages=paths,
            mention_count=len(backlinks),
            first=first + 1,
            last=first + len(chunk),
            mention_groups=_grouped(chunk, corpus),
        )
        title = f"Mentions of {record.name} ({number}/{len(paths)})"
        specs.append(PageSpec(path, "mentions.md.j2", title, context))
    return specs


def _newest(items: Sequence[Any]) -> tuple[Any, ...]:
    """The last LIST_SHOWN of a date-ordered list: what a record's page lists of it."""
    return tuple(items[-LIST_SHOWN:])


def _newest_of_each_kind(corpus: Corpus, ids: Sequence[str]) -> tuple[str, ...]:
    """Events and sources on a topic (kind, then date order): the newest LIST_SHOWN // 2 of each."""
    kinds: dict[str, list[str]] = defaultdict(list)
    for rid in ids:
        kinds[corpus.records[rid].kind].append(rid)
    return tuple(rid for group in kinds.values() for rid in group[-(LIST_SHOWN // 2) :])


def record_page(
    corpus: Corpus,
    record: Record,
    partners: tuple[tuple[str, int, str], ...] = (),
    backlinks: list[Backlink] | None = None,
) -> PageSpec:
    backlinks = _mentions_in_others(corpus, record) if backlinks is None else backlinks
    participations = corpus.participations.get(record.id, ())
    events_at = corpus.events_at.get(record.id, ())
    all_tagged = corpus.tagged.get(record.id, ())
    tagged = _newest_of_each_kind(corpus, all_tagged)
    context: dict[str, Any] = {  # the fields of contexts.RecordContext
        "record": record,
        "front": record.front,
        "mention_groups": _grouped(backlinks[:BACKLINKS_SHOWN], corpus),
        "mention_count": len(backlinks),
        "mentions_hidden": max(0, len(backlinks) - BACKLINKS_SHOWN),
        "mention_pages": _mention_page_paths(record, len(backlinks)),
        "related": corpus.related.get(record.id, ()),
        "participations": _newest(participations),
        **_shown_quotes(_quotes_of(corpus, record), urls.stem(record.page), QUOTES_SHOWN),
        "memberships": corpus.memberships.get(record.id, ()),
        "offices": corpus.offices.get(record.id, ()),
        "located": corpus.located.get(record.id, ()),
        "suborganizations": corpus.suborganizations.get(record.id, ()),
        "events_at": _newest(events_at),
        "tagged": tagged,
        # whether the lists above are whole (else the record's JSON has them all)
        "listed_in_full": max(len(participations), len(events_at)) <= LIST_SHOWN
        and len(tagged) == len(all_tagged),
        "partners": partners,
        "graph": None,
        "timeline_picture": None,
        "map": None,
    }
    if not isinstance(record.front, Event | Source):
        ties = tuple(relations.ties(corpus, record.id)[:12])
        context["related"] = ties
        if ties:
            context["graph"] = Graph(
                "graph", f"Records tied to {record.name}", record.id, ties,
                "Thicker lines: mentioned together more often. The same records are listed under Related.",
            )
        own = [p.event for p in participations] + list(events_at)
        if own:
            context["timeline_picture"] = Timeline(
                "timeline", f"Events of {record.name}", timeline_entries(corpus, sorted(
                    set(own), key=lambda e: sort_key(corpus.records[e]))),
                "The same events are listed under Events.",
            )
        if isinstance(record.front, Place) and record.front.coordinates:
            country = corpus.records.get(record.front.country or "")
            countries = _countries(corpus, {country.id: 1}) if country else ()
            context["map"] = MapSpec(
                "map", f"Where {record.name} is", countries, ((record.id, *record.front.coordinates),),
                f"Coordinates: {record.front.coordinates[0]:.4f}, {record.front.coordinates[1]:.4f}.",
            )
    template = ENTITY_TEMPLATE
    typed: PageContext
    if isinstance(record.front, Event):
        template = "event.md.j2"
        chain = []
        current = record.front.part_of
        while current and current not in chain:
            chain.append(current)
            current = corpus.event(current).part_of
        parent = record.front.part_of
        siblings = tuple(e for e in corpus.parts.get(parent, ()) if e != record.id) if parent else ()
        context.update(map=event_map(corpus, record))
        typed = EventContext(
            **context,
            part_of_chain=chain,
            parts=corpus.parts.get(record.id, ()),
            beside=siblings,
            reported_by=corpus.reported_by.get(record.id, ()),
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
        typed = SourceContext(
            **context,
            mentioned=[(k, by_kind[k]) for k in KIND_ORDER if k in by_kind],
            source_quotes=list(corpus.quotes_in.get(record.id, ())),
            translations=corpus.translations.get(record.id, ()),
        )
    else:
        typed = RecordContext(**context)
    return PageSpec(record.page, template, record.name, typed)
