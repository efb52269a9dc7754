"""`python -m generator bench`: generation, full builds and serving on synthetic corpora,
side by side with a plain MkDocs + Material build of as many pages of the same size.

Figures are wall-clock times on this machine, printed with their ratios to the baseline;
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}

_GENERATE = """
import json, resource, sys, time
from pathlib import Path
from generator.site import generate
started = time.perf_counter()
result = generate(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[1]).parent)
seconds = time.perf_counter() - started
out = Path(sys.argv[3])
for rel, text in result.pages.items():
    (out / rel).parent.mkdir(parents=True, exist_ok=True)
    (out / rel).write_text(text, encoding="utf-8")
print(json.dumps({"seconds": seconds, "pages": len(result.pages), "errors": len(result.errors),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _config(work: Path, content: Path | None, docs: Path) -> Path:
    """The project's mkdocs.yml, pointed at ``content`` (or, with None, a plain docs folder)."""
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


def _build(config: Path, site: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=7200,
    )
    if result.returncode != 0:
        raise SystemExit(f"mkdocs build failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - started


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


def _serve_latency(config: Path, content: Path, dirty: bool, edits: int = 3) -> list[float]:
    """Seconds from saving a source until its page and a mentioned record's page show the edit."""
    from generator.site import check

    corpus, _ = check(content)
    assert corpus is not None
    # The newest source: its mentions head every record's list of backlinks (newest first), so
    # the edit shows on the mentioned record's page however often that record is mentioned.
    source = next(r for r in reversed(corpus.of_kind("sources")) if corpus.texts.get(r.id))
    text = corpus.texts[source.id]
    mentioned = next(
        seg.target for _b, seg, _o in text.mentions() if corpus.records[seg.target].kind != "sources"
    )
    target = corpus.records[mentioned]
    port = _free_port()
    args = [sys.executable, "-m", "mkdocs", "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        [*args, "--dirty"] if dirty else args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
    )
    base = f"http://127.0.0.1:{port}"
    path = content.parent / source.path if not Path(source.path).is_absolute() else Path(source.path)
    latencies = []
    try:
        deadline = time.monotonic() + 3600
        while not _fetch(base + "/") and time.monotonic() < deadline:
            time.sleep(0.2)
        original = path.read_text(encoding="utf-8")
        for i in range(edits):
            word = f"benchmarkedit{i}x{int(time.time())}"
            # the edit goes into the first sentence that mentions the record, so its backlink changes
            shown = next(seg.raw for _b, seg, _o in text.mentions() if seg.target == mentioned)
            path.write_text(original.replace(shown, f"{shown} {word}", 1), encoding="utf-8")
            started = time.monotonic()
            pages = [f"{base}/{source.kind}/{source.id}/", f"{base}/{target.kind}/{target.id}/"]
            while time.monotonic() - started < 600 and not all(word in _fetch(u) for u in pages):
                time.sleep(0.05)
            latencies.append(time.monotonic() - started)
            time.sleep(1)
        path.write_text(original, encoding="utf-8")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    return latencies


def _html_sizes(site: Path) -> tuple[float, int]:
    sizes = [
        p.stat().st_size
        for kind in ("sources", "events", "countries", "organizations", "people", "places", "topics")
        for p in (site / kind).glob("*/index.html")
    ]
    return (sum(sizes) / len(sizes) if sizes else 0.0), max(sizes, default=0)


def run_size(n: int, work: Path, skip_mkdocs: bool, serve: bool) -> dict[str, float]:
    from generator.synthetic import write_corpus

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


def measure(folder: Path, content: Path, n: int, skip_mkdocs: bool, serve: bool) -> dict[str, float]:
    pages = folder / "pages"
    shutil.rmtree(pages, ignore_errors=True)
    pages.mkdir()
    out = subprocess.run(
        [sys.executable, "-c", _GENERATE, str(content), str(ROOT / "templates"), str(pages)],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=ROOT,
        timeout=7200,
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    gen = json.loads(out.stdout.strip().splitlines()[-1])
    row: dict[str, float] = {
        "sources": n,
        "pages": gen["pages"],
        "generate_s": gen["seconds"],
        "peak_mb": gen["peak_mb"],
    }
    print(
        f"  generation {gen['seconds']:.2f}s, {gen['pages']} pages, peak {gen['peak_mb']:.0f} MB", flush=True
    )
    if skip_mkdocs:
        return row
    site = folder / "site"
    row["build_s"] = _build(_config(folder, content, pages), site)
    print(f"  full mkdocs build {row['build_s']:.1f}s", flush=True)
    row["baseline_s"] = _build(_config(folder, None, pages), folder / "site-plain")
    print(f"  baseline (plain MkDocs + Material, same pages) {row['baseline_s']:.1f}s", flush=True)
    row["html_mean_kb"], html_max = _html_sizes(site)
    row["html_mean_kb"] /= 1024
    row["html_max_kb"] = html_max / 1024
    row["search_kb"] = _query_bytes(site) / 1024
    if serve:
        config = _config(folder, content, pages)
        for dirty in (False, True):
            latency = _serve_latency(config, content, dirty)
            row["serve_dirty_s" if dirty else "serve_s"] = max(latency)
            print(
                f"  serve{' --dirty' if dirty else ''}: edit visible after "
                + ", ".join(f"{x:.2f}s" for x in latency),
                flush=True,
            )
    return row


def _query_bytes(site: Path, results: int = 10) -> int:
    """What a reader's first one-word search downloads, at most.

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


def table(rows: list[dict[str, float]]) -> str:
    head = (
        "| sources | pages | generate | peak memory | full build | baseline | build ÷ baseline "
        "| HTML per page (mean / max) | search: bytes for one query | serve: edit shown (plain / --dirty) |"
    )
    lines = [head, "|" + "---:|" * 10]
    for r in rows:
        build = f"{r['build_s']:.1f} s" if "build_s" in r else "–"
        base = f"{r['baseline_s']:.1f} s" if "baseline_s" in r else "–"
        ratio = f"{r['build_s'] / r['baseline_s']:.2f}×" if "build_s" in r else "–"
        html = f"{r['html_mean_kb']:.0f} / {r['html_max_kb']:.0f} KB" if "html_mean_kb" in r else "–"
        search = "–"
        if "search_kb" in r:
            kb = r["search_kb"]
            search = f"{kb / 1024:.1f} MB" if kb >= 1024 else f"{kb:.0f} KB"
        serve = f"{r['serve_s']:.1f} s / {r['serve_dirty_s']:.1f} s" if "serve_s" in r else "–"
        lines.append(
            f"| {int(r['sources']):,} | {int(r['pages']):,} | {r['generate_s']:.2f} s "
            f"| {r['peak_mb']:.0f} MB "
            f"| {build} | {base} | {ratio} | {html} | {search} | {serve} |"
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
        "--serve", action="store_true", help="also time an edit under mkdocs serve, plain and --dirty"
    )
    args = parser.parse_args(list(argv))
    work = args.work or Path(tempfile.mkdtemp(prefix="corpus-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    if args.corpus:
        print(f"{args.corpus}:", flush=True)
        rows.append(run_corpus(args.corpus, work, args.skip_mkdocs, args.serve))
    else:
        for n in (int(x) for x in args.sizes.split(",")):
            print(f"{n} sources:", flush=True)
            rows.append(run_size(n, work, args.skip_mkdocs, args.serve))
    result = table(rows)
    print()
    print(result)
    print(f"(corpora and sites in {work}; peak memory is the generating process's maximum resident size)")
    if args.table:
        args.table.write_text(result, encoding="utf-8")
    return 0
