"""The hostile fixture corpus (site_tests/fixtures/hostile/: markup, script, Markdown and
spreadsheet formulas in every field) through the open data and the feeds: the JSON stays
valid and keeps each string as written, no CSV cell starts a formula, the Atom stays
well-formed and holds the strings as text, never as elements."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from generator import feeds, opendata
from generator.corpus import Corpus
from generator.problems import Severity
from generator.site import check
from site_tests.conftest import FIXTURES

HOSTILE = FIXTURES / "hostile" / "content"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ATOM = "{http://www.w3.org/2005/Atom}"
ATOM_ELEMENTS = {
    "feed", "id", "title", "updated", "author", "name", "link", "generator", "entry", "summary",
    "category", "published", "subtitle", "uri", "content", "rights",
}  # fmt: skip


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    corpus, problems = check(HOSTILE)
    assert [p.format() for p in problems if p.severity is Severity.ERROR] == []
    assert corpus is not None
    return corpus


@pytest.fixture(scope="module")
def files(corpus: Corpus) -> dict[str, str]:
    return opendata.data_files(corpus)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_the_json_is_valid_and_holds_each_string_as_written(corpus: Corpus, files: dict[str, str]) -> None:
    documents = {path: json.loads(text) for path, text in files.items() if path.endswith(".json")}
    document = documents["data/corpus.json"]
    jsonschema.validate(document, documents["data/corpus.schema.json"], cls=jsonschema.Draft202012Validator)
    names = {record["id"]: record["name"] for record in document["records"]}
    assert names == {record.id: record.name for record in corpus.records.values()}
    assert names["iran"] == "Iran</title><script>alert('title')</script>"  # as written, not escaped twice
    validator = jsonschema.Draft202012Validator(documents["data/record.schema.json"])
    for record in corpus.records.values():
        own = documents[f"data/{record.kind}/{record.id}.json"]
        validator.validate(own)
        assert own["name"] == record.name
    strings = set(_strings(document))
    for written in (
        "Eve <script>alert('author')</script> & Co",  # a plain-text author
        "<script>alert('event summary')</script> [click](javascript:alert('event summary')) "
        "{: onclick=\"alert('attr')\" }",  # an event's summary
        "<svg onload=alert('person alias')>",  # an alias
        "=1+1 said Iran",  # a quote, unneutralised in JSON (no spreadsheet reads it)
    ):
        assert written in strings, written


def test_no_csv_cell_starts_a_formula(corpus: Corpus, files: dict[str, str]) -> None:
    tables = {path: list(csv.reader(io.StringIO(text))) for path, text in files.items() if path.endswith(".csv")}
    assert set(tables) == {"data/events.csv", "data/records.csv", "data/memberships.csv", "data/quotes.csv"}
    for path, rows in tables.items():
        width = len(rows[0])
        for row in rows:
            assert len(row) == width, (path, row)  # quotes and commas in values split no row
            for cell in row:
                assert not cell.startswith(FORMULA_START), (path, cell)
    assert len(tables["data/events.csv"]) == 1 + len(corpus.of_kind("events"))
    assert len(tables["data/records.csv"]) == 1 + len(corpus.records)
    cells = {cell for rows in tables.values() for row in rows for cell in row}
    for neutral in (
        "'=1+1",  # an event's kind
        "'-2+3+cmd|' /C calc'!A0",  # an event's title
        '\'=HYPERLINK("http://evil.example/","click")',  # a place's name
        "'@SUM(1+1)*cmd|' /C calc'!A0",  # its summary
        "'=1+1 said Iran",  # a quote
    ):
        assert neutral in cells, neutral
    assert 'meeting" onfocus="alert(1)' in cells  # text that is no formula stays as written


@pytest.mark.parametrize("site_url", [None, "https://example.org/site/"])
def test_the_feeds_stay_well_formed_and_hold_the_strings_as_text(corpus: Corpus, site_url: str | None) -> None:
    out = feeds.feeds(corpus, "Site <b>name</b>", site_url)
    assert "feeds/all.xml" in out and "feeds/people/mallory.xml" in out
    texts: set[str] = set()
    for path, data in out.items():
        root = ET.fromstring(data)  # well-formed, or this raises
        assert root.tag == f"{ATOM}feed", path
        for element in root.iter():
            assert element.tag.startswith(ATOM) and element.tag[len(ATOM) :] in ATOM_ELEMENTS, (path, element.tag)
            texts.update(t for t in (element.text, *element.attrib.values()) if t)
        for entry in root.iter(f"{ATOM}entry"):
            for link in entry.iter(f"{ATOM}link"):
                assert not link.attrib["href"].lower().startswith(("javascript:", "data:")), path
    entries = {  # by the page each links to
        entry.find(f"{ATOM}link").attrib["href"].rstrip("/").rsplit("/", 1)[-1]: entry  # type: ignore[union-attr]
        for entry in ET.fromstring(out["feeds/all.xml"]).iter(f"{ATOM}entry")
    }
    assert set(entries) == {"hostile-text", "plain-author", "attack", "formula-event"}
    hostile = entries["hostile-text"]
    assert hostile.findtext(f"{ATOM}title") == "Headline </title><script>alert('headline')</script> & more"
    plain = entries["plain-author"]
    assert plain.findtext(f"{ATOM}author/{ATOM}name") == "Eve <script>alert('author')</script> & Co"
    attack = entries["attack"]
    assert attack.find(f"{ATOM}summary").attrib["type"] == "text"  # type: ignore[union-attr]
    assert attack.findtext(f"{ATOM}summary", "").startswith("<script>alert('event summary')</script>")
    assert "Site <b>name</b>: latest events and sources" in texts
    assert "XSS {#id .class onclick='alert(1)'}" in texts  # a topic's name, as a category label
