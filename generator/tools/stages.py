"""``python -m generator.tools.stages CONTENT``: the time of each stage of a full generation.

The calls :func:`generator.site.generate` makes, one by one and in the same order, each timed
(wall-clock) with the process's peak memory after it; rendering runs on the forked processes
the build uses. Planning is timed apart from rendering, though ``generate`` plans each
group of pages in the process that renders it. What ``generate`` makes alongside, in
processes of their own (the quotes found while the texts' links are made, the corpus's
warnings, the open data and the feeds while the pages are planned and rendered), is timed
here alone, in this order, on one process.
What it prints is the profile summary of the README's scale section: where generation's
time goes, and how each stage grows with the corpus.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from generator import collector, feeds, linking, opendata, translations
from generator import corpus as corpus_mod
from generator.corpus_warnings import corpus_warnings
from generator.packed import packed_of
from generator.pages import plan
from generator.render import render_all
from generator.site import load

ROOT = Path(__file__).resolve().parents[2]


def timed_stages(content: Path, templates: Path) -> list[tuple[str, float, int]]:
    """(stage, seconds, peak resident MB after it) for each stage of generating ``content``."""
    laps: list[tuple[str, float, int]] = []

    def lap(name: str, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = work()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        laps.append((name, time.perf_counter() - started, peak))
        print(f"  {name:<28} {laps[-1][1]:7.2f} s  peak {peak:,} MB", flush=True)
        return result

    with collector.paused():
        records, broken, _problems = lap("reading", lambda: load(content, content.parent))
        known = frozenset(broken)

        def names() -> Any:
            linking.check_references(records, known)
            matcher = linking.build_matcher(records)
            linking.ambiguity_warnings(records, matcher)
            translations.translation_problems(records, known)
            translations.script_warnings(records)
            return matcher

        matcher = lap("references, names, languages", names)
        texts, _found = lap("linking the texts", lambda: linking.link_texts(records, matcher, known))
        quotes, _found = lap("locating quotes", lambda: linking.locate_quotes(records, texts))
        corpus = lap("the linked corpus", lambda: corpus_mod.build(records, texts, quotes))
        lap("corpus warnings", lambda: corpus_warnings(corpus))
        specs = lap("planning", lambda: plan(corpus))

        def rendering() -> Any:
            with collector.settled():
                return render_all(templates / "pages", corpus, specs, None)

        lap("rendering (forked)", rendering)
        lap("open data", lambda: opendata.data_files(corpus).packed)
        lap("feeds", lambda: packed_of(feeds.feeds(corpus, "site", None, 1)))
    return laps


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator.tools.stages", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("content", type=Path, help="the content folder to generate")
    parser.add_argument("--templates", type=Path, default=ROOT / "templates", help="the templates folder")
    args = parser.parse_args(argv)
    laps = timed_stages(args.content, args.templates)
    print(f"  {'total':<28} {sum(seconds for _n, seconds, _p in laps):7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
