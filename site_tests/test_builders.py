"""The other builders of the same site, live: ProperDocs runs the corpus plugin with the
project's own mkdocs.yml (build and serve), and `python -m generator watch` feeds
`zensical serve`, so an edit reaches the page Zensical serves."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from site_tests.conftest import FIXTURES, ROOT, write_config
from site_tests.serving import fetch, free_port, wait_for
from site_tests.test_docs_project import builder

pytestmark = pytest.mark.slow
SMALL = FIXTURES / "small" / "content"
# The tree under test first on the path, also for subprocesses started outside it.
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
SOURCE = "sources/tehran-meeting.md"


def _pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def _json_ld(site: Path, page: str) -> object:
    return json.loads(LD.findall((site / page).read_text(encoding="utf-8"))[0])


@contextlib.contextmanager
def running(command: Sequence[str], cwd: Path, log: Path) -> Iterator[subprocess.Popen[str]]:
    """A server or loop as a subprocess, stopped as Ctrl-C stops it; its output in ``log``."""
    with log.open("w") as out:
        process = subprocess.Popen(
            list(command), cwd=cwd, stdout=out, stderr=subprocess.STDOUT, text=True, env=ENV
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _answers(url: str, text: str) -> bool:
    status, body = fetch(url)
    return status == 200 and text in body


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_properdocs_builds_the_seed_site_with_the_projects_config_like_mkdocs(
    seed_site: Path, tmp_path: Path
) -> None:
    """The plugin unchanged under ProperDocs: the same pages, the same JSON-LD, strictly."""
    config = write_config(tmp_path, ROOT / "content")
    site = tmp_path / "site"
    result = subprocess.run(
        [str(builder("properdocs")), "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True,
        text=True,
        env={**ENV, "SOURCE_DATE_EPOCH": "1700000000"},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "corpus:" in result.stderr  # the plugin ran
    assert _pages(site) == _pages(seed_site)
    for page in ("countries/iran/index.html", "events/quad-meeting-2021/index.html"):
        assert _json_ld(site, page) == _json_ld(seed_site, page)
    assert (site / "data" / "corpus.json").read_bytes() == (seed_site / "data" / "corpus.json").read_bytes()


def test_properdocs_serve_follows_an_edit_and_a_broken_file(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(SMALL, content)
    config = write_config(tmp_path, content)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(builder("properdocs")), "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"]
    with running(command, tmp_path, tmp_path / "serve.log") as process:
        assert wait_for(lambda: _answers(base + "/sources/tehran-meeting/", "Tehran"), timeout=90), (
            tmp_path / "serve.log"
        ).read_text()
        _edit(content / SOURCE, "as the SCO watched.", "as the SCO watched, and ProperDocs.")
        assert wait_for(
            lambda: _answers(base + "/sources/tehran-meeting/", "watched, and ProperDocs."), timeout=60
        )
        _edit(content / "places" / "tehran.md", "country: iran", "country: persia")
        # the problems are drawn on every page by the served script (generator/plugin.py)
        assert wait_for(lambda: _answers(base + "/_corpus/problems.js", "unknown id"), timeout=60)
        assert _answers(base + "/places/tehran/", "Tehran") and process.poll() is None


def test_zensical_serve_shows_an_edit_that_generator_watch_wrote(tmp_path: Path) -> None:
    zensical = builder("zensical")
    content = tmp_path / "content"
    shutil.copytree(SMALL, content)
    project = tmp_path / "project"
    watch = [sys.executable, "-m", "generator", "watch", "--content", str(content)]
    watch += [
        "--templates",
        str(ROOT / "templates"),
        "--config",
        str(ROOT / "mkdocs.yml"),
        "--out",
        str(project),
    ]
    port = free_port()
    page = f"http://127.0.0.1:{port}/sources/tehran-meeting/"
    watch_log = tmp_path / "watch.log"
    with running(watch, tmp_path, watch_log) as loop:
        assert wait_for(lambda: "first update" in watch_log.read_text(), timeout=60), watch_log.read_text()
        serve = [str(zensical), "serve", "-a", f"127.0.0.1:{port}"]
        with running(serve, project, tmp_path / "zensical.log") as server:
            assert wait_for(lambda: _answers(page, "Senior officials from"), timeout=90), (
                tmp_path / "zensical.log"
            ).read_text()
            _edit(content / SOURCE, "as the SCO watched.", "as the SCO watched, and Zensical.")
            assert wait_for(lambda: _answers(page, "watched, and Zensical."), timeout=60), (
                watch_log.read_text() + (tmp_path / "zensical.log").read_text()
            )
            # a broken file: the loop reports where, and Zensical keeps serving the last good page
            _edit(content / "places" / "tehran.md", "country: iran", "country: persia")
            assert wait_for(
                lambda: "content/places/tehran.md:4:1: error:" in watch_log.read_text(), timeout=30
            )
            assert _answers(page, "watched, and Zensical.") and _answers(
                page.replace(SOURCE[:-3], "places/tehran"), "Tehran"
            )
            assert server.poll() is None and loop.poll() is None


def test_generator_search_indexes_a_site_zensical_built(tmp_path: Path) -> None:
    project = tmp_path / "project"
    command = [sys.executable, "-m", "generator", "build", "--content", str(SMALL), "--out", str(project)]
    assert subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, timeout=120).returncode == 0
    built = subprocess.run(
        [str(builder("zensical")), "build", "--clean"], cwd=project, env=ENV, capture_output=True, timeout=300
    )
    assert built.returncode == 0, built.stderr
    site = project / "site"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "search", str(site)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    from generator.search import indexed

    wanted = sum(indexed(p) for p in _pages(site))
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == wanted > 10
    assert f"Pagefind indexed {wanted} page(s)" in result.stdout
    # a folder that holds no built site is refused, and nothing is written there
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = subprocess.run(
        [sys.executable, "-m", "generator", "search", str(empty)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and "no index.html" in refused.stderr and not any(empty.iterdir())


def test_bench_builders_times_the_three_builders_on_one_corpus(tmp_path: Path) -> None:
    table = tmp_path / "builders.md"
    command = [sys.executable, "-m", "generator", "bench", "--builders", "--corpus", str(SMALL)]
    result = subprocess.run(
        [*command, "--work", str(tmp_path / "work"), "--table", str(table)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = [line for line in table.read_text(encoding="utf-8").splitlines() if line.startswith("| 1 |")]
    assert len(rows) == 1
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert re.fullmatch(r"\d+", cells[1]) and int(cells[1]) > 10  # pages
    assert all(re.fullmatch(r"\d+\.\d s", cell) for cell in cells[2:4])  # MkDocs, ProperDocs
    assert re.fullmatch(r"\d+\.\d s \(\d+\.\d \+ \d+\.\d\)", cells[4])  # Zensical: generate + build
    index = tmp_path / "work" / "builders-content" / "project" / "site" / "search.json"
    assert cells[5].startswith(f"{index.stat().st_size / 1024:,.0f} / ")
