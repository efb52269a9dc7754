"""Benchmarks on synthetic corpora (placeholder; see `python -m generator bench --help`)."""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str]) -> int:
    print("benchmark not written yet")
    return 2
