"""Atom feeds (generator/feeds.py): well-formed whatever the corpus holds, newest first,
links that resolve, times from the corpus; and the hostile corpus shared with the
structured-data tests."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import pytest

from generator import feeds
from generator.corpus import Corpus
from generator.problems import Severity
from generator.site import check
from site_tests.conftest import ROOT

SEED = ROOT / "content"
ATOM = "{http://www.w3.org/2005/Atom}"
NAME = "Test site"

# --- a corpus of hostile strings -----------------------------------------------------------------

HOSTILE = '</script><script>alert("x")</script> a, "b" \'c\'\nd & <!-- e'
SPOT = 'Spot, "quoted"'
FORMULA = '=HYPERLINK("http://evil/")'
BELL = "Bell\x01 event"  # a character XML 1.0 cannot hold


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are YAML)."""
    return json.dumps(text)


HOSTILE_FILES = {
    "countries/iran.md": f"---\nname: Iran\niso: IR\nwikidata: Q794\nsummary: {_q(HOSTILE)}\n---\n",
    "organizations/evil.md": (
        f"---\nname: {_q('@SUM(1+1)')}\nshort: {_q('=CMD')}\nkind: {_q('-2+3')}\n"
        f"members:\n  - {{id: iran, since: 2021-09, role: {_q('-leader')}}}\n---\n"
    ),
    "people/mallory.md": (
        f"---\nname: Mallory\nsummary: {_q(HOSTILE)}\nroles:\n"
        f"  - {{title: {_q('=Boss</script>')}, of: evil, since: 2020, until: 2021-03}}\n"
        "  - {title: Adviser}\n---\n"
    ),
    "places/spot.md": f"---\nname: {_q(SPOT)}\ncountry: iran\ncoordinates: [35.7, 51.4]\n---\n",
    "topics/bad-topic.md": f"---\nname: {_q('</script>')}\n---\n",
    "events/evil-event.md": (
        f"---\ntitle: {_q(HOSTILE)}\ndate: 2021-09\nplace: spot\nparticipants:\n  - iran\n"
        f"  - {{id: evil, role: {_q('=host')}}}\n  - {{id: mallory, role: {_q('</script>')}}}\n"
        "topics: [bad-topic]\n---\n"
    ),
    "events/span.md": (
        f"---\ntitle: {_q(FORMULA)}\nstart: 2021\nend: 2022\npart_of: evil-event\nsummary: {_q(BELL)}\n---\n"
    ),
    "sources/src.md": (
        f"---\ntitle: {_q(HOSTILE)}\npublished: 2021-10-28\npublisher: {_q('Evil & Co <b>')}\nauthor: mallory\n"
        f"url: {_q('https://example.org/a?b=1&c=2')}\nrights: {_q(HOSTILE)}\nreports: [evil-event, span]\n"
        f"topics: [bad-topic]\nquotes:\n  - by: [iran, mallory]\n    text: {_q('x < y & z, said')}\n"
        "    event: evil-event\n---\n"
        "[[iran|Iran </script>]] said that x < y & z, said [[mallory]] at [[evil-event]].\n\n"
        "A second paragraph names [[spot]].\n"
    ),
}


def hostile_corpus(tmp: Path) -> Corpus:
    """A small valid corpus whose strings try to break JSON, CSV, XML and HTML."""
    content = tmp / "content"
    for rel, text in HOSTILE_FILES.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text, encoding="utf-8")
    corpus, problems = check(content, tmp)
    assert [p.format() for p in problems if p.severity is Severity.ERROR] == []
    assert corpus is not None
    return corpus


def seed_corpus() -> Corpus:
    corpus, problems = check(SEED)
    assert [p.format() for p in problems if p.severity is Severity.ERROR] == []
    assert corpus is not None
    return corpus


@pytest.fixture(scope="module")
def seed() -> Corpus:
    return seed_corpus()


def test_hostile_strings_survive_the_feeds(tmp_path: Path) -> None:
    corpus = hostile_corpus(tmp_path)
    for site_url in (None, "https://example.org/site/"):
        out = feeds.feeds(corpus, NAME, site_url)
        for path, data in out.items():
            root = ET.fromstring(data)  # well-formed, or this raises
            assert root.tag == f"{ATOM}feed", path
        entries = ET.fromstring(out["feeds/all.xml"]).findall(f"{ATOM}entry")
        titles = [e.findtext(f"{ATOM}title") for e in entries]
        assert titles.count(HOSTILE) == 2 and FORMULA in titles
        summaries = [e.findtext(f"{ATOM}summary") for e in entries]
        assert "Bell event" in summaries  # the control character is dropped, the rest kept
        topic = ET.fromstring(out["feeds/topics/bad-topic.xml"])
        assert topic.findtext(f"{ATOM}title") == f"{NAME}: </script>"
        assert "<script" not in out["feeds/all.xml"]


# --- feeds ---------------------------------------------------------------------------------------


def _entries(data: str) -> list[ET.Element]:
    return ET.fromstring(data).findall(f"{ATOM}entry")


def _href(entry: ET.Element) -> str:
    link = entry.find(f"{ATOM}link")
    assert link is not None
    return link.attrib["href"]


def _corpus_moments(corpus: Corpus) -> set[str]:
    moments = set()
    for record in corpus.records.values():
        for name in ("date", "start", "published"):
            value = getattr(record.front, name, None)
            if value is not None:
                moments.add(f"{value.first_day().isoformat()}T00:00:00+00:00")
    return moments


def test_the_feeds_there_are(seed: Corpus) -> None:
    out = feeds.feeds(seed, NAME)
    expected = {"feeds/all.xml"} | {
        f"feeds/{r.kind}/{r.id}.xml" for r in seed.records.values() if r.kind in feeds.FEED_KINDS
    }
    assert set(out) == expected
    for path, data in out.items():
        root = ET.fromstring(data)
        assert root.tag == f"{ATOM}feed", path
        assert root.findtext(f"{ATOM}id") and root.findtext(f"{ATOM}title") and root.findtext(f"{ATOM}updated")
        assert data.startswith("<?xml") and data.endswith("\n")


def test_all_feed_holds_the_newest_sources_and_events_newest_first(seed: Corpus) -> None:
    entries = _entries(feeds.feeds(seed, NAME, "https://example.org/")["feeds/all.xml"])
    dated = [r for r in seed.records.values() if r.kind in ("events", "sources")]
    assert len(entries) == min(feeds.FEED_SIZE, len(dated))
    updated = [e.findtext(f"{ATOM}updated") or "" for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert _href(entries[0]) == "https://example.org/sources/2024-10-03-joint-statement-critical-of-taliban/"
    assert entries[0].findtext(f"{ATOM}id") == _href(entries[0])
    assert {_href(e).split("/")[3] for e in entries} == {"events", "sources"}


def test_a_record_feed_holds_the_sources_mentioning_it_and_its_events(seed: Corpus) -> None:
    entries = _entries(feeds.feeds(seed, NAME)["feeds/people/wang-yi.xml"])
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert "urn:corpus:events:quad-meeting-2021" in ids
    assert "urn:corpus:sources:2021-10-28-united-front-against-taliban" in ids
    assert all(i and i.startswith("urn:corpus:") for i in ids)
    expected = {p.event for p in seed.participations["wang-yi"]} | {
        b.source for b in seed.backlinks["wang-yi"] if seed.records[b.source].kind == "sources"
    }
    assert {i.rsplit(":", 1)[1] for i in ids if i} == expected
    place = [e.findtext(f"{ATOM}id") for e in _entries(feeds.feeds(seed, NAME)["feeds/places/dushanbe.xml"])]
    assert "urn:corpus:events:sco-summit-2021" in place


@pytest.mark.parametrize("limit", [0, 1, 2, 5, 1000])
def test_a_feed_of_the_newest_few_is_the_head_of_the_whole_list(seed: Corpus, limit: int) -> None:
    for record in seed.records.values():
        assert feeds.feed_items(seed, record, limit) == feeds.feed_items(seed, record)[:limit], record.id


def test_relative_links_resolve_from_the_feed_to_the_pages(seed: Corpus) -> None:
    base = "https://example.org/site/"
    relative, absolute = feeds.feeds(seed, NAME), feeds.feeds(seed, NAME, base)
    for path in ("feeds/all.xml", "feeds/countries/iran.xml", "feeds/topics/terrorism.xml"):
        here = urljoin(base, path)
        rel_links = [urljoin(here, _href(e)) for e in _entries(relative[path])]
        abs_links = [_href(e) for e in _entries(absolute[path])]
        assert rel_links == abs_links and rel_links
        assert all(link.startswith(base) and link.endswith("/") for link in abs_links)
        for link in ET.fromstring(relative[path]).findall(f"{ATOM}link"):
            resolved = urljoin(here, link.attrib["href"])
            assert resolved in (here, base, *(base + r.kind + "/" + r.id + "/" for r in seed.records.values()))


def test_feed_times_come_from_the_corpus_never_the_clock(seed: Corpus) -> None:
    moments = _corpus_moments(seed)
    for path, data in feeds.feeds(seed, NAME).items():
        text = data
        found = re.findall(r"<(?:updated|published)>([^<]*)</", text)
        assert found and set(found) <= moments, path
        assert "python-feedgen" not in text and "lastBuildDate" not in text


def test_the_engine_gives_the_same_feeds_and_remakes_only_changed_ones(tmp_path: Path) -> None:
    """While serving, a feed is made again only when what it read changed, and the feeds are
    always those a fresh build writes."""
    import shutil

    from generator.incremental import Engine
    from generator.site import SiteInfo, generate

    content = tmp_path / "content"
    shutil.copytree(SEED, content)
    templates = ROOT / "templates"
    engine = Engine(content, templates, tmp_path, SiteInfo())
    before = dict(engine.update().files)
    source = content / "sources" / "2021-09-16-china-russia-enlarge-afghan-alliance.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("\ntitle: ", "\ntitle: Edited ", 1), encoding="utf-8")
    warm = engine.update()
    fresh = generate(content, templates, tmp_path)
    assert dict(warm.files) == {p: t for p, t in fresh.files.items() if p.startswith("feeds/")}
    after = dict(warm.files)
    rewritten = {p for p in after if after[p] != before.get(p)}
    showing = {p for p, xml in after.items() if "Edited China" in xml}
    assert rewritten == showing == {p for p in warm.changed if p.startswith("feeds/")}
    assert "feeds/all.xml" in showing and "feeds/countries/china.xml" in showing
    assert len(rewritten) < len(after) / 2
