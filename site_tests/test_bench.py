"""The benchmark's synthetic corpora are valid and deterministic, and the benchmark runs."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from generator.site import check
from generator.synthetic import write_corpus
from site_tests.conftest import ROOT


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
