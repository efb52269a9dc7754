"""`mkdocs serve` follows edits, survives broken files and shows their problems in the page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from site_tests.conftest import FIXTURES, ROOT
from site_tests.serving import fetch, serve, wait_for

pytestmark = pytest.mark.slow
SMALL = FIXTURES / "small" / "content"


def test_an_edit_shows_up_on_its_page_and_on_the_pages_it_feeds(tmp_path: Path) -> None:
    with serve(tmp_path, SMALL) as (base, content, _process):
        source = content / "sources" / "tehran-meeting.md"
        source.write_text(
            source.read_text(encoding="utf-8").replace(
                "He spoke about terrorism.", "He spoke about terrorism and Iran again."
            ),
            encoding="utf-8",
        )
        assert wait_for(lambda: "Iran</a> again." in fetch(base + "/sources/tehran-meeting/")[1], timeout=60)
        # the record the edit mentions gets the new backlink
        assert wait_for(
            lambda: (
                "He spoke about terrorism and <strong>Iran</strong> again."
                in fetch(base + "/countries/iran/")[1]
            ),
            timeout=60,
        )


def test_a_broken_file_keeps_the_last_good_site_and_shows_the_problem(tmp_path: Path) -> None:
    with serve(tmp_path, SMALL) as (base, content, process):
        place = content / "places" / "tehran.md"
        good = place.read_text(encoding="utf-8")
        place.write_text(good.replace("country: iran", "country: persia"), encoding="utf-8")
        assert wait_for(lambda: "unknown id" in fetch(base + "/")[1], timeout=60)
        status, page = fetch(base + "/places/tehran/")
        assert status == 200 and "Tehran" in page  # the last good page is still served
        assert "places/tehran.md:4:1" in page and "did you mean" in page
        assert process.poll() is None
        # a file that does not even parse
        place.write_text("---\nname: [Tehran\n---\n", encoding="utf-8")
        assert wait_for(lambda: "invalid YAML" in fetch(base + "/")[1], timeout=60)
        # the next good save recovers
        place.write_text(good, encoding="utf-8")
        assert wait_for(
            lambda: "unknown id" not in fetch(base + "/")[1] and "invalid YAML" not in fetch(base + "/")[1],
            timeout=60,
        )
        assert process.poll() is None


def test_a_broken_template_is_reported_not_fatal(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    with serve(tmp_path, SMALL, templates=templates) as (base, _content, process):
        timeline = templates / "pages" / "timeline.md.j2"
        good = timeline.read_text(encoding="utf-8")
        timeline.write_text(good + "\n{% if %}\n", encoding="utf-8")
        assert wait_for(lambda: "template syntax" in fetch(base + "/")[1], timeout=60)
        assert "timeline.md.j2" in fetch(base + "/")[1]
        assert fetch(base + "/timeline/")[0] == 200 and process.poll() is None
        timeline.write_text(good, encoding="utf-8")
        assert wait_for(lambda: "template syntax" not in fetch(base + "/")[1], timeout=60)


def test_serve_dirty_shows_an_edit_and_keeps_the_whole_search_index(tmp_path: Path) -> None:
    """`--dirty` rebuilds only the changed pages; Material's index would then hold only
    those, so the plugin keeps the one the first build wrote for the whole site."""
    with serve(tmp_path, SMALL, "--dirty") as (base, content, _process):
        index_url = base + "/search/search_index.json"
        before = {doc["location"] for doc in json.loads(fetch(index_url)[1])["docs"]}
        assert {"countries/iran/", "places/tehran/"} <= before
        source = content / "sources" / "tehran-meeting.md"
        source.write_text(
            source.read_text(encoding="utf-8").replace("He spoke about terrorism.", "He spoke about Iran again."),
            encoding="utf-8",
        )
        assert wait_for(lambda: "Iran</a> again." in fetch(base + "/sources/tehran-meeting/")[1], timeout=60)
        assert wait_for(lambda: "about <strong>Iran</strong> again." in fetch(base + "/countries/iran/")[1], timeout=60)
        after = {doc["location"] for doc in json.loads(fetch(index_url)[1])["docs"]}
        assert after == before
        # the open data follows too (its files are copied only when they change)
        assert "He spoke about Iran again." in fetch(base + "/data/corpus.json")[1]
        assert "He spoke about Iran again." in fetch(base + "/data/countries/iran.json")[1]
