"""A much-mentioned record: its page lists the newest mentions and links to every mention,
split into pages; the whole synthetic site builds strictly with every link resolved."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from pathlib import Path

import pytest

from generator import pages
from generator.corpus import Corpus
from generator.site import Generated, generate
from generator.tools.synthetic import write_corpus
from site_tests.conftest import ROOT, build_site
from site_tests.links import broken_links


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic")
    write_corpus(root / "content", 30)
    return root


# lists cut much shorter than the site's, so that 30 sources fill several pages of each
LIMITS = {
    "QUOTES_SHOWN": 3,
    "QUOTES_ON_INDEX": 10,
    "QUOTES_PER_PAGE": 7,
    "INDEX_PER_PAGE": 4,
    "TIMELINE_INLINE": 3,
    "LIST_SHOWN": 1,
    "MENTIONS_PER_PAGE": 10,  # more pages than a pager shows
}


@pytest.fixture(scope="module")
def limited(synthetic: Path) -> Generated:
    """The synthetic corpus generated once with every list limit of LIMITS (they cut
    different lists, so one run serves the tests of each)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in LIMITS.items():
            patch.setattr(pages, name, value)
        result = generate(synthetic / "content", ROOT / "templates", synthetic)
    assert result.ok and result.corpus is not None
    return result


def _listed(markdown: str) -> list[str]:
    """The paragraphs a page's mention list links to (relative prefixes dropped)."""
    found = re.findall(r'^- “.*” <a class="passage" href="([^"]*)">¶ \d+</a>$', markdown, flags=re.M)
    return [link.lstrip("./") for link in found]


def _mentions_in_the_texts(corpus: Corpus, record_id: str) -> Counter[tuple[str, int]]:
    """(text, paragraph) of every mention of the record in the other records' texts, read
    from the parsed texts themselves (not from what the pages were planned from)."""
    return Counter(
        (text_id, block.number)
        for text_id, text in corpus.texts.items()
        if text is not None and text_id != record_id
        for block, segment, _offset in text.mentions()
        if segment.target == record_id
    )


def _where(link: str) -> tuple[str, int]:
    found = re.match(r"[a-z]+/([^/#]+)/#p-(\d+)", link)
    assert found, link
    return found.group(1), int(found.group(2))


def test_every_mention_is_listed_once_across_the_mention_pages(synthetic: Path) -> None:
    result = generate(synthetic / "content", ROOT / "templates", synthetic)
    assert result.ok and result.corpus is not None
    paged = sorted({p.rsplit("/mentions/", 1)[0] for p in result.pages if "/mentions/" in p})
    assert paged, "the synthetic corpus has a record mentioned more than BACKLINKS_SHOWN times"
    for stem in paged:
        record_page = result.pages[stem + ".md"]
        parts = sorted(
            (p for p in result.pages if p.startswith(stem + "/mentions/")),
            key=lambda p: int(p.rsplit("/", 1)[1][:-3]),
        )
        assert len(_listed(record_page)) == pages.BACKLINKS_SHOWN
        expected = _mentions_in_the_texts(result.corpus, stem.rsplit("/", 1)[1])
        total = sum(expected.values())
        assert f"{total} mentions in the texts" in record_page
        listed = [link for part in parts for link in _listed(result.pages[part])]
        # each mention of the corpus once: none left out, none listed twice
        assert Counter(_where(link) for link in listed) == expected
        assert len(listed) == total
        assert all(len(_listed(result.pages[p])) <= pages.MENTIONS_PER_PAGE for p in parts)
        assert f"[all {total} on {len(parts)} pages](" in record_page
        # the record's page shows the first (newest) mentions, the same as the first list page
        shown = min(pages.BACKLINKS_SHOWN, pages.MENTIONS_PER_PAGE)
        assert _listed(record_page)[:shown] == _listed(result.pages[parts[0]])[:shown]


def _quoted(markdown: str) -> list[str]:
    """The passages a page's quote blocks link to (relative prefixes dropped)."""
    found = re.findall(r'^> — .*<a class="passage" href="([^"]*)">¶ \d+</a>\)$', markdown, flags=re.M)
    return [link.lstrip("./") for link in found]


def test_long_quote_lists_show_the_newest_and_link_to_all_on_pages(limited: Generated) -> None:
    result = limited
    assert result.corpus is not None
    everything = [f"{q.source}/#p-{q.paragraph}" for q in result.corpus.quotes]
    for stem, shown in [("", 10), *((r.page[:-3], 3) for r in result.corpus.records.values())]:
        page = result.pages[f"{stem}.md" if stem else "quotes.md"]
        parts = sorted(
            (p for p in result.pages if p.startswith(f"{stem}/quotes/" if stem else "quotes/")),
            key=lambda p: int(p.rsplit("/", 1)[1][:-3]),
        )
        listed = [link for part in parts for link in _quoted(result.pages[part])]
        if not parts:
            assert len(_quoted(page)) <= shown, stem
            continue
        assert all(len(_quoted(result.pages[p])) <= 7 for p in parts)
        assert f"the newest {shown} are here, [all {len(listed)} on {len(parts)} pages](" in page, stem
        assert _quoted(page) == listed[-shown:]  # the newest, as the last page ends
        if not stem:
            assert [link.split("/", 1)[1].split(":~:")[0] for link in listed] == everything
    assert any("/quotes/" in p and not p.startswith("quotes/") for p in result.pages)


@pytest.mark.slow
def test_the_synthetic_site_builds_strictly_and_its_links_resolve(synthetic: Path, tmp_path: Path) -> None:
    site = build_site(tmp_path, synthetic / "content")
    assert list(site.glob("*/*/mentions/2/index.html"))
    assert broken_links(site) == []


def _md_links_resolve(result_pages: dict[str, str], path: str) -> list[str]:
    """The relative .md links of a generated page that name no generated page."""
    missing = []
    for link in re.findall(r"\]\(([^)\s#]+\.md)", result_pages[path]):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), link))
        if target not in result_pages:
            missing.append(link)
    return missing


def test_long_indexes_and_timelines_are_split_into_pages(limited: Generated) -> None:
    result = limited
    assert result.corpus is not None
    for kind in ("sources", "events", "people"):
        paths = [f"{kind}/index.md"] + sorted(
            (p for p in result.pages if p.startswith(f"{kind}/pages/")), key=lambda p: int(p.rsplit("/", 1)[1][:-3])
        )
        records = [r for r in result.corpus.records.values() if r.kind == kind]
        assert len(paths) == -(-len(records) // 4) > 1, kind
        listed = [
            posixpath.basename(link)[:-3]
            for path in paths
            for link in re.findall(r"^\| [^|]*\| ?\[[^\]]*\]\(([^) ]+\.md)", result.pages[path], flags=re.M)
            + re.findall(r"^\| \[[^\]]*\]\(([^) ]+\.md)", result.pages[path], flags=re.M)
        ]
        assert sorted(listed) == sorted(r.id for r in records), kind
        for path in paths:
            assert f"{len(records)} in all" in result.pages[path] and "Pages: " in result.pages[path]
            assert _md_links_resolve(dict(result.pages), path) == []
    years = sorted(p for p in result.pages if p.startswith("timeline/"))
    events = [r.id for r in result.corpus.records.values() if r.kind == "events"]
    on_year_pages = [
        posixpath.basename(link)[:-3]
        for path in years
        for link in re.findall(r"^- \*\*[^*]*\*\* — \[[^\]]*\]\(([^) ]+\.md)", result.pages[path], flags=re.M)
    ]
    assert sorted(on_year_pages) == sorted(events)
    assert "— [" not in result.pages["timeline.md"]  # the timeline page only links to the years
    for path in ["timeline.md", *years]:
        assert _md_links_resolve(dict(result.pages), path) == []


def test_long_event_lists_show_the_newest_and_point_to_the_full_data(limited: Generated) -> None:
    result = limited
    assert result.corpus is not None
    corpus = result.corpus
    busy = [r for r in corpus.records.values() if len(corpus.participations.get(r.id, ())) > 1]
    assert busy
    for record in busy:
        page = result.pages[record.page]
        section = page.split("## Events\n", 1)[1].split("\n## ", 1)[0]
        listed = re.findall(r"^- .*?\]\(([^) ]+\.md)", section, flags=re.M)
        newest = [p.event for p in corpus.participations[record.id]][-1:]
        assert [posixpath.basename(link)[:-3] for link in listed] == newest, record.id
        assert f"data/{record.kind}/{record.id}.json)" in section
        assert f"data/{record.kind}/{record.id}.json" in result.files
    quiet = [r for r in corpus.records.values() if len(corpus.participations.get(r.id, ())) == 1
             and len(corpus.events_at.get(r.id, ())) <= 1 and not corpus.tagged.get(r.id, ())]
    assert quiet
    for record in quiet:
        assert "The newest are listed here" not in result.pages[record.page], record.id


@pytest.mark.parametrize(
    ("count", "current", "shown"),
    [
        (1, 1, [1]),
        (3, 2, [1, 2, 3]),
        (7, 4, [1, 2, 3, 4, 5, 6, 7]),  # no gap to leave out
        (7, 1, [1, 2, 3, None, 7]),
        (8, 5, [1, 2, 3, 4, 5, 6, 7, 8]),  # a gap of one number shows the number
        (700, 7, [1, None, 5, 6, 7, 8, 9, None, 700]),
        (700, 1, [1, 2, 3, None, 700]),
        (700, 700, [1, None, 698, 699, 700]),
    ],
)
def test_a_pager_shows_the_ends_and_the_neighbours(count: int, current: int, shown: list[int | None]) -> None:
    assert pages.pager_numbers(count, current) == shown


def test_every_mention_page_is_reached_through_the_pagers(limited: Generated) -> None:
    result = limited
    stems = sorted({p.rsplit("/mentions/", 1)[0] for p in result.pages if "/mentions/" in p})
    many = max(stems, key=lambda s: sum(p.startswith(s + "/mentions/") for p in result.pages))
    parts = {p for p in result.pages if p.startswith(many + "/mentions/")}
    assert len(parts) > 2 * pages.PAGER_AROUND + 3, "a record with more pages than a pager shows"
    seen, todo = set(), [f"{many}/mentions/1.md"]
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        pager = next(line for line in result.pages[page].splitlines() if line.startswith("Pages: "))
        links = re.findall(r"\]\(([^)]+)\)", pager)
        assert len(links) <= 2 * pages.PAGER_AROUND + 3, pager  # not one link per page
        folder = posixpath.dirname(page)
        for link in links:
            target = posixpath.normpath(posixpath.join(folder, link))
            todo.append(target if target.endswith(".md") else target + ".md")
    assert seen == parts
