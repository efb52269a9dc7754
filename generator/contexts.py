"""What each kind of page is given: the contract between the planner (:mod:`generator.pages`)
and the templates (``templates/pages/*.md.j2``).

Each page kind has a frozen dataclass; mypy checks that the planner fills every field with a
value of its type, and a template reads the fields as its variables. The engine compares a
page's context with the last one to tell whether the page must be rendered again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from generator.corpus import Backlink, Membership, Office, Participation, QuoteRef
from generator.pictures import Graph, MapSpec, Network, Timeline
from generator.records import Record
from generator.schema import Front
from generator.slotted import quick_init


@dataclass(frozen=True)
class PageContext:
    def variables(self) -> dict[str, Any]:
        """The template's variables: the fields by name (not copied)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@quick_init  # made by the hundred thousand, a record's mentions in each text: see generator/slotted.py
@dataclass(frozen=True, slots=True)
class MentionGroup:
    """The mentions of one record in one text."""

    source: str
    backlinks: tuple[Backlink, ...]
    translation_of: str = ""  # the source of the group right before, which this text translates


@dataclass(frozen=True)
class ShownQuotes(PageContext):
    """What a page shows of a long list of quotes: the newest ones, the count, and the pages
    listing them all."""

    quotes: tuple[QuoteRef, ...]
    quote_count: int
    quote_pages: Sequence[str]


@dataclass(frozen=True)
class RecordContext(ShownQuotes):
    """A country's, organization's, person's, place's or topic's page (``entity.md.j2``)."""

    record: Record
    front: Front
    mention_groups: Sequence[MentionGroup]
    mention_count: int
    mentions_hidden: int
    mention_pages: Sequence[str]
    related: Sequence[tuple[str, int]]
    participations: tuple[Participation, ...]
    memberships: tuple[Membership, ...]
    offices: tuple[Office, ...]
    located: tuple[str, ...]
    suborganizations: tuple[str, ...]
    events_at: tuple[str, ...]
    tagged: tuple[str, ...]
    listed_in_full: bool  # whether the lists above are whole (else the record's JSON has them all)
    partners: tuple[tuple[str, int, str], ...]  # countries met: (id, shared events, pair page)
    graph: Graph | None
    timeline_picture: Timeline | None
    map: MapSpec | None


@dataclass(frozen=True)
class EventContext(RecordContext):
    """An event's page (``event.md.j2``)."""

    part_of_chain: Sequence[str]
    parts: tuple[str, ...]
    beside: tuple[str, ...]
    reported_by: tuple[str, ...]


@dataclass(frozen=True)
class SourceContext(RecordContext):
    """A source's page (``source.md.j2``)."""

    mentioned: Sequence[tuple[str, Sequence[tuple[str, int]]]]  # kind, then (id, times), most first
    source_quotes: Sequence[QuoteRef]
    translations: tuple[str, ...]


@dataclass(frozen=True)
class QuoteListContext(PageContext):
    """One page of all the quotes of a record, or of the site (``quote_list.md.j2``)."""

    record: Record | None
    number: int
    pages: Sequence[str]
    quote_count: int
    first: int
    last: int
    quotes: tuple[QuoteRef, ...]


@dataclass(frozen=True)
class MentionListContext(PageContext):
    """One page of all the mentions of a record (``mentions.md.j2``)."""

    record: Record
    number: int
    pages: Sequence[str]
    mention_count: int
    first: int
    last: int
    mention_groups: Sequence[MentionGroup]


@dataclass(frozen=True)
class KindIndexContext(PageContext):
    """One page of a kind's index (``index.md.j2``)."""

    kind: str
    items: Sequence[str]
    mentions: Mapping[str, int]
    pages: Sequence[str]
    number: int
    total: int


@dataclass(frozen=True)
class HomeContext(PageContext):
    counts: Mapping[str, int]
    latest_events: Sequence[str]
    latest_sources: Sequence[str]
    first: Any  # the first event's date (a PartialDate), None without events
    last: Any
    most_mentioned: Sequence[tuple[str, int]]
    topics: Sequence[str]
    quote_count: int
    picture: Timeline


@dataclass(frozen=True)
class TimelineContext(PageContext):
    years: Sequence[tuple[int, Sequence[str]]]
    picture: Timeline
    year_pictures: Mapping[int, Timeline]
    year_pages: Mapping[int, str]


@dataclass(frozen=True)
class TimelineYearContext(PageContext):
    year: int
    events: Sequence[str]
    picture: Timeline


@dataclass(frozen=True)
class NetworkContext(PageContext):
    picture: Network
    edges: Sequence[tuple[str, str, int]]
    pairs: Sequence[tuple[str, str, int]]
    pair_pages: Mapping[tuple[str, str], str]


@dataclass(frozen=True)
class MapContext(PageContext):
    picture: MapSpec
    places: Sequence[str]
    countries: Sequence[tuple[str, int]]


@dataclass(frozen=True)
class MembershipsContext(PageContext):
    rows: Sequence[str]
    columns: Sequence[str]
    cells: Mapping[tuple[str, str], tuple[Any, ...]]


@dataclass(frozen=True)
class PairContext(PageContext):
    first: str
    second: str
    events: tuple[str, ...]
    picture: Timeline
