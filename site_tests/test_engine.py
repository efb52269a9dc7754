"""The serve cache is deliberate and tested: after any edit, a run with the cache gives exactly
what a fresh run gives, and it redoes only what the edit touched."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.corpus import Corpus
from generator.incremental import BuildCache, KeptValue
from generator.site import generate
from site_tests.conftest import FIXTURES, ROOT


def _touch_later(path: Path) -> None:
    """Make sure the edit is seen even on file systems with coarse timestamps."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        _touch_later(path)

    return apply


def write(rel: str, text: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        (root / rel).write_text(text, encoding="utf-8")
        _touch_later(root / rel)

    return apply


def remove(rel: str) -> Callable[[Path], None]:
    return lambda root: (root / rel).unlink()


EDITS: dict[str, Callable[[Path], None]] = {
    "text of a source": edit(
        "content/sources/tehran-meeting.md",
        "He spoke about terrorism.",
        "He spoke about terrorism and Russia.",
    ),
    "rename a record": edit(
        "content/countries/russia.md", "name: Russia", "name: Russian Federation\naliases: [Russia]"
    ),
    "new alias": edit("content/places/tehran.md", "name: Tehran", "name: Tehran\naliases: [Wednesday]"),
    "summary shown in links": edit("content/topics/terrorism.md", "Armed violence", "Organized violence"),
    "event date": edit("content/events/sco-2021.md", "date: 2021-09", "date: 2021-06"),
    "participant role": edit("content/events/afghanistan-neighbours.md", "role: host", "role: chair"),
    "membership": edit("content/organizations/sco.md", "role: member state", "role: observer"),
    "publication date": edit("content/sources/tehran-meeting.md", "published: 2021-10-28", "published: 2020-01-02"),
    "coordinates of a place": edit("content/places/tehran.md", "[35.6892, 51.389]", "[35.7, 51.4]"),
    "quote": edit("content/sources/tehran-meeting.md", "event: afghanistan-neighbours\n", ""),
    "new record": write("content/people/wang-yi.md", "---\nname: Wang Yi\n---\n"),
    "removed record": remove("content/events/sco-press.md"),
    "broken file": write("content/places/tehran.md", "---\nname: [Tehran\n---\n"),
    "template": edit("templates/pages/timeline.md.j2", "# Timeline", "# Timeline of events"),
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "small" / "content", tmp_path / "content")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path


def run(root: Path, cache: BuildCache | None = None):  # type: ignore[no-untyped-def]
    return generate(root / "content", root / "templates", root, cache=cache)


@pytest.mark.parametrize("name", list(EDITS))
def test_cached_run_after_an_edit_equals_a_fresh_run(project: Path, name: str) -> None:
    cache = BuildCache()
    first = run(project, cache)
    assert first.ok
    EDITS[name](project)
    cached = run(project, cache)
    fresh = run(project)
    assert cached.problems == fresh.problems
    assert dict(cached.pages) == dict(fresh.pages)
    assert dict(cached.files) == dict(fresh.files)  # open data and feeds
    # and back again
    shutil.rmtree(project / "content")
    shutil.copytree(FIXTURES / "small" / "content", project / "content")
    shutil.rmtree(project / "templates")
    shutil.copytree(ROOT / "templates", project / "templates")
    for path in (project / "content").rglob("*.md"):
        _touch_later(path)
    for path in (project / "templates").rglob("*"):
        if path.is_file():
            _touch_later(path)
    again = run(project, cache)
    assert dict(again.pages) == dict(first.pages)
    assert dict(again.files) == dict(first.files)


def test_edits_made_while_the_corpus_has_errors_are_all_seen_once_it_is_fixed(project: Path) -> None:
    """A run with errors renders nothing; what changed meanwhile must still reach the pages."""
    cache = BuildCache()
    assert run(project, cache).ok
    original = (project / "content/places/tehran.md").read_text(encoding="utf-8")
    EDITS["broken file"](project)
    assert not run(project, cache).ok
    EDITS["summary shown in links"](project)
    EDITS["event date"](project)
    assert not run(project, cache).ok
    write("content/places/tehran.md", original)(project)
    cached = run(project, cache)
    assert cached.ok
    assert dict(cached.pages) == dict(run(project).pages)


def test_an_unchanged_corpus_is_not_read_or_rendered_again(project: Path) -> None:
    cache = BuildCache()
    first = run(project, cache)
    assert cache.stats.pages_rendered == len(first.pages)
    run(project, cache)
    stats = cache.stats
    assert (stats.files_read, stats.texts_linked, stats.records_planned, stats.pages_rendered) == (0, 0, 0, 0)


def test_an_edit_redoes_only_what_it_touches(project: Path) -> None:
    cache = BuildCache()
    first = run(project, cache)
    time.sleep(0.01)
    EDITS["text of a source"](project)
    before = first.corpus
    after = run(project, cache).corpus
    assert cache.stats.files_read == 1
    assert cache.stats.texts_linked == 1
    # planned again: the source, the records whose mentions in it changed, and those whose
    # plan reads the source's record (the quoted, the events it reports); not the others
    assert before is not None and after is not None
    changed = {rid for rid in after.records if before.backlinks.get(rid) != after.backlinks.get(rid)}
    assert len(changed - {"tehran-meeting"}) > 0
    assert len(changed | {"tehran-meeting"}) <= cache.stats.records_planned < len(after.records)
    # the source page, the pages of what it mentions, the indexes and home that list it
    assert 0 < cache.stats.pages_rendered < len(first.pages)


def test_templates_are_compiled_once_per_serve_and_again_when_edited(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2

    compiled: list[str | None] = []
    original = jinja2.Environment.compile

    def counting(
        self: jinja2.Environment, source: str, name: str | None = None, *args: object, **kw: object
    ) -> object:
        compiled.append(name)
        return original(self, source, name, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    cache = BuildCache()
    run(project, cache)
    assert "timeline.md.j2" in compiled
    compiled.clear()
    EDITS["text of a source"](project)
    run(project, cache)
    assert compiled == []  # pages re-rendered from code compiled by the first run
    EDITS["template"](project)
    result = run(project, cache)
    assert compiled == ["timeline.md.j2"]
    assert result.pages["timeline.md"].startswith("# Timeline of events")


def test_kept_runs_again_only_when_a_value_it_read_is_another_object(project: Path) -> None:
    """corpus.kept: reads are noted (keys found, keys missing, whole mappings) and replayed."""
    import copy
    from dataclasses import replace

    from generator.corpus import kept

    corpus = run(project).corpus
    assert corpus is not None
    record = corpus.records["iran"]
    memo: dict[str, KeptValue] = {}
    calls: list[str] = []

    def compute(c: Corpus) -> object:
        calls.append("ran")
        return (c.backlinks.get("iran"), "nobody" in c.records, c.records["tehran"].name)

    def again(c: Corpus) -> bool:
        return kept(memo, record, None, c, c.mappings(), compute)[1]

    assert again(corpus) and not again(corpus)
    assert not again(replace(corpus, related={}))  # not read
    assert not again(replace(corpus, backlinks=dict(corpus.backlinks)))  # other mapping, same values
    assert again(replace(corpus, backlinks={**corpus.backlinks, "iran": ()}))  # a value read changed
    assert again(replace(corpus, records={**corpus.records, "nobody": record}))  # a missing key appeared
    reread = copy.copy(corpus.records["tehran"])  # a file read again: another object
    assert again(replace(corpus, records={**corpus.records, "tehran": reread}))
    assert len(calls) == 4
    with pytest.raises(AssertionError, match="list of all quotes"):
        kept({}, record, None, corpus, corpus.mappings(), lambda c: len(c.quotes))
