"""The Markdown generated for the small fixture corpus, page by page, against golden files.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 python -m pytest site_tests/test_golden.py``
and review the diff before committing it.
"""

from __future__ import annotations

import os
import shutil

import pytest

from generator.site import generate
from site_tests.conftest import FIXTURES, ROOT

SMALL = FIXTURES / "small"
EXPECTED = SMALL / "expected"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    result = generate(SMALL / "content", ROOT / "templates", SMALL)
    assert result.ok, [p.format() for p in result.problems]
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for rel, markdown in result.pages.items():
            target = EXPECTED / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(markdown, encoding="utf-8")
    return dict(result.pages)


def test_same_set_of_pages(pages: dict[str, str]) -> None:
    expected = sorted(p.relative_to(EXPECTED).as_posix() for p in EXPECTED.rglob("*.md"))
    assert sorted(pages) == expected


@pytest.mark.parametrize(
    "rel",
    sorted(p.relative_to(EXPECTED).as_posix() for p in EXPECTED.rglob("*.md")) if EXPECTED.exists() else [],
)
def test_page_matches_golden(pages: dict[str, str], rel: str) -> None:
    assert pages.get(rel) == (EXPECTED / rel).read_text(encoding="utf-8")


def test_generation_is_deterministic() -> None:
    first = generate(SMALL / "content", ROOT / "templates", SMALL)
    second = generate(SMALL / "content", ROOT / "templates", SMALL)
    assert first.pages == second.pages
