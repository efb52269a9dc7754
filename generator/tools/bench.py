"""`python -m generator bench`: generation, full builds and serving on synthetic corpora,
side by side with the baseline: the same generated Markdown built by plain MkDocs + Material
(Material's default configuration), and what each Markdown extension and theme override of the
project's configuration costs.

Figures are wall-clock times on this machine, printed with their ratios to the baseline;
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from generator.reading import read_document

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}

_GENERATE = """
import json, resource, sys, time
from pathlib import Path
from generator.site import generate
def cpu():
    own, forked = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + forked.ru_utime + forked.ru_stime
started, cpu_before = time.perf_counter(), cpu()
result = generate(Path(sys.argv[1]), Path(sys.argv[2]), shown_base=Path(sys.argv[1]).parent)
seconds, cpu_seconds = time.perf_counter() - started, cpu() - cpu_before
out = Path(sys.argv[3])
for rel, text in result.pages.items():
    (out / rel).parent.mkdir(parents=True, exist_ok=True)
    (out / rel).write_text(text, encoding="utf-8")
print(json.dumps({"seconds": seconds, "cpu_s": cpu_seconds,
                  "pages": len(result.pages), "errors": len(result.errors),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "children_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""

_COMMAND = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - started
if done.returncode != 0:
    sys.exit(done.stdout[-2000:] + done.stderr[-2000:])
used = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and the processes it forked
cpu = used.ru_utime + used.ru_stime
print(json.dumps({"seconds": seconds, "cpu_s": cpu, "peak_mb": used.ru_maxrss / 1024}))
"""
"""Runs a command and prints its wall-clock and CPU time and the peak of its largest process
(from ``getrusage`` of this process's children, which are the command's alone)."""


def _config(work: Path, content: Path | None, docs: Path) -> Path:
    """The project's mkdocs.yml, pointed at ``content`` (or, with None, at the generated pages
    in ``docs`` with the corpus plugin left out: the project's extensions and theme overrides
    on the same pages, with lunr search)."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["theme"]["custom_dir"] = str(ROOT / "templates" / "theme")
    config["extra_css"] = []
    if content is None:
        config["plugins"] = ["search"]
        config["docs_dir"] = str(docs)
    else:
        config["docs_dir"] = str(ROOT / "templates" / "assets")
        for plugin in config["plugins"]:
            if isinstance(plugin, dict) and "corpus" in plugin:
                plugin["corpus"]["content"] = str(content)
                plugin["corpus"]["templates"] = str(ROOT / "templates")
    path = work / ("mkdocs-plain.yml" if content is None else "mkdocs-corpus.yml")
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _plain_config(work: Path, docs: Path) -> Path:
    """The baseline: the generated pages in ``docs`` built by MkDocs + Material with Material's
    default configuration: no added Markdown extensions (MkDocs' own toc, tables and
    fenced_code only), no theme overrides or options, the built-in search. Only the site's
    name and nav are the project's: without a nav, every page would list all pages."""
    project = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config = {
        "site_name": project["site_name"],
        "docs_dir": str(docs),
        "theme": {"name": "material"},
        "plugins": ["search"],
        "nav": project["nav"],
    }
    path = work / "mkdocs-default.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _extension_name(entry: str | dict[str, Any]) -> str:
    return entry if isinstance(entry, str) else next(iter(entry))


def config_variants(work: Path, docs: Path) -> list[tuple[str, Path]]:
    """The project's configuration on the generated pages without the corpus plugin ("all",
    :func:`_config`), then the same with one part removed at a time: each Markdown extension
    of mkdocs.yml, each file of the theme's custom_dir, the whole custom_dir, and the theme's
    options (features, palette). MkDocs always loads toc and tables: without their entry only
    their options (toc's permalinks) go."""
    base_path = _config(work, None, docs)
    base = yaml.safe_load(base_path.read_text(encoding="utf-8"))
    variants: list[tuple[str, Path]] = [("all", base_path)]

    def variant(label: str, slug: str, config: dict[str, Any]) -> None:
        path = work / f"mkdocs-without-{slug}.yml"
        path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
        variants.append((label, path))

    for entry in base.get("markdown_extensions", []):
        name = _extension_name(entry)
        config = json.loads(json.dumps(base))
        config["markdown_extensions"] = [e for e in base["markdown_extensions"] if _extension_name(e) != name]
        variant(f"extension {name}", f"ext-{name}", config)
    theme = Path(base["theme"]["custom_dir"])
    for override in sorted(p.relative_to(theme).as_posix() for p in theme.rglob("*") if p.is_file()):
        folder = work / f"theme-without-{override.replace('/', '-')}"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(theme, folder)
        (folder / override).unlink()
        config = json.loads(json.dumps(base))
        config["theme"]["custom_dir"] = str(folder)
        variant(f"override {override}", f"override-{override.replace('/', '-')}", config)
    config = json.loads(json.dumps(base))
    del config["theme"]["custom_dir"]
    variant("all theme overrides (custom_dir)", "custom-dir", config)
    config = json.loads(json.dumps(base))
    config["theme"] = {k: v for k, v in base["theme"].items() if k not in ("features", "palette")}
    variant("theme options (features, palette)", "theme-options", config)
    return variants


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _build(config: Path, site: Path, log: list[str] | None = None, cpu: list[float] | None = None) -> float:
    """Seconds of one ``mkdocs build``; with ``log``, its messages (INFO and up) are kept there;
    with ``cpu``, the CPU seconds it used (its own and its children's, e.g. Pagefind's and the
    forked renderers') are appended there: a measure that other work on a shared machine
    disturbs far less than the wall clock."""
    started = time.perf_counter()
    cpu_before = _children_cpu()
    quiet = [] if log is not None else ["-q"]
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *quiet, "-f", str(config), "-d", str(site)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=7200,
    )
    if result.returncode != 0:
        raise SystemExit(f"mkdocs build failed:\n{result.stderr[-3000:]}")
    if log is not None:
        log.extend(result.stderr.splitlines())
    if cpu is not None:
        cpu.append(_children_cpu() - cpu_before)
    return time.perf_counter() - started


def _pagefind_seconds(log: list[str]) -> float | None:
    """The plugin's "corpus: Pagefind indexed N page(s) in Xs" line, as seconds."""
    for line in log:
        found = re.search(r"corpus: Pagefind indexed \d+ page\(s\) in ([\d.]+)s", line)
        if found:
            return float(found.group(1))
    return None


def config_costs(folder: Path, pages: Path, repeat: int) -> list[dict[str, Any]]:
    """What each part of the project's configuration costs on the generated ``pages``: the
    least CPU time of ``repeat`` builds of each variant of :func:`config_variants` (taken in
    rounds, so a busy spell of a shared machine touches all of them), the default-configuration
    baseline among them. ``saves`` is "all" minus the variant: what that part costs."""
    default = ("Material's default configuration", _plain_config(folder, pages))
    variants = [*config_variants(folder, pages), default]
    times: dict[str, list[float]] = {label: [] for label, _ in variants}
    for round_ in range(repeat):
        for label, config in variants:
            _build(config, folder / "site-variant", cpu=times[label])
        print(f"  configuration costs: round {round_ + 1} of {repeat} done", flush=True)
    shutil.rmtree(folder / "site-variant", ignore_errors=True)
    full = min(times["all"])
    return [
        {"label": label, "seconds": min(ts), "spread": max(ts) - min(ts), "saves": full - min(ts)}
        for label, ts in times.items()
    ]


# What a reader sees of each part (the bench's rows are labelled as config_variants labels them).
WHAT_IT_BUYS = {
    "extension attr_list": "the anchors of a text's paragraphs (¶ links to passages); what search leaves out",
    "extension admonition": "a source's Rights box",
    "extension tables": "nothing to remove: MkDocs always loads it",
    "extension toc": "the ¶ permalink of each heading (MkDocs keeps toc itself)",
    "override main.html": "escaped page titles; the Atom feed links and the JSON-LD of each page",
    "override partials/copyright.html": "the footer's links to the open data and the feed",
    "override partials/search.html": "the Pagefind search box; the search dialog's accessible name",
    "all theme overrides (custom_dir)": "all three above",
    "theme options (features, palette)": "back-to-top, section tracking, tooltips, dark mode",
}


def costs_table(costs: list[dict[str, Any]], sources: int, build_cpu_s: float | None, repeat: int) -> str:
    """The configuration costs as Markdown: each part's cost beside the project's
    configuration without the plugin ("all") and beside the full build of that size (CPU
    seconds both)."""
    full = next(c["seconds"] for c in costs if c["label"] == "all")
    lines = [
        f"What each part of the configuration costs ({sources:,} sources, the same generated pages, "
        f"no corpus plugin; CPU seconds of the build, the least of {repeat} builds each, "
        "spread = most - least):",
        "",
        "| removed | build (CPU) | spread | costs (all - this) | of all | of the full build (CPU) "
        "| what a reader sees of it |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for c in costs:
        label = "nothing (all)" if c["label"] == "all" else c["label"]
        if c["label"] == "Material's default configuration":
            label = "everything: Material's default configuration (the baseline)"
        share = f"{100 * c['saves'] / build_cpu_s:.1f}%" if build_cpu_s else "–"
        costs_cell = "–" if c["label"] == "all" else f"{c['saves']:+.2f} s"
        of_all = "–" if c["label"] == "all" else f"{100 * c['saves'] / full:.1f}%"
        lines.append(
            f"| {label} | {c['seconds']:.2f} s | {c['spread']:.2f} s | {costs_cell} | {of_all} "
            f"| {'–' if c['label'] == 'all' else share} | {WHAT_IT_BUYS.get(c['label'], '')} |"
        )
    return "\n".join(lines) + "\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return str(response.read().decode("utf-8", "replace"))
    except OSError:
        return ""


def _html_sizes(site: Path) -> tuple[float, int]:
    sizes = [
        p.stat().st_size
        for kind in ("sources", "events", "countries", "organizations", "people", "places", "topics")
        for p in (site / kind).glob("*/index.html")
    ]
    return (sum(sizes) / len(sizes) if sizes else 0.0), max(sizes, default=0)


def run_size(n: int, work: Path, skip_mkdocs: bool, serve: bool) -> dict[str, float]:
    from generator.tools.synthetic import write_corpus

    folder = work / f"n{n}"
    content = folder / "content"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        write_corpus(content, n)
        (folder / ".complete").write_text("")
        print(f"  wrote {n} sources in {time.perf_counter() - started:.1f}s", flush=True)
    return measure(folder, content, n, skip_mkdocs, serve)


def run_corpus(corpus: Path, work: Path, skip_mkdocs: bool, serve: bool) -> dict[str, float]:
    """Measure a real corpus; it is copied first, so the edits never touch the original."""
    folder = work / f"corpus-{corpus.resolve().name}"
    shutil.rmtree(folder, ignore_errors=True)
    content = folder / "content"
    shutil.copytree(corpus, content)
    n = sum(1 for _ in (content / "sources").rglob("*.md")) if (content / "sources").is_dir() else 0
    return measure(folder, content, n, skip_mkdocs, serve)


def _script_figures(script: str, *args: str) -> dict[str, Any]:
    """What ``python -c script args...`` prints as JSON on its last line (its figures)."""
    out = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=7200
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def measure(folder: Path, content: Path, n: int, skip_mkdocs: bool, serve: bool) -> dict[str, float]:
    pages = folder / "pages"
    shutil.rmtree(pages, ignore_errors=True)
    pages.mkdir()
    gen = _script_figures(_GENERATE, str(content), str(ROOT / "templates"), str(pages))
    row: dict[str, float] = {
        "sources": n,
        "pages": gen["pages"],
        "generate_s": gen["seconds"],
        "generate_cpu_s": gen["cpu_s"],
        "peak_mb": gen["peak_mb"],
    }
    print(
        f"  generation {gen['seconds']:.2f}s (CPU {gen['cpu_s']:.1f}s), {gen['pages']} pages,"
        f" peak {gen['peak_mb']:.0f} MB"
        f" (the largest forked renderer: {gen.get('children_peak_mb', 0):.0f} MB, mostly shared with it)",
        flush=True,
    )
    # The command a user types for the standalone project, start to end: what generate()
    # makes, written to disk (every page, data file and feed), and the process's own start.
    project = folder / "project-out"
    shutil.rmtree(project, ignore_errors=True)
    command = [sys.executable, "-m", "generator", "build", "--content", str(content)]
    command += ["--templates", str(ROOT / "templates"), "--config", str(ROOT / "mkdocs.yml")]
    command += ["--out", str(project)]
    timed = _script_figures(_COMMAND, *command)
    row["command_s"], row["command_cpu_s"] = timed["seconds"], timed["cpu_s"]
    row["command_peak_mb"] = timed["peak_mb"]
    print(
        f"  python -m generator build --out: {timed['seconds']:.2f}s (CPU {timed['cpu_s']:.1f}s),"
        f" peak {timed['peak_mb']:.0f} MB",
        flush=True,
    )
    shutil.rmtree(project, ignore_errors=True)
    if serve:
        from generator.tools import serve_bench

        memory: dict[str, tuple[float, float]] = {}
        figures = serve_bench.measure(
            folder,
            content,
            _config(folder, content, pages),
            _config(folder, None, pages),
            pages,
            memory=memory,
        )
        for name, (now, peak) in memory.items():
            row[f"serve_{name}_rss_mb"], row[f"serve_{name}_peak_mb"] = now, peak
        for name, spread in figures.items():
            row[f"serve_{name}_s"], row[f"serve_{name}_low_s"], row[f"serve_{name}_high_s"] = (
                spread.median, spread.low, spread.high
            )
        print(
            "  mkdocs serve (the README's command), edit shown: " + str(figures["edit"])
            + f"; our part {figures['ours']}" * ("ours" in figures)
            + f"; a save that breaks a file {figures['break']}, the save that fixes it {figures['fix']}"
            + f"; MkDocs's floor (its own rebuild of the same pages after the same edit) {figures['floor']}",
            flush=True,
        )
        if memory:
            print(
                "  serving process's memory after the edits (resident now / peak): "
                + "; ".join(
                    f"{'ours' if name == 'ours' else 'the floor'} {now:.0f} / {peak:.0f} MB"
                    for name, (now, peak) in memory.items()
                ),
                flush=True,
            )
    if skip_mkdocs:
        return row
    site = folder / "site"
    log: list[str] = []
    cpu: list[float] = []
    row["build_s"] = _build(_config(folder, content, pages), site, log, cpu)
    pagefind = _pagefind_seconds(log)
    if pagefind is not None:
        row["pagefind_s"] = pagefind
    print(
        f"  full mkdocs build {row['build_s']:.1f}s"
        + (f" (Pagefind's indexing {pagefind:.1f}s of it)" if pagefind is not None else ""),
        flush=True,
    )
    row["baseline_s"] = _build(_plain_config(folder, pages), folder / "site-default", cpu=cpu)
    row["build_cpu_s"], row["baseline_cpu_s"] = cpu
    print(
        f"  baseline: the same generated pages, plain MkDocs + Material (default configuration)"
        f" {row['baseline_s']:.1f}s; full build / baseline {row['build_s'] / row['baseline_s']:.2f}x"
        f" (CPU {row['build_cpu_s']:.1f}s / {row['baseline_cpu_s']:.1f}s ="
        f" {row['build_cpu_s'] / row['baseline_cpu_s']:.2f}x)",
        flush=True,
    )
    row["project_s"] = _build(_config(folder, None, pages), folder / "site-plain")
    print(
        f"  the same pages with the project's extensions and theme overrides, no corpus plugin"
        f" {row['project_s']:.1f}s ({row['project_s'] / row['baseline_s']:.2f}x the baseline)",
        flush=True,
    )
    row["html_mean_kb"], html_max = _html_sizes(site)
    row["html_mean_kb"] /= 1024
    row["html_max_kb"] = html_max / 1024
    row.update(search_figures(site, content))
    return row


def _query_bytes(site: Path, results: int = 10) -> int:
    """What a reader's first one-word search downloads, at most: a static bound, kept as the
    fallback when no browser can measure (and as a figure beside the measure).

    Material's lunr search: its whole index. Pagefind: its script, entry, language wasm and
    metadata, the largest index chunk a word can fall into, and the fragments of the
    ``results`` largest pages (the script shows ten results at first)."""
    lunr = site / "search" / "search_index.json"
    if lunr.exists():
        return lunr.stat().st_size
    bundle = site / "pagefind"
    if not bundle.is_dir():
        return 0
    fixed = [bundle / "pagefind.js", bundle / "pagefind-entry.json", *bundle.glob("wasm.en.pagefind")]
    fixed += list(bundle.glob("*.pf_meta"))
    chunks = [p.stat().st_size for p in (bundle / "index").glob("*.pf_index")]
    fragments = sorted((p.stat().st_size for p in (bundle / "fragment").glob("*.pf_fragment")), reverse=True)
    fixed_bytes = sum(p.stat().st_size for p in fixed if p.exists())
    return fixed_bytes + max(chunks, default=0) + sum(fragments[:results])


# -- what one search downloads, measured in a browser ------------------------------------------

WORST_QUERY = "the"  # the most common English word: the largest index chunk and the most results
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _record_name(path: Path) -> str:
    """The ``name`` in a record's front matter ("" when the file does not read)."""
    doc, _problems = read_document(path.parent.name, path, path.name)
    return str(doc.data.get("name", "")) if doc is not None else ""


def search_queries(content: Path) -> dict[str, str]:
    """Three queries a reader might type, chosen from the corpus the same way every time.

    ``person``: the first person record's name; ``country``: the name of the country found
    (as plain text) in the most source files, the likeliest place name to be searched;
    ``worst``: "the", whose chunk and result list are the largest of any word."""
    queries: dict[str, str] = {}
    people = sorted((content / "people").glob("*.md"))
    if people and (name := _record_name(people[0])):
        queries["person"] = name
    names = sorted({n for p in (content / "countries").glob("*.md") if (n := _record_name(p))})
    if names:
        counts = dict.fromkeys(names, 0)
        for path in sorted((content / "sources").rglob("*.md")):
            text = path.read_text(encoding="utf-8")
            for name in names:
                counts[name] += name in text
        # most files first; ties go to the first name alphabetically
        queries["country"] = min(names, key=lambda n: (-counts[n], n))
    queries["worst"] = WORST_QUERY
    return queries


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def serve_static(site: Path) -> http.server.ThreadingHTTPServer:
    """A static server of ``site`` on a free local port, answering from a daemon thread."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _one_query(browser: Any, base: str, query: str) -> int:
    """Bytes (bodies and headers) requested after ``/events/`` loaded, for typing ``query``
    (the favicon aside).

    A fresh context each time, so nothing is cached from an earlier query. The site's script
    loads Pagefind in the page (no worker), so every download is seen here."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[Any] = []
    context.on("request", lambda request: requests.append(request))
    try:
        page = context.new_page()
        page.goto(base + "/events/", wait_until="networkidle")
        before = len(requests)
        page.keyboard.press("/")  # Material's shortcut focuses the search box
        box = page.locator("input.md-search__input")
        if box.is_hidden():  # narrow screens fold the search box behind an icon
            page.locator("label.md-search__icon").first.click()
        # typed faster than the script's 150 ms pause, so one search runs, for the whole query
        box.press_sequentially(query, delay=20)
        page.locator("li.md-search-result__item").first.wait_for(state="visible", timeout=60_000)
        page.wait_for_load_state("networkidle")
        # the browser asks for the favicon whenever it likes: not part of the search
        icon = page.evaluate("() => document.querySelector('link[rel~=icon]')?.href ?? ''")
        total = 0
        for request in requests[before:]:
            if request.url == icon or request.url.endswith("/favicon.ico") or request.failure:
                continue  # a failed request has no sizes to read
            sizes = request.sizes()
            total += int(sizes["responseBodySize"]) + int(sizes["responseHeadersSize"])
        return total
    finally:
        context.close()


def browser_query_bytes(site: Path, queries: Sequence[str]) -> dict[str, int] | None:
    """Bytes each query downloads when typed into the built ``site``'s search box in headless
    Chromium: what a reader's search really costs, unlike :func:`_query_bytes`'s bound.

    None when Playwright or Chromium (``$CHROMIUM``, else /usr/bin/chromium) is missing."""
    executable = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    if not Path(executable).exists():
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    result: dict[str, int] = {}
    failure: list[BaseException] = []

    def run() -> None:
        # in a thread of its own: Playwright's sync API refuses a thread that already runs one
        server = serve_static(site)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=executable, args=CHROMIUM_ARGS, headless=True
                )
                try:
                    for query in queries:
                        result[query] = _one_query(browser, base, query)
                finally:
                    browser.close()
        except BaseException as error:  # re-raised in the caller's thread
            failure.append(error)
        finally:
            server.shutdown()
            server.server_close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
    return result


def search_figures(site: Path, content: Path) -> dict[str, float]:
    """The row's search columns, in KB.

    lunr: every query downloads the whole index, so all figures are its size. Pagefind:
    ``search_kb`` the larger of the person and the country query, ``search_worst_kb`` "the",
    ``search_bound_kb`` the static bound; without a browser, ``search_kb`` is the bound."""
    bound = _query_bytes(site) / 1024
    if (site / "search" / "search_index.json").exists():
        print(f"  search (lunr): every query downloads the whole index, {bound:,.0f} KB", flush=True)
        return {"search_kb": bound, "search_worst_kb": bound, "search_bound_kb": bound, "search_lunr": 1}
    if not (site / "pagefind").is_dir():
        return {}
    queries = search_queries(content)
    measured = browser_query_bytes(site, list(dict.fromkeys(queries.values())))
    if measured is None:
        print(f"  search: no browser to measure with; static bound {bound:,.0f} KB per query", flush=True)
        return {"search_kb": bound, "search_bound_kb": bound}
    kb = {role: measured[query] / 1024 for role, query in queries.items()}
    print(
        "  search: "
        + ", ".join(f"{queries[role]!r} {value:,.0f} KB" for role, value in kb.items())
        + f" (static bound {bound:,.0f} KB)",
        flush=True,
    )
    names = [value for role, value in kb.items() if role != "worst"]
    return {
        "search_kb": max(names, default=kb["worst"]),
        "search_worst_kb": kb["worst"],
        "search_bound_kb": bound,
    }


def _kb(value: float) -> str:
    return f"{value:,.0f}"


def search_cell(r: dict[str, float]) -> str:
    """The table's search cell: "names / 'the' / bound" in KB, or the bound alone, labelled."""
    if "search_lunr" in r:
        return f"{_kb(r['search_kb'])} KB (lunr: whole index)"
    if "search_worst_kb" in r:
        return f"{_kb(r['search_kb'])} / {_kb(r['search_worst_kb'])} / {_kb(r['search_bound_kb'])} KB"
    if "search_bound_kb" in r or "search_kb" in r:
        return f"≤ {_kb(r.get('search_bound_kb', r.get('search_kb', 0.0)))} KB (bound only, no browser)"
    return "–"


def table(rows: list[dict[str, float]]) -> str:
    head = (
        "| sources | pages | generate | peak memory | full build | baseline: same pages, plain "
        "| build ÷ baseline | same pages, project config (÷ baseline) "
        "| HTML per page (mean / max) | search: KB per query (names / 'the' / bound) "
        "| serve: edit shown, median, and peak memory (MkDocs's floor) |"
    )
    lines = [head, "|" + "---:|" * 11]
    for r in rows:
        build = f"{r['build_s']:.1f} s" if "build_s" in r else "–"
        if "pagefind_s" in r:
            build += f" (Pagefind {r['pagefind_s']:.1f} s)"
        base = f"{r['baseline_s']:.1f} s" if "baseline_s" in r else "–"
        ratio = f"**{r['build_s'] / r['baseline_s']:.2f}×**" if "build_s" in r else "–"
        if "build_cpu_s" in r:
            ratio += f" (CPU {r['build_cpu_s'] / r['baseline_cpu_s']:.2f}×)"
        project = (
            f"{r['project_s']:.1f} s ({r['project_s'] / r['baseline_s']:.2f}×)" if "project_s" in r else "–"
        )
        html = f"{r['html_mean_kb']:.0f} / {r['html_max_kb']:.0f} KB" if "html_mean_kb" in r else "–"
        search = search_cell(r)
        serve = f"{r['serve_edit_s']:.2f} s ({r['serve_floor_s']:.2f} s)" if "serve_edit_s" in r else "–"
        if "serve_ours_peak_mb" in r:
            serve += f", peak {r['serve_ours_peak_mb']:,.0f} MB"
            if "serve_floor_peak_mb" in r:
                serve += f" ({r['serve_floor_peak_mb']:,.0f} MB)"
        generate = f"{r['generate_s']:.2f} s"
        if "generate_cpu_s" in r:
            generate += f" (CPU {r['generate_cpu_s']:.1f} s)"
        if "command_s" in r:
            generate += f"; `build --out` {r['command_s']:.1f} s, {r['command_peak_mb']:.0f} MB"
        lines.append(
            f"| {int(r['sources']):,} | {int(r['pages']):,} | {generate} | {r['peak_mb']:.0f} MB "
            f"| {build} | {base} | {ratio} | {project} | {html} | {search} | {serve} |"
        )
    by = {int(r["sources"]): r for r in rows}
    if 1000 in by and 10000 in by:
        lines.append("")
        growth = by[10000]["generate_s"] / by[1000]["generate_s"]
        lines.append(f"Generation at 10,000 ÷ at 1,000: {growth:.1f}× (linear would be 10×).")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator bench",
        description="Benchmark generation, the full mkdocs build and the serve loop on synthetic corpora, "
        "side by side with a plain MkDocs + Material build of the same pages (the baseline).",
        epilog="The search column gives the KB one query downloads, measured in headless Chromium "
        "(Playwright; $CHROMIUM or /usr/bin/chromium) by typing it into the built site's search box: "
        "'names' is the larger of a person's name and the most-mentioned country's name, 'the' the "
        "worst case (the most common word), 'bound' the static upper bound of a one-word query "
        "(Pagefind's script, wasm, metadata, largest index chunk and ten largest fragments; each "
        "further word may load one more chunk). Without a browser the bound alone "
        "is shown; a lunr site downloads its whole index for any query.",
    )
    parser.add_argument(
        "--sizes", default="100,1000", help="numbers of sources, comma-separated (default: 100,1000)"
    )
    parser.add_argument(
        "--work", type=Path, help="where corpora and sites go (default: a temporary folder, kept)"
    )
    parser.add_argument("--table", type=Path, help="also write the table as Markdown to this file")
    parser.add_argument(
        "--corpus", type=Path, help="measure this content folder (a copy of it) instead of synthetic ones"
    )
    parser.add_argument("--skip-mkdocs", action="store_true", help="measure generation only")
    parser.add_argument(
        "--serve", action="store_true",
        help="also time the live loop: three edits under mkdocs serve (the README's command), a save "
        "that breaks a file and the one that fixes it, our part of each, and MkDocs's own rebuild of "
        "the same pages",
    )
    parser.add_argument(
        "--lsp",
        action="store_true",
        help="time the language server instead (python -m generator lsp over stdio): diagnostics "
        "after a change and completion after [[, per size",
    )
    parser.add_argument(
        "--builders",
        action="store_true",
        help="build each corpus with MkDocs, ProperDocs and Zensical in one run (full-build times, "
        "Zensical's search.json); with --serve, also time an edit under generator watch + zensical serve",
    )
    parser.add_argument(
        "--costs-repeat",
        type=int,
        default=3,
        metavar="N",
        help="at the smallest size, build the generated pages with each Markdown extension and theme "
        "override removed, N times each (the fastest counts); 0 skips it (default: 3)",
    )
    args = parser.parse_args(list(argv))
    work = args.work or Path(tempfile.mkdtemp(prefix="corpus-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.lsp:
        return run_lsp(args.sizes, work, args.table)
    if args.builders:
        return run_builders(args, work)
    rows = []
    folders: list[Path] = []  # where each row's corpus, pages and sites are
    if args.corpus:
        print(f"{args.corpus}:", flush=True)
        rows.append(run_corpus(args.corpus, work, args.skip_mkdocs, args.serve))
        folders.append(work / f"corpus-{args.corpus.resolve().name}")
    else:
        for n in (int(x) for x in args.sizes.split(",")):
            print(f"{n} sources:", flush=True)
            rows.append(run_size(n, work, args.skip_mkdocs, args.serve))
            folders.append(work / f"n{n}")
    result = table(rows)
    if not args.skip_mkdocs and args.costs_repeat > 0:
        smallest = min(range(len(rows)), key=lambda i: rows[i]["sources"])
        sources = int(rows[smallest]["sources"])
        print(f"configuration costs at {sources:,} sources:", flush=True)
        found = config_costs(folders[smallest], folders[smallest] / "pages", args.costs_repeat)
        result += "\n" + costs_table(found, sources, rows[smallest].get("build_cpu_s"), args.costs_repeat)
    print()
    print(result)
    print(f"(corpora and sites in {work}; peak memory is the generating process's maximum resident size)")
    if args.table:
        args.table.write_text(result, encoding="utf-8")
    return 0


# -- the same corpus on MkDocs, ProperDocs and Zensical: `bench --builders` -------------------

BUILDERS = ("mkdocs", "properdocs", "zensical")


def builder_command(name: str) -> list[str]:
    """How to run a builder: MkDocs through this Python; ProperDocs and Zensical (the test
    extras) by their scripts in the same environment, else on PATH."""
    if name == "mkdocs":
        return [sys.executable, "-m", "mkdocs"]
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed: pip install -e '.[test]'")
    return [found]


def _project_config(folder: Path, content: Path) -> Path:
    """The project's own mkdocs.yml, as it is, with its folders made absolute and the corpus
    plugin pointed at ``content``: what ``mkdocs build`` and ``properdocs build`` run."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(ROOT / config["docs_dir"])
    config["theme"]["custom_dir"] = str(ROOT / config["theme"]["custom_dir"])
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "corpus" in plugin:
            plugin["corpus"].update(content=str(content), templates=str(ROOT / "templates"))
    path = folder / "mkdocs-builders.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _run_timed(command: Sequence[str], cwd: Path, what: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, env=ENV, timeout=7200)
    if result.returncode != 0:
        raise SystemExit(f"{what} failed:\n{(result.stdout + result.stderr)[-3000:]}")
    return time.perf_counter() - started


def _gzip_size(path: Path) -> int:
    import gzip

    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def builder_figures(folder: Path, content: Path, n: int, watch: bool) -> dict[str, float]:
    """One corpus built by the three builders, one after the other in this run.

    MkDocs and ProperDocs run the project's own config (the corpus plugin generates the pages;
    with ``search: auto`` it also indexes with Pagefind from 100 sources on). Zensical has no
    plugins: ``python -m generator build --out`` writes the standalone project, then
    ``zensical build`` builds it with Zensical's own search (one ``search.json``)."""
    config = _project_config(folder, content)
    row: dict[str, float] = {"sources": n}
    for name in ("mkdocs", "properdocs"):
        site = folder / f"site-{name}"
        command = [*builder_command(name), "build", "-q", "-f", str(config), "-d", str(site)]
        row[f"{name}_s"] = _run_timed(command, folder, f"{name} build")
        print(f"  {name} build (the corpus plugin): {row[f'{name}_s']:.1f}s", flush=True)
    row["pages"] = sum(1 for _ in (folder / "site-mkdocs").rglob("*.html"))
    project = folder / "project"
    generate_command = [sys.executable, "-m", "generator", "build", "--content", str(content)]
    generate_command += ["--templates", str(ROOT / "templates"), "--config", str(ROOT / "mkdocs.yml")]
    generate_command += ["--out", str(project)]
    row["zensical_generate_s"] = _run_timed(generate_command, ROOT, "generator build")
    zensical = [*builder_command("zensical"), "build", "--clean"]
    row["zensical_build_s"] = _run_timed(zensical, project, "zensical build")
    row["zensical_s"] = row["zensical_generate_s"] + row["zensical_build_s"]
    print(
        f"  zensical: generator build --out {row['zensical_generate_s']:.1f}s + zensical build "
        f"{row['zensical_build_s']:.1f}s = {row['zensical_s']:.1f}s",
        flush=True,
    )
    index = project / "site" / "search.json"
    if index.is_file():
        row["zensical_search_kb"] = index.stat().st_size / 1024
        row["zensical_search_gzip_kb"] = _gzip_size(index) / 1024
        print(
            f"  zensical search: every query downloads search.json, {row['zensical_search_kb']:,.0f} KB "
            f"({row['zensical_search_gzip_kb']:,.0f} KB gzipped)",
            flush=True,
        )
    if watch:
        latencies = watch_latency(content, project)
        row["watch_s"] = max(latencies)
        print("  watch + zensical serve: edit shown after " + ", ".join(f"{x:.2f}s" for x in latencies))
    return row


def _edit_point(content: Path) -> tuple[Path, str, list[str]]:
    """Where an edit goes, chosen as for ``mkdocs serve`` (:func:`serve_bench.edit_point`): the newest
    source, after its first mention of a record outside its quotes. Returns the file, the
    mention's raw text and the two page paths that must show the edit (the source's, the
    record's)."""
    from generator.tools.serve_bench import edit_point

    point = edit_point(content.parent, content)
    return point.source, point.sentence, [f"/{page}" for page in point.pages]


def watch_latency(content: Path, project: Path, edits: int = 3) -> list[float]:
    """Seconds from saving a source until ``zensical serve``, fed by ``python -m generator
    watch``, serves the edit on the source's page and on a record's page it mentions."""
    path, shown, pages = _edit_point(content)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = project.parent / "watch.log"
    watch = [sys.executable, "-m", "generator", "watch", "--content", str(content), "--out", str(project)]
    watch += ["--templates", str(ROOT / "templates"), "--config", str(ROOT / "mkdocs.yml")]
    latencies: list[float] = []
    with log.open("w") as out:
        loop = subprocess.Popen(watch, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=ENV)
        server = None
        try:
            deadline = time.monotonic() + 3600
            while "first update" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
            serve = [*builder_command("zensical"), "serve", "-a", f"127.0.0.1:{port}"]
            server = subprocess.Popen(serve, cwd=project, stdout=out, stderr=subprocess.STDOUT)
            while not _fetch(base + pages[0]) and time.monotonic() < deadline:
                time.sleep(0.2)
            original = path.read_text(encoding="utf-8")
            for i in range(edits):
                word = f"benchmarkedit{i}x{int(time.time())}"
                path.write_text(original.replace(shown, f"{shown} {word}", 1), encoding="utf-8")
                started = time.monotonic()
                while time.monotonic() - started < 600 and not all(word in _fetch(base + p) for p in pages):
                    time.sleep(0.05)
                latencies.append(time.monotonic() - started)
                time.sleep(1)
            path.write_text(original, encoding="utf-8")
        finally:
            for process in (server, loop):
                if process is not None:
                    process.send_signal(signal.SIGINT)
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        process.kill()
    return latencies


def builders_table(rows: list[dict[str, float]]) -> str:
    head = (
        "| sources | pages | MkDocs 1.6 + Material | ProperDocs 1.6.7 + Material "
        "| Zensical 0.0.73 (generator build + zensical build) | Zensical search.json per query (raw / gzip) "
        "| watch + zensical serve: edit shown |"
    )
    lines = [head, "|" + "---:|" * 7]
    for r in rows:
        search = (
            f"{r['zensical_search_kb']:,.0f} / {r['zensical_search_gzip_kb']:,.0f} KB"
            if "zensical_search_kb" in r
            else "–"
        )
        watch = f"{r['watch_s']:.1f} s" if "watch_s" in r else "–"
        lines.append(
            f"| {int(r['sources']):,} | {int(r['pages']):,} | {r['mkdocs_s']:.1f} s "
            f"| {r['properdocs_s']:.1f} s "
            f"| {r['zensical_s']:.1f} s ({r['zensical_generate_s']:.1f} + {r['zensical_build_s']:.1f}) "
            f"| {search} | {watch} |"
        )
    return "\n".join(lines) + "\n"


def run_builders(args: argparse.Namespace, work: Path) -> int:
    """``bench --builders``: :func:`builder_figures` per size (or for ``--corpus``), as a table."""
    from generator.tools.synthetic import write_corpus

    rows = []
    if args.corpus:
        folder = work / f"builders-{args.corpus.resolve().name}"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(args.corpus, folder / "content")
        print(f"{args.corpus} on {', '.join(BUILDERS)}:", flush=True)
        sources = sum(1 for _ in (folder / "content" / "sources").rglob("*.md"))
        rows.append(builder_figures(folder, folder / "content", sources, args.serve))
    else:
        for n in (int(x) for x in args.sizes.split(",")):
            folder = work / f"n{n}"
            if not (folder / ".complete").exists():
                shutil.rmtree(folder, ignore_errors=True)
                write_corpus(folder / "content", n)
                (folder / ".complete").write_text("")
            print(f"{n} sources on {', '.join(BUILDERS)}:", flush=True)
            rows.append(builder_figures(folder, folder / "content", n, args.serve))
    result = builders_table(rows)
    print()
    print(result)
    if args.table:
        args.table.write_text(result, encoding="utf-8")
    return 0


# -- the language server over stdio: `bench --lsp` ---------------------------------------------


def lsp_latency(n: int, work: Path, rounds: int = 40) -> dict[str, float]:
    """A real ``python -m generator lsp`` on ``n`` synthetic sources, driven over stdio by
    pygls' client: the first whole check (s), the time from a didChange of a source to its
    diagnostics, and of a completion after ``[[`` (ms: median, 90th percentile and worst of
    ``rounds``; the machine's load average is printed beside, as other work skews the worst)."""
    import asyncio
    import gc
    import statistics

    from lsprotocol import types as lsp
    from pygls.lsp.client import LanguageClient

    from generator.tools.synthetic import write_corpus

    root = work / f"lsp-n{n}"
    if not (root / "content").exists():
        write_corpus(root / "content", n)
    sources = sorted((root / "content" / "sources").rglob("*.md"))
    source = sources[len(sources) // 2]
    text = source.read_text(encoding="utf-8")
    uri = source.resolve().as_uri()

    async def session() -> dict[str, float]:
        client = LanguageClient("bench", "1")
        arrived: asyncio.Queue[tuple[float, int]] = asyncio.Queue()

        @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]
        def published(params: lsp.PublishDiagnosticsParams) -> None:
            if params.uri == uri:
                arrived.put_nowait((time.perf_counter(), len(params.diagnostics)))

        await client.start_io(sys.executable, "-m", "generator", "lsp", cwd=str(root))
        start = time.perf_counter()
        await client.initialize_async(
            lsp.InitializeParams(capabilities=lsp.ClientCapabilities(), root_uri=root.resolve().as_uri())
        )
        client.initialized(lsp.InitializedParams())
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, text))
        )
        await asyncio.wait_for(arrived.get(), 600)
        loaded = time.perf_counter() - start
        gc.collect()  # this process's own heap (pydantic, lsprotocol...) out of the timings:
        gc.freeze()  # a full collection in the client once cost a completion 100-300 ms
        changes: list[float] = []
        version = 1
        for i in range(rounds):
            version += 1
            edited = text + (f"\nThey met [[unknown-{i}]] again.\n" if i % 2 else f"\nA new line {i}.\n")
            sent = time.perf_counter()
            client.text_document_did_change(
                lsp.DidChangeTextDocumentParams(
                    lsp.VersionedTextDocumentIdentifier(version=version, uri=uri),
                    [lsp.TextDocumentContentChangeWholeDocument(text=edited)],
                )
            )
            when, _count = await asyncio.wait_for(arrived.get(), 60)
            changes.append((when - sent) * 1000)
        completions: list[float] = []
        for i in range(rounds + 1):  # the first is counted apart: both sides' JSON codecs warm up
            version += 1
            typed = "abcdefghijklmnoprstuvw"[i % 22]
            edited = text + f"\nMet [[{typed}"
            client.text_document_did_change(
                lsp.DidChangeTextDocumentParams(
                    lsp.VersionedTextDocumentIdentifier(version=version, uri=uri),
                    [lsp.TextDocumentContentChangeWholeDocument(text=edited)],
                )
            )
            await asyncio.wait_for(arrived.get(), 60)
            line = edited.count("\n")
            sent = time.perf_counter()
            at = lsp.Position(line, len(f"Met [[{typed}"))
            await client.text_document_completion_async(
                lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), at)
            )
            completions.append((time.perf_counter() - sent) * 1000)
        first, completions = completions[0], completions[1:]
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()  # type: ignore[no-untyped-call]
        gc.unfreeze()
        return {
            "sources": n,
            "records": len(list((root / "content").rglob("*.md"))),
            "load_s": loaded,
            "change_median_ms": statistics.median(changes),
            "change_p90_ms": statistics.quantiles(changes, n=10)[-1],
            "change_max_ms": max(changes),
            "completion_first_ms": first,
            "completion_median_ms": statistics.median(completions),
            "completion_p90_ms": statistics.quantiles(completions, n=10)[-1],
            "completion_max_ms": max(completions),
        }

    return asyncio.run(session())


def lsp_table(rows: Sequence[dict[str, float]]) -> str:
    lines = [
        "| sources | records | first whole check | diagnostics after a change (median / 90% / worst) "
        "| completion after [[ (first; median / 90% / worst) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {int(r['sources']):,} | {int(r['records']):,} | {r['load_s']:.1f} s "
            f"| {r['change_median_ms']:.0f} / {r['change_p90_ms']:.0f} / {r['change_max_ms']:.0f} ms "
            f"| {r['completion_first_ms']:.0f}; {r['completion_median_ms']:.0f} "
            f"/ {r['completion_p90_ms']:.0f} "
            f"/ {r['completion_max_ms']:.0f} ms |"
        )
    lines.append("")
    lines.append("Goals at 1,000 sources: diagnostics within 200 ms of a change, completion within 50 ms.")
    return "\n".join(lines) + "\n"


def run_lsp(sizes: str, work: Path, table_path: Path | None) -> int:
    rows = []
    for n in (int(x) for x in sizes.split(",")):
        print(f"{n} sources (language server over stdio):", flush=True)
        rows.append(lsp_latency(n, work))
    result = lsp_table(rows)
    print()
    print(result)
    print(f"(load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if table_path:
        table_path.write_text(result, encoding="utf-8")
    return 0
