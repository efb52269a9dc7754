"""``python -m generator bench --serve``: the live loop as an author meets it, beside MkDocs's floor.

Three figures, each for three edits (median, min and max):

- **edit**: the README's serve command (``mkdocs serve``, no flag) on a copy of the corpus; a
  sentence of the newest source that mentions a record is edited, and the time runs until the
  source's page and the record's page both show the edit;
- **break / fix**: a save that breaks an event's file (YAML that does not parse), until the
  served problems say so; then the save that fixes it (the file as it was, and a sentence more
  in its text, so that its page shows the fix), until they are gone and the event's page shows
  that sentence;
- **floor**: MkDocs's own rebuild of the same pages after the same edit, without our part:
  the generated Markdown as a plain docs project (the project's configuration and theme
  overrides, no corpus plugin) under ``mkdocs serve --dirty``, the pages the edit changes
  written into its docs folder at once.

``our part`` is what the corpus plugin logs for each rebuild (the engine's update).

**memory**: the serving process's resident memory after the last save and its peak
(``VmRSS`` and ``VmHWM`` of ``/proc/PID/status``, Linux only), for ours and for the floor's
plain ``mkdocs serve --dirty`` of the same pages.
"""

from __future__ import annotations

import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.incremental import Engine
from generator.site import SiteInfo
from generator.tools.bench import _fetch, _free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(statistics.median(values), min(values), max(values))

    def __str__(self) -> str:
        return f"{self.median:.2f} s ({self.low:.2f}–{self.high:.2f})"


def _wait(check: Callable[[], bool], limit: float = 900) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > limit:
            raise TimeoutError("the served site did not show the edit")
        time.sleep(0.05)
    return time.monotonic() - started


class _Server:
    def __init__(self, config: Path, log: Path, *extra: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "serve",
                "-f",
                str(config),
                "-a",
                f"127.0.0.1:{self.port}",
                *extra,
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={"NO_MKDOCS_2_WARNING": "1", **_env()},
        )
        _wait(lambda: bool(_fetch(self.base + "/")), limit=3600)

    def memory_mb(self) -> tuple[float, float] | None:
        """Resident memory now and at its peak, in MB (``None`` where ``/proc`` is missing)."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
        except OSError:
            return None
        kb = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
        if "VmRSS" not in kb or "VmHWM" not in kb:
            return None
        return int(kb["VmRSS"]) / 1024, int(kb["VmHWM"]) / 1024

    def close(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


@dataclass(frozen=True)
class EditPoint:
    source: Path  # the newest source's file
    sentence: str  # the text of a mention in it, outside its quotes
    pages: tuple[str, str]  # the source's URL and the mentioned record's URL
    other: Path  # a file to break
    other_page: str  # its URL

    def edited(self, original: str, word: str) -> str:
        """The source with ``word`` after the mention in its text (not in its front matter,
        where the same name can stand in a title shown on every list of the source)."""
        start = original.index(self.sentence, original.index("\n---", 3) + 4)
        end = start + len(self.sentence)
        return f"{original[:end]} {word}{original[end:]}"


def edit_point(root: Path, content: Path) -> EditPoint:
    corpus, _problems = Engine(content, ROOT / "templates", root, SiteInfo()).check()
    source = next(r for r in reversed(corpus.of_kind("sources")) if corpus.texts.get(r.id))
    quoted = [q.text for q in getattr(source.front, "quotes", ())]
    shown, target = next(
        (seg.raw, seg.target)
        for _b, seg, _o in corpus.texts[source.id].mentions()
        if corpus.records[seg.target].kind != "sources" and not any(seg.plain in q for q in quoted)
    )
    record = corpus.records[target]
    other = next((r for r in corpus.of_kind("events") if r.id != target), source)
    return EditPoint(
        root / source.path,
        shown,
        (f"{source.kind}/{source.id}/", f"{record.kind}/{record.id}/"),
        root / other.path,
        f"{other.kind}/{other.id}/",
    )


def our_parts(log: Path) -> list[float]:
    return [float(m) for m in re.findall(r"corpus: (\d+\.\d+)s, read", log.read_text(encoding="utf-8"))]


def measure(
    root: Path,
    content: Path,
    config: Path,
    floor_config: Path,
    docs: Path,
    edits: int = 3,
    memory: dict[str, tuple[float, float]] | None = None,
) -> dict[str, Spread]:
    """The figures above for the corpus in ``content`` (under ``root``); ``config`` serves it
    with the corpus plugin, ``floor_config`` serves the generated pages in ``docs``."""
    point = edit_point(root, content)
    original = point.source.read_text(encoding="utf-8")
    broken_original = point.other.read_text(encoding="utf-8")
    figures: dict[str, list[float]] = {"edit": [], "break": [], "fix": [], "floor": []}
    log = root / "serve-bench.log"
    server = _Server(config, log)
    try:
        for i in range(edits):
            word = f"benchedit{i}x{time.time_ns()}"
            point.source.write_text(point.edited(original, word), encoding="utf-8")
            figures["edit"].append(
                _wait(lambda w=word: all(w in _fetch(f"{server.base}/{p}") for p in point.pages))  # type: ignore[misc]
            )
            time.sleep(1)
        for i in range(edits):
            point.other.write_text("---\nname: [unclosed\n---\n", encoding="utf-8")
            figures["break"].append(
                _wait(lambda: "invalid YAML" in _fetch(server.base + "/_corpus/problems.js"))
            )
            time.sleep(1)
            word = f"benchfix{i}x{time.time_ns()}"
            point.other.write_text(f"{broken_original.rstrip()}\n\nFixed: {word}.\n", encoding="utf-8")
            figures["fix"].append(
                _wait(
                    lambda w=word: (
                        "no errors" in _fetch(server.base + "/_corpus/problems.js")  # type: ignore[misc]
                        and w in _fetch(f"{server.base}/{point.other_page}")
                    )
                )
            )
            time.sleep(1)
        _note_memory(memory, "ours", server)
    finally:
        point.source.write_text(original, encoding="utf-8")
        point.other.write_text(broken_original, encoding="utf-8")
        server.close()
    ours = our_parts(log)[1:]  # the first build aside
    # The floor: the same pages, the same edit, MkDocs alone.
    engine = Engine(content, ROOT / "templates", root, SiteInfo())
    engine.update()
    floor = _Server(floor_config, root / "floor.log", "--dirty")
    try:
        for i in range(edits):
            word = f"benchfloor{i}x{time.time_ns()}"
            point.source.write_text(point.edited(original, word), encoding="utf-8")
            update = engine.update()
            for path in update.changed:
                if path.endswith(".md"):
                    (docs / path).write_text(update.pages[path], encoding="utf-8")
            figures["floor"].append(
                _wait(lambda w=word: all(w in _fetch(f"{floor.base}/{p}") for p in point.pages))  # type: ignore[misc]
            )
            time.sleep(1)
        _note_memory(memory, "floor", floor)
    finally:
        point.source.write_text(original, encoding="utf-8")
        floor.close()
    result = {name: Spread.of(values) for name, values in figures.items() if values}
    if ours:
        result["ours"] = Spread.of(ours)
    return result


def _note_memory(memory: dict[str, tuple[float, float]] | None, name: str, server: _Server) -> None:
    found = server.memory_mb() if memory is not None else None
    if memory is not None and found is not None:
        memory[name] = found


def copy_corpus(content: Path, work: Path) -> Path:
    target = work / "serve-corpus" / "content"
    shutil.rmtree(target.parent, ignore_errors=True)
    shutil.copytree(content, target)
    return target
