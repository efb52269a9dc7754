"""Real `mkdocs build --strict` runs: the seed site, the fixture site, failed builds, reproducibility."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from site_tests.bad_inputs import CASES, Case, write_case
from site_tests.conftest import FIXTURES, ROOT, build_site, mkdocs_build, write_config
from site_tests.links import broken_links
from site_tests.safety import check_page, live_content

pytestmark = pytest.mark.slow  # real `mkdocs build` and command-line runs

KINDS = ("sources", "events", "countries", "organizations", "people", "places", "topics")


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_seed_site_has_every_page(seed_site: Path) -> None:
    for kind in KINDS:
        assert (seed_site / kind / "index.html").exists(), kind
        for record in (ROOT / "content" / kind).glob("*.md"):
            assert (seed_site / kind / record.stem / "index.html").exists(), record
    for page in ("index.html", "timeline/index.html", "quotes/index.html", "search/search_index.json"):
        assert (seed_site / page).exists(), page


def test_seed_site_links_resolve(seed_site: Path) -> None:
    assert broken_links(seed_site) == []


def test_small_site_links_resolve(small_site: Path) -> None:
    assert broken_links(small_site) == []


@pytest.mark.parametrize("site_name", ["seed_site", "small_site"])
def test_nothing_loads_from_outside(site_name: str, request: pytest.FixtureRequest) -> None:
    site: Path = request.getfixturevalue(site_name)
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html, page
        for tag in ('<script src="http', '<link rel="stylesheet" href="http', '<img src="http'):
            assert tag not in html, (page, tag)


def test_hostile_text_stays_inert(small_site: Path) -> None:
    html = (small_site / "sources" / "tehran-meeting" / "index.html").read_text(encoding="utf-8")
    article = html[html.index("<article") : html.index("</article>")]
    assert live_content(article) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article


def test_quote_is_highlighted_and_anchored(small_site: Path) -> None:
    html = (small_site / "sources" / "tehran-meeting" / "index.html").read_text(encoding="utf-8")
    assert '<p id="p-2">“<mark>We once again call on Afghanistan’s neighbours to act</mark>,”' in html
    person = (small_site / "people" / "sergey-lavrov" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../sources/tehran-meeting/#p-2:~:text=We%20once%20again%20call%20on' in person


def test_month_precision_is_kept(small_site: Path) -> None:
    html = (small_site / "events" / "sco-2021" / "index.html").read_text(encoding="utf-8")
    assert "September 2021" in html
    assert "1 September 2021" not in html


def test_builds_are_reproducible_from_another_folder_in_another_process(small_site: Path, tmp_path: Path) -> None:
    """The session's build of the small corpus and a build of a copy of it, kept in another
    folder (another path length, another name) and built by another `mkdocs` process: the
    same bytes, file for file, the open data and the feeds included."""
    elsewhere = tmp_path / "another place" / "corpus-copy"
    shutil.copytree(FIXTURES / "small" / "content", elsewhere)
    second = build_site(tmp_path, elsewhere, search="pagefind")
    first_files, second_files = tree_digest(small_site), tree_digest(second)
    for folder in ("data/", "feeds/", "pagefind/"):
        assert any(path.startswith(folder) for path in first_files), folder
    assert sorted(first_files) == sorted(second_files)
    changed = [path for path in first_files if first_files[path] != second_files[path]]
    assert changed == []


@pytest.fixture(scope="module")
def good_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A site built from a valid corpus; failed builds below must leave it as it is."""
    root = tmp_path_factory.mktemp("good")
    site = build_site(root, write_case(Case("base", {}, "", 0, ()), root))
    return site, tree_digest(site)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_fails_mkdocs_build_and_keeps_site(
    case: Case, tmp_path: Path, good_site: tuple[Path, dict[str, str]]
) -> None:
    site, digest = good_site
    content = write_case(case, tmp_path)
    result = mkdocs_build(write_config(tmp_path, content), site)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output
    rel = Path(case.path).relative_to("content").as_posix()
    assert f"{rel}:{case.line}:" in output.replace(str(content) + "/", ""), output
    assert tree_digest(site) == digest


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_fails_check_command(case: Case, tmp_path: Path) -> None:
    content = write_case(case, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--content", str(content)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{case.path}:{case.line}:" in result.stderr, result.stderr


def test_check_command_passes_on_the_seed_corpus() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--strict"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok:")


def test_build_command_writes_pages(tmp_path: Path) -> None:
    out = tmp_path / "pages"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "build",
            "--content",
            str(FIXTURES / "small" / "content"),
            "--templates",
            str(ROOT / "templates"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    iran = (out / "docs" / "countries" / "iran.md").read_text(encoding="utf-8")
    assert iran.startswith("---\nfeed: feeds/countries/iran.xml\n") and "\n# 🇮🇷 Iran\n" in iran
    assert (out / "mkdocs.yml").is_file() and (out / "docs" / "data" / "corpus.json").is_file()
    # a second build replaces the folder; a foreign folder is refused
    assert (
        subprocess.run(
            [
                sys.executable,
                "-m",
                "generator",
                "build",
                "--content",
                str(FIXTURES / "small" / "content"),
                "--templates",
                str(ROOT / "templates"),
                "--out",
                str(out),
            ],
            capture_output=True,
        ).returncode
        == 0
    )
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "build",
            "--content",
            str(FIXTURES / "small" / "content"),
            "--templates",
            str(ROOT / "templates"),
            "--out",
            str(foreign),
        ],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and (foreign / "keep.txt").exists()
    shutil.rmtree(out)


# where a hostile value shows on the built site, as text: (page, region, the value as written)
HOSTILE_SHOWN = [
    ("countries/iran/index.html", "sidebar", "Headline </title><script>alert('headline')</script> & more"),  # the toc
    ("countries/iran/index.html", "article", "Iran</title><script>alert('title')</script>"),
    ("sources/hostile-text/index.html", "header", "Headline </title><script>alert('headline')</script> & more"),
    ("events/attack/index.html", "article", "<script>alert('event summary')</script> [click](javascript:alert('event summary'))"),
    ("people/mallory/index.html", "article", "<svg onload=alert('person alias')>, Mal</textarea><script>alert('alias')</script>"),
    ("people/mallory/index.html", "article", "<img src=x onerror=alert('tooltip')> <iframe src=javascript:alert('person summary')></iframe>"),
    ("sources/plain-author/index.html", "article", "Eve <script>alert('author')</script> & Co"),
    ("places/formula/index.html", "header", '=HYPERLINK("http://evil.example/","click")'),
]


def test_hostile_corpus_reaches_the_site_inert(hostile_site: Path) -> None:
    """Every page as a whole (head, header, navigation, table of contents, sidebars, article,
    footer, JSON-LD): nothing live but the theme's own."""
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 15
    for page in pages:
        html = page.read_text(encoding="utf-8")
        found = check_page(html)
        assert found.live == [], (page, found.live)
        assert len(found.json_ld) <= 1 and all("<" not in block for block in found.json_ld), page
        for block in found.json_ld:
            json.loads(block)
        assert "root:x:0:0" not in html  # no snippet inclusion of local files


@pytest.mark.parametrize(("page", "region", "shown"), HOSTILE_SHOWN, ids=[f"{p} {r}" for p, r, _ in HOSTILE_SHOWN])
def test_hostile_values_show_as_text_where_they_belong(hostile_site: Path, page: str, region: str, shown: str) -> None:
    """The check above looks at these parts of the page: the hostile values are in them, as text."""
    found = check_page((hostile_site / page).read_text(encoding="utf-8"))
    assert " ".join(shown.split()) in found.text[region], found.text[region][:2000]


def test_hostile_strings_stay_inside_the_json_ld_and_feed_titles(hostile_site: Path) -> None:
    """The head's JSON-LD holds corpus strings: each page has at most one such script, it
    parses back as JSON, and the HTML parser finds no element inside it; the feed links'
    titles are escaped."""
    for page in sorted(hostile_site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        head = html[: html.index("</head>")]
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', head, re.S)
        assert len(blocks) <= 1 and all("<" not in b for b in blocks), page
        for block in blocks:
            json.loads(block)
        for title in re.findall(r'<link rel="alternate feed"[^>]* title="([^"]*)"', head):
            assert "<" not in title, (page, title)
    iran = (hostile_site / "countries" / "iran" / "index.html").read_text(encoding="utf-8")
    data = json.loads(re.findall(r'ld\+json">(.*?)</script>', iran, re.S)[0])
    assert data["name"].startswith("Iran</title><script>")  # the same string, harmless here


def test_titles_are_escaped_but_readable(hostile_site: Path) -> None:
    html = (hostile_site / "countries" / "iran" / "index.html").read_text(encoding="utf-8")
    title = html[html.index("<title>") : html.index("</title>") + len("</title>")]
    assert "<script>" not in title
    assert "Iran&lt;/title&gt;&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in title
    h1 = html[html.index("<h1") : html.index("</h1>")]
    assert "Iran&lt;/title&gt;&lt;script&gt;" in h1


def test_hostile_source_text_is_shown_as_text(hostile_site: Path) -> None:
    html = (hostile_site / "sources" / "hostile-text" / "index.html").read_text(encoding="utf-8")
    article = html[html.index("<article") : html.index("</article>")]
    assert (
        "&lt;script&gt;alert(&#x27;quote&#x27;)&lt;/script&gt;" in article
        or "&lt;script&gt;alert('quote')&lt;/script&gt;" in article
    )
    assert "<mark>" in article  # the quote made of HTML is still found and highlighted
    assert "<img" not in article  # no image loads from outside
    assert "tracker" in article  # its alt text stays
