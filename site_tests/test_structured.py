"""schema.org JSON-LD for record pages, and the script element that carries it safely."""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from generator.corpus import Corpus
from generator.structured import SCHEMA_TYPES, json_ld, script_json, script_tag
from site_tests.test_feeds import FORMULA, HOSTILE, hostile_corpus, seed_corpus

SITE = "https://example.org/site/"


@pytest.fixture(scope="module")
def seed() -> Corpus:
    return seed_corpus()


def ld(corpus: Corpus, record_id: str, site: str = SITE) -> dict[str, Any]:
    record = corpus.records[record_id]
    return json_ld(corpus, record, f"{site}{record.kind}/{record.id}/")


def node_id(kind: str, record_id: str) -> str:
    return f"{SITE}{kind}/{record_id}/#id"


def ids(nodes: Any) -> list[str]:
    nodes = nodes if isinstance(nodes, list) else [nodes]
    return [n["@id"] for n in nodes]


def unwrap(nodes: list[dict[str, Any]], key: str) -> list[tuple[str, str | None]]:
    """(id, role) of each node, looking inside schema.org Role wrappers."""
    found = []
    for node in nodes:
        if node["@type"] in ("Role", "OrganizationRole"):
            found.append((node[key]["@id"], node.get("roleName")))
        else:
            found.append((node["@id"], None))
    return found


def _event(data: dict[str, Any]) -> None:
    assert data["startDate"] == "2021-09-16" and "endDate" not in data
    location = data["location"]
    assert location["@type"] == "Place" and location["name"] == "Dushanbe"
    assert location["geo"] == {"@type": "GeoCoordinates", "latitude": 38.5598, "longitude": 68.787}
    assert location["containedInPlace"]["@id"] == node_id("countries", "tajikistan")
    assert (node_id("people", "sergey-lavrov"), "Foreign Minister") in unwrap(data["performer"], "performer")
    assert (node_id("countries", "china"), None) in unwrap(data["attendee"], "attendee")
    assert data["superEvent"]["@id"] == node_id("events", "sco-summit-2021")
    assert data["superEvent"]["@type"] == "Event"
    assert node_id("topics", "terrorism") in ids(data["about"])
    assert data["about"][0]["@type"] == "DefinedTerm"
    assert data["alternateName"] == "four-way discussions"


def _span(data: dict[str, Any]) -> None:
    assert (data["startDate"], data["endDate"]) == ("2024-09-24", "2024-09-30")
    assert data["location"]["@id"] == node_id("places", "new-york")


def _country(data: dict[str, Any]) -> None:
    assert data["identifier"] == "IR"
    assert data["sameAs"] == "https://www.wikidata.org/wiki/Q794"
    assert node_id("places", "tehran") in ids(data["containsPlace"])


def _place(data: dict[str, Any]) -> None:
    assert data["geo"]["@type"] == "GeoCoordinates"
    assert (data["geo"]["latitude"], data["geo"]["longitude"]) == (38.5598, 68.787)
    assert data["containedInPlace"] == {
        "@type": "Country", "@id": node_id("countries", "tajikistan"), "name": "Tajikistan",
        "url": f"{SITE}countries/tajikistan/",
    }


def _organization(data: dict[str, Any]) -> None:
    assert data["alternateName"][0] == "CSTO"
    members = data["member"]
    assert all(m["@type"] == "OrganizationRole" for m in members)
    russia = next(m for m in members if m["member"]["@id"] == node_id("countries", "russia"))
    assert russia["roleName"] == "leading member" and russia["startDate"] == "2002-10-07"
    assert "endDate" not in russia


def _child_organization(data: dict[str, Any]) -> None:
    assert data["parentOrganization"]["@id"] == node_id("organizations", "isis")
    assert data["parentOrganization"]["@type"] == "Organization"


def _person(data: dict[str, Any]) -> None:
    assert data["jobTitle"] == "Foreign Minister"
    spans = [(a["affiliation"]["@id"], a["startDate"], a.get("endDate")) for a in data["affiliation"]]
    assert spans == [
        (node_id("countries", "china"), "2013-03-16", "2022-12-30"),
        (node_id("countries", "china"), "2023-07-25", None),
    ]
    assert all(a["@type"] == "OrganizationRole" for a in data["affiliation"])
    assert data["hasOccupation"][0]["hasOccupation"] == {"@type": "Occupation", "name": "Foreign Minister"}
    assert data["hasOccupation"][0]["startDate"] == "2013-03-16"


def _source(data: dict[str, Any]) -> None:
    assert data["headline"].startswith("China, Iran, Pakistan and Russia")
    assert data["datePublished"] == "2024-10-03"
    assert data["publisher"]["@type"] == "Organization" and data["publisher"]["name"] == "Global Research"
    assert data["author"]["@type"] == "Person" and data["author"]["name"] == "Andrew Korybko"
    assert data["copyrightNotice"] == "Copyright © Andrew Korybko, Global Research, 2024"
    assert data["inLanguage"] == "en"
    mentioned = ids(data["mentions"])
    assert node_id("countries", "china") in mentioned and node_id("organizations", "taliban") in mentioned
    assert len(mentioned) == len(set(mentioned))
    assert node_id("events", "quad-meeting-2024") in ids(data["about"])
    assert data["url"] == f"{SITE}sources/2024-10-03-joint-statement-critical-of-taliban/"


def _topic(data: dict[str, Any]) -> None:
    assert data["termCode"] == "terrorism"
    assert data["inDefinedTermSet"]["url"] == f"{SITE}topics/"
    assert node_id("events", "quad-meeting-2021") in ids(data["subjectOf"])


CASES: list[tuple[str, str, Callable[[dict[str, Any]], None]]] = [
    ("quad-meeting-2021", "Event", _event),
    ("unga-79", "Event", _span),
    ("iran", "Country", _country),
    ("dushanbe", "Place", _place),
    ("csto", "Organization", _organization),
    ("isis-k", "Organization", _child_organization),
    ("wang-yi", "Person", _person),
    ("2024-10-03-joint-statement-critical-of-taliban", "NewsArticle", _source),
    ("terrorism", "DefinedTerm", _topic),
]


@pytest.mark.parametrize(("record_id", "schema_type", "checks"), CASES, ids=[c[0] for c in CASES])
def test_json_ld_per_kind(seed: Corpus, record_id: str, schema_type: str, checks: Callable[[dict[str, Any]], None]) -> None:
    data = ld(seed, record_id)
    record = seed.records[record_id]
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == schema_type == SCHEMA_TYPES[record.kind]
    assert data["@id"] == node_id(record.kind, record_id)
    assert data["url"] == f"{SITE}{record.kind}/{record_id}/"
    assert data["name"] == record.name
    if record.summary:
        assert data["description"] == record.summary
    checks(data)


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def test_every_record_has_clean_json_ld(seed: Corpus) -> None:
    for record in seed.records.values():
        data = ld(seed, record.id)
        assert json.loads(json.dumps(data)) == data  # JSON through and through
        for node in _walk(data):
            assert all(v is not None and v != [] and v != "" for v in node.values()), (record.id, node)
            if "url" in node:
                assert node["url"].startswith(SITE), (record.id, node)
        assert ld(seed, record.id) == data  # deterministic


def test_a_relative_page_url_gives_relative_references(seed: Corpus) -> None:
    record = seed.records["quad-meeting-2021"]
    data = json_ld(seed, record, "../../events/quad-meeting-2021/")
    assert data["url"] == "../../events/quad-meeting-2021/"
    assert data["superEvent"]["url"] == "../../events/sco-summit-2021/"
    other = json_ld(seed, record, "/quad/")  # a URL not shaped like the site's: relative to the page
    assert other["superEvent"]["url"] == "../../events/sco-summit-2021/"


def test_partial_dates_keep_their_precision(tmp_path: Path) -> None:
    corpus = hostile_corpus(tmp_path)
    assert ld(corpus, "evil-event")["startDate"] == "2021-09"
    span = ld(corpus, "span")
    assert (span["startDate"], span["endDate"]) == ("2021", "2022")
    assert span["superEvent"]["@id"] == node_id("events", "evil-event")
    mallory = ld(corpus, "mallory")
    assert mallory["affiliation"][0]["startDate"] == "2020"
    assert mallory["affiliation"][0]["endDate"] == "2021-03"
    assert mallory["jobTitle"] == ["=Boss</script>", "Adviser"]
    source = ld(corpus, "src")
    assert source["publisher"] == {"@type": "Organization", "name": "Evil & Co <b>"}  # plain text, no record
    assert source["citation"] == "https://example.org/a?b=1&c=2"
    assert source["copyrightNotice"] == HOSTILE


# --- the script element ---------------------------------------------------------------------------


class Scripts(HTMLParser):
    """Collects what an HTML parser sees: the script elements and their text, and any other tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.tags: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self.tags.append("/" + tag)
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


HOSTILE_VALUES = [
    "</script><script>alert(1)</script>",
    "</SCRIPT >",
    "</script\n>",
    "<!--<script>",
    "]]></script>",
    "&lt;/script&gt; & &amp;",
    '" quotes \' and \\ backslash',
    "line\u2028separator\u2029paragraph",
    HOSTILE,
    FORMULA,
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_script_tag_cannot_be_escaped(value: str) -> None:
    data = {"@context": "https://schema.org", "@type": "Thing", "name": value, "list": [value, {"k": value}]}
    tag = script_tag(data)
    assert tag.startswith('<script type="application/ld+json">') and tag.endswith("</script>")
    inner = tag[len('<script type="application/ld+json">') : -len("</script>")]
    assert not any(c in inner for c in "<>&\u2028\u2029")
    assert json.loads(inner) == data  # the escapes mean the same characters
    assert inner == script_json(data)
    parsed = Scripts()
    parsed.feed(f"<html><head>{tag}</head><body><p>after</p></body></html>")
    parsed.close()
    assert parsed.tags == ["html", "head", "script", "/script", "/head", "body", "p", "/p", "/body", "/html"]
    assert len(parsed.scripts) == 1 and json.loads(parsed.scripts[0]) == data


def test_hostile_corpus_strings_stay_inside_the_script(tmp_path: Path) -> None:
    corpus = hostile_corpus(tmp_path)
    for record in corpus.records.values():
        data = ld(corpus, record.id)
        tag = script_tag(data)
        assert tag.count("<") == 2 and tag.lower().count("</script") == 1, record.id
        parsed = Scripts()
        parsed.feed(tag)
        parsed.close()
        assert parsed.tags == ["script", "/script"]
        assert json.loads(parsed.scripts[0]) == data
    event = ld(corpus, "evil-event")
    assert event["name"] == HOSTILE
    roles = {r["roleName"] for r in event["performer"] + event["attendee"] if r["@type"] == "Role"}
    assert roles == {"</script>", "=host"}


# --- in the built site ----------------------------------------------------------------------------

BUILT_PAGES = {
    "events/quad-meeting-2021": "Event",
    "sources/2021-10-28-united-front-against-taliban": "NewsArticle",
    "countries/iran": "Country",
    "places/dushanbe": "Place",
    "organizations/sco": "Organization",
    "people/wang-yi": "Person",
    "topics/terrorism": "DefinedTerm",
}


class Head(HTMLParser):
    """The JSON-LD scripts and the feed links of a built page's <head>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.json_ld: list[str] = []
        self.feeds: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")
        if tag == "link" and a.get("type") == "application/atom+xml" and "alternate" in (a.get("rel") or "").split():
            self.feeds.append(a.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        self._in_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.json_ld[-1] += data


def _head(site: Path, page: str) -> Head:
    parsed = Head()
    parsed.feed((site / page / "index.html").read_text(encoding="utf-8"))
    parsed.close()
    return parsed


@pytest.mark.slow
@pytest.mark.parametrize("page, schema_type", sorted(BUILT_PAGES.items()))
def test_built_pages_carry_their_json_ld_and_feeds(seed_site: Path, seed: Corpus, page: str, schema_type: str) -> None:
    head = _head(seed_site, page)
    assert len(head.json_ld) == 1, page
    data = json.loads(head.json_ld[0])  # parsed back from the HTML
    kind, record_id = page.split("/")
    assert data == json_ld(seed, seed.records[record_id], f"../../{page}/")
    assert data["@type"] == schema_type and data["url"] == f"../../{page}/"
    for node in _walk(data):  # every page it names is a page of the site
        if "url" in node and str(node["url"]).startswith("../../"):
            assert (seed_site / page / node["url"] / "index.html").resolve().is_file(), node["url"]
    assert head.feeds[0] == "../../feeds/all.xml"
    if kind in ("countries", "organizations", "people", "places", "topics"):
        assert head.feeds[1:] == [f"../../feeds/{kind}/{record_id}.xml"]
    else:
        assert head.feeds[1:] == []
    for href in head.feeds:
        assert (seed_site / page / href).resolve().is_file(), href


@pytest.mark.slow
def test_pages_that_are_not_records_have_no_json_ld(seed_site: Path) -> None:
    for page in ("timeline", "network", "countries"):
        head = _head(seed_site, page)
        assert head.json_ld == [] and head.feeds == ["../feeds/all.xml"], page


def test_long_lists_are_capped(seed: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import structured

    full = ld(seed, "terrorism")["subjectOf"]
    assert len(full) > 2
    monkeypatch.setattr(structured, "MAX_REFS", 2)
    assert ld(seed, "terrorism")["subjectOf"] == full[:2]
