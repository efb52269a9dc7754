"""The garbage collector during a full build (generator/collector.py): paused while the
corpus is made, on for rendering, and no scan of what was made while it was paused."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import collector


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generations collected while the test runs, in order."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)


def _cycles(n: int) -> list[list[object]]:
    made: list[list[object]] = []
    for _ in range(n):
        pair: list[object] = []
        pair.append(pair)
        made.append(pair)
    return made


def test_rendering_inside_a_paused_build_collects_its_own_garbage_only(collections: list[int]) -> None:
    with collector.paused():
        kept = _cycles(50_000)  # the corpus: made while paused, far past every threshold
        assert not collections and not gc.isenabled()
        with collector.settled():
            assert collections == [], "entering the rendering scanned what the paused build made"
            assert gc.isenabled() and gc.get_freeze_count() >= len(kept)
            for _ in range(20):
                _cycles(2_000)  # a page's cycles: found while rendering
            assert collections, "the collector did not run while rendering"
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_a_heap_frozen_by_the_caller_stays_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector.paused(), collector.settled():
            assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_what_a_first_update_keeps_is_frozen_not_scanned(collections: list[int]) -> None:
    frozen = gc.get_freeze_count()
    with collector.kept():
        cache = _cycles(collector.KEPT_FROM)  # an engine's first update: millions kept
    _cycles(10)  # the next allocation would set the collector off on all of them
    assert collections == [], "the objects made while paused were scanned"
    assert gc.get_freeze_count() >= frozen + len(cache)
    gc.unfreeze()


def test_what_a_save_makes_is_left_to_the_collector() -> None:
    gc.collect()
    frozen = gc.get_freeze_count()
    with collector.kept():
        _cycles(1_000)  # a save: a few objects, some soon garbage in cycles
    assert gc.get_freeze_count() == frozen and gc.isenabled()


def test_a_rendered_page_leaves_no_cycles_and_shared_macros_keep_working(tmp_path: Path) -> None:
    """The engine renders with the collector paused: a page must be freed by reference
    counting alone. A macro module imported without context is Jinja's to keep for every
    page: it must still work on the next page."""
    from generator.contexts import PageContext
    from generator.pages import PageSpec
    from generator.render import Renderer
    from generator.site import check

    (tmp_path / "_m.md.j2").write_text("{% macro hello(x) %}hello {{ x }}{% endmacro %}\n")
    (tmp_path / "with.md.j2").write_text(
        '{% import "_m.md.j2" as m with context %}{% macro own() %}{{ m.hello(page_path) }}{% endmacro %}'
        "{{ own() }}\n"
    )
    (tmp_path / "shared.md.j2").write_text('{% import "_m.md.j2" as m %}{{ m.hello("shared") }}\n')
    corpus, _ = check(Path(__file__).parent / "fixtures" / "small" / "content")
    assert corpus is not None
    renderer = Renderer(tmp_path, corpus)
    gc.collect()
    with collector.paused():
        pages = [
            renderer.render_page(PageSpec(f"p{i}.md", template, "t", PageContext()))
            for i, template in enumerate(["with.md.j2", "shared.md.j2", "with.md.j2", "shared.md.j2"])
        ]
        left = gc.collect()
    assert [page for page, _ in pages] == ["hello p0.md\n", "hello shared\n", "hello p2.md\n", "hello shared\n"]
    assert left == 0, f"{left} objects of rendered pages were left in cycles"
