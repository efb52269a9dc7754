"""Rendering on several processes gives exactly the pages and problems of a serial run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from generator import feeds, parallel, render
from generator.pages import plan, plan_groups
from generator.parallel import R, T
from generator.problems import Problem
from generator.site import check, generate
from generator.tools.synthetic import write_corpus
from site_tests.conftest import FIXTURES, ROOT

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="needs fork")


def _rendered(
    content: Path, templates: Path, workers: int, shown_base: Path | None = None, grouped: bool = False
) -> tuple[dict[str, str], list[Problem]]:
    """The pages of a plan of specs, or (``grouped``) of groups each planned by the process
    that renders it, as site.generate gives them."""
    corpus, problems = check(content, shown_base)
    assert corpus is not None, [p.format() for p in problems]
    specs = plan_groups(corpus) if grouped else plan(corpus)
    return render.render_all(templates / "pages", corpus, specs, workers=workers)


@pytest.fixture
def every_site_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small sites too go through the forked paths."""
    monkeypatch.setattr(render, "PARALLEL_PAGES", 0)
    monkeypatch.setattr(feeds, "PARALLEL_FEEDS", 0)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic") / "content"
    write_corpus(folder, sources=60)
    return folder


@pytest.mark.usefixtures("every_site_parallel")
@pytest.mark.parametrize("name", ["small", "hostile"])
def test_fixture_corpora_render_alike(name: str) -> None:
    content = FIXTURES / name / "content"
    serial = _rendered(content, ROOT / "templates", 1, FIXTURES / name)
    assert serial[0]
    for workers, grouped in ((2, False), (3, False), (1, True), (2, True), (3, True)):
        pages, problems = _rendered(content, ROOT / "templates", workers, FIXTURES / name, grouped)
        assert list(pages) == list(serial[0])  # the same pages, in the same order
        assert pages == serial[0]
        assert problems == serial[1]


@pytest.mark.slow  # forked renders of a 60-source corpus
@pytest.mark.usefixtures("every_site_parallel")
def test_synthetic_corpus_renders_alike(synthetic: Path) -> None:
    serial = _rendered(synthetic, ROOT / "templates", 1)
    assert len(serial[0]) > 100
    for grouped in (False, True):
        pages, problems = _rendered(synthetic, ROOT / "templates", 2, grouped=grouped)
        assert list(pages) == list(serial[0])
        assert pages == serial[0]
        assert problems == serial[1]


@pytest.mark.slow  # forked renders of a 60-source corpus
@pytest.mark.usefixtures("every_site_parallel")
def test_generate_is_the_same_serial_or_not(synthetic: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "1")
    serial = generate(synthetic, ROOT / "templates")
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "2")
    forked = generate(synthetic, ROOT / "templates")
    assert forked.pages == serial.pages
    assert forked.files == serial.files
    assert any(path.startswith("feeds/") for path in forked.files)
    assert forked.problems == serial.problems


@pytest.mark.slow  # forked renders of a 60-source corpus
@pytest.mark.usefixtures("every_site_parallel")
def test_broken_templates_are_reported_once_each_as_in_serial(synthetic: Path, tmp_path: Path) -> None:
    """An undefined name in a template used by many pages, a syntax error in another: one
    report each, for the first page in order, whichever process rendered it."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates" / "pages", templates / "pages")
    entity = templates / "pages" / "entity.md.j2"
    entity.write_text(entity.read_text(encoding="utf-8") + "{{ no_such_name }}\n", encoding="utf-8")
    event = templates / "pages" / "event.md.j2"
    event.write_text("{% if %}\n" + event.read_text(encoding="utf-8"), encoding="utf-8")
    serial = _rendered(synthetic, templates, 1)
    assert len(serial[1]) == 2, [p.format() for p in serial[1]]
    for workers in (2, 3):
        pages, problems = _rendered(synthetic, templates, workers)
        assert pages == serial[0]
        assert problems == serial[1]


@pytest.mark.slow  # forked renders of a 60-source corpus
@pytest.mark.usefixtures("every_site_parallel")
def test_a_failed_generation_leaves_no_process_behind(
    synthetic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template error found while rendering: the open data and feeds being made alongside
    are not wanted, and their process is stopped; the problems are those of a serial run."""
    import multiprocessing

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates" / "pages", templates / "pages")
    event = templates / "pages" / "event.md.j2"
    event.write_text("{% if %}\n" + event.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "1")
    serial = generate(synthetic, templates)
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "2")
    forked = generate(synthetic, templates)
    assert not forked.ok and not forked.pages and not forked.files
    assert forked.problems == serial.problems
    assert any(p.severity.value == "warning" for p in forked.problems)  # the corpus's warnings too
    assert not multiprocessing.active_children()


def test_small_sites_stay_serial(synthetic: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork(work: Callable[[Sequence[T]], list[R]], items: Sequence[T], processes: int) -> list[R]:
        assert processes == 1, "forked"
        return work(items)

    monkeypatch.setattr(render, "fork_map", no_fork)
    small = FIXTURES / "small"
    corpus, _problems = check(small / "content", small)
    assert corpus is not None
    specs = plan(corpus)
    assert len(specs) < render.PARALLEL_PAGES
    render.render_all(ROOT / "templates" / "pages", corpus, specs, workers=2)


# -- fork_map itself -----------------------------------------------------------------------------


def _squares(items: Sequence[int]) -> list[int]:
    return [i * i for i in items]


@pytest.mark.parametrize("processes", [1, 2, 3, 5])
@pytest.mark.parametrize("count", [0, 1, 2, 7, 100])
def test_fork_map_keeps_the_order(processes: int, count: int) -> None:
    items = list(range(count))
    assert parallel.fork_map(_squares, items, processes) == _squares(items)


def test_a_failing_child_is_replaced_by_the_parent() -> None:
    parent = os.getpid()

    def fails_in_child(items: Sequence[int]) -> list[int]:
        if os.getpid() != parent:
            raise RuntimeError("a child failed")
        return _squares(items)

    assert parallel.fork_map(fails_in_child, list(range(50)), 3) == _squares(list(range(50)))


def test_a_child_that_exits_or_answers_wrong_is_replaced() -> None:
    parent = os.getpid()

    def odd_child(items: Sequence[int]) -> list[int]:
        if os.getpid() != parent:
            if 1 in items:
                os._exit(3)  # dies without a word
            return [0]  # one result for many items
        return _squares(items)

    assert parallel.fork_map(odd_child, list(range(30)), 3) == _squares(list(range(30)))


def test_workers_wanted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "1")
    assert parallel.workers_wanted() == 1
    assert parallel.workers_wanted(3) == 3
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "0")
    assert parallel.workers_wanted() == 1
    monkeypatch.delenv(parallel.WORKERS_VARIABLE)
    assert 1 <= parallel.workers_wanted() <= parallel.MAX_WORKERS


def test_a_failing_parent_leaves_no_child_behind() -> None:
    import multiprocessing
    import time

    parent = os.getpid()

    def fails_in_parent(items: Sequence[int]) -> list[int]:
        if os.getpid() == parent:
            raise RuntimeError("the parent failed")
        time.sleep(30)  # a child still busy when the parent gives up
        return _squares(items)

    with pytest.raises(RuntimeError):
        parallel.fork_map(fails_in_parent, list(range(10)), 3)
    assert not multiprocessing.active_children()


# -- alongside -----------------------------------------------------------------------------------


def test_alongside_works_in_another_process_and_gives_its_result() -> None:
    later = parallel.alongside(os.getpid, 2)
    assert later.result() != os.getpid()


def test_alongside_with_one_process_works_here_when_asked() -> None:
    calls: list[int] = []
    later = parallel.alongside(lambda: calls.append(1) or os.getpid(), 1)
    assert calls == []
    assert later.result() == os.getpid()
    assert calls == [1]


def test_alongside_a_failing_child_is_replaced_by_the_parent() -> None:
    parent = os.getpid()

    def fails_in_child() -> int:
        if os.getpid() != parent:
            os._exit(3)
        return 42

    assert parallel.alongside(fails_in_child, 2).result() == 42


def test_alongside_cancelled_leaves_no_child_behind() -> None:
    import multiprocessing
    import time

    later = parallel.alongside(lambda: time.sleep(30), 2)
    later.cancel()
    assert not multiprocessing.active_children()
    later.cancel()  # twice is harmless


def test_a_generation_that_raises_while_rendering_leaves_no_process_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from generator import site

    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "2")  # the warnings and the open data alongside

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug while rendering")

    monkeypatch.setattr(site, "render_all", broken)
    with pytest.raises(RuntimeError, match="a bug while rendering"):
        generate(FIXTURES / "small" / "content", ROOT / "templates")
    assert not multiprocessing.active_children()
