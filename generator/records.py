"""Typed, frozen records: a validated front matter with where it came from."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from generator import kinds, urls
from generator.languages import PAGE_LANGUAGE, Language, language
from generator.reading import Document, Location
from generator.schema import (
    Country,
    Entity,
    Event,
    Front,
    Organization,
    Person,
    Place,
    Source,
    Topic,
)

KIND_ORDER = kinds.SITE_ORDER
KIND_LABELS = kinds.LABELS


@dataclass(frozen=True)
class Record:
    kind: str
    id: str
    path: str
    front: Front
    body: str = field(repr=False)
    body_line: int
    lines: dict[Location, int] = field(repr=False, compare=False)

    @classmethod
    def from_document(cls, doc: Document, front: Front) -> Record:
        return cls(doc.kind, doc.id, doc.path, front, doc.body, doc.body_line, doc.lines)

    def line_of(self, *loc: str | int) -> int:
        key: Location = tuple(loc)
        while True:
            if key in self.lines:
                return self.lines[key]
            if not key:
                return 1
            key = key[:-1]

    @functools.cached_property  # records are frozen: computed once
    def name(self) -> str:
        return self.front.name

    @property
    def summary(self) -> str | None:
        return self.front.summary

    @functools.cached_property  # records are frozen: computed once
    def aliases(self) -> tuple[str, ...]:
        """Every name this record is known by in texts, the display name first."""
        front = self.front
        names: list[str] = [] if isinstance(front, Source) else [front.name]
        if isinstance(front, Entity | Event):
            names.extend(front.aliases)
        if isinstance(front, Organization) and front.short:
            names.append(front.short)
        return tuple(dict.fromkeys(names))

    @functools.cached_property  # records are frozen: computed once
    def language(self) -> Language:
        """The language of its text: a source's ``language``; the site's for other records."""
        front = self.front
        return language(front.language if isinstance(front, Source) else PAGE_LANGUAGE)

    @property
    def inflects(self) -> bool:
        """Whether its names (or, for a source, the names in its text) match in declined forms."""
        return self.front.inflect

    @functools.cached_property  # records are frozen: computed once
    def page(self) -> str:
        """The Markdown file of its page, relative to the docs folder."""
        return urls.record_page(self.kind, self.id)

    @functools.cached_property
    def order_key(self) -> tuple[int, tuple[int, int, int], str, str]:
        """Events and sources by date, everything else by name; the id breaks ties.

        The date is a plain ``(year, month, day)`` tuple, which orders as the
        :class:`PartialDate` does, so sorting compares built-in values only. Computed once
        per record (records are frozen)."""
        front = self.front
        if isinstance(front, Event):
            when = front.when
        elif isinstance(front, Source):
            when = front.published
        else:
            return (KIND_ORDER.index(self.kind), (0, 0, 0), self.name.casefold(), self.id)
        return (KIND_ORDER.index(self.kind), (when.year, when.month, when.day), self.name.casefold(), self.id)

    @functools.cached_property  # records are frozen: computed once
    def label(self) -> str:
        return KIND_LABELS[self.kind][0]


__all__ = [
    "KIND_ORDER",
    "Country",
    "Event",
    "Organization",
    "Person",
    "Place",
    "Record",
    "Source",
    "Topic",
]
