"""`python -m generator watch --out DIR`: the standalone project in DIR follows the corpus,
writing only the files whose bytes changed (atomically), removing the ones that went away,
and keeping the last good project while the corpus is broken."""

from __future__ import annotations

import io
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import cli, watch
from generator.docs_project import OUTPUT_MARK, project_files, read_config
from generator.site import SiteInfo, generate
from site_tests.conftest import FIXTURES, ROOT

SMALL = FIXTURES / "small" / "content"
TEMPLATES = ROOT / "templates"
PROJECT = read_config(ROOT / "mkdocs.yml")
SOURCE = "sources/tehran-meeting.md"
SENTENCE = "He spoke about terrorism."


def _copy(tmp: Path) -> Path:
    content = tmp / "content"
    shutil.copytree(SMALL, content)
    return content


def _watcher(content: Path, out: Path) -> watch.ProjectWatch:
    return watch.ProjectWatch(content, TEMPLATES, out, PROJECT, content.parent)


def _expected(content: Path) -> dict[str, bytes]:
    """What `build --out` would write for the corpus as it is now (the mark aside)."""
    result = generate(content, TEMPLATES, shown_base=content.parent, site=SiteInfo(PROJECT.site_name))
    assert result.ok
    files = project_files(PROJECT, result.pages, result.files)
    return {rel: data.encode("utf-8") if isinstance(data, str) else data for rel, data in files.items()}


def _owned(out: Path) -> dict[str, bytes]:
    """The files of DIR that the loop owns, by path."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and watch._owned(p.relative_to(out).as_posix())
    }


def _edit(content: Path, rel: str, old: str, new: str) -> None:
    path = content / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_first_update_writes_what_build_out_writes(tmp_path: Path) -> None:
    content = _copy(tmp_path)
    built = tmp_path / "built"
    argv = ["build", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(built)]
    assert cli.main([*argv, "--config", str(ROOT / "mkdocs.yml")]) == 0
    out = tmp_path / "out"
    update = _watcher(content, out).update()
    assert update.ok and update.removed == ()
    assert _owned(out) == _owned(built)
    assert set(update.written) == set(_owned(built))
    assert (out / OUTPUT_MARK).is_file()


def test_an_edit_writes_only_the_files_whose_bytes_changed(tmp_path: Path) -> None:
    content = _copy(tmp_path)
    out = tmp_path / "out"
    watcher = _watcher(content, out)
    watcher.update()
    before = _expected(content)
    times = {rel: (out / rel).stat().st_mtime_ns for rel in before}
    _edit(content, SOURCE, SENTENCE, "He spoke about terrorism and Iran again.")
    after = _expected(content)
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    assert {"docs/sources/tehran-meeting.md", "docs/countries/iran.md", "docs/data/corpus.json"} <= changed
    time.sleep(0.01)
    update = watcher.update({content / SOURCE})
    assert set(update.written) == changed and update.removed == ()
    assert _owned(out) == after
    untouched = [rel for rel in after if rel not in changed]
    assert untouched and all((out / rel).stat().st_mtime_ns == times[rel] for rel in untouched)
    # nothing changed since: nothing is written
    assert watcher.update().written == ()


def test_every_write_is_a_rename_of_a_complete_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = _copy(tmp_path)
    out = tmp_path / "out"
    watcher = _watcher(content, out)
    watcher.update()
    renames: list[tuple[Path, Path, bytes]] = []
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        renames.append((Path(src), Path(dst), Path(src).read_bytes()))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    _edit(content, SOURCE, SENTENCE, "He spoke about terrorism and Iran again.")
    update = watcher.update()
    assert sorted(dst.relative_to(out).as_posix() for _src, dst, _data in renames) == sorted(update.written)
    for src, dst, data in renames:
        assert src.parent == out / watch.STAGING  # same file system as the target: an atomic rename
        assert data == dst.read_bytes()  # the temporary file was complete before the rename
    assert not (out / watch.STAGING).exists()


def test_a_record_that_went_away_loses_its_files_and_the_builders_output_stays(tmp_path: Path) -> None:
    content = _copy(tmp_path)
    out = tmp_path / "out"
    watcher = _watcher(content, out)
    watcher.update()
    (out / "site").mkdir()
    (out / "site" / "index.html").write_text("built by a builder")
    (content / "events" / "sco-press.md").unlink()
    update = watcher.update()
    assert update.ok, [p.format() for p in update.problems]
    assert {"docs/events/sco-press.md", "docs/data/events/sco-press.json"} <= set(update.removed)
    assert _owned(out) == _expected(content)
    assert (out / "site" / "index.html").read_text() == "built by a builder"


def test_files_an_earlier_run_left_are_found_and_removed_with_their_empty_folders(tmp_path: Path) -> None:
    content = _copy(tmp_path)
    out = tmp_path / "out"
    assert _watcher(content, out).update().ok
    (out / "docs" / "old" / "deep").mkdir(parents=True)
    (out / "docs" / "old" / "deep" / "page.md").write_text("# gone from the corpus")
    (out / "docs" / "index.md").write_text("stale")
    update = _watcher(content, out).update()  # a new loop over the same folder
    assert update.removed == ("docs/old/deep/page.md",) and update.written == ("docs/index.md",)
    assert not (out / "docs" / "old").exists()
    assert _owned(out) == _expected(content)


def test_a_broken_corpus_keeps_the_last_good_project_and_reports_where(tmp_path: Path) -> None:
    content = _copy(tmp_path)
    out = tmp_path / "out"
    watcher = _watcher(content, out)
    watcher.update()
    good = _owned(out)
    _edit(content, "places/tehran.md", "country: iran", "country: persia")
    update = watcher.update()
    assert not update.ok and update.written == () and update.removed == ()
    assert _owned(out) == good
    shown = [p.format() for p in update.problems]
    assert any(
        line.startswith("content/places/tehran.md:4:1: error: ") and "did you mean" in line for line in shown
    )
    stream = io.StringIO()
    watcher._report(update, stream)
    assert "content/places/tehran.md:4:1: error:" in stream.getvalue()
    assert "kept the last good pages" in stream.getvalue()
    _edit(content, "places/tehran.md", "country: persia", "country: iran")
    assert watcher.update().ok and _owned(out) == good


def test_a_folder_it_did_not_write_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(watch.WatchError, match="not written by this command"):
        _watcher(SMALL, out)
    assert cli.main(["watch", "--content", str(SMALL), "--out", str(out)]) == 2
    assert (out / "notes.txt").read_text() == "mine"


def test_the_loop_follows_a_save_through_watchdog(tmp_path: Path) -> None:
    content = _copy(tmp_path)
    out = tmp_path / "out"
    watcher = _watcher(content, out)
    stop = threading.Event()
    stream = io.StringIO()
    loop = threading.Thread(target=watcher.run, kwargs={"interval": 0.1, "stop": stop, "report": stream})
    loop.start()
    page = out / "docs" / "sources" / "tehran-meeting.md"
    try:
        deadline = time.monotonic() + 30
        while not page.is_file() and time.monotonic() < deadline:
            time.sleep(0.05)
        _edit(content, SOURCE, SENTENCE, "He spoke about terrorism and loops.")
        while "and loops." not in page.read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "and loops." in page.read_text(encoding="utf-8")
    finally:
        stop.set()
        loop.join(timeout=10)
    assert not loop.is_alive()
    assert "watch: first update:" in stream.getvalue() and "watch: update:" in stream.getvalue()


@pytest.mark.parametrize(
    "delta, gone, written, removed",
    [
        ({"docs/index.md": "changed"}, [], ("docs/index.md",), ()),
        (
            {"docs/new/page.md": "new"},
            ["docs/events/sco-press.md"],
            ("docs/new/page.md",),
            ("docs/events/sco-press.md",),
        ),
        ({}, ["mkdocs.yml", "site/index.html", "docs/never-there.md"], (), ()),  # not the loop's to remove
    ],
)
def test_an_engine_s_delta_is_applied_as_given(
    tmp_path: Path, delta: dict[str, str], gone: list[str], written: tuple[str, ...], removed: tuple[str, ...]
) -> None:
    """The slot for an engine that reports only what changed: apply() and remove()."""
    content = _copy(tmp_path)
    out = tmp_path / "out"
    watcher = _watcher(content, out)
    watcher.update()
    (out / "site").mkdir()
    (out / "site" / "index.html").write_text("built")
    same = {"docs/countries/iran.md": (out / "docs/countries/iran.md").read_text(encoding="utf-8")}
    assert watcher.apply({**same, **delta}) == written
    assert watcher.remove(gone) == removed
    for rel, text in delta.items():
        assert (out / rel).read_text(encoding="utf-8") == text
    assert all(not (out / rel).exists() for rel in removed)
    assert (out / "mkdocs.yml").is_file() and (out / "site" / "index.html").is_file()


# One step of an author's session: (file, text there, text it becomes); a few break the corpus.
STEPS = [
    (SOURCE, SENTENCE, "He spoke about terrorism and Iran again."),
    (SOURCE, SENTENCE, "He spoke about [[sco]] and terrorism."),
    ("places/tehran.md", "country: iran", "country: persia"),  # broken: unknown id
    ("countries/iran.md", "name: Iran", "name: [Iran"),  # broken: not YAML
    ("topics/terrorism.md", "name: Terrorism", "name: Terrorism and extremism"),
    ("countries/russia.md", "name: Russia", "name: Russian Federation"),
]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(range(len(STEPS))), st.booleans()), min_size=1, max_size=5))
def test_after_any_sequence_of_saves_dir_is_what_the_last_good_corpus_gives(
    tmp_path_factory: pytest.TempPathFactory, session: list[tuple[int, bool]]
) -> None:
    tmp = tmp_path_factory.mktemp("session")
    content = _copy(tmp)
    out = tmp / "out"
    watcher = _watcher(content, out)
    watcher.update()
    last_good = _owned(out)
    for index, undo in session:
        rel, old, new = STEPS[index]
        text = (content / rel).read_text(encoding="utf-8")
        if undo:
            old, new = new, old
        if old not in text:
            continue
        (content / rel).write_text(text.replace(old, new, 1), encoding="utf-8")
        update = watcher.update({content / rel})
        if update.ok:
            last_good = _expected(content)
        assert _owned(out) == last_good
