"""The incremental engine is correct by construction and proven so: after any sequence of
edits, what it serves equals a fresh build of the pure core, byte for byte (pages, feeds,
open data, problems), and a save redoes only what it touched."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from generator.incremental import Engine
from generator.incremental import engine as engine_module
from generator.site import Generated, SiteInfo, check, generate
from site_tests.conftest import FIXTURES, ROOT

SITE = SiteInfo("Site", None)


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


def fresh(root: Path) -> Generated:
    return generate(root / "content", root / "templates", root, site=SITE)


def engine_for(root: Path) -> Engine:
    return Engine(root / "content", root / "templates", root, SITE)


def assert_same_as_fresh(engine: Engine, root: Path, touched: list[Path] | None = None) -> None:
    """What the engine has now equals a fresh build of the same files (``touched``: the paths
    changed since its last update, as file system events give them)."""
    update = engine.update(touched)
    expected = fresh(root)
    _corpus, checked = engine.check()  # what `check` and the language server get
    assert checked == tuple(check(root / "content", root)[1])
    got, want = [p.format() for p in update.problems], [p.format() for p in expected.problems]
    assert got == want, (
        f"engine only: {[p for p in got if p not in want]}; fresh only: {[p for p in want if p not in got]}"
    )
    assert update.ok == expected.ok
    if expected.ok:
        assert dict(update.pages) == dict(expected.pages)
        made = {**engine.data_files(), **update.files}
        assert dict(sorted(made.items())) == dict(expected.files)  # open data and feeds


@pytest.mark.parametrize("name", list(EDITS))
def test_an_update_after_an_edit_equals_a_fresh_build(project: Path, name: str) -> None:
    engine = engine_for(project)
    first = engine.update()
    assert first.ok
    first_pages, first_files = dict(first.pages), dict(first.files)
    EDITS[name](project)
    assert_same_as_fresh(engine, project)
    # and back again
    shutil.rmtree(project / "content")
    shutil.copytree(FIXTURES / "small" / "content", project / "content")
    shutil.rmtree(project / "templates")
    shutil.copytree(ROOT / "templates", project / "templates")
    for path in [*(project / "content").rglob("*.md"), *(project / "templates").rglob("*")]:
        if path.is_file():
            _touch_later(path)
    again = engine.update()
    assert dict(again.pages) == first_pages
    assert dict(again.files) == first_files


def test_edits_made_while_the_corpus_has_errors_are_all_seen_once_it_is_fixed(project: Path) -> None:
    """An update with errors keeps the last good pages; what changed meanwhile still reaches them."""
    engine = engine_for(project)
    good = dict(engine.update().pages)
    original = (project / "content/places/tehran.md").read_text(encoding="utf-8")
    EDITS["broken file"](project)
    broken = engine.update()
    assert not broken.ok and dict(broken.pages) == good  # the last good pages stay
    assert any(p.path == "content/places/tehran.md" for p in broken.problems)
    EDITS["summary shown in links"](project)
    EDITS["event date"](project)
    assert not engine.update().ok
    write("content/places/tehran.md", original)(project)
    fixed = engine.update()
    assert fixed.ok
    assert dict(fixed.pages) == dict(fresh(project).pages)
    # the fixing save is an ordinary one: it read the one file it had to
    assert fixed.stats.files_read == 1


def test_a_file_broken_then_mended_makes_nothing_again(project: Path) -> None:
    """Changes count from the last outputs made, net: the record a broken file took away and
    its mending brought back, as it was, leaves every output as it was (at 10,000 sources the
    mending save had remade 39 outputs, 2.3 s, for pages that did not change)."""
    engine = engine_for(project)
    good = engine.update()
    path = project / "content/events/afghanistan-neighbours.md"
    original = path.read_text(encoding="utf-8")
    path.write_text("---\nname: [unclosed\n---\n", encoding="utf-8")
    assert not engine.update([path]).ok
    path.write_text(original, encoding="utf-8")
    mended = engine.update([path])
    assert mended.ok and mended.stats.files_read == 1
    assert mended.stats.outputs_made == 0
    assert mended.changed == frozenset() and dict(mended.pages) == dict(good.pages)
    # and a change that is not undone still counts: the same break, then another edit
    path.write_text("---\nname: [unclosed\n---\n", encoding="utf-8")
    assert not engine.update([path]).ok
    path.write_text(original.replace("Second meeting", "2nd meeting", 1), encoding="utf-8")
    edited = engine.update([path])
    assert edited.ok and edited.stats.outputs_made > 0
    assert_same_as_fresh(engine, project)


def test_the_warnings_of_the_whole_corpus_wait_while_a_file_is_broken(project: Path) -> None:
    """A record only the broken file named is not "unreferenced": the corpus's warnings come
    back with the save that mends it, and the saves in between leave the linked corpus as
    it was (the save that mends is an ordinary one)."""
    engine = engine_for(project)
    good = engine.update()
    warned = [p.format() for p in good.problems if p.severity.value == "warning"]
    assert any("no source reports" in w for w in warned), warned  # the fixture has some
    before = engine.graph.corpus
    path = project / "content/sources/tehran-meeting.md"
    original = path.read_text(encoding="utf-8")
    path.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    broken = engine.update([path])
    assert not broken.ok
    assert not any("no source reports" in p.message for p in broken.problems)
    assert [p.format() for p in broken.problems] == [p.format() for p in fresh(project).problems]
    assert engine.graph.corpus is before  # not linked again for a corpus that shows nothing
    _corpus, checked = engine.check()  # what `check` and the language server get: as it is
    assert "tehran-meeting" not in engine.graph.corpus.records
    assert list(checked) == list(broken.problems)
    path.write_text(original, encoding="utf-8")
    mended = engine.update([path])
    assert [p.format() for p in mended.problems if p.severity.value == "warning"] == warned
    assert_same_as_fresh(engine, project)


def _collects(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the engine's whole collections of the files read (who has which id)."""
    calls: list[int] = []
    real = engine_module.collect

    def counted(reads: Any) -> Any:
        calls.append(len(reads))
        return real(reads)

    monkeypatch.setattr(engine_module, "collect", counted)
    return calls


def test_a_save_that_breaks_or_mends_a_file_reads_only_that_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_for(project)
    engine.update()
    calls = _collects(monkeypatch)
    path = project / "content/places/tehran.md"
    original = path.read_text(encoding="utf-8")
    EDITS["broken file"](project)
    assert not engine.update([path]).ok
    path.write_text(original, encoding="utf-8")
    assert engine.update([path]).ok
    assert calls == []  # the other files' records and problems were kept as they were
    assert_same_as_fresh(engine, project)


def test_a_named_record_broken_keeps_the_names_as_they_were_until_it_is_mended(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Breaking a record that texts name (Tehran) builds no matcher and scans no text, nor
    does mending it as it was; texts edited meanwhile, and a mending that renames it, come
    out as a fresh build gives them."""
    from generator import linking

    engine = engine_for(project)
    engine.update()
    built: list[bool] = []
    real = linking.matcher_of

    def counted(inputs: Any, find: bool = True) -> Any:
        built.append(find)
        return real(inputs, find)

    monkeypatch.setattr(linking, "matcher_of", counted)
    place = project / "content/places/tehran.md"
    source = project / "content/sources/tehran-meeting.md"
    original = place.read_text(encoding="utf-8")
    EDITS["broken file"](project)
    broken = engine.update([place])
    assert not broken.ok
    assert [p.format() for p in broken.problems] == [p.format() for p in fresh(project).problems]
    built.remove(True)  # the fresh build's
    edit("content/sources/tehran-meeting.md", "met in Tehran on", "met in Tehran, again, on")(project)
    assert not engine.update([source]).ok
    place.write_text(original, encoding="utf-8")
    assert engine.update([place]).ok
    assert True not in built  # no pattern built: the names are those of before the break
    assert_same_as_fresh(engine, project, [place])
    EDITS["broken file"](project)
    assert not engine.update([place]).ok
    place.write_text(original.replace("name: Tehran", "name: Teheran"), encoding="utf-8")
    assert_same_as_fresh(engine, project, [place])  # the name changed: the texts that had it


def test_a_broken_file_whose_id_another_file_has_is_settled_by_a_whole_look(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two files with one id: which one has it is for the whole look to say, whichever breaks."""
    write("content/topics/tehran.md", "---\nname: Tehran topic\n---\n")(project)
    engine = engine_for(project)
    assert not engine.update().ok  # the id is used twice
    calls = _collects(monkeypatch)
    EDITS["broken file"](project)
    engine.update([project / "content/places/tehran.md"])
    assert len(calls) == 1
    assert_same_as_fresh(engine, project)
    (project / "content/places/tehran.md").unlink()
    assert_same_as_fresh(engine, project)


def test_an_unchanged_corpus_is_not_read_or_made_again(project: Path) -> None:
    engine = engine_for(project)
    first = engine.update()
    assert first.stats.outputs_made > 0 and first.changed == frozenset(first.pages) | frozenset(first.files)
    again = engine.update()
    stats = again.stats
    assert (stats.files_read, stats.texts_linked, stats.outputs_made) == (0, 0, 0)
    assert again.changed == frozenset() and again.removed == frozenset()


@pytest.mark.parametrize(
    "change",
    [
        lambda c: _touch_later(c / "countries/iran.md"),  # a save (its time)
        lambda c: (c / "countries/iran.md").write_text("---\nname: [Iran\n---\n"),  # broken
        lambda c: (c / "countries/iran.md").unlink(),
        lambda c: (c / "countries/kazakhstan.md").write_text("---\nname: Kazakhstan\n---\n"),
        lambda c: (c / "countries/stray.txt").write_text("not a record"),  # a problem of its own
    ],
    ids=["saved", "broken", "deleted", "created", "stray file"],
)
def test_the_files_are_as_read_until_one_is_saved_created_or_deleted(
    project: Path, change: Callable[[Path], object]
) -> None:
    """What a server asks once its watches have begun, to trust its first save's events."""
    engine = engine_for(project)
    assert not engine.as_read()  # nothing read yet
    engine.update()
    assert engine.as_read()
    change(project / "content")
    assert not engine.as_read()
    engine.update()
    assert engine.as_read()


def test_an_edit_redoes_only_what_it_touches(project: Path) -> None:
    engine = engine_for(project)
    first = engine.update()
    total = first.stats.outputs_made
    EDITS["text of a source"](project)
    update = engine.update()
    assert update.stats.files_read == 1
    assert update.stats.texts_linked == 1
    assert 0 < update.stats.outputs_made < total
    assert "sources/tehran-meeting.md" in update.changed
    assert "countries/iran.md" not in update.changed  # not mentioned by the edit


def test_an_edited_sentence_leaves_the_lists_that_show_its_source(project: Path) -> None:
    """A source's text is an input apart from its title and date: the lists that show the
    source (the sources index, the event it reports, the timeline) are not made again when
    one of its sentences changes, and the pages that show the sentence are."""
    engine = engine_for(project)
    engine.update()
    before = dict(engine._outputs)
    edit("content/sources/tehran-meeting.md", "He spoke about terrorism.", "He spoke at length about terrorism.")(
        project
    )
    update = engine.update()
    remade = {name for name, output in engine._outputs.items() if before.get(name) is not output}
    assert {"record:tehran-meeting", "record:terrorism"} <= remade  # the text; its backlink
    for kept in ("site:index:sources", "site:timeline", "record:afghanistan-neighbours", "record:sergey-lavrov"):
        assert kept in before and kept not in remade, kept
    assert update.changed == {"sources/tehran-meeting.md", "topics/terrorism.md"}
    assert_same_as_fresh(engine, project)


def test_an_output_that_reads_a_text_depends_on_it_and_one_that_does_not_does_not() -> None:
    from generator.incremental.reads import noting_corpus

    corpus, _problems = check(FIXTURES / "small" / "content", FIXTURES / "small")
    assert corpus is not None
    deps: set[object] = set()
    watched = noting_corpus(corpus, deps)
    record = watched.records["tehran-meeting"]
    assert record.name == corpus.records["tehran-meeting"].name
    assert deps == {("records", "tehran-meeting")}  # its title: not its text
    assert "terrorism" in record.body
    assert ("bodies", "tehran-meeting") in deps
    assert record == corpus.records["tehran-meeting"] and hash(record) == hash(corpus.records["tehran-meeting"])
    deps.clear()
    list(watched.backlinks)
    assert deps == {("backlinks", "\0keys")}  # which keys, not their values


TOUCHED = [
    # what changed on disk, the paths file system events name, files read, whether all were looked at
    ("a saved record", lambda r: EDITS["text of a source"](r), ["content/sources/tehran-meeting.md"], 1),
    ("an editor's backup beside it", lambda r: (r / "content/sources/.tehran-meeting.md.swp").write_text("x"),
     ["content/sources/.tehran-meeting.md.swp"], 0),
    ("a template", lambda r: EDITS["template"](r), ["templates/pages/timeline.md.j2"], 0),
    ("a file broken", lambda r: EDITS["broken file"](r), ["content/places/tehran.md"], 1),
    ("a new record", lambda r: EDITS["new record"](r), ["content/people/wang-yi.md"], "all"),
    ("a deleted record", lambda r: EDITS["removed record"](r), ["content/events/sco-press.md"], "all"),
    ("a new folder", lambda r: (r / "content/evnts").mkdir(), ["content/evnts"], "all"),
    ("a path outside the content", lambda r: EDITS["text of a source"](r), ["elsewhere/tehran-meeting.md"], "all"),
    ("a relative path", lambda r: EDITS["text of a source"](r), ["relative"], 1),
]


@pytest.mark.parametrize(("what", "change", "paths", "read"), TOUCHED, ids=[t[0] for t in TOUCHED])
def test_the_paths_events_name_are_the_only_ones_looked_at_unless_the_list_of_files_can_change(
    project: Path, what: str, change: Callable[[Path], object], paths: list[str], read: int | str
) -> None:
    engine = engine_for(project)
    engine.update()
    # An edit no event named (the engine only looks at the paths it is given, when it can)
    unnamed = project / "content/countries/iran.md"
    unnamed.write_text(unnamed.read_text(encoding="utf-8").replace("western neighbour", "western neighbor"))
    _touch_later(unnamed)
    change(project)
    touched = [
        Path("/elsewhere/x.md") if p.startswith("elsewhere")
        else Path(os.path.relpath(project / "content/sources/tehran-meeting.md")) if p == "relative"
        else project / p
        for p in paths
    ]
    update = engine.update(touched)
    if read == "all":  # the list of files may have changed: every file was looked at
        expected = fresh(project)
        assert [p.format() for p in update.problems] == [p.format() for p in expected.problems]
        assert not expected.ok or dict(update.pages) == dict(expected.pages)
    else:
        assert update.stats.files_read == read
        assert update.stats.files_looked_at == read
        assert "countries/iran.md" not in update.changed
        assert_same_as_fresh(engine, project)  # looking at every file finds the unnamed edit


def test_a_renamed_alias_relinks_only_the_texts_that_can_contain_it(project: Path) -> None:
    engine = engine_for(project)
    engine.update()
    edit("content/countries/russia.md", "name: Russia", "name: Russia\naliases: [Zanzibarland]")(project)
    update = engine.update()
    assert update.stats.texts_linked == 0  # no text contains the new name (and the record has none)
    assert_same_as_fresh(engine, project)


def test_a_template_edit_remakes_the_pages_and_a_broken_one_is_reported(project: Path) -> None:
    engine = engine_for(project)
    engine.update()
    EDITS["template"](project)
    update = engine.update()
    assert update.pages["timeline.md"].startswith("# Timeline of events")
    write("templates/pages/timeline.md.j2", "{% for x in %}\n")(project)
    broken = engine.update()
    assert not broken.ok
    assert [p.path for p in broken.errors] if hasattr(broken, "errors") else True
    assert any(p.path.endswith("timeline.md.j2") for p in broken.problems)
    assert broken.pages["timeline.md"].startswith("# Timeline of events")  # the last good page
    assert_same_as_fresh(engine, project)


def test_pages_of_a_removed_record_go_away(project: Path) -> None:
    engine = engine_for(project)
    first = engine.update()
    assert "events/sco-press.md" in first.pages
    EDITS["removed record"](project)
    update = engine.update()
    assert "events/sco-press.md" in update.removed and "events/sco-press.md" not in update.pages


# -- the stateful property test ----------------------------------------------------------------


def _files(root: Path, kind: str) -> list[Path]:
    return sorted((root / "content" / kind).rglob("*.md"))


class Edits(RuleBasedStateMachine):
    """Random sequences of the edits an author makes, on a corpus copied once per run; after
    each, the engine's pages, feeds, open data and problems equal a fresh build's."""

    corpus: Path = FIXTURES / "small" / "content"

    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self.root = Path(tempfile.mkdtemp(prefix="engine-"))
        shutil.copytree(self.corpus, self.root / "content")
        shutil.copytree(ROOT / "templates", self.root / "templates")
        self.engine = engine_for(self.root)
        self.engine.update()
        self.saved: dict[Path, str] = {}
        self.counter = 0
        self.touched: list[Path] = []  # what file system events would say changed since the last update

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _pick(self, kind: str, data: st.DataObject) -> Path:
        files = _files(self.root, kind)
        if not files:  # every file of the kind was deleted or renamed away: nothing to edit
            from hypothesis import reject

            reject()
        return files[data.draw(st.integers(0, len(files) - 1))]

    def _rewrite(self, path: Path, change: Callable[[str], str]) -> None:
        text = path.read_text(encoding="utf-8")
        path.write_text(change(text), encoding="utf-8")
        _touch_later(path)
        self.touched.append(path)

    def _name_of(self, path: Path) -> str:
        found = re.search(r"^name: (.+)$", path.read_text(encoding="utf-8"), re.M)
        return found.group(1).strip() if found else path.stem

    @rule(data=st.data())
    def mention_a_record_in_a_source(self, data: st.DataObject) -> None:
        source = self._pick("sources", data)
        kind = data.draw(st.sampled_from(["countries", "people", "organizations", "places", "topics"]))
        if not _files(self.root, kind):
            return
        target = self._pick(kind, data)
        how = data.draw(st.sampled_from(["name", "explicit"]))
        said = self._name_of(target) if how == "name" else f"[[{target.stem}]]"
        self._rewrite(source, lambda t: t.rstrip("\n") + f"\n\nThey spoke of {said} again.\n")

    @rule(data=st.data())
    def change_a_name(self, data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from(["countries", "people", "organizations", "places", "topics"]))
        if not _files(self.root, kind):
            return
        path = self._pick(kind, data)
        self.counter += 1
        n = self.counter
        self._rewrite(path, lambda t: re.sub(r"^name: (.+)$", rf"name: \1 {n}", t, count=1, flags=re.M))

    @rule(data=st.data())
    def add_an_alias(self, data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from(["countries", "people", "places"]))
        if not _files(self.root, kind):
            return
        path = self._pick(kind, data)
        alias = data.draw(st.sampled_from(["Kabul", "the Taliban", "Moscow", "Neighbours", "Tehran"]))
        text = path.read_text(encoding="utf-8")
        if "\naliases:" in text:
            return
        self._rewrite(path, lambda t: t.replace("\nname: ", f"\naliases: [{alias}]\nname: ", 1))

    @rule(data=st.data(), year=st.integers(2019, 2025))
    def change_a_date(self, data: st.DataObject, year: int) -> None:
        kind = data.draw(st.sampled_from(["events", "sources"]))
        path = self._pick(kind, data)
        field = "date" if kind == "events" else "published"
        self._rewrite(path, lambda t: re.sub(rf"^{field}: \d{{4}}", f"{field}: {year}", t, count=1, flags=re.M))

    @rule(data=st.data())
    def tag_an_event_with_a_topic(self, data: st.DataObject) -> None:
        if not _files(self.root, "topics"):
            return
        event = self._pick("events", data)
        topic = self._pick("topics", data).stem
        text = event.read_text(encoding="utf-8")
        if re.search(r"^topics:", text, re.M):
            return
        self._rewrite(event, lambda t: t.replace("\n---", f"\ntopics: [{topic}]\n---", 1))

    @rule(data=st.data())
    def add_a_participant(self, data: st.DataObject) -> None:
        event = self._pick("events", data)
        country = self._pick("countries", data).stem
        text = event.read_text(encoding="utf-8")
        if "participants:\n" not in text or f"id: {country}" in text:
            return
        self._rewrite(event, lambda t: t.replace("participants:\n", f"participants:\n  - id: {country}\n", 1))

    @rule(data=st.data())
    def add_or_delete_a_record(self, data: st.DataObject) -> None:
        self.counter += 1
        if data.draw(st.booleans()):
            path = self.root / "content/topics" / f"new-topic-{self.counter}.md"
            path.write_text(f"---\nname: New topic {self.counter}\n---\n", encoding="utf-8")
        else:
            path = self._pick(data.draw(st.sampled_from(["sources", "events", "topics"])), data)
            self.saved[path] = path.read_text(encoding="utf-8")
            path.unlink()
        self.touched.append(path)

    @rule(data=st.data())
    def rename_a_record(self, data: st.DataObject) -> None:
        path = self._pick(data.draw(st.sampled_from(["sources", "topics"])), data)
        self.counter += 1
        path.rename(path.with_name(f"{path.stem}-{self.counter}.md"))
        self.touched += [path, path.with_name(f"{path.stem}-{self.counter}.md")]

    @rule(data=st.data())
    def break_a_file(self, data: st.DataObject) -> None:
        path = self._pick(data.draw(st.sampled_from(["sources", "events", "countries"])), data)
        if path not in self.saved:
            self.saved[path] = path.read_text(encoding="utf-8")
        self._rewrite(path, lambda t: t.replace("---\n", "---\nname: [unclosed\n", 1))

    @rule()
    def fix_what_was_broken_or_deleted(self) -> None:
        for path, text in self.saved.items():
            path.write_text(text, encoding="utf-8")
            _touch_later(path)
            self.touched.append(path)
        self.saved.clear()

    @invariant()
    def served_equals_a_fresh_build(self) -> None:
        touched, self.touched = self.touched, []
        assert_same_as_fresh(self.engine, self.root, touched)


TestEditsOnTheSmallCorpus = pytest.mark.slow(Edits.TestCase)  # about 100 fresh builds to compare with
TestEditsOnTheSmallCorpus.settings = settings(
    max_examples=12, stateful_step_count=8, deadline=None, suppress_health_check=list(HealthCheck)
)


@pytest.fixture(scope="module")
def scale_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.tools.synthetic import write_corpus

    root = tmp_path_factory.mktemp("scale")
    write_corpus(root / "content", 520)
    # More than 100 events at one place and on one topic (the synthetic corpus spreads them).
    events = sorted((root / "content" / "events").rglob("*.md"))[:110]
    place = sorted((root / "content" / "places").rglob("*.md"))[0].stem
    for event in events:
        text = re.sub(r"^place: .*$", f"place: {place}", event.read_text(encoding="utf-8"), count=1, flags=re.M)
        if not re.search(r"^topics: \[.*\baid\b", text, re.M):
            text = re.sub(r"^topics: \[", "topics: [aid, ", text, count=1, flags=re.M)
        event.write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "templates", root / "templates")
    return root / "content"


@pytest.mark.slow
def test_edits_at_scale_equal_a_fresh_build(scale_corpus: Path) -> None:
    """Caps and pagers reached: >100 mentions of a record, >20 quotes by a speaker, >500
    records of a kind, >100 events at a place and on a topic."""
    from hypothesis.stateful import run_state_machine_as_test

    engine = engine_for(scale_corpus.parent)
    assert engine.update().ok
    corpus = engine.graph.corpus
    assert max(len(v) for v in corpus.backlinks.values()) > 100
    assert max(len(v) for v in corpus.quotes_by.values()) > 20
    assert max(sum(1 for r in corpus.records.values() if r.kind == k) for k in ("sources", "events")) > 500
    assert max(len(v) for v in corpus.events_at.values()) > 100
    assert max(len(v) for v in corpus.tagged.values()) > 100

    class AtScale(Edits):
        corpus = scale_corpus

    run_state_machine_as_test(
        AtScale,
        settings=settings(max_examples=2, stateful_step_count=5, deadline=None,
                          suppress_health_check=list(HealthCheck)),
    )


@pytest.mark.slow  # a 160-source corpus, built twice
def test_the_topic_json_ld_follows_a_newly_tagged_old_event(tmp_path: Path) -> None:
    """The case that left a page stale under the old serve cache: tagging the oldest untagged
    event with a topic that has over 100 tagged records changes the topic's JSON-LD."""
    from generator.tools.synthetic import write_corpus

    write_corpus(tmp_path / "content", 160)
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    engine = engine_for(tmp_path)
    corpus = engine.update() and engine.graph.corpus
    topic, tagged = max(corpus.tagged.items(), key=lambda kv: len(kv[1]))
    untagged = [r for r in corpus.of_kind("events") if r.id not in tagged]
    oldest = untagged[0]
    path = tmp_path / oldest.path
    text = path.read_text(encoding="utf-8")
    if re.search(r"^topics:", text, re.M):
        text = re.sub(r"^topics: \[", f"topics: [{topic}, ", text, count=1, flags=re.M)
    else:
        text = text.replace("\n---", f"\ntopics: [{topic}]\n---", 1)
    path.write_text(text, encoding="utf-8")
    _touch_later(path)
    update = engine.update()
    assert f"topics/{topic}.md" in update.changed
    assert_same_as_fresh(engine, tmp_path)
