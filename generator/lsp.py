"""The language server: ``python -m generator lsp`` (the Language Server Protocol on stdio).

Everything the server knows of the corpus is kept by one :class:`Workspace`, which reads,
validates and links with the core (:mod:`generator.reading`, :func:`generator.schema.validate`,
:mod:`generator.linking`, :func:`generator.site.check`), never with a parser of its own:

- as an author types, only the edited file is checked (read, validated, its references and
  mentions checked against the last good records and matcher), a few milliseconds at 1,000
  sources;
- after a save (or a file created, renamed or deleted) the whole corpus is checked again, as
  ``python -m generator check`` does, and every file's diagnostics are published.

The protocol side (:func:`make_server`) is pygls: it turns requests into calls on the
workspace and its answers into LSP types, and nothing else.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from generator import kinds, linking
from generator.authoring import AuthoringError, new_record
from generator.corpus import Corpus
from generator.dates import PartialDate
from generator.incremental import Engine
from generator.linking import build_matcher, refs_of
from generator.mentions import Matcher, Text
from generator.problems import Problem, Severity, sorted_problems
from generator.reading import ID_RE, KINDS, decode, display_path, find_files, parse_text
from generator.records import KIND_LABELS, Record
from generator.schema import KIND_MODELS, Event, Person, Source, validate
from generator.suggest import LooseMatcher, Names, located_segments, place_in, unlinked_mentions

log = logging.getLogger(__name__)

ENTITY_KINDS = kinds.ENTITIES
DATE_FIELDS = frozenset({"date", "start", "end", "published", "since", "until"})
KIND_VALUES: dict[str, tuple[str, ...]] = {  # the examples of the corpus format, and those the corpus uses
    "organizations": ("intergovernmental", "alliance", "ministry", "armed-group", "media"),
    "places": ("city", "region", "venue"),
    "events": ("meeting", "summit", "statement", "withdrawal", "attack"),
}
COMPLETION_LIMIT = 100  # an incomplete list: the editor asks again as more is typed


# --- which kinds each id-taking field takes: asked of linking.refs_of -------------------------


def _field_kinds() -> dict[str, dict[tuple[str, ...], tuple[str, ...]]]:
    """Per record kind, the field paths (``("members", "id")``) that take ids and the kinds
    they take, read off :func:`generator.linking.refs_of` for a sample of each kind."""
    samples: dict[str, dict[str, Any]] = {
        "organizations": {"name": "x", "members": [{"id": "a"}], "parent": "a", "country": "a"},
        "places": {"name": "x", "country": "a"},
        "people": {"name": "x", "roles": [{"title": "t", "of": "a"}]},
        "events": {
            "title": "t",
            "date": "2020",
            "place": "a",
            "participants": ["a"],
            "part_of": "a",
            "topics": ["a"],
        },
        "sources": {
            "title": "t",
            "published": "2020",
            "reports": ["a"],
            "topics": ["a"],
            "quotes": [{"by": "a", "text": "t", "event": "a", "topics": ["a"]}],
        },
    }
    table: dict[str, dict[tuple[str, ...], tuple[str, ...]]] = {k: {} for k in KINDS}
    for kind, data in samples.items():
        front = KIND_MODELS[kind].model_validate(data)
        record = Record(kind, "sample", "sample.md", front, "", 1, {})  # type: ignore[arg-type]
        for ref in refs_of(record):
            key = tuple(p for p in ref.loc if isinstance(p, str))
            table[kind][key] = ref.kinds
            if key[-1] == "id":  # `participants: [china]` as well as `- {id: china}`
                table[kind].setdefault(key[:-1], ref.kinds)
    for fld in ("publisher", "author"):  # an id or plain text (linking.check_references)
        table["sources"][(fld,)] = kinds.AUTHORS
    return table


FIELD_KINDS = _field_kinds()


# --- the corpus, as the server keeps it ------------------------------------------------------


@dataclass
class _Open:
    text: str
    record: Record | None
    problems: list[Problem]
    dirty: bool  # differs from what the last whole check read


class Workspace:
    """All the corpus state of the server: the last whole check, and the open files.

    ``open/change/save/close`` take a file's absolute path and (except ``close``) its text;
    :meth:`diagnostics` gives the problems to show for a file now. Kept behind this class so
    that the incremental engine can take its place."""

    def __init__(self, content: Path, shown_base: Path) -> None:
        self.content = content if content.is_absolute() else shown_base / content
        self.base = shown_base
        self.records: dict[str, Record] = {}
        self.broken: frozenset[str] = frozenset()
        self.corpus: Corpus | None = None
        self.matcher: Matcher = build_matcher({})
        self._loose: LooseMatcher | None = None
        self.problems: dict[str, list[Problem]] = {}  # by shown path, from the last whole check
        self.opened: dict[str, _Open] = {}
        self._texts: dict[str, tuple[Record, Text]] = {}
        self._index: list[tuple[str, str, Record]] | None = None
        self._whole_only: dict[str, list[Problem]] = {}
        self._engine = Engine(self.content, shown_base / "templates", shown_base)
        self._engine_lock = threading.Lock()

    # paths

    def shown(self, path: Path) -> str:
        return display_path(path, self.base)

    def path_of(self, shown: str) -> Path:
        return self.base / shown

    def kind_of(self, path: Path) -> str | None:
        try:
            parts = path.resolve().relative_to(self.content.resolve()).parts
        except ValueError:
            return None
        return parts[0] if len(parts) >= 2 and parts[0] in KINDS and path.suffix == ".md" else None

    # the whole corpus

    def load(self) -> set[str]:
        """Check the whole corpus from disk; the shown paths whose problems may have changed."""
        before = set(self.problems)
        with self._engine_lock:  # the incremental engine: a save re-reads and relinks what changed
            corpus, problems = self._engine.check()
        self.corpus = corpus
        self.records = dict(corpus.records) if corpus is not None else {}
        files, _ = find_files(self.content, self.base)
        stems = {p.name[: -len(".md")] for _k, p in files}
        self.broken = frozenset(stems - set(self.records))
        self.matcher = build_matcher(self.records)
        self._loose = None
        self._index = None
        self._whole_only = {}
        self._texts = {}
        by_path: dict[str, list[Problem]] = {}
        for problem in problems:
            by_path.setdefault(problem.path, []).append(problem)
        self.problems = by_path
        return before | set(by_path) | set(self.opened)

    def refresh_open(self) -> None:
        """The open files checked again against what :meth:`load` found (the server calls it
        on its own thread after a load in another, so that no edit typed meanwhile is lost)."""
        for shown, entry in list(self.opened.items()):
            if self._disk_text(shown) != entry.text.replace("\r\n", "\n"):
                self._check_open(shown, entry.text)
            else:
                entry.dirty = False
                entry.record = self.records.get(Path(shown).name[: -len(".md")])

    @property
    def loose(self) -> LooseMatcher:
        if self._loose is None:
            self._loose = LooseMatcher.of(self.matcher)
        return self._loose

    def _disk_text(self, shown: str) -> str | None:
        try:
            text, _ = decode(self.path_of(shown).read_bytes(), shown)
        except OSError:
            return None
        return text

    # open files

    def open(self, path: Path, text: str) -> None:
        self.change(path, text)

    def change(self, path: Path, text: str) -> None:
        shown = self.shown(path)
        if self.kind_of(path) is None:
            return
        self._check_open(shown, text)

    def save(self, path: Path, text: str | None = None) -> set[str]:
        """A file was saved: the whole corpus checked again (:meth:`saved`, :meth:`load` and
        :meth:`refresh_open` in one)."""
        self.saved(path, text)
        changed = self.load()
        self.refresh_open()
        return changed

    def saved(self, path: Path, text: str | None) -> None:
        entry = self.opened.get(self.shown(path))
        if text is not None and entry is not None:
            entry.text = text

    def close(self, path: Path) -> None:
        self.opened.pop(self.shown(path), None)

    def _check_open(self, shown: str, text: str) -> None:
        kind = self.kind_of(self.path_of(shown))
        assert kind is not None
        record, problems = self.check_file(kind, shown, text)
        dirty = self._disk_text(shown) != text.replace("\r\n", "\n")
        self.opened[shown] = _Open(text, record, problems, dirty)

    def check_file(self, kind: str, shown: str, text: str) -> tuple[Record | None, list[Problem]]:
        """The problems of one file by itself: read, validated, its references and mentions
        checked against the last good records and matcher, by the core's own functions for
        one record: what `check` reports of this file, but for duplicate ids and the warnings
        about the corpus as a whole (kept from the last whole check, see :meth:`diagnostics`)."""
        stem = Path(shown).name[: -len(".md")]
        problems: list[Problem] = []
        if not ID_RE.match(stem):
            problems.extend(p for p in self.problems.get(shown, ()) if "is not a valid id" in p.message)
        normal, found = decode(text.encode("utf-8"), shown)
        problems.extend(found)
        if normal is None:
            return None, sorted_problems(problems)
        doc, found = parse_text(kind, stem, shown, normal)
        problems.extend(found)
        if doc is None:
            return None, sorted_problems(problems)
        front, found = validate(doc)
        problems.extend(found)
        if front is None:
            return None, sorted_problems(problems)
        record = Record.from_document(doc, front)
        every = {**self.records, record.id: record}
        problems.extend(linking.record_problems(record, every, self.broken))
        problems.extend(p for p in linking.cycle_problems(every) if p.path == shown)
        linked = Text(())
        if record.body.strip():  # as link_texts does
            linked = linking.link_text(record, Names(every), self.matcher)
            problems.extend(linking.mention_problems(record, linked, every, self.broken))
        if isinstance(record.front, Source):  # as locate_quotes does
            problems.extend(linking.quotes_of(record, linked)[1])
        return record, sorted_problems(problems)

    def diagnostics(self, path: Path) -> list[Problem]:
        """The problems to show for a file: while it has unsaved changes, its own check and
        what only the last whole check could find in it; the whole check's otherwise."""
        shown = self.shown(path)
        entry = self.opened.get(shown)
        if entry is not None and entry.dirty:
            return sorted_problems([*entry.problems, *self._corpus_only(shown)])
        return self.problems.get(shown, [])

    def _corpus_only(self, shown: str) -> list[Problem]:
        """What the last whole check found in a file that its own check cannot (a record
        nothing mentions, a cycle, a shared alias): kept on show while it is being edited."""
        found = self._whole_only.get(shown)
        if found is None:
            kind = self.kind_of(self.path_of(shown))
            disk = self._disk_text(shown)
            own = set(self.check_file(kind, shown, disk)[1]) if kind and disk is not None else set()
            found = self._whole_only[shown] = [p for p in self.problems.get(shown, ()) if p not in own]
        return found

    # what the features ask

    def text_of(self, shown: str) -> str | None:
        entry = self.opened.get(shown)
        return entry.text if entry is not None else self._disk_text(shown)

    def record_at(self, shown: str) -> Record | None:
        """The record of a file: as last typed, if it is open and valid."""
        entry = self.opened.get(shown)
        if entry is not None and entry.record is not None:
            return entry.record
        return self.records.get(Path(shown).name[: -len(".md")])

    def linked_text(self, record: Record) -> Text:
        if self.corpus is not None and self.corpus.records.get(record.id) is record:
            text = self.corpus.texts.get(record.id)
            if text is not None:
                return text
        hit = self._texts.get(record.id)
        if hit is not None and hit[0] is record:
            return hit[1]
        text = linking.link_text(record, Names(self.records), self.matcher)
        self._texts[record.id] = (record, text)
        return text

    def completion_index(self) -> list[tuple[str, str, Record]]:
        """Every record as ``(id, name case-folded, record)``, by id: made once per whole check."""
        if self._index is None:
            self._index = sorted((r.id, r.name.casefold(), r) for r in self.records.values())
        return self._index

    def current_records(self) -> dict[str, Record]:
        records = dict(self.records)
        for shown, entry in self.opened.items():
            if entry.record is not None and entry.dirty:
                records[entry.record.id] = entry.record
            elif entry.record is None and entry.dirty:
                records.pop(Path(shown).stem, None)
        return records

    def mention_count(self, record_id: str) -> tuple[int, int]:
        """How often a record is mentioned, and in how many texts (as of the last whole check)."""
        if self.corpus is None:
            return 0, 0
        backlinks = self.corpus.backlinks.get(record_id, ())
        return len(backlinks), len({b.source for b in backlinks})

    def references(self, record_id: str) -> list[Reference]:
        """Every mention of a record (explicit or auto-linked) and every field naming it."""
        found: list[Reference] = []
        backlinks = self.corpus.backlinks.get(record_id, ()) if self.corpus is not None else ()
        naming = {b.source for b in backlinks} | {e.record.id for e in self.opened.values() if e.record}
        for record in self.current_records().values():
            lines: list[str] | None = None
            for ref in refs_of(record):
                if ref.value != record_id:
                    continue
                lines = lines if lines is not None else (self.text_of(record.path) or "").split("\n")
                found.append(_field_reference(record, lines, record.line_of(*ref.loc), record_id, "field"))
            front = record.front
            if isinstance(front, Source):
                for fld in ("publisher", "author"):
                    if getattr(front, fld) == record_id:
                        lines = lines if lines is not None else (self.text_of(record.path) or "").split("\n")
                        found.append(_field_reference(record, lines, record.line_of(fld), record_id, "field"))
            if record.id not in naming and record_id not in record.body:
                continue  # neither mentioned it at the last whole check nor is being edited
            file_lines = [""] * (record.body_line - 1) + record.body.split("\n")
            for block in self.linked_text(record).blocks:
                for seg, line, column in located_segments(block):
                    if seg.kind != "mention" or seg.target != record_id:
                        continue
                    line, column = place_in(file_lines, line, column, seg.raw)
                    how = "mention" if seg.explicit else "auto"
                    found.append(
                        Reference(record.path, line, column, len(seg.raw.split("\n")[0]), how, seg.raw)
                    )
        return sorted(found, key=lambda r: (r.path, r.line, r.column))


@dataclass(frozen=True)
class Reference:
    path: str  # shown
    line: int
    column: int
    length: int
    how: str  # "mention" ([[id]]), "auto" (an auto-linked name) or "field"
    raw: str


def _field_reference(record: Record, lines: Sequence[str], line: int, record_id: str, how: str) -> Reference:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    m = re.search(r"(?<![\w-])" + re.escape(record_id) + r"(?![\w-])", text)
    column = m.start() + 1 if m else 1
    return Reference(record.path, line, column, len(record_id), how, record_id)


# --- reading the cursor's context ------------------------------------------------------------

_MENTION_AT_RE = re.compile(r"\[\[([^\[\]|\n]*)(?:\|[^\[\]\n]*)?\]\]")
_KEY_LINE_RE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_]\w*)\s*:(?:\s|$)")
_PLAIN_KEY_RE = re.compile(r"^(\s*)([A-Za-z_]\w*)\s*:")


def front_matter_end(lines: Sequence[str]) -> int:
    """The index of the closing ``---`` line (0 when there is no front matter)."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return i
    return len(lines)


def field_context(lines: Sequence[str], line: int, character: int) -> tuple[tuple[str, ...], str] | None:
    """In front matter, the field path the cursor is in (``("members", "id")``) and the word
    typed so far; ``None`` outside front matter or outside any field's value."""
    end = front_matter_end(lines)
    if not 0 < line < end:
        return None
    text = lines[line][:character]
    typed = re.search(r"[\w.-]*$", text)
    prefix = typed.group(0) if typed else ""
    key: str | None = None
    flow = re.search(r"([A-Za-z_]\w*)\s*:\s*[^,{}\[\]:]*$", text)
    own = _KEY_LINE_RE.match(text)
    indent = len(text) - len(text.lstrip())
    if flow and "{" in text[: flow.start()]:
        key = flow.group(1)  # - {id: chi|
    elif own:
        key = own.group(2)
        if not own.group(0).lstrip().startswith("-") and len(own.group(1)) == 0:
            return (key,), prefix
    elif not re.match(r"^\s*-\s", text):
        return (("",), prefix) if not text.strip() or re.fullmatch(r"\w*", text) else None
    parent = _parent_key(lines, line, indent)
    path = tuple(p for p in (parent, key) if p)
    return (path, prefix) if path else None


def _parent_key(lines: Sequence[str], line: int, indent: int) -> str | None:
    for j in range(line - 1, 0, -1):
        m = _PLAIN_KEY_RE.match(lines[j])
        if m and len(m.group(1)) < indent and not lines[j].lstrip().startswith("-"):
            return m.group(2)
        if lines[j].strip() and len(lines[j]) - len(lines[j].lstrip()) == 0 and not m:
            return None
    return None


def id_at(lines: Sequence[str], line: int, character: int, records: Mapping[str, Record]) -> str | None:
    """The record id under the cursor: in a ``[[id]]`` mention, or an id in a field."""
    if not 0 <= line < len(lines):
        return None
    text = lines[line]
    for m in _MENTION_AT_RE.finditer(text):
        if m.start() <= character <= m.end():
            return m.group(1).strip() or None
    for m in re.finditer(r"[a-z0-9]+(?:-[a-z0-9]+)*", text):
        if m.start() <= character <= m.end() and m.group(0) in records:
            end = front_matter_end(lines)
            if 0 < line < end:
                return m.group(0)
    return None


def name_at(lines: Sequence[str], line: int, character: int, matcher: Matcher) -> str | None:
    """The record an auto-linkable name under the cursor stands for."""
    if matcher.pattern is None or not 0 <= line < len(lines):
        return None
    for m in matcher.pattern.finditer(lines[line]):
        if m.start() <= character <= m.end():
            ids = matcher.targets.get(" ".join(m.group(0).split()), ())
            return ids[0] if len(ids) == 1 else None
    return None


# --- answers ----------------------------------------------------------------------------------


def completions(
    ws: Workspace, shown: str, lines: Sequence[str], line: int, character: int
) -> lsp.CompletionList:
    text = lines[line][:character] if line < len(lines) else ""
    mention = re.search(r"\[\[([^\[\]|\n]*)$", text)
    kind = ws.kind_of(ws.path_of(shown))
    if mention:
        prefix = mention.group(1)
        after = lines[line][character : character + 2] if line < len(lines) else ""
        return _id_items(ws, None, prefix, line, character, "" if after == "]]" else "]]")
    context = field_context(lines, line, character)
    if context is None or kind is None:
        return lsp.CompletionList(is_incomplete=False, items=[])
    path, prefix = context
    if path == ("",):
        return _field_name_items(kind, prefix, line, character)
    kinds = FIELD_KINDS.get(kind, {}).get(path)
    if kinds is not None:
        return _id_items(ws, kinds, prefix, line, character, "")
    last = path[-1]
    if last in DATE_FIELDS:
        return _date_items(prefix, line, character)
    if path == ("language",) and kind == "sources":
        return _language_items(prefix, line, character)
    if path == ("kind",) and kind in KIND_VALUES:
        used = {getattr(r.front, "kind", None) for r in ws.records.values() if r.kind == kind}
        values = sorted({*KIND_VALUES[kind], *(v for v in used if v)})
        return _plain_items(values, prefix, line, character, f"{KIND_LABELS[kind][0].lower()} kind")
    return lsp.CompletionList(is_incomplete=False, items=[])


def _replace(line: int, character: int, prefix: str) -> lsp.Range:
    return lsp.Range(lsp.Position(line, character - len(prefix)), lsp.Position(line, character))


def _id_items(
    ws: Workspace, kinds: tuple[str, ...] | None, prefix: str, line: int, character: int, closing: str
) -> lsp.CompletionList:
    typed = prefix.strip().casefold()
    first: list[Record] = []
    then: list[Record] = []
    for key, folded, record in ws.completion_index():  # by id
        if kinds is not None and record.kind not in kinds:
            continue
        if key.startswith(typed):
            first.append(record)
        elif typed in key or typed in folded:
            then.append(record)
    ordered = first + then
    where = _replace(line, character, prefix)
    items = [
        lsp.CompletionItem(
            label=r.id,
            kind=lsp.CompletionItemKind.Reference,
            detail=f"{r.label.lower()} · {r.name}",
            documentation=r.summary,
            filter_text=f"{r.id} {r.name}",
            sort_text=f"{i:05d}",
            text_edit=lsp.TextEdit(where, r.id + closing),
        )
        for i, r in enumerate(ordered[:COMPLETION_LIMIT])
    ]
    return lsp.CompletionList(is_incomplete=len(ordered) > COMPLETION_LIMIT, items=items)


def _plain_items(
    values: Sequence[str], prefix: str, line: int, character: int, detail: str
) -> lsp.CompletionList:
    where = _replace(line, character, prefix)
    items = [
        lsp.CompletionItem(
            label=v, kind=lsp.CompletionItemKind.Value, detail=detail, text_edit=lsp.TextEdit(where, v)
        )
        for v in values
        if v.casefold().startswith(prefix.casefold())
    ]
    return lsp.CompletionList(is_incomplete=False, items=items)


def _field_name_items(kind: str, prefix: str, line: int, character: int) -> lsp.CompletionList:
    model = KIND_MODELS[kind]
    where = _replace(line, character, prefix)
    items = [
        lsp.CompletionItem(
            label=name,
            kind=lsp.CompletionItemKind.Field,
            detail="required" if info.is_required() else "optional",
            text_edit=lsp.TextEdit(where, name + ": "),
        )
        for name, info in model.model_fields.items()
        if name.startswith(prefix)
    ]
    return lsp.CompletionList(is_incomplete=False, items=items)


def _language_items(prefix: str, line: int, character: int) -> lsp.CompletionList:
    import pycountry

    where = _replace(line, character, prefix)
    items = [
        lsp.CompletionItem(
            label=lang.alpha_2,
            kind=lsp.CompletionItemKind.Value,
            detail=lang.name,
            filter_text=f"{lang.alpha_2} {lang.name}",
            text_edit=lsp.TextEdit(where, lang.alpha_2),
        )
        for lang in sorted(pycountry.languages, key=lambda item: getattr(item, "alpha_2", ""))
        if hasattr(lang, "alpha_2")
        and (lang.alpha_2.startswith(prefix.lower()) or lang.name.casefold().startswith(prefix.casefold()))
    ]
    return lsp.CompletionList(is_incomplete=False, items=items)


def _date_items(prefix: str, line: int, character: int) -> lsp.CompletionList:
    """Valid dates that continue what was typed: the months of a year, the days of a month."""
    import calendar
    import datetime

    values: list[str] = []
    m = re.fullmatch(r"(\d{4})-?(\d{0,2})-?(\d{0,2})", prefix)
    if m is None:
        today = datetime.date.today()
        values = [today.isoformat(), today.isoformat()[:7], str(today.year)]
    else:
        year = int(m.group(1))
        if prefix.count("-") == 2 and m.group(2):
            month = int(m.group(2))
            if 1 <= month <= 12:
                days = calendar.monthrange(year, month)[1]
                values = [f"{year:04d}-{month:02d}-{d:02d}" for d in range(1, days + 1)]
        else:
            values = [str(year)] + [f"{year:04d}-{mo:02d}" for mo in range(1, 13)]
    values = [v for v in values if v.startswith(prefix)]
    valid = []
    for v in values:
        try:
            PartialDate.parse(v)
        except ValueError:
            continue
        valid.append(v)
    return _plain_items(valid, prefix, line, character, "date (YYYY, YYYY-MM or YYYY-MM-DD)")


def hover_text(ws: Workspace, record_id: str) -> str | None:
    record = ws.records.get(record_id)
    if record is None:
        return None
    parts = [f"**{record.name}** — {record.label.lower()} `{record.id}`"]
    if record.summary:
        parts.append(record.summary)
    front = record.front
    if isinstance(front, Event):
        when = front.date.human() if front.date else f"{front.start.human()} – {front.end.human()}"  # type: ignore[union-attr]
        parts.append(f"When: {when}")
    elif isinstance(front, Source):
        parts.append(f"Published: {front.published.human()}")
    elif isinstance(front, Person) and front.roles:
        roles = []
        for role in front.roles:
            span = " – ".join(d.human() for d in (role.since, role.until) if d)
            of = f" of {role.of}" if role.of else ""
            roles.append(f"{role.title}{of}" + (f" ({span})" if span else ""))
        parts.append("Roles: " + "; ".join(roles))
    count, texts = ws.mention_count(record_id)
    parts.append(f"Mentioned {count} time{'s' * (count != 1)} in {texts} text{'s' * (texts != 1)}.")
    parts.append(f"`{record.path}`")
    return "\n\n".join(parts)


def diagnostic(problem: Problem, lines: Sequence[str]) -> lsp.Diagnostic:
    """A problem as a diagnostic: its line and column, to the end of the mention or the line."""
    line = problem.line - 1
    text = lines[line] if 0 <= line < len(lines) else ""
    start = problem.column - 1
    if start == 0:
        start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    if text[start : start + 2] == "[[" and "]]" in text[start:]:
        end = text.index("]]", start) + 2
    if end <= start:
        end = start + 1 if text else start
    return lsp.Diagnostic(
        range=lsp.Range(lsp.Position(line, start), lsp.Position(line, end)),
        message=problem.message,
        severity=lsp.DiagnosticSeverity.Error
        if problem.severity is Severity.ERROR
        else lsp.DiagnosticSeverity.Warning,
        source="corpus",
    )


def rename_edit(ws: Workspace, old: str, new: str) -> lsp.WorkspaceEdit:
    """Every reference to ``old`` made ``new``, and its file renamed, in one workspace edit."""
    record = ws.records.get(old)
    if record is None:
        raise ValueError(f"no record has the id '{old}'")
    if not ID_RE.match(new):
        raise ValueError(f"'{new}' is not a valid id: ids use lower-case letters, digits and single hyphens")
    if new in ws.records or new in ws.broken:
        raise ValueError(f"id '{new}' is already used")
    by_path: dict[str, list[lsp.TextEdit]] = {}
    for ref in ws.references(old):
        column = ref.column - 1
        if ref.how == "auto":
            continue  # a name, not the id: it stays as it is
        if ref.how == "mention":
            column += ref.raw.index(old, 2)
        start = lsp.Position(ref.line - 1, column)
        by_path.setdefault(ref.path, []).append(
            lsp.TextEdit(lsp.Range(start, lsp.Position(ref.line - 1, column + len(old))), new)
        )
    changes: list[Any] = [
        lsp.TextDocumentEdit(
            lsp.OptionalVersionedTextDocumentIdentifier(uri=_uri(ws.path_of(shown)), version=None),
            sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character)),
        )
        for shown, edits in sorted(by_path.items())
    ]
    old_path = ws.path_of(record.path)
    changes.append(lsp.RenameFile(old_uri=_uri(old_path), new_uri=_uri(old_path.with_name(f"{new}.md"))))
    return lsp.WorkspaceEdit(document_changes=changes)


_UNKNOWN_RE = re.compile(r"^(?:field '([^']+)'|mention '[^']*'): unknown id '([a-z0-9]+(?:-[a-z0-9]+)*)'")


def code_actions(
    ws: Workspace, shown: str, lines: Sequence[str], params: lsp.CodeActionParams
) -> list[lsp.CodeAction]:
    actions: list[lsp.CodeAction] = []
    record = ws.record_at(shown)
    uri = _uri(ws.path_of(shown))
    first, last = params.range.start.line + 1, params.range.end.line + 1
    if record is not None:
        for s in unlinked_mentions(record, ws.records, ws.matcher, ws.loose, range(first, last + 1)):
            if not first <= s.line <= last:
                continue
            where = lsp.Range(
                lsp.Position(s.line - 1, s.column - 1), lsp.Position(s.end_line - 1, s.end_column - 1)
            )
            actions.append(
                lsp.CodeAction(
                    title=f"Link '{s.text}' as {s.replacement}",
                    kind=lsp.CodeActionKind.QuickFix,
                    edit=lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(where, s.replacement)]}),
                )
            )
    kind = ws.kind_of(ws.path_of(shown))
    for diag in params.context.diagnostics:
        m = _UNKNOWN_RE.match(diag.message)
        if m is None:
            continue
        fld, new_id = m.group(1), m.group(2)
        if fld and kind:
            key = tuple(re.sub(r"\[\d+\]", "", fld).split("."))
            kinds: tuple[str, ...] = FIELD_KINDS.get(kind, {}).get(key, ENTITY_KINDS)
        else:
            kinds = ENTITY_KINDS
        name = " ".join(w.capitalize() for w in new_id.split("-"))
        when = _date_of(record) if record is not None else None
        for target_kind in kinds:
            if target_kind == "sources" or (target_kind == "events" and when is None):
                continue  # they need a date: `python -m generator new event NAME --date ...`
            try:
                made = new_record(
                    ws.content, target_kind, name, when if target_kind == "events" else None, new_id
                )
            except AuthoringError:
                continue
            file_uri = _uri(made.path)
            label = KIND_LABELS[target_kind][0].lower()
            actions.append(
                lsp.CodeAction(
                    title=f"Create {label} '{new_id}' ({display_path(made.path, ws.base)})",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    edit=lsp.WorkspaceEdit(
                        document_changes=[
                            lsp.CreateFile(
                                uri=file_uri, options=lsp.CreateFileOptions(ignore_if_exists=True)
                            ),
                            lsp.TextDocumentEdit(
                                lsp.OptionalVersionedTextDocumentIdentifier(uri=file_uri, version=None),
                                [lsp.TextEdit(lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)), made.text)],
                            ),
                        ]
                    ),
                )
            )
    return actions


def _date_of(record: Record) -> str | None:
    """The date a new event named in this record most likely has: a source's publication
    date (the event it reports), an event's own (the event it is part of)."""
    front = record.front
    if isinstance(front, Source):
        return front.published.iso()
    if isinstance(front, Event):
        return front.when.iso()
    return None


# --- the protocol -----------------------------------------------------------------------------


def _uri(path: Path) -> str:
    return from_fs_path(str(path.resolve())) or path.resolve().as_uri()


def _path(uri: str) -> Path:
    return Path(to_fs_path(uri) or unquote(urlparse(uri).path))


def make_server(content: Path, shown_base: Path) -> LanguageServer:
    """A pygls server whose handlers ask a :class:`Workspace`."""
    server = LanguageServer("corpus-generator", "1", text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
    state: dict[str, Workspace] = {"ws": Workspace(content, shown_base)}

    def ws() -> Workspace:
        return state["ws"]

    def lines_of(uri: str) -> list[str]:
        return server.workspace.get_text_document(uri).source.split("\n")

    # Positions: the workspace counts characters (code points); the client counts in the
    # encoding agreed at initialize (UTF-16 unless it said otherwise), as pygls' codec converts.

    def file_lines(shown: str) -> list[str]:
        return (ws().text_of(shown) or "").split("\n")

    def from_client(lines: Sequence[str], pos: lsp.Position) -> lsp.Position:
        found = server.workspace.position_codec.position_from_client_units(lines, pos)
        return lsp.Position(found.line, found.character)

    def to_client(lines: Sequence[str], rng: lsp.Range) -> lsp.Range:
        return server.workspace.position_codec.range_to_client_units(lines, rng)

    def edits_to_client(lines: Sequence[str], edits: Sequence[Any]) -> None:
        for edit in edits:
            edit.range = to_client(lines, edit.range)

    def publish(shown_paths: set[str] | None = None) -> None:
        targets = shown_paths if shown_paths is not None else set(ws().problems)
        for shown in sorted(targets):
            path = ws().path_of(shown)
            lines = ((ws().text_of(shown) or "") if path.is_file() else "").split("\n")
            found = [diagnostic(p, lines) for p in ws().diagnostics(path)]
            edits_to_client(lines, found)
            server.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=_uri(path), diagnostics=found)
            )

    @server.feature(lsp.INITIALIZE)
    def initialize(params: lsp.InitializeParams) -> None:
        root = params.root_uri or (params.workspace_folders[0].uri if params.workspace_folders else None)
        if root:
            base = _path(root)
            state["ws"] = Workspace(content if content.is_absolute() else base / content, base)

    def settle() -> None:
        """After a whole check: the corpus's objects moved out of the cyclic collector's sight,
        so that a collection while typing does not walk them all (measured at 1,000 sources: a
        completion's worst time 89 ms with them, see README)."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    @server.feature(lsp.INITIALIZED)
    def initialized(params: lsp.InitializedParams) -> None:
        changed = ws().load()  # before any other message: what is typed is checked against it
        settle()
        publish(changed)

    async def reload() -> None:
        """The whole check in a thread (typing goes on), then the open files on this one."""
        changed = await asyncio.get_running_loop().run_in_executor(None, ws().load)
        ws().refresh_open()
        settle()
        publish(changed)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        ws().open(path, params.text_document.text)
        publish({ws().shown(path)})

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        ws().change(path, server.workspace.get_text_document(params.text_document.uri).source)
        publish({ws().shown(path)})

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=True))
    async def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        ws().saved(_path(params.text_document.uri), params.text)
        await reload()

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        ws().close(path)
        publish({ws().shown(path)})

    files = lsp.FileOperationRegistrationOptions(
        filters=[lsp.FileOperationFilter(pattern=lsp.FileOperationPattern(glob="**/*.md"))]
    )

    @server.feature(lsp.WORKSPACE_DID_CREATE_FILES, files)
    async def did_create(params: lsp.CreateFilesParams) -> None:
        await reload()

    @server.feature(lsp.WORKSPACE_DID_RENAME_FILES, files)
    async def did_rename(params: lsp.RenameFilesParams) -> None:
        for item in params.files:
            ws().close(_path(item.old_uri))
        await reload()

    @server.feature(lsp.WORKSPACE_DID_DELETE_FILES, files)
    async def did_delete(params: lsp.DeleteFilesParams) -> None:
        await reload()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched(params: lsp.DidChangeWatchedFilesParams) -> None:
        await reload()

    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=["[", ":", " ", ","])
    )
    def completion(params: lsp.CompletionParams) -> lsp.CompletionList:
        path = _path(params.text_document.uri)
        lines = lines_of(params.text_document.uri)
        pos = from_client(lines, params.position)
        found = completions(ws(), ws().shown(path), lines, pos.line, pos.character)
        edits_to_client(lines, [item.text_edit for item in found.items if item.text_edit])
        return found

    def target_at(uri: str, pos: lsp.Position) -> str | None:
        lines = lines_of(uri)
        pos = from_client(lines, pos)
        found = id_at(lines, pos.line, pos.character, ws().records)
        if found is None and pos.line >= front_matter_end(lines):
            found = name_at(lines, pos.line, pos.character, ws().matcher)
        return found

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(params: lsp.HoverParams) -> lsp.Hover | None:
        found = target_at(params.text_document.uri, params.position)
        text = hover_text(ws(), found) if found else None
        if text is None:
            return None
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(params: lsp.DefinitionParams) -> lsp.Location | None:
        found = target_at(params.text_document.uri, params.position)
        record = ws().records.get(found) if found else None
        if record is None:
            return None
        start = lsp.Position(0, 0)
        return lsp.Location(uri=_uri(ws().path_of(record.path)), range=lsp.Range(start, start))

    def own_id(uri: str, pos: lsp.Position) -> str | None:
        found = target_at(uri, pos)
        if found is None:
            stem = _path(uri).name[: -len(".md")]
            found = stem if stem in ws().records else None
        return found

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    def references(params: lsp.ReferenceParams) -> list[lsp.Location]:
        found = own_id(params.text_document.uri, params.position)
        if found is None:
            return []
        out = [
            lsp.Location(
                uri=_uri(ws().path_of(ref.path)),
                range=to_client(
                    file_lines(ref.path),
                    lsp.Range(
                        lsp.Position(ref.line - 1, ref.column - 1),
                        lsp.Position(ref.line - 1, ref.column - 1 + ref.length),
                    ),
                ),
            )
            for ref in ws().references(found)
        ]
        if params.context.include_declaration and found in ws().records:
            start = lsp.Position(0, 0)
            out.insert(
                0,
                lsp.Location(uri=_uri(ws().path_of(ws().records[found].path)), range=lsp.Range(start, start)),
            )
        return out

    @server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=False))
    def rename(params: lsp.RenameParams) -> lsp.WorkspaceEdit:
        found = own_id(params.text_document.uri, params.position)
        if found is None:
            raise ValueError("put the cursor on a record id, a [[mention]], or in the record's own file")
        edit = rename_edit(ws(), found, params.new_name)
        for change in edit.document_changes or ():
            if isinstance(change, lsp.TextDocumentEdit):
                edits_to_client(file_lines(ws().shown(_path(change.text_document.uri))), change.edits)
        return edit

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix])
    )
    def code_action(params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        path = _path(params.text_document.uri)
        lines = lines_of(params.text_document.uri)
        start, end = from_client(lines, params.range.start), from_client(lines, params.range.end)
        params.range = lsp.Range(start, end)
        actions = code_actions(ws(), ws().shown(path), lines, params)
        for action in actions:
            for edits in (action.edit.changes or {}).values() if action.edit else ():
                edits_to_client(lines, edits)
        return actions

    return server


def serve(content: Path, shown_base: Path) -> int:
    """``python -m generator lsp``: serve on stdin and stdout until the client exits."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    make_server(content, shown_base).start_io()
    return 0
