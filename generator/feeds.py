"""Atom feeds: the newest sources and events, for the whole site and per record.

Written by ``feedgen`` (lxml escapes ``<``, ``>``, ``&`` and quotes); characters XML 1.0
cannot hold at all (most C0 controls, lone surrogates) are removed first. Pure and
deterministic: every timestamp is a date of the corpus, never the clock.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections.abc import Iterable, Sequence
from typing import Any

from feedgen.ext.base import BaseEntryExtension  # type: ignore[import-untyped]
from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

from generator import kinds, urls
from generator.corpus import Corpus
from generator.dates import PartialDate
from generator.opendata import page_url
from generator.parallel import fork_map, workers_wanted
from generator.records import KIND_LABELS, Record
from generator.schema import Event, Source

URN_PREFIX = "urn:corpus"
FEED_KINDS = kinds.WITH_FEEDS
FEED_SIZE = 50
"""How many entries a feed holds at most: the newest ones."""

PARALLEL_FEEDS = 200
"""From this many feeds on, a full build writes them on several cores."""

Wanted = tuple[str, str, str, str | None, str, list[Record]]  # path, name, title, subtitle, page, items

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def feed_path(record: Record) -> str | None:
    """Where a record's feed is, relative to the site root; None for kinds without one."""
    return urls.feed_file(record.kind, record.id) if record.kind in FEED_KINDS else None


def _xml_text(text: str) -> str:
    """Text XML 1.0 can hold: characters it forbids (C0 controls but tab and line breaks,
    surrogates, U+FFFE/U+FFFF) removed; lxml escapes the rest."""
    return _NOT_XML.sub("", text)


def _moment(date: PartialDate) -> dt.datetime:
    """The first instant a partial date can mean, in UTC (Atom needs a full timestamp)."""
    return dt.datetime.combine(date.first_day(), dt.time(), tzinfo=dt.UTC)


def _date_of(record: Record) -> PartialDate:
    front = record.front
    if isinstance(front, Event):
        return front.when
    assert isinstance(front, Source)
    return front.published


def _newest_first(records: Iterable[Record]) -> list[Record]:
    return sorted(records, key=_newest_key, reverse=True)


def _newest_key(record: Record) -> tuple[tuple[int, int, int], str, str]:
    """The record's date, kind and id: the date as the plain ``(year, month, day)`` of its
    order key, which orders as the :class:`PartialDate` does but compares far faster."""
    return record.order_key[1], record.kind, record.id


def feed_items(corpus: Corpus, record: Record, limit: int | None = None) -> list[Record]:
    """What a record's feed announces, newest first: the sources that mention it (or are about
    it, for a topic) and the events it takes part in (or that are held there, for a place, or
    are about it, for a topic)."""
    rid = record.id
    ids: set[str] = set(corpus.mentioned_in.get(rid, ()))
    ids.update(p.event for p in corpus.participations.get(rid, ()))
    ids.update(corpus.events_at.get(rid, ()))
    ids.update(corpus.tagged.get(rid, ()))
    found = (corpus.records[i] for i in ids if i in corpus.records and i != rid)
    dated = (r for r in found if r.kind in kinds.DATED)
    if limit is None:
        return _newest_first(dated)
    return heapq.nlargest(limit, dated, key=_newest_key)  # the same as _newest_first(...)[:limit]


class _Links:
    """Where a feed's ids and links point: absolute under ``site_url``, or, without one,
    ``urn:`` ids and hrefs relative to the feed file (which is where Atom resolves them)."""

    def __init__(self, site_url: str | None, feed_path: str) -> None:
        self.base = site_url.rstrip("/") + "/" if site_url else None
        self.feed_path = feed_path
        self.up = "../" * feed_path.count("/")

    def href(self, path: str) -> str:
        return self.base + path if self.base is not None else self.up + path

    def self_href(self) -> str:
        return self.base + self.feed_path if self.base is not None else self.feed_path.rsplit("/", 1)[-1]

    def entry_id(self, record: Record) -> str:
        if self.base is not None:
            return self.base + page_url(record)
        return f"{URN_PREFIX}:{record.kind}:{record.id}"

    def feed_id(self, name: str) -> str:
        if self.base is not None:
            return self.base + self.feed_path
        return f"{URN_PREFIX}:feed:{name}"


def _name_of(corpus: Corpus, value: str | None) -> str | None:
    """A publisher or author: the record's name when it is an id, else the text itself."""
    if value is None:
        return None
    return corpus.records[value].name if value in corpus.records else value


class _TitleLanguage(BaseEntryExtension):  # type: ignore[misc]
    """Marks an entry's title with the language of its text (``xml:lang``, RFC 4287 §2):
    the feed is in English, a Persian source's title is not."""

    tag = ""

    def extend_atom(self, entry: Any) -> Any:
        for title in entry.iter("title", "{http://www.w3.org/2005/Atom}title"):
            title.set("{http://www.w3.org/XML/1998/namespace}lang", self.tag)
        return entry


def _atom(
    corpus: Corpus,
    site_name: str,
    links: _Links,
    name: str,
    title: str,
    subtitle: str | None,
    page: str,
    items: Sequence[Record],
    fallback: PartialDate,
) -> str:
    fg = FeedGenerator()
    fg.id(links.feed_id(name))
    fg.title(_xml_text(title))
    if subtitle:
        fg.subtitle(_xml_text(subtitle))
    fg.author({"name": _xml_text(site_name)})
    fg.link(href=links.href(page), rel="alternate", type="text/html")
    fg.link(href=links.self_href(), rel="self", type="application/atom+xml")
    fg.language("en")
    fg.generator("corpus-site")  # no feedgen version: the bytes do not follow upgrades
    # Derived from the corpus, never the clock (feedgen's default is now).
    fg.updated(_moment(max((_date_of(r) for r in items), default=fallback)))
    for record in items:
        front = record.front
        fe = fg.add_entry(order="append")
        fe.id(links.entry_id(record))
        fe.title(_xml_text(record.name))
        if record.language.foreign:  # a source's title in its own language: xml:lang on it
            fe.register_extension("language", _TitleLanguage)
            fe.language.tag = record.language.tag
        fe.link(href=links.href(page_url(record)), rel="alternate", type="text/html")
        when = _moment(_date_of(record))
        fe.updated(when)  # feedgen's default is now
        fe.published(when)
        fe.category(term=record.kind, label=KIND_LABELS[record.kind][0])
        topics = front.topics if isinstance(front, Event | Source) else ()
        for topic in topics:
            if topic in corpus.records:
                fe.category(term=topic, label=_xml_text(corpus.records[topic].name))
        summary = record.summary
        if isinstance(front, Event) and not summary:
            summary = f"{KIND_LABELS['events'][0]} of {front.when.human()}"
        if summary:
            fe.summary(_xml_text(summary), type="text")
        if isinstance(front, Source):
            author = _name_of(corpus, front.author)
            if author:
                fe.author({"name": _xml_text(author)})
            # No second link to the original: feedgen 1.0 drops the rel of entry links, which
            # would make it a second rel="alternate" link, forbidden by RFC 4287. The record
            # page links to the original.
    xml = bytes(fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)).decode("utf-8")
    return xml if xml.endswith("\n") else xml + "\n"


def fallback_date(corpus: Corpus) -> PartialDate:
    """The date an empty feed says it was updated: the newest in the corpus."""
    dated = [r for r in corpus.records.values() if r.kind in kinds.DATED]
    return _date_of(max(dated, key=_newest_key)) if dated else PartialDate(1970, 1, 1)


def site_feed(corpus: Corpus, site_name: str) -> Wanted:
    """``feeds/all.xml``: the newest :data:`FEED_SIZE` sources and events of the site."""
    dated = (r for r in corpus.records.values() if r.kind in kinds.DATED)
    newest = heapq.nlargest(FEED_SIZE, dated, key=_newest_key)
    return urls.SITE_FEED, "all", f"{site_name}: latest events and sources", None, "", newest


def feed_records(corpus: Corpus) -> list[Record]:
    """The records that have a feed of their own, kind by kind."""
    return [record for kind in FEED_KINDS for record in corpus.of_kind(kind)]


def write_feed(
    corpus: Corpus, site_name: str, site_url: str | None, fallback: PartialDate, feed: Wanted
) -> str:
    """One feed's Atom XML."""
    path, name, title, subtitle, page, items = feed
    return _atom(corpus, site_name, _Links(site_url, path), name, title, subtitle, page, items, fallback)


def feeds(
    corpus: Corpus, site_name: str, site_url: str | None = None, workers: int | None = None
) -> dict[str, str]:
    """Atom feeds keyed by their path relative to the site root (pure).

    ``feeds/all.xml`` holds the newest :data:`FEED_SIZE` sources and events; ``feeds/<kind>/<id>.xml``
    for every country, organization, person, place and topic holds the newest sources that
    mention it and events it takes part in (:func:`feed_items`). Entries link to the record
    pages: ``<site_url>/<kind>/<id>/`` when ``site_url`` is given, else a relative href (from
    the feed file) and a ``urn:corpus:<kind>:<id>`` id, since Atom ids must be
    absolute IRIs. Every timestamp is a corpus date (an entry's date; a feed's newest entry,
    or the newest date in the corpus for an empty feed), so the bytes never depend on when
    they were made. A big site's feeds are written on every core (or on ``workers``
    processes: see :mod:`generator.parallel`)."""
    fallback = fallback_date(corpus)
    wanted = [site_feed(corpus, site_name)]
    wanted += [record_feed(corpus, site_name, r) for r in feed_records(corpus)]
    processes = workers_wanted(workers) if len(wanted) >= PARALLEL_FEEDS else 1
    written = fork_map(
        lambda share: [write_feed(corpus, site_name, site_url, fallback, feed) for feed in share],
        wanted,
        processes,
    )
    return dict(sorted((feed[0], xml) for feed, xml in zip(wanted, written, strict=True)))


def record_feed(corpus: Corpus, site_name: str, record: Record) -> Wanted:
    return (
        urls.feed_file(record.kind, record.id),
        f"{record.kind}:{record.id}",
        f"{site_name}: {record.name}",
        record.summary,
        page_url(record),
        feed_items(corpus, record, FEED_SIZE),
    )
