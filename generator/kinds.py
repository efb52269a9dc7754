"""The record kinds: one table, and every list of kinds derived from it.

A kind is a folder of ``content/`` with a front-matter model, labels, a schema.org type and a
few traits the pipeline asks about. Adding a kind is a row here, its model in
:mod:`generator.schema` and its template; ``site_tests/test_kinds.py`` fails when a module
keeps a list of its own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str  # the folder under content/ and the first part of its pages' paths
    label: str
    plural: str
    model: str  # the name of its front-matter model in generator.schema
    schema_org: str  # the schema.org type of its JSON-LD
    site_order: int  # where its records stand in lists of all kinds (indexes, counts, mentions)
    dated: bool = False  # ordered by date (events by when, sources by publication)
    feed: bool = False  # has an Atom feed of its own
    actor: bool = False  # can take part in events, be a member, say a quote
    named_in_texts: bool = True  # its names and aliases are auto-linked in texts
    chain: str | None = None  # the field placing a record within another of its kind (no cycles)


TABLE: tuple[Kind, ...] = (
    Kind("sources", "Source", "Sources", "Source", "NewsArticle", 1, dated=True, named_in_texts=False),
    Kind("events", "Event", "Events", "Event", "Event", 0, dated=True, chain="part_of"),
    Kind("countries", "Country", "Countries", "Country", "Country", 2, feed=True, actor=True),
    Kind("organizations", "Organization", "Organizations", "Organization", "Organization", 3, feed=True,
         actor=True, chain="parent"),
    Kind("people", "Person", "People", "Person", "Person", 4, feed=True, actor=True),
    Kind("places", "Place", "Places", "Place", "Place", 5, feed=True),
    Kind("topics", "Topic", "Topics", "Topic", "DefinedTerm", 6, feed=True),
)
"""Every kind, in the order their folders are read."""

BY_NAME = {kind.name: kind for kind in TABLE}
FOLDERS: tuple[str, ...] = tuple(kind.name for kind in TABLE)
SITE_ORDER: tuple[str, ...] = tuple(k.name for k in sorted(TABLE, key=lambda k: k.site_order))
LABELS: dict[str, tuple[str, str]] = {kind.name: (kind.label, kind.plural) for kind in TABLE}
DATED: tuple[str, ...] = tuple(k.name for k in TABLE if k.dated)
WITH_FEEDS: tuple[str, ...] = tuple(k.name for k in sorted(TABLE, key=lambda k: k.site_order) if k.feed)
ACTORS: tuple[str, ...] = tuple(k.name for k in sorted(TABLE, key=lambda k: k.site_order) if k.actor)
SCHEMA_ORG: dict[str, str] = {kind.name: kind.schema_org for kind in TABLE}
ENTITIES: tuple[str, ...] = tuple(k.name for k in TABLE if not k.dated)  # what texts are about
CHAINS: tuple[tuple[str, str], ...] = tuple((k.name, k.chain) for k in TABLE if k.chain)  # (kind, field)

# The kinds a field takes, where it is not any actor:
OFFICE_OF: tuple[str, ...] = ("countries", "organizations")  # a person's role is an office of one
AUTHORS: tuple[str, ...] = ("organizations", "people")  # a source's publisher and author
