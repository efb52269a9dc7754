"""The benchmark's synthetic corpora are valid and deterministic, the benchmark runs, and its
search column measures what a query downloads in a browser (the static bound as fallback)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.site import check
from generator.tools import bench
from generator.tools.synthetic import write_corpus
from site_tests.conftest import ROOT, mkdocs_build, write_config


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def test_a_synthetic_corpus_is_valid_realistic_and_the_same_every_time(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 30)
    write_corpus(tmp_path / "b", 30)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    corpus, problems = check(tmp_path / "a")
    assert corpus is not None
    assert [p for p in problems if p.severity == "error"] == []
    texts = [t for t in corpus.texts.values() if t is not None]
    assert len(texts) == 30
    mentions = sum(1 for t in texts for _ in t.mentions())
    assert mentions / len(texts) > 20  # names are linked as in a real annotated text


@pytest.mark.slow  # the bench command end to end: generation in a subprocess of its own
def test_the_benchmark_runs_and_prints_its_table(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "bench",
            "--sizes",
            "10",
            "--skip-mkdocs",
            "--work",
            str(tmp_path),
            "--table",
            str(tmp_path / "table.md"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    table = (tmp_path / "table.md").read_text(encoding="utf-8")
    assert table.splitlines()[2].startswith("| 10 | ")
    assert "| sources | pages | generate |" in result.stdout


# -- what one search downloads ----------------------------------------------------------------

ROW = {"sources": 1000, "pages": 2400, "generate_s": 3.2, "peak_mb": 150.0}


def test_the_table_shows_names_the_and_the_bound_when_a_browser_measured() -> None:
    row = {**ROW, "search_kb": 240.9, "search_worst_kb": 220.6, "search_bound_kb": 2860.9}
    text = bench.table([row])
    assert "| search: KB per query (names / 'the' / bound) |" in text.splitlines()[0]
    assert "| 241 / 221 / 2,861 KB |" in text
    assert len(text.splitlines()[2].split("|")) == len(text.splitlines()[0].split("|"))


def test_the_table_labels_the_bound_when_no_browser_measured() -> None:
    text = bench.table([{**ROW, "search_kb": 2860.9, "search_bound_kb": 2860.9}])
    assert "| ≤ 2,861 KB (bound only, no browser) |" in text
    assert "/ 2,861 KB" not in text


def test_the_table_of_a_lunr_site_and_of_one_without_search() -> None:
    lunr = {**ROW, "search_kb": 900.0, "search_worst_kb": 900.0, "search_bound_kb": 900.0, "search_lunr": 1}
    lines = bench.table([lunr, ROW]).splitlines()
    assert "| 900 KB (lunr: whole index) |" in lines[2]
    assert "| – | – |" in lines[3]  # no search figure, no serve figure


def test_a_lunr_site_needs_no_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "search_index.json").write_bytes(b"x" * 2048)
    monkeypatch.setattr(bench, "browser_query_bytes", lambda *a: pytest.fail("no browser for lunr"))
    figures = bench.search_figures(tmp_path, tmp_path / "content")
    assert figures["search_kb"] == figures["search_worst_kb"] == figures["search_bound_kb"] == 2.0


def test_without_chromium_the_bound_is_the_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-chromium"))
    site = tmp_path / "site"
    (site / "pagefind" / "index").mkdir(parents=True)
    (site / "pagefind" / "pagefind.js").write_bytes(b"x" * 1024)
    (site / "pagefind" / "index" / "en_1.pf_index").write_bytes(b"x" * 1024)
    write_corpus(tmp_path / "content", 5)
    assert bench.browser_query_bytes(site, ["the"]) is None
    assert bench.search_figures(site, tmp_path / "content") == {"search_kb": 2.0, "search_bound_kb": 2.0}


def test_the_queries_come_from_the_corpus_the_same_way_every_time(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write_corpus(content, 30)
    queries = bench.search_queries(content)
    assert queries == bench.search_queries(content)
    assert list(queries) == ["person", "country", "worst"] and queries["worst"] == "the"
    person = sorted((content / "people").glob("*.md"))[0]
    assert f'name: "{queries["person"]}"' in person.read_text(encoding="utf-8")
    sources = [p.read_text(encoding="utf-8") for p in (content / "sources").rglob("*.md")]
    country = sum(queries["country"] in text for text in sources)
    for path in (content / "countries").glob("*.md"):
        name = bench._record_name(path)
        assert sum(name in text for text in sources) <= country, name


@pytest.fixture(scope="module")
def pagefind_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A synthetic corpus of 120 sources built with `search: pagefind`."""
    root = tmp_path_factory.mktemp("bench-pagefind")
    write_corpus(root / "content", 120)
    config = write_config(root, root / "content")
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for plugin in data["plugins"]:
        if isinstance(plugin, dict) and "corpus" in plugin:
            plugin["corpus"]["search"] = "pagefind"
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = mkdocs_build(config, root / "site")
    if result.returncode != 0:
        raise AssertionError(f"mkdocs build failed:\n{result.stdout}\n{result.stderr}")
    assert (root / "site" / "pagefind" / "pagefind.js").is_file()
    return root / "content", root / "site"


@pytest.mark.browser
@pytest.mark.slow
def test_a_query_in_the_browser_downloads_less_than_the_bound(pagefind_site: tuple[Path, Path]) -> None:
    content, site = pagefind_site
    queries = bench.search_queries(content)
    measured = bench.browser_query_bytes(site, list(queries.values()))
    if measured is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium or Playwright is missing")
        pytest.skip("Chromium or Playwright is missing")
    bound = bench._query_bytes(site)
    chunk = max(p.stat().st_size for p in (site / "pagefind" / "index").glob("*.pf_index"))
    assert set(measured) == set(queries.values())
    for query, size in measured.items():
        # at least Pagefind's script and its wasm; at most the bound, which is a one-word
        # query's: each further word may load one more index chunk
        words = len(query.split())
        assert 50_000 < size < bound + (words - 1) * chunk, (query, size, bound)
    assert measured["the"] < bound


# -- the baseline and what each part of the configuration costs -------------------------------


def test_the_baseline_is_materials_default_configuration_on_the_same_pages(tmp_path: Path) -> None:
    config = yaml.safe_load(bench._plain_config(tmp_path, tmp_path / "pages").read_text(encoding="utf-8"))
    project = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["docs_dir"] == str(tmp_path / "pages")
    assert config["theme"] == {"name": "material"}  # no custom_dir, no features, no palette
    assert config["plugins"] == ["search"]  # Material's lunr search, no corpus plugin
    assert "markdown_extensions" not in config and "extra_css" not in config
    assert config["nav"] == project["nav"]


def test_each_extension_and_override_is_removed_once_and_alone(tmp_path: Path) -> None:
    variants = dict(bench.config_variants(tmp_path, tmp_path / "pages"))
    read = {label: yaml.safe_load(path.read_text(encoding="utf-8")) for label, path in variants.items()}
    full = read["all"]
    assert "corpus" not in str(full["plugins"]) and full["docs_dir"] == str(tmp_path / "pages")
    extensions = [bench._extension_name(e) for e in full["markdown_extensions"]]
    assert "attr_list" in extensions and "md_in_html" not in extensions
    for name in extensions:
        left = [bench._extension_name(e) for e in read[f"extension {name}"]["markdown_extensions"]]
        assert left == [e for e in extensions if e != name]
        assert read[f"extension {name}"]["theme"] == full["theme"]
    theme = ROOT / "templates" / "theme"
    overrides = sorted(p.relative_to(theme).as_posix() for p in theme.rglob("*") if p.is_file())
    assert "main.html" in overrides
    for override in overrides:
        folder = Path(read[f"override {override}"]["theme"]["custom_dir"])
        kept = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        assert kept == [o for o in overrides if o != override]
        assert read[f"override {override}"]["markdown_extensions"] == full["markdown_extensions"]
    assert "custom_dir" not in read["all theme overrides (custom_dir)"]["theme"]
    assert not {"features", "palette"} & read["theme options (features, palette)"]["theme"].keys()
    assert set(variants) == {
        "all",
        *(f"extension {n}" for n in extensions),
        *(f"override {o}" for o in overrides),
        "all theme overrides (custom_dir)",
        "theme options (features, palette)",
    }
    assert set(variants) - {"all"} <= bench.WHAT_IT_BUYS.keys()  # each row says what a reader gets


@pytest.mark.parametrize(
    "line, seconds",
    [
        ("INFO    -  corpus: Pagefind indexed 2923 page(s) in 8.41s", 8.41),
        ("INFO    -  corpus: pagefind search (1000 sources, search: auto)", None),
    ],
)
def test_pagefinds_share_is_read_from_the_plugins_log(line: str, seconds: float | None) -> None:
    assert bench._pagefind_seconds(["INFO    -  Building documentation...", line]) == seconds


def test_the_costs_table_gives_each_part_against_all_and_the_full_build() -> None:
    costs = [
        {"label": "all", "seconds": 10.0, "spread": 0.3, "saves": 0.0},
        {"label": "extension attr_list", "seconds": 9.5, "spread": 0.2, "saves": 0.5},
        {"label": "Material's default configuration", "seconds": 8.0, "spread": 0.1, "saves": 2.0},
    ]
    lines = bench.costs_table(costs, 100, 20.0, 3).splitlines()
    assert "CPU seconds of the build, the least of 3 builds each" in lines[0] and "100 sources" in lines[0]
    rows = {line.split("|")[1].strip(): line for line in lines if line.startswith("| ")}
    assert "| 9.50 s | 0.20 s | +0.50 s | 5.0% | 2.5% |" in rows["extension attr_list"]
    assert (
        "| +2.00 s | 20.0% | 10.0% |" in rows["everything: Material's default configuration (the baseline)"]
    )
    assert "| 10.00 s | 0.30 s | – | – | – |" in rows["nothing (all)"]


def test_the_table_puts_the_full_build_beside_the_same_pages_built_plain() -> None:
    row = {**ROW, "build_s": 12.0, "pagefind_s": 1.5, "baseline_s": 10.0, "project_s": 11.0}
    row |= {"build_cpu_s": 13.0, "baseline_cpu_s": 10.0, "generate_cpu_s": 4.5}
    head, _, line = bench.table([row]).splitlines()[:3]
    assert (
        "| full build | baseline: same pages, plain | build ÷ baseline | same pages, project config" in head
    )
    assert "| 12.0 s (Pagefind 1.5 s) | 10.0 s | **1.20×** (CPU 1.30×) | 11.0 s (1.10×) |" in line
    assert "| 3.20 s (CPU 4.5 s) | 150 MB |" in line  # generation on two cores uses more CPU than time
    assert len(line.split("|")) == len(head.split("|"))


def test_the_serve_cell_gives_the_edit_and_the_peak_memory_beside_mkdocss_floor() -> None:
    row = {**ROW, "serve_edit_s": 4.09, "serve_floor_s": 6.65}
    row |= {"serve_ours_peak_mb": 6339.0, "serve_floor_peak_mb": 3117.0}
    head, _, line = bench.table([row]).splitlines()[:3]
    assert "| serve: edit shown, median, and peak memory (MkDocs's floor) |" in head
    assert line.endswith("| 4.09 s (6.65 s), peak 6,339 MB (3,117 MB) |")


def test_a_servers_memory_is_read_from_proc() -> None:
    from generator.tools.serve_bench import _Server

    server = object.__new__(_Server)
    server.process = subprocess.Popen([sys.executable, "-c", "x = bytearray(64 << 20); import time; time.sleep(30)"])
    try:
        import time

        found = None
        for _ in range(100):  # until the 64 MB are in place
            found = server.memory_mb()
            if found is not None and found[0] > 64:
                break
            time.sleep(0.05)
        assert found is not None and 64 < found[0] <= found[1] < 1024, found
    finally:
        server.process.kill()
        server.process.wait()
    assert server.memory_mb() is None  # gone: no figure rather than a wrong one


@pytest.mark.slow
def test_the_benchmark_builds_the_baseline_and_each_variant(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "bench",
            "--sizes",
            "10",
            "--costs-repeat",
            "1",
            "--work",
            str(tmp_path),
            "--table",
            str(tmp_path / "table.md"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=1200,
    )
    assert result.returncode == 0, result.stderr
    table = (tmp_path / "table.md").read_text(encoding="utf-8")
    assert "baseline: same pages, plain" in table and "| extension attr_list |" in table
    assert "| override main.html |" in table and "Material's default configuration (the baseline)" in table
    # the baseline really is the default theme: no override of the project is in its pages
    page = sorted((tmp_path / "n10" / "site" / "people").glob("*/index.html"))[0].relative_to(
        tmp_path / "n10" / "site"
    )
    plain = (tmp_path / "n10" / "site-default" / page).read_text(encoding="utf-8")
    full = (tmp_path / "n10" / "site" / page).read_text(encoding="utf-8")
    for override in ('<script type="application/ld+json">', 'rel="alternate feed"', "data-corpus-search"):
        assert override not in plain, override
    assert '<script type="application/ld+json">' in full and 'rel="alternate feed"' in full


def test_the_stage_timer_times_every_stage_of_generation(capsys: pytest.CaptureFixture[str]) -> None:
    from generator.tools import stages

    assert stages.main([str(ROOT / "content")]) == 0
    printed = capsys.readouterr().out
    names = ["reading", "linking the texts", "the linked corpus", "planning", "rendering", "open data", "feeds"]
    places = [printed.index(name) for name in names]
    assert places == sorted(places)  # in the order generate() runs them
    assert re.search(r"total\s+\d+\.\d\d s", printed)
