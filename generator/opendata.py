"""Open data published with the site under ``data/``: the corpus as JSON (with its JSON
Schema), CSV tables, and one JSON file per record next to its page.

Pure and deterministic: the same corpus gives the same bytes. Every string comes from
texts copied from the web; ``json`` escapes what JSON needs, and CSV cells that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) are prefixed with ``'`` (OWASP's advice against CSV injection).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import Any

import orjson
from pydantic import BaseModel

from generator import kinds, urls
from generator.corpus import Backlink, Corpus
from generator.dates import PartialDate
from generator.packed import Decoded, pack, pack_bytes, pack_chunks
from generator.records import Record
from generator.schema import Event, Organization, Person, Place, Source

FORMAT_VERSION = 1
KINDS = list(kinds.FOLDERS)


def _plain(value: Any) -> Any:
    """A front-matter value as JSON: dates as ISO strings of their precision, empty fields left out."""
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, BaseModel):
        fields = ((name, getattr(value, name)) for name in type(value).model_fields)
        return {name: _plain(v) for name, v in fields if v not in (None, (), [], {})}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def page_url(record: Record) -> str:
    return urls.record_url(record.kind, record.id)


def record_entry(record: Record) -> dict[str, Any]:
    fields = _plain(record.front)
    fields.pop("quotes", None)  # quotes are listed on their own, with where they stand
    if fields.get("inflect") is True:
        del fields["inflect"]  # the default (v1.1): shown only where a record or text turns it off
    return {
        "kind": record.kind,
        "id": record.id,
        "name": record.name,
        "page": page_url(record),
        "fields": fields,
    }


def _date(value: PartialDate | None) -> dict[str, str] | None:
    return None if value is None else {"date": value.iso(), "precision": value.precision.name.lower()}


def relations(corpus: Corpus) -> list[dict[str, Any]]:
    """Every typed relation between two records, with its dates where the corpus has them."""
    found: list[dict[str, Any]] = []

    def add(kind: str, source: str, target: str, **extra: Any) -> None:
        entry = {"type": kind, "from": source, "to": target}
        entry.update({k: v for k, v in extra.items() if v is not None})
        found.append(entry)

    for record in corpus.records.values():
        front = record.front
        if isinstance(front, Organization):
            for member in front.members:
                add(
                    "member_of",
                    member.id,
                    record.id,
                    since=_date(member.since),
                    until=_date(member.until),
                    role=member.role,
                )
            if front.parent:
                add("part_of", record.id, front.parent)
            if front.country:
                add("located_in", record.id, front.country)
        elif isinstance(front, Person):
            for role in front.roles:
                if role.of:
                    add(
                        "office",
                        record.id,
                        role.of,
                        title=role.title,
                        since=_date(role.since),
                        until=_date(role.until),
                    )
        elif isinstance(front, Place) and front.country:
            add("located_in", record.id, front.country)
        elif isinstance(front, Event):
            for participant in front.participants:
                add("participant", participant.id, record.id, role=participant.role, date=_date(front.when))
            if front.place:
                add("held_at", record.id, front.place)
            if front.part_of:
                add("part_of", record.id, front.part_of)
            for topic in front.topics:
                add("about", record.id, topic)
        elif isinstance(front, Source):
            for event in front.reports:
                add("reports", record.id, event, date=_date(front.published))
            if front.translation_of:
                add("translation_of", record.id, front.translation_of, language=front.language)
            for topic in front.topics:
                add("about", record.id, topic)
    # By type and ends; the same relation twice (other dates or roles) by its JSON text.
    found.sort(key=_ends)
    ordered: list[dict[str, Any]] = []
    for _ends_of, group in groupby(found, key=_ends):
        same = list(group)
        ordered.extend(sorted(same, key=lambda r: json.dumps(r, sort_keys=True)) if len(same) > 1 else same)
    return ordered


def _ends(relation: dict[str, Any]) -> tuple[str, str, str]:
    return relation["type"], relation["from"], relation["to"]


def _mention_rows(backlinks: tuple[Backlink, ...]) -> list[dict[str, Any]]:
    return [
        {
            "target": b.target,
            "source": b.source,
            "paragraph": b.paragraph,
            "anchor": f"p-{b.paragraph}",
            "shown": b.shown,
            "sentence": b.sentence,
            "explicit": b.explicit,
        }
        for b in backlinks
    ]


def mention_arrays(corpus: Corpus) -> Iterator[tuple[str, bytes]]:
    """Each mentioned record's id and its mentions as a JSON array, by record id in order.

    Made one record at a time, as JSON: the rows as dicts would be about 0.5 GB at 10,000
    sources, and their JSON, all at once, 130 MB."""
    for target in sorted(corpus.backlinks):
        yield target, orjson.dumps(_mention_rows(corpus.backlinks[target]), option=orjson.OPT_SORT_KEYS)


def quotes(corpus: Corpus) -> list[dict[str, Any]]:
    return [
        {
            "source": q.source,
            "paragraph": q.paragraph,
            "anchor": q.anchor,
            "by": list(q.quote.by),
            "text": q.quote.text,
            "event": q.quote.event,
            "topics": list(q.quote.topics),
        }
        for q in corpus.quotes
    ]


def _document(corpus: Corpus) -> dict[str, Any]:
    """The corpus file's content but its mentions (see :func:`_corpus_chunks`)."""
    return {
        "$schema": "corpus.schema.json",
        "version": FORMAT_VERSION,
        "records": [record_entry(r) for r in corpus.records.values()],
        "relations": relations(corpus),
        "quotes": quotes(corpus),
    }


def _corpus_chunks(document: dict[str, Any], mentioned: Iterable[bytes]) -> Iterator[bytes]:
    """The corpus file in pieces: :func:`_packed_json` of ``document`` with ``mentions``, the
    arrays of ``mentioned`` run together, as one more key.

    The corpus file is about 150 MB at 10,000 sources, most of it mentions: made whole and
    then packed, it would be held three or four times over at once."""
    yield b"{"
    for index, key in enumerate(sorted([*document, "mentions"])):
        yield b"," * (index > 0) + orjson.dumps(key) + b":"
        if key != "mentions":
            yield orjson.dumps(document[key], option=orjson.OPT_SORT_KEYS)
            continue
        yield b"["
        first = True
        for array in mentioned:
            if array != b"[]":
                yield array[1:-1] if first else b"," + array[1:-1]
                first = False
        yield b"]"
    yield b"}\n"


def _packed_json(data: Any) -> bytes:
    """Compact UTF-8 JSON with sorted keys and a final newline, packed (:mod:`generator.packed`)
    as it comes from orjson, never decoded. orjson writes it about three times as fast as
    ``json``; it is the same text as
    ``json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)`` but for
    the exponent of tiny floats (``1e-7``)."""
    return pack_bytes(orjson.dumps(data, option=orjson.OPT_SORT_KEYS) + b"\n")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return out.getvalue()


def tables(corpus: Corpus) -> dict[str, str]:
    """CSV tables: events (ACLED-like columns), records, memberships, quotes."""
    records = corpus.records
    events = []
    for record in corpus.of_kind("events"):
        front = record.front
        assert isinstance(front, Event)
        place = records[front.place].front if front.place else None
        countries = [p.id for p in front.participants if records[p.id].kind == "countries"]
        events.append(
            [
                record.id,
                front.when.iso(),
                front.when.precision.name.lower(),
                front.end.iso() if front.end else "",
                front.kind,
                record.name,
                front.place,
                getattr(place, "country", None) or "",
                ";".join(countries),
                ";".join(p.id for p in front.participants),
                front.part_of,
                ";".join(corpus.reported_by.get(record.id, ())),
            ]
        )
    memberships = sorted(
        {
            (
                m.organization,
                m.member,
                m.since.iso() if m.since else "",
                m.until.iso() if m.until else "",
                m.role or "",
            )
            for ms in corpus.memberships.values()
            for m in ms
        }
    )
    return {
        urls.table("events"): _csv(
            [
                "event_id",
                "event_date",
                "date_precision",
                "end_date",
                "kind",
                "title",
                "place",
                "place_country",
                "countries",
                "participants",
                "part_of",
                "sources",
            ],
            events,
        ),
        urls.table("records"): _csv(
            ["kind", "id", "name", "summary", "wikidata", "page"],
            [
                [r.kind, r.id, r.name, r.summary, getattr(r.front, "wikidata", None), page_url(r)]
                for r in sorted(records.values(), key=lambda r: (KINDS.index(r.kind), r.id))
            ],
        ),
        urls.table("memberships"): _csv(
            ["organization", "member", "since", "until", "role"], [list(m) for m in memberships]
        ),
        urls.table("quotes"): _csv(
            ["source", "paragraph", "by", "text", "event"],
            [
                [q.source, q.paragraph, ";".join(q.quote.by), q.quote.text, q.quote.event]
                for q in corpus.quotes
            ],
        ),
    }


def data_files(corpus: Corpus) -> Decoded:
    """Every file under ``data/``, by its path in the site (pure), each packed as it is made
    (:mod:`generator.packed`): at 10,000 sources they are 0.5 GB as text."""
    document = _document(corpus)
    related: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for relation in document["relations"]:
        related[relation["from"]].append(relation)
        if relation["to"] != relation["from"]:
            related[relation["to"]].append(relation)
    quoted: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for quote in document["quotes"]:
        for rid in {quote["source"], *quote["by"], *([quote["event"]] if quote["event"] else [])}:
            quoted[rid].append(quote)
    entries = {entry["id"]: entry for entry in document["records"]}
    record_files: dict[str, bytes] = {}

    def record_file(rid: str, mentions: bytes) -> bytes:
        return _packed_json(
            {**entries[rid], "$schema": "../record.schema.json", "mentions": orjson.Fragment(mentions),
             "relations": related.get(rid, []), "quotes": quoted.get(rid, [])}
        )

    def arrays() -> Iterator[bytes]:
        """The mention arrays for the corpus file; each record's own file is made as its
        array passes, so that the arrays are never all held at once."""
        for target, array in mention_arrays(corpus):
            if target in entries:
                record_files[target] = record_file(target, array)
            yield array

    files = {
        urls.CORPUS_JSON: pack_chunks(_corpus_chunks(document, arrays())),
        urls.CORPUS_SCHEMA: _packed_json(SCHEMA),
    }
    files.update((path, pack(text)) for path, text in tables(corpus).items())
    for rid, entry in entries.items():
        made = record_files.pop(rid, None)
        files[urls.data_file(entry["kind"], rid)] = made if made is not None else record_file(rid, b"[]")
    files[urls.RECORD_SCHEMA] = _packed_json(RECORD_SCHEMA)
    return Decoded(files)


# -- the schemas ---------------------------------------------------------------------------------

_DATED = {
    "type": "object",
    "required": ["date", "precision"],
    "additionalProperties": False,
    "properties": {
        "date": {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
        "precision": {"enum": ["year", "month", "day"]},
    },
}
_ID = {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$"}
_RECORD = {
    "type": "object",
    "required": ["kind", "id", "name", "page", "fields"],
    "properties": {
        "kind": {"enum": KINDS},
        "id": _ID,
        "name": {"type": "string", "minLength": 1},
        "page": {"type": "string", "pattern": r"^[a-z]+/[a-z0-9-]+/$"},
        "fields": {"type": "object"},
    },
}
_RELATION = {
    "type": "object",
    "required": ["type", "from", "to"],
    "additionalProperties": False,
    "properties": {
        "type": {
            "enum": [
                "member_of",
                "part_of",
                "located_in",
                "office",
                "participant",
                "held_at",
                "about",
                "reports",
                "translation_of",
            ]
        },
        "from": _ID,
        "to": _ID,
        "role": {"type": "string"},
        "title": {"type": "string"},
        "language": {"type": "string"},
        "since": _DATED,
        "until": _DATED,
        "date": _DATED,
    },
}
_MENTION = {
    "type": "object",
    "required": ["target", "source", "paragraph", "anchor", "shown", "sentence", "explicit"],
    "additionalProperties": False,
    "properties": {
        "target": _ID,
        "source": _ID,
        "paragraph": {"type": "integer", "minimum": 1},
        "anchor": {"type": "string", "pattern": r"^p-\d+$"},
        "shown": {"type": "string"},
        "sentence": {"type": "string"},
        "explicit": {"type": "boolean"},
    },
}
_QUOTE = {
    "type": "object",
    "required": ["source", "paragraph", "anchor", "by", "text", "event", "topics"],
    "additionalProperties": False,
    "properties": {
        "source": _ID,
        "paragraph": {"type": "integer", "minimum": 1},
        "anchor": {"type": "string", "pattern": r"^p-\d+$"},
        "by": {"type": "array", "items": _ID, "minItems": 1},
        "text": {"type": "string", "minLength": 1},
        "event": {"oneOf": [_ID, {"type": "null"}]},
        "topics": {"type": "array", "items": _ID},
    },
}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "corpus.schema.json",
    "title": "An annotated corpus: its records, their relations, mentions and quotes",
    "type": "object",
    "required": ["$schema", "version", "records", "relations", "mentions", "quotes"],
    "additionalProperties": False,
    "properties": {
        "$schema": {"type": "string"},
        "version": {"const": FORMAT_VERSION},
        "records": {"type": "array", "items": _RECORD},
        "relations": {"type": "array", "items": _RELATION},
        "mentions": {"type": "array", "items": _MENTION},
        "quotes": {"type": "array", "items": _QUOTE},
    },
}
RECORD_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "record.schema.json",
    "title": "One record with its relations, mentions and quotes",
    "type": "object",
    "required": [*_RECORD["required"], "relations", "mentions", "quotes"],
    "properties": {
        **_RECORD["properties"],  # type: ignore[dict-item]
        "$schema": {"type": "string"},
        "relations": {"type": "array", "items": _RELATION},
        "mentions": {"type": "array", "items": _MENTION},
        "quotes": {"type": "array", "items": _QUOTE},
    },
}
