"""Structured data for search engines and other machines: schema.org JSON-LD per record page.

:func:`json_ld` describes one record with the schema.org vocabulary (an ``Event``, a
``Country``, a ``Place``, an ``Organization``, a ``Person``, a ``NewsArticle`` for a source, a
``DefinedTerm`` for a topic) with the facts the corpus holds about it; :func:`script_tag`
turns that into the ``<script type="application/ld+json">`` element to put in the page's
``<head>``, escaped so that no string from the corpus can end the element.

Pure and deterministic: no MkDocs, no clock, the same corpus gives the same output. Partial
dates keep their precision (``2021-09`` stays a month: ISO 8601 allows reduced precision, and
schema.org's ``Date`` is ISO 8601).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from generator import kinds
from generator.corpus import Corpus, sort_key
from generator.dates import PartialDate
from generator.opendata import page_url as record_url
from generator.records import Record
from generator.schema import Country, Event, Organization, Person, Place, Source, Topic

SCHEMA_TYPES = kinds.SCHEMA_ORG
"""The schema.org type of each kind of record."""

WIKIDATA = "https://www.wikidata.org/wiki/"

Json = dict[str, Any]


class _Urls:
    """The URLs of record pages, as seen from the page being described.

    When ``page_url`` ends with the record's own path (``…/countries/iran/``), what comes
    before is the site root and every other record is ``<root><kind>/<id>/``; otherwise (a
    page URL of another shape) the other records are addressed relative to the page,
    ``../../<kind>/<id>/``, which is right for MkDocs' directory URLs."""

    def __init__(self, record: Record, page_url: str) -> None:
        own = record_url(record)
        self.root = page_url[: -len(own)] if page_url.endswith(own) else "../../"
        self.page_url = page_url
        self.record_id = record.id

    def page(self, record: Record) -> str:
        if record.id == self.record_id:
            return self.page_url
        return self.root + record_url(record)

    def node_id(self, record: Record) -> str:
        """The ``@id`` of the thing a page is about (the page itself is ``url``)."""
        return self.page(record) + "#id"


def _date(value: PartialDate | None) -> str | None:
    return value.iso() if value is not None else None


def _prune(data: Json) -> Json:
    """Leave out what is unknown: ``None``, empty strings and empty lists."""
    return {k: v for k, v in data.items() if v is not None and v != "" and v != []}


def _one_or_list(items: list[Any]) -> Any:
    if not items:
        return None
    return items[0] if len(items) == 1 else items


def _same_as(record: Record) -> str | None:
    wikidata = getattr(record.front, "wikidata", None)
    return f"{WIKIDATA}{wikidata}" if wikidata else None


def _ref(corpus: Corpus, urls: _Urls, record_id: str) -> Json | None:
    """A short node for another record: its type, ``@id``, name and page."""
    record = corpus.records.get(record_id)
    if record is None:
        return None
    return {
        "@type": SCHEMA_TYPES[record.kind],
        "@id": urls.node_id(record),
        "name": record.name,
        "url": urls.page(record),
    }


MAX_REFS = 100
"""The most records one property lists (a topic of 5,000 sources keeps its page small; the
page and the open data list them all)."""


def _refs(corpus: Corpus, urls: _Urls, ids: Any) -> list[Json]:
    found = (_ref(corpus, urls, i) for i in dict.fromkeys(ids))
    return list(itertools.islice((node for node in found if node is not None), MAX_REFS))


def _geo(place: Place) -> Json | None:
    if place.coordinates is None:
        return None
    lat, lon = place.coordinates
    return {"@type": "GeoCoordinates", "latitude": lat, "longitude": lon}


def _place_node(corpus: Corpus, urls: _Urls, place_id: str) -> Json | None:
    """A place as the location of an event: with its coordinates and its country."""
    node = _ref(corpus, urls, place_id)
    if node is None:
        return None
    front = corpus.records[place_id].front
    if isinstance(front, Place):
        country = _ref(corpus, urls, front.country) if front.country else None
        node = _prune({**node, "geo": _geo(front), "containedInPlace": country})
    return node


def _named(corpus: Corpus, urls: _Urls, value: str | None, plain_type: str) -> Json | None:
    """A publisher or an author: the record when the value is an id, else a node with that name."""
    if value is None:
        return None
    return _ref(corpus, urls, value) or {"@type": plain_type, "name": value}


def _event(corpus: Corpus, urls: _Urls, record: Record, front: Event) -> Json:
    people: list[Json] = []
    others: list[Json] = []
    for participant in front.participants:
        node = _ref(corpus, urls, participant.id)
        if node is None:
            continue
        if participant.role:  # schema.org's Role pattern: the role wraps the value it qualifies
            key = "performer" if node["@type"] == "Person" else "attendee"
            node = {"@type": "Role", "roleName": participant.role, key: node}
        (people if corpus.records[participant.id].kind == "people" else others).append(node)
    return {
        "startDate": front.when.iso(),
        "endDate": _date(front.end),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode" if front.place else None,
        "location": _place_node(corpus, urls, front.place) if front.place else None,
        "performer": people,
        "attendee": others,
        "superEvent": _ref(corpus, urls, front.part_of) if front.part_of else None,
        "subEvent": _refs(corpus, urls, corpus.parts.get(record.id, ())),
        "about": _refs(corpus, urls, front.topics),
        "subjectOf": _refs(corpus, urls, corpus.reported_by.get(record.id, ())),
        "keywords": front.kind,
    }


def _country(corpus: Corpus, urls: _Urls, record: Record, front: Country) -> Json:
    return {
        "identifier": front.iso,
        "containsPlace": _refs(corpus, urls, (
            rid for rid in corpus.located.get(record.id, ()) if corpus.records[rid].kind == "places"
        )),
    }


def _place(corpus: Corpus, urls: _Urls, record: Record, front: Place) -> Json:
    return {
        "geo": _geo(front),
        "containedInPlace": _ref(corpus, urls, front.country) if front.country else None,
        "additionalType": front.kind,
        "event": _refs(corpus, urls, corpus.events_at.get(record.id, ())),
    }


def _organization_role(node: Json, prop: str, role: str | None, since: Any, until: Any) -> Json:
    """schema.org's ``OrganizationRole``: the member (or the organization) with dates and role."""
    return _prune(
        {
            "@type": "OrganizationRole",
            prop: node,
            "roleName": role,
            "startDate": _date(since),
            "endDate": _date(until),
        }
    )


def _organization(corpus: Corpus, urls: _Urls, record: Record, front: Organization) -> Json:
    members: list[Json] = []
    member_of: list[Json] = []
    for ms in corpus.memberships.get(record.id, ()):
        if ms.organization == record.id:
            node = _ref(corpus, urls, ms.member)
            if node is not None:
                members.append(_organization_role(node, "member", ms.role, ms.since, ms.until))
        else:
            node = _ref(corpus, urls, ms.organization)
            if node is not None:
                member_of.append(_organization_role(node, "memberOf", ms.role, ms.since, ms.until))
    names = [front.short, *front.aliases] if front.short else list(front.aliases)
    employees: list[Json] = []
    for office in corpus.offices.get(record.id, ()):
        if office.person != record.id:
            node = _ref(corpus, urls, office.person)
            if node is not None:
                role = office.role
                employees.append(_organization_role(node, "employee", role.title, role.since, role.until))
    return {
        "alternateName": _one_or_list(list(dict.fromkeys(names))),
        "additionalType": front.kind,
        "member": members,
        "memberOf": member_of,
        "employee": employees,
        "parentOrganization": _ref(corpus, urls, front.parent) if front.parent else None,
        "subOrganization": _refs(corpus, urls, corpus.suborganizations.get(record.id, ())),
        "location": _ref(corpus, urls, front.country) if front.country else None,
    }


def _person(corpus: Corpus, urls: _Urls, record: Record, front: Person) -> Json:
    titles = list(dict.fromkeys(role.title for role in front.roles))
    affiliations: list[Json] = []
    occupations: list[Json] = []
    for role in front.roles:
        occupations.append(
            _prune(
                {
                    "@type": "Role",
                    "roleName": role.title,
                    "startDate": _date(role.since),
                    "endDate": _date(role.until),
                    "hasOccupation": {"@type": "Occupation", "name": role.title},
                }
            )
        )
        node = _ref(corpus, urls, role.of) if role.of else None
        if node is not None:
            affiliations.append(_organization_role(node, "affiliation", role.title, role.since, role.until))
    return {
        "jobTitle": _one_or_list(titles),
        "affiliation": affiliations,
        "hasOccupation": occupations,
    }


def _mentioned(corpus: Corpus, record: Record) -> list[str]:
    """The records a text mentions: most mentioned first, like its page."""
    counts: dict[str, int] = {}
    text = corpus.texts.get(record.id)
    if text is not None:
        for _block, seg, _offset in text.mentions():
            if seg.target in corpus.records and seg.target != record.id:
                counts[seg.target] = counts.get(seg.target, 0) + 1
    return sorted(counts, key=lambda rid: (-counts[rid], sort_key(corpus.records[rid])))


def _source(corpus: Corpus, urls: _Urls, record: Record, front: Source) -> Json:
    publisher = _named(corpus, urls, front.publisher, "Organization")
    author = _named(corpus, urls, front.author, "Person")
    return {
        "headline": front.title,
        "datePublished": front.published.iso(),
        "inLanguage": front.language,  # a BCP 47 tag, as schema.org asks
        "translationOfWork": _refs(corpus, urls, (front.translation_of,)) if front.translation_of else None,
        "workTranslation": _refs(corpus, urls, corpus.translations.get(record.id, ())),
        "publisher": publisher,
        "author": author,
        "copyrightNotice": front.rights,
        "citation": front.url,
        "isBasedOn": front.url,
        "about": _refs(corpus, urls, (*front.reports, *front.topics)),
        "mentions": _refs(corpus, urls, _mentioned(corpus, record)),
    }


def _topic(corpus: Corpus, urls: _Urls, record: Record, front: Topic) -> Json:
    return {
        "termCode": record.id,
        "inDefinedTermSet": {"@type": "DefinedTermSet", "name": "Topics", "url": f"{urls.root}topics/"},
        "subjectOf": _refs(corpus, urls, corpus.tagged.get(record.id, ())),
    }


def json_ld(corpus: Corpus, record: Record, page_url: str) -> dict[str, Any]:
    """The schema.org JSON-LD of a record's page at ``page_url`` (absolute, for search engines,
    or relative).

    The node has ``@context``, its ``@type`` (:data:`SCHEMA_TYPES`), ``@id`` (``<page>#id``),
    ``name``, ``url`` (the page), ``description`` (the summary), ``alternateName`` (aliases),
    ``sameAs`` (the Wikidata item), and per kind: an Event's dates, location (a Place with
    ``geo``), performers (people) and attendees (others), each wrapped in a ``Role`` when the
    event gives one, ``superEvent``/``subEvent``, ``about`` (topics) and ``subjectOf`` (sources);
    a Country's ``identifier`` (ISO 3166-1 alpha-2); a Place's ``geo`` and ``containedInPlace``;
    an Organization's ``alternateName`` (acronym first), ``member``/``memberOf``/``employee`` as
    ``OrganizationRole`` with ``startDate``/``endDate``, ``parentOrganization``; a Person's
    ``jobTitle``, ``affiliation`` (``OrganizationRole`` with dates) and ``hasOccupation``; a
    source's NewsArticle ``headline``, ``datePublished``, ``publisher``, ``author``,
    ``copyrightNotice``, ``citation`` (the original's address), ``about`` and ``mentions``; a
    topic's DefinedTerm. Unknown values are left out, never ``null``."""
    urls = _Urls(record, page_url)
    front = record.front
    aliases = [] if isinstance(front, Organization | Source) else list(front.aliases)
    data: Json = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES[record.kind],
        "@id": urls.node_id(record),
        "name": record.name,
        "url": page_url,
        "description": record.summary,
        "alternateName": _one_or_list(aliases),
        "sameAs": _same_as(record),
    }
    if isinstance(front, Event):
        data.update(_event(corpus, urls, record, front))
    elif isinstance(front, Source):
        data.update(_source(corpus, urls, record, front))
    elif isinstance(front, Country):
        data.update(_country(corpus, urls, record, front))
    elif isinstance(front, Place):
        data.update(_place(corpus, urls, record, front))
    elif isinstance(front, Organization):
        data.update(_organization(corpus, urls, record, front))
    elif isinstance(front, Person):
        data.update(_person(corpus, urls, record, front))
    elif isinstance(front, Topic):
        data.update(_topic(corpus, urls, record, front))
    return _prune(data)


_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def script_json(data: dict[str, Any]) -> str:
    """JSON safe to place inside an HTML ``<script>`` element, in ASCII (so that it also
    survives being quoted as a YAML string in a page's front matter).

    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e`` and ``\\u0026`` (and the line and
    paragraph separators ``\\u2028``/``\\u2029``). JSON's own syntax holds none of these
    characters, so they can only stand inside strings, where the escape means the same
    character: a JSON parser reads back exactly the same data, while the HTML parser never
    sees ``</script``, ``<!--`` or an entity."""
    text = json.dumps(data, ensure_ascii=True, sort_keys=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_SCRIPT_ESCAPES)


def script_tag(data: dict[str, Any]) -> str:
    """The ``<script type="application/ld+json">…</script>`` element holding ``data``, escaped
    with :func:`script_json` so that a hostile string cannot close the element or open
    another one."""
    return f'<script type="application/ld+json">{script_json(data)}</script>'
