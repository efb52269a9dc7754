"""`mkdocs serve`, as the README gives it (no flag), follows edits with MkDocs's dirty rebuild,
survives broken files, shows their problems in every page, and keeps its search index whole."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from site_tests.conftest import FIXTURES, ROOT, mkdocs_build
from site_tests.serving import fetch, serve, wait_for

pytestmark = pytest.mark.slow
SMALL = FIXTURES / "small" / "content"


def shows(url: str, text: str) -> bool:
    status, page = fetch(url)
    return status == 200 and text in page


def page(url: str) -> tuple[int, str]:
    """A served page without what the server adds to every response (livereload's build number)."""
    status, html = fetch(url)
    return status, re.sub(r"livereload\(\d+, ?\d+\)", "livereload()", html)


def problems(base: str) -> str:
    status, script = fetch(base + "/_corpus/problems.js")
    assert status == 200
    return script


def test_an_edit_shows_up_on_its_page_and_on_the_pages_it_feeds(tmp_path: Path) -> None:
    with serve(tmp_path, SMALL) as (base, content, process):
        untouched = page(base + "/countries/russia/")[1]
        source = content / "sources" / "tehran-meeting.md"
        source.write_text(
            source.read_text(encoding="utf-8").replace(
                "He spoke about terrorism.", "He spoke about terrorism and Iran again."
            ),
            encoding="utf-8",
        )
        assert wait_for(lambda: shows(base + "/sources/tehran-meeting/", "Iran</a> again."), timeout=60)
        # the record the edit mentions gets the new backlink
        assert wait_for(
            lambda: shows(base + "/countries/iran/", "He spoke about terrorism and <strong>Iran</strong> again."),
            timeout=60,
        )
        assert page(base + "/countries/russia/") == (200, untouched)  # its Markdown did not change
        assert process.poll() is None
        log = (tmp_path / "serve.log").read_text(encoding="utf-8")
        assert "'dirty' build" not in log  # the plugin arranged it; MkDocs's warning is not shown
        assert "not found among documentation files" not in log  # the open data stays linked
        assert "made " in log and "kept " in log  # the engine's line for each save
        assert "(file system events)" in log  # saves arrive as events, no folder is polled
        # the files were found as read when the watches began, so even the first save looks at
        # only what the events named
        assert re.search(r"read 1 file\(s\).*looked at 1 file\(s\) events named", log), log[-2000:]
        source.write_text(source.read_text(encoding="utf-8").replace("Iran again.", "Iran once more."), encoding="utf-8")
        assert wait_for(lambda: shows(base + "/sources/tehran-meeting/", "Iran</a> once more."), timeout=60)
        log = (tmp_path / "serve.log").read_text(encoding="utf-8")
        assert re.search(r"read 1 file\(s\).*looked at 1 file\(s\) events named", log), log[-2000:]


def test_a_broken_file_keeps_the_last_good_site_and_shows_the_problem(tmp_path: Path) -> None:
    with serve(tmp_path, SMALL) as (base, content, process):
        last_good = page(base + "/places/tehran/")[1]
        assert "_corpus/problems.js" in last_good  # every served page draws the problems
        assert "no errors" in problems(base)
        place = content / "places" / "tehran.md"
        good = place.read_text(encoding="utf-8")
        place.write_text(good.replace("country: iran", "country: persia"), encoding="utf-8")
        assert wait_for(lambda: "unknown id" in problems(base), timeout=60)
        script = problems(base)
        assert "places/tehran.md:4:1" in script and "did you mean" in script
        assert page(base + "/places/tehran/") == (200, last_good)  # the last good page, untouched
        assert process.poll() is None
        # a file that does not even parse
        place.write_text("---\nname: [Tehran\n---\n", encoding="utf-8")
        assert wait_for(lambda: "invalid YAML" in problems(base), timeout=60)
        assert fetch(base + "/places/tehran/")[0] == 200 and process.poll() is None
        # the next good save recovers, with the edit it brings
        place.write_text(good.replace("name: Tehran", "name: Tehran\nsummary: Capital of Iran, edited."),
                         encoding="utf-8")
        assert wait_for(lambda: shows(base + "/places/tehran/", "Capital of Iran, edited."), timeout=60)
        assert "no errors" in problems(base)
        assert process.poll() is None


def test_the_problem_banner_is_capped_and_escaped(tmp_path: Path) -> None:
    from generator.plugin import BANNER_SHOWN, problems_script
    from generator.problems import error

    many = [error(f"content/x{i}.md", 1, f"bad </script><img src=x onerror=alert({i})>") for i in range(70)]
    script = problems_script(many)
    assert script.count("content/x") == BANNER_SHOWN
    assert '"more": 20' in script and '"count": 70' in script
    assert "</script>" not in script and "<img" not in script  # escaped in the JSON
    assert "innerHTML" not in script  # drawn with text nodes only


def test_a_broken_template_is_reported_not_fatal(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    with serve(tmp_path, SMALL, templates=templates) as (base, _content, process):
        timeline = templates / "pages" / "timeline.md.j2"
        good = timeline.read_text(encoding="utf-8")
        timeline.write_text(good + "\n{% if %}\n", encoding="utf-8")
        assert wait_for(lambda: "template syntax" in problems(base), timeout=60)
        assert "timeline.md.j2" in problems(base)
        assert fetch(base + "/timeline/")[0] == 200 and process.poll() is None
        timeline.write_text(good.replace("# Timeline", "# Timeline of it all"), encoding="utf-8")
        assert wait_for(lambda: shows(base + "/timeline/", "Timeline of it all"), timeout=60)
        assert "no errors" in problems(base) and process.poll() is None


def test_the_search_index_and_open_data_follow_edits(tmp_path: Path) -> None:
    """A dirty rebuild indexes only the pages it rebuilt; the plugin keeps every page's
    entries, so the index stays whole and holds the edited page's new words."""
    with serve(tmp_path, SMALL) as (base, content, process):
        index_url = base + "/search/search_index.json"
        before = json.loads(fetch(index_url)[1])["docs"]
        locations = {doc["location"].split("#")[0] for doc in before}
        assert {"countries/iran/", "places/tehran/"} <= locations
        source = content / "sources" / "tehran-meeting.md"
        source.write_text(
            source.read_text(encoding="utf-8").replace("He spoke about terrorism.", "He spoke about Iran and Zanzibar."),
            encoding="utf-8",
        )
        assert wait_for(lambda: shows(base + "/sources/tehran-meeting/", "Zanzibar"), timeout=60)

        def indexed() -> bool:
            docs = json.loads(fetch(index_url)[1] or '{"docs": []}')["docs"]
            return {d["location"].split("#")[0] for d in docs} == locations and any(
                "Zanzibar" in d.get("text", "") and d["location"].startswith("sources/tehran-meeting/")
                for d in docs
            )

        assert wait_for(indexed, timeout=60)
        # the whole index equals a fresh build's of the edited corpus (entries as written)
        served = json.loads(fetch(index_url)[1])
        built = tmp_path / "built"
        assert mkdocs_build(tmp_path / "mkdocs.yml", built).returncode == 0
        fresh = json.loads((built / "search" / "search_index.json").read_text(encoding="utf-8"))
        assert served["config"] == fresh["config"]
        assert sorted(json.dumps(d, sort_keys=True) for d in served["docs"]) == sorted(
            json.dumps(d, sort_keys=True) for d in fresh["docs"]
        )
        # the open data follows too (written after the page, off the save's path)
        assert wait_for(lambda: shows(base + "/data/corpus.json", "He spoke about Iran and Zanzibar."), timeout=60)
        assert wait_for(lambda: shows(base + "/data/countries/iran.json", "Iran and Zanzibar"), timeout=60)
        assert process.poll() is None


def test_pages_of_a_record_deleted_while_serving_go_away(tmp_path: Path) -> None:
    with serve(tmp_path, SMALL) as (base, content, process):
        assert fetch(base + "/events/sco-press/")[0] == 200
        # remove it and what refers to it, so the corpus stays valid
        for path in content.rglob("*.md"):
            text = path.read_text(encoding="utf-8")
            if "sco-press" in text and path.stem != "sco-press":
                path.write_text(text.replace("sco-press", "sco-2021"), encoding="utf-8")
        (content / "events" / "sco-press.md").unlink()
        assert wait_for(lambda: fetch(base + "/events/sco-press/")[0] == 404, timeout=60)
        assert fetch(base + "/")[0] == 200 and process.poll() is None


def test_editor_files_in_content_are_ignored(tmp_path: Path) -> None:
    with serve(tmp_path, SMALL) as (base, content, process):
        home = fetch(base + "/")[1]
        for name in (".tehran.md.swp", "tehran.md~", ".#tehran.md", "#tehran.md#"):
            (content / "places" / name).write_text("---\nname: [broken\n---\n", encoding="utf-8")
        source = content / "sources" / "tehran-meeting.md"
        source.write_text(source.read_text(encoding="utf-8") + "\nA marker sentence.\n", encoding="utf-8")
        assert wait_for(lambda: shows(base + "/sources/tehran-meeting/", "A marker sentence."), timeout=60)
        assert "no errors" in problems(base) and home and process.poll() is None
