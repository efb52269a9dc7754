"""Importing annotations made in other tools: brat standoff and Label Studio JSON exports.

``python -m generator import brat DIR`` reads pairs of ``NAME.txt`` and ``NAME.ann``;
``python -m generator import label-studio FILE`` reads a Label Studio JSON export (a list
of tasks). Each text becomes a source (``content/sources/<id>.md``) whose body is the text
with every annotated span replaced by a mention, ``[[id]]`` when the span reads exactly as
the record's name and ``[[id|span text]]`` otherwise; each span is matched to an existing
record or, failing that, a new record is written for it.

How it decides:

- **Labels to kinds.** ``Person``/``PER`` → people, ``Organization``/``ORG`` → organizations,
  ``Country`` → countries, ``GPE`` → countries when pycountry recognises the name as a
  country and places otherwise, ``Location``/``LOC``/``Place`` → places, ``Event``/``EVT`` →
  events, ``Topic`` → topics (labels compared case-insensitively). Any other label is
  reported and its spans are left as plain text.
- **Matching.** A span is matched against the names, aliases and acronyms of the records
  already in the content folder (read with the project's own loader) and of the records
  this import creates: case-sensitively first, then case-insensitively. A name shared by
  several records is resolved in favour of the kinds the label stands for; if it is still
  ambiguous the span is reported. A country is also matched by its ISO code, so
  "Russian Federation" finds ``russia``.
- **New records** get the id ``python -m generator new`` would give them (made from the
  name; an id that is taken is refused and the span reported) and are written by the same
  code (:func:`generator.authoring.new_record`), so a new country gets its ISO code and
  official names from pycountry.
- **Events need a date.** A new event takes its date from its own name when the name holds
  one (``Moscow format talks 2024`` → 2024, ``summit of 2021-09`` → September 2021).
  Otherwise it is *not* created and the span is reported: the publication date of the
  text is only the latest day the event can have happened, and a wrong date on the
  timeline is worse than a missing record. Run with ``--dry-run`` first, write such events
  (``python -m generator new event "…" --date …``), then import: they are matched. (A
  source that an import already wrote must be deleted before importing its text again.)
- **Sources need a publication date**: ``published`` in a Label Studio task's data, or a
  brat file name that starts with ``YYYY-MM-DD``; otherwise the one given with
  ``--published``. Without any of these the whole import is refused, listing every text
  that has no date, and nothing is written. The title is the task's ``title``, otherwise
  the first line of the text. A source that already exists is never overwritten: the
  import is refused.
- **Overlapping spans** (after dropping exact duplicates): the longest is kept (on a tie,
  the first), every other is reported with the one that was kept.
- **Spans that cannot be mentions** are reported: one whose text holds a square bracket (a
  mention's text cannot), one that runs across a blank line (a paragraph break), one
  whose text differs from what the tool says it reads. A span that runs across a single
  line break becomes one mention with the break folded into a space. A discontinuous
  brat span becomes one mention per fragment, all linking the same record.
- **The text** is kept as received (it is Markdown to the generator); only an existing
  ``[[`` is escaped as ``\\[[`` so it stays text. After rewriting, the body is parsed the
  way the generator parses it; a span that Markdown would swallow (inside a code span or an
  indented code block of the text) is reported and left as text.
- **Locations** in the report are ``file:line:col`` in the text (``.txt``), columns in
  characters, both from 1; for Label Studio the file is ``EXPORT.json#N`` with N the task's
  ``id`` (or its position in the list when it has none). Label Studio offsets are
  characters; offsets counted in UTF-16 units (older versions, with emoji in the text) are
  recognised and converted. A line of an ``.ann`` file that cannot be read is reported at that line.
- Relations, attributes, events, normalizations and notes (brat lines starting with ``R``,
  ``A``, ``M``, ``E``, ``N``, ``*``, ``#``) and Label Studio results other than ``labels``
  are ignored and counted in the report.
- ``--dry-run`` prints the same report and writes nothing. After a real import the corpus is
  checked, and any error is listed in the report.
- Exit codes of the command: 0 imported (spans that could not be placed are reported but do
  not fail), 1 refused (nothing written) or the corpus has errors afterwards, 2 the input
  cannot be read (a missing folder or file, JSON that does not parse, a bad ``--published``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import pycountry
import yaml

from generator.authoring import AuthoringError, country_facts, new_record
from generator.dates import PartialDate
from generator.mentions import parse
from generator.reading import ID_RE, display_path, slugify
from generator.records import KIND_LABELS, Record
from generator.schema import Source
from generator.site import check, load

LABEL_KINDS: dict[str, str] = {
    "person": "people",
    "per": "people",
    "organization": "organizations",
    "organisation": "organizations",
    "org": "organizations",
    "country": "countries",
    "gpe": "gpe",  # countries when pycountry knows the name, places otherwise
    "location": "places",
    "loc": "places",
    "place": "places",
    "event": "events",
    "evt": "events",
    "topic": "topics",
}
"""Annotation labels (case-folded) and the kind of record they stand for."""

_PREFERRED: dict[str, tuple[str, ...]] = {"gpe": ("countries", "places")}

BRAT_IGNORED = {
    "R": "relations (R)",
    "E": "events (E)",
    "A": "attributes (A)",
    "M": "attributes (M)",
    "N": "normalizations (N)",
    "*": "equivalences (*)",
    "#": "notes (#)",
}

_BRAT_SPAN_RE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t?(.*)$")
_DATE_PREFIX_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?!\d)")
_DATE_IN_NAME_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:-(\d{2})(?:-(\d{2}))?)?(?!\d)")
_ISO_DATE_RE = re.compile(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)(?:[T ].*)?$")
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t\r]*\n|\r[ \t]*\r")
TITLE_LIMIT = 120


class ImportUsageError(Exception):
    """The import was asked for something that cannot be read (a missing folder, bad JSON)."""


# --- what the tools give ---------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Note:
    """A located remark of the report: a span not placed, a line not understood."""

    path: str
    line: int
    column: int
    message: str

    def format(self) -> str:
        """``path:line:col: message``."""
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True)
class Span:
    """One annotated span: its fragments (character offsets, end exclusive), label and text.

    ``text`` is what the tool says the span reads (brat joins the fragments of a
    discontinuous span with a space); ``None`` when the tool gives nothing."""

    fragments: tuple[tuple[int, int], ...]
    label: str
    text: str | None
    ref: str  # the tool's name for it, for messages: "T3", "result 2"

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def length(self) -> int:
        return sum(end - start for start, end in self.fragments)


@dataclass
class ImportText:
    """One text to import, with its annotations and what its tool says about it."""

    origin: str  # shown in messages: "corpus/2021-09-17-talks.txt" or "export.json#2"
    text: str
    spans: list[Span]
    source_id: str
    title: str | None = None
    published: str | None = None
    date_from: str = ""  # where the publication date came from, for messages
    url: str | None = None


@dataclass
class Reading:
    """Everything read from a brat folder or a Label Studio export."""

    texts: list[ImportText] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)


def where(text: str, offset: int) -> tuple[int, int]:
    """Line and column (both from 1, columns in characters) of an offset in a text."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _note(origin: str, text: str, offset: int, message: str) -> Note:
    line, column = where(text, offset)
    return Note(origin, line, column, message)


def _folded(text: str) -> str:
    return " ".join(text.split())


def _read_text(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as fh:  # keep "\r\n": offsets count it
        return fh.read()


def read_brat(folder: Path, base: Path) -> Reading:
    """Every ``NAME.txt`` with its ``NAME.ann`` under ``folder`` (sorted by path)."""
    if not folder.is_dir():
        raise ImportUsageError(f"{folder}: no such folder (give the folder of the .txt and .ann files)")
    reading = Reading()
    texts = sorted(folder.rglob("*.txt"))
    for ann in sorted(folder.rglob("*.ann")):
        if not ann.with_suffix(".txt").is_file():
            reading.notes.append(Note(display_path(ann, base), 1, 1, "no .txt beside this .ann: skipped"))
    for txt in texts:
        shown = display_path(txt, base)
        ann = txt.with_suffix(".ann")
        if not ann.is_file():
            reading.notes.append(Note(shown, 1, 1, f"no {ann.name} beside this text: skipped"))
            continue
        try:
            text = _read_text(txt)
            ann_text = _read_text(ann)
        except UnicodeDecodeError as exc:
            reading.notes.append(Note(shown, 1, 1, f"not UTF-8 ({exc.reason}): skipped"))
            continue
        spans = _brat_spans(ann_text, display_path(ann, base), reading)
        published = None
        date_from = ""
        found = _DATE_PREFIX_RE.match(txt.stem)
        if found:
            published, date_from = found.group(1), "the file name"
        reading.texts.append(ImportText(shown, text, spans, slugify(txt.stem), None, published, date_from))
    if not reading.texts:
        why = "".join(f"\n{note.format()}" for note in sorted(reading.notes))  # the pairs not read, and why
        raise ImportUsageError(f"{folder}: no brat texts here (pairs of NAME.txt and NAME.ann){why}")
    return reading


def _brat_spans(ann_text: str, shown: str, reading: Reading) -> list[Span]:
    spans: list[Span] = []
    for number, raw in enumerate(ann_text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if line[0] in BRAT_IGNORED:
            reading.ignored[BRAT_IGNORED[line[0]]] += 1
            continue
        m = _BRAT_SPAN_RE.match(line)
        if not m:
            reading.notes.append(
                Note(
                    shown,
                    number,
                    1,
                    f"cannot read this line (expected T1<TAB>Label START END<TAB>text): {line[:60]!r}",
                )
            )
            continue
        fragments = tuple(
            sorted((int(a), int(b)) for a, b in (part.split(" ") for part in m.group(3).split(";")))
        )
        spans.append(Span(fragments, m.group(2), m.group(4) or None, m.group(1)))
    return spans


def read_label_studio(path: Path, base: Path) -> Reading:
    """The tasks of a Label Studio JSON export, in the order of the file."""
    shown = display_path(path, base)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImportUsageError(f"{shown}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ImportUsageError(f"{shown}: not UTF-8 ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise ImportUsageError(f"{shown}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ImportUsageError(f"{shown}: expected a Label Studio export (a list of tasks)")
    reading = Reading()
    for position, task in enumerate(data, start=1):
        task_id = task.get("id") if isinstance(task, dict) else None
        name = f"{shown}#{task_id if isinstance(task_id, int) else position}"
        task_data = task.get("data") if isinstance(task, dict) else None
        text = task_data.get("text") if isinstance(task_data, dict) else None
        if not isinstance(task_data, dict) or not isinstance(text, str):
            reading.notes.append(Note(name, 1, 1, "task without data.text: skipped"))
            continue
        spans = _label_studio_spans(task, text, name, reading)
        title = task_data.get("title")
        published = task_data.get("published")
        url = task_data.get("url")
        reading.texts.append(
            ImportText(
                name,
                text,
                spans,
                "",  # made from the date and the title once both are known
                str(title).strip() if title not in (None, "") else None,
                str(published).strip() if published not in (None, "") else None,
                "the task's data.published",
                str(url).strip() if isinstance(url, str) and url.strip() else None,
            )
        )
    if not reading.texts:
        raise ImportUsageError(f"{shown}: no task with a text (data.text)")
    return reading


def _label_studio_spans(task: Mapping[str, Any], text: str, name: str, reading: Reading) -> list[Span]:
    spans: list[Span] = []
    annotations = task.get("annotations") or task.get("completions") or []
    number = 0
    for annotation in annotations if isinstance(annotations, list) else []:
        if not isinstance(annotation, dict) or annotation.get("was_cancelled"):
            continue
        for result in annotation.get("result") or []:
            number += 1
            kind = result.get("type") if isinstance(result, dict) else None
            if kind != "labels":
                reading.ignored[f"{kind or 'unknown'} results"] += 1
                continue
            value = result.get("value")
            value = value if isinstance(value, dict) else {}
            labels = value.get("labels")
            labels = labels if isinstance(labels, list) and labels and isinstance(labels[0], str) else []
            start, end, shown = value.get("start"), value.get("end"), value.get("text")
            if not (isinstance(start, int) and isinstance(end, int) and labels):
                reading.notes.append(Note(name, 1, 1, f"result {number}: no start, end or labels: skipped"))
                continue
            fixed = _locate(text, start, end, shown if isinstance(shown, str) else None)
            if fixed is None:
                reading.notes.append(
                    _note(
                        name,
                        text,
                        start,
                        f"span {shown!r} ({labels[0]}): the text at {start}..{end} reads "
                        f"{text[start:end]!r}, and the span is not found nearby: not placed",
                    )
                )
                continue
            spans.append(Span((fixed,), str(labels[0]), text[fixed[0] : fixed[1]], f"result {number}"))
    return spans


def _from_utf16(text: str, offset: int) -> int | None:
    """The character offset of a UTF-16 code-unit offset (what JavaScript counts)."""
    units = 0
    for index, char in enumerate(text):
        if units == offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
        if units > offset:
            return None
    return len(text) if units == offset else None


def _locate(text: str, start: int, end: int, shown: str | None) -> tuple[int, int] | None:
    """Where a Label Studio span really is: its offsets as characters, as UTF-16 units, or
    (when the tool's text is known) the nearest place that text occurs."""
    if shown is None:
        return (start, end) if 0 <= start < end <= len(text) else None
    if 0 <= start < end <= len(text) and _folded(text[start:end]) == _folded(shown):
        return start, end
    a, b = _from_utf16(text, start), _from_utf16(text, end)
    if a is not None and b is not None and a < b and _folded(text[a:b]) == _folded(shown):
        return a, b
    found = [m.start() for m in re.finditer(re.escape(shown), text)] if shown else []
    if not found:
        return None
    best = min(found, key=lambda i: abs(i - start))
    return (best, best + len(shown)) if abs(best - start) <= 20 else None


# --- spans to mentions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """A stretch of the text (character offsets, end exclusive) that becomes a mention."""

    start: int
    end: int
    record_id: str
    name: str  # the record's name: a span that reads exactly so becomes [[id]]


def placement_problem(text: str, start: int, end: int) -> str | None:
    """Why ``text[start:end]`` cannot be the text of a mention, or ``None`` when it can."""
    shown = text[start:end]
    if not shown.strip():
        return "the span is empty or only white space"
    if "[" in shown or "]" in shown:
        return "its text holds a square bracket, which a mention's text cannot"
    if _PARAGRAPH_BREAK_RE.search(shown):
        return "it runs across a paragraph break"
    return None


def mention(shown: str, record_id: str, name: str) -> str:
    """``[[id]]`` when the shown text is the record's name, else ``[[id|shown]]``
    (white space folded, so a span across a line break stays on one line)."""
    folded = _folded(shown)
    return f"[[{record_id}]]" if folded == name else f"[[{record_id}|{folded}]]"


def _trailing_backslashes(text: str) -> int:
    return len(text) - len(text.rstrip("\\"))


def escape_literal(chunk: str) -> str:
    """A run of text in which ``[[`` stays text: ``[[`` becomes ``\\[[`` unless it is
    escaped already."""
    out: list[str] = []
    i = 0
    while True:
        j = chunk.find("[[", i)
        if j < 0:
            out.append(chunk[i:])
            return "".join(out)
        out.append(chunk[i:j])
        if _trailing_backslashes(chunk[:j]) % 2 == 0:
            out.append("\\")
        out.append("[[")
        i = j + 2


def rewrite(text: str, placements: Iterable[Placement]) -> str:
    """The text with each placement replaced by its mention, and ``[[`` elsewhere escaped.

    Placements must not overlap (:class:`ValueError` otherwise); each must pass
    :func:`placement_problem`. Line breaks become ``\\n``."""
    return _rewrite(text, sorted(placements, key=lambda p: (p.start, p.end)))[0]


def _newlines(chunk: str) -> str:
    return chunk.replace("\r\n", "\n").replace("\r", "\n")


def _rewrite(text: str, placements: Sequence[Placement]) -> tuple[str, list[int]]:
    """:func:`rewrite` of placements in text order, and the line of each mention in the result."""
    out = ""
    lines: list[int] = []
    pos = 0
    for p in placements:
        if p.start < pos or p.end <= p.start or p.end > len(text):
            raise ValueError(f"placement {p.start}..{p.end} overlaps another or lies outside the text")
        out += _newlines(escape_literal(text[pos : p.start]))
        if _trailing_backslashes(out) % 2:  # a backslash right before would make it "\\[["
            out += "\\"
        lines.append(out.count("\n") + 1)
        out += mention(text[p.start : p.end], p.record_id, p.name)
        pos = p.end
    out += _newlines(escape_literal(text[pos:]))
    return out, lines


def _swallowed(body: str, lines: Sequence[int], targets: Sequence[str]) -> list[int]:
    """Which mentions (given by their line in ``body`` and their target, in text order)
    Markdown swallowed, by their index: those the generator's own parser does not see, such
    as a mention inside a code span or an indented code block of the text."""
    found = [(seg.target, seg.line) for _block, seg, _offset in parse(body).mentions() if seg.explicit]
    lost = []
    j = 0
    for i, key in enumerate(zip(targets, lines, strict=True)):
        if j < len(found) and found[j] == key:
            j += 1
        else:
            lost.append(i)
    return lost


# --- records ---------------------------------------------------------------------------------


class _Unplaced(Exception):
    """A span that cannot be linked, with the reason."""


@dataclass(frozen=True)
class Created:
    """A record this import writes."""

    kind: str
    path: Path
    text: str


class _Registry:
    """The records a span can be matched to: those of the content folder and those created."""

    def __init__(self, content: Path, records: Mapping[str, Record], base: Path) -> None:
        self.content = content
        self.base = base
        self.kind_of: dict[str, str] = {}
        self.exact: dict[str, set[str]] = {}
        self.folded: dict[str, set[str]] = {}
        self.name_of: dict[str, str] = {}
        self.iso: dict[str, str] = {}
        self.taken: dict[str, str] = {p.stem: display_path(p, base) for p in content.rglob("*.md")}
        self.created: dict[str, Created] = {}
        self.matched: set[str] = set()
        for record in records.values():
            self.taken.setdefault(record.id, record.path)
            if record.kind == "sources":
                continue
            self._add(record.id, record.kind, record.name, record.aliases)
            iso = getattr(record.front, "iso", None)
            if record.kind == "countries" and isinstance(iso, str):
                self.iso.setdefault(iso, record.id)

    def _add(self, record_id: str, kind: str, name: str, names: Iterable[str]) -> None:
        self.kind_of[record_id] = kind
        self.name_of[record_id] = name
        for surface in names:
            key = _folded(surface)
            self.exact.setdefault(key, set()).add(record_id)
            self.folded.setdefault(key.casefold(), set()).add(record_id)

    def match(self, name: str, kinds: Sequence[str]) -> str | None:
        """The record known by this name: case-sensitive first, then not; the label's
        kinds preferred. Raises :class:`_Unplaced` when several records fit."""
        for index, key in ((self.exact, name), (self.folded, name.casefold())):
            ids = index.get(key)
            if not ids:
                continue
            pool = sorted(i for i in ids if self.kind_of[i] in kinds) or sorted(ids)
            if len(pool) == 1:
                return pool[0]
            raise _Unplaced(f"'{name}' names several records ({', '.join(pool)}): write the mention by hand")
        return None

    def resolve(self, name: str, label_kind: str) -> tuple[str, bool]:
        """The id of the record a span names, and whether this import creates it."""
        kinds = _PREFERRED.get(label_kind, (label_kind,))
        found = self.match(name, kinds)
        if found is not None:
            if found not in self.created:
                self.matched.add(found)
            return found, False
        kind = label_kind
        facts: dict[str, Any] | None = None
        if label_kind in ("countries", "gpe"):
            facts = recognised_country(name)
            if facts is not None and facts["iso"] in self.iso:
                found = self.iso[facts["iso"]]
                if found not in self.created:
                    self.matched.add(found)
                return found, False
            if facts is None and label_kind == "countries":
                raise _Unplaced(
                    f"pycountry does not recognise '{name}' as a country: write the record with "
                    f"`python -m generator new country`, or label it as a place"
                )
            kind = "countries" if facts is not None else "places"
        date = None
        if kind == "events":
            date = date_in_name(name)
            if date is None:
                raise _Unplaced(
                    f"the event '{name}' has no date in its name: write it first with "
                    f'`python -m generator new event "{name}" --date YYYY-MM-DD`, then import again'
                )
        new_id = slugify(name)
        if not new_id or not ID_RE.match(new_id):
            raise _Unplaced(f"cannot make an id from '{name}'")
        if new_id in self.taken:
            raise _Unplaced(
                f"a new {KIND_LABELS[kind][0].lower()} '{name}' would have the id '{new_id}', which "
                f"{self.taken[new_id]} already uses: add '{name}' to that record's aliases if it is "
                "the same, or write the record by hand with another id"
            )
        try:
            record = new_record(self.content, kind, name, date)
        except AuthoringError as exc:
            raise _Unplaced(str(exc)) from None
        written: dict[str, Any] = dict(frontmatter.loads(record.text).metadata)
        aliases = [str(a) for a in written.get("aliases") or []]
        self.created[new_id] = Created(kind, record.path, record.text)
        self.taken[new_id] = display_path(record.path, self.base)
        self._add(new_id, kind, name, [name, *aliases])
        if facts is not None and kind == "countries":
            self.iso.setdefault(facts["iso"], new_id)
        return new_id, True


def recognised_country(name: str) -> dict[str, Any] | None:
    """pycountry's facts for a name that really names a country (not a city in it, as
    pycountry's fuzzy search would also answer): the name must be a code or an exact name,
    or start a word of the country's names ("Russia" in "Russian Federation")."""
    try:
        facts = country_facts(name)
    except AuthoringError:
        return None
    country = pycountry.countries.get(alpha_2=facts["iso"])
    if country is None:
        return None
    try:
        exact = pycountry.countries.lookup(name)
    except LookupError:
        exact = None
    if exact is not None:
        return facts if exact.alpha_2 == facts["iso"] else None
    names = [country.name, getattr(country, "official_name", ""), getattr(country, "common_name", "")]
    word = re.compile(r"(?<!\w)" + re.escape(name.casefold()))
    return facts if any(n and word.search(n.casefold()) for n in names) else None


def date_in_name(name: str) -> str | None:
    """A date written in an event's name (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), as ISO text."""
    for m in _DATE_IN_NAME_RE.finditer(name):
        for candidate in (m.group(0), m.group(1)):
            try:
                return PartialDate.parse(candidate).iso()
            except ValueError:
                continue
    return None


def label_kind(label: str) -> str | None:
    """The kind a label stands for (``gpe`` for countries-or-places), or ``None``."""
    return LABEL_KINDS.get(label.strip().casefold())


# --- one run ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What an import did, or would do with ``--dry-run``."""

    tool: str
    origin: str
    content: str
    dry_run: bool
    created: dict[str, Created] = field(default_factory=dict)
    matched: set[str] = field(default_factory=set)
    sources: dict[str, tuple[Path, str]] = field(default_factory=dict)  # id → path, text
    placed: int = 0
    not_placed: int = 0
    notes: list[Note] = field(default_factory=list)
    refused: list[Note] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)
    check_errors: list[str] = field(default_factory=list)
    base: Path = Path(".")

    @property
    def exit_code(self) -> int:
        """0 when imported (or the dry run would import), 1 when refused or the corpus broke."""
        return 1 if self.refused or self.check_errors else 0

    def report(self) -> str:
        """The report printed at the end of the run."""

        def shown(path: Path) -> str:
            return display_path(path, self.base)

        lines = [
            f"import {self.tool} {self.origin} into {self.content}" + (" (dry run)" if self.dry_run else "")
        ]
        if self.refused:
            lines.append("refused, nothing written:")
            lines.extend(n.format() for n in sorted(self.refused))
            return "\n".join(lines) + "\n"
        verb = "would create" if self.dry_run else "created"
        kinds = _per_kind(c.kind for c in self.created.values())
        lines.append(f"{verb} {len(self.created)} record{'s' * (len(self.created) != 1)}{kinds}")
        lines.extend(f"  {shown(c.path)}" for c in self.created.values())
        lines.append(f"matched {len(self.matched)} existing record{'s' * (len(self.matched) != 1)}")
        if self.matched:
            lines.append("  " + ", ".join(sorted(self.matched)))
        verb = "sources that would be written" if self.dry_run else "sources written"
        lines.append(f"{verb}: {len(self.sources)}")
        lines.extend(f"  {shown(path)}" for path, _text in self.sources.values())
        lines.append(f"spans: {self.placed} placed as mentions, {self.not_placed} not placed")
        if self.ignored:
            lines.append("ignored: " + ", ".join(f"{n} {what}" for what, n in sorted(self.ignored.items())))
        if self.notes:
            lines.append("not placed, or not read:")
            lines.extend(n.format() for n in sorted(self.notes))
        if self.check_errors:
            lines.append("the corpus now has errors:")
            lines.extend(self.check_errors)
        if self.dry_run:
            lines.append("dry run: nothing written")
        return "\n".join(lines) + "\n"


def _per_kind(kinds: Iterable[str]) -> str:
    counts = Counter(kinds)
    if not counts:
        return ""
    parts = []
    for kind in KIND_LABELS:
        if counts[kind]:
            label = KIND_LABELS[kind][counts[kind] != 1].lower()
            parts.append(f"{counts[kind]} {label}")
    return " (" + ", ".join(parts) + ")"


def import_texts(
    tool: str,
    reading: Reading,
    content: Path,
    *,
    origin: str = "",
    published: str | None = None,
    dry_run: bool = False,
    base: Path | None = None,
) -> Outcome:
    """Match or create the records of every span, rewrite every text into a source, and
    (unless ``dry_run`` or refused) write the files. See the module's documentation."""
    base = base if base is not None else Path.cwd()
    records, _broken, _problems = load(content, base)
    registry = _Registry(content, records, base)
    outcome = Outcome(tool, origin, display_path(content, base), dry_run, base=base)
    outcome.notes.extend(reading.notes)
    outcome.ignored.update(reading.ignored)
    for item in reading.texts:
        _import_one(item, registry, content, published, outcome)
    outcome.created = dict(registry.created)
    outcome.matched = registry.matched - set(registry.created)
    if outcome.refused or dry_run:
        return outcome
    for created in outcome.created.values():
        _write(created.path, created.text)
    for path, text in outcome.sources.values():
        _write(path, text)
    _corpus, problems = check(content, base)
    outcome.check_errors = [p.format() for p in problems if p.severity.value == "error"]
    return outcome


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as fh:  # never overwrite
        fh.write(text)


def _import_one(
    item: ImportText, registry: _Registry, content: Path, published: str | None, outcome: Outcome
) -> None:
    text = item.text
    meta: dict[str, Any] = {}
    title = item.title or first_line_title(text)
    if title is None:
        outcome.refused.append(Note(item.origin, 1, 1, "the text is empty"))
        return
    date = item.published
    if date is not None:
        iso = _ISO_DATE_RE.match(date)
        try:
            date = PartialDate.parse(iso.group(1) if iso else date).iso()
        except ValueError as exc:
            outcome.refused.append(Note(item.origin, 1, 1, f"publication date from {item.date_from}: {exc}"))
            return
    date = date or published
    if date is None:
        outcome.refused.append(
            Note(
                item.origin,
                1,
                1,
                "no publication date (a data.published, or a file name starting with YYYY-MM-DD): "
                "give one with --published YYYY-MM-DD",
            )
        )
        return
    meta["title"] = title
    meta["published"] = date
    if item.url:
        try:
            Source.model_validate({"title": title, "published": date, "url": item.url})
            meta["url"] = item.url
        except ValueError:
            outcome.notes.append(
                Note(item.origin, 1, 1, f"url {item.url!r} is not an http(s) address: left out")
            )
    source_id = item.source_id or _source_id(date, title)
    if not source_id or not ID_RE.match(source_id):
        outcome.refused.append(
            Note(item.origin, 1, 1, f"cannot make a source id from '{item.source_id or title}'")
        )
        return
    if source_id in registry.taken or source_id in outcome.sources:
        used = registry.taken.get(source_id) or "another text of this import"
        outcome.refused.append(
            Note(
                item.origin, 1, 1, f"the source id '{source_id}' is already used by {used}: already imported?"
            )
        )
        return
    registry.taken[source_id] = display_path(content / "sources" / f"{source_id}.md", outcome.base)

    placements, spans = _place(item, registry, outcome)
    body, lines = _rewrite(text, placements)
    lost = {spans[i]: placements[i] for i in _swallowed(body, lines, [p.record_id for p in placements])}
    for p in lost.values():
        outcome.notes.append(
            _note(
                item.origin,
                text,
                p.start,
                f"{text[p.start : p.end]!r} lies in Markdown code of the text (a code span or an "
                "indented block), where a mention would show as text: not placed",
            )
        )
    if lost:  # leave those spans as they were
        placements = [p for p, span in zip(placements, spans, strict=True) if span not in lost]
        body = rewrite(text, placements)
    outcome.placed += len(set(spans)) - len(lost)
    outcome.not_placed += len(lost)
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    source = "---\n" + front + "---\n" + body.lstrip("\ufeff") + ("" if body.endswith("\n") else "\n")
    outcome.sources[source_id] = (content / "sources" / f"{source_id}.md", source)


def _place(item: ImportText, registry: _Registry, outcome: Outcome) -> tuple[list[Placement], list[int]]:
    """Check every span of a text, keep the longest of overlapping ones, resolve records.

    Returns the placements in text order and, for each, the number of the span it is from."""
    text = item.text
    candidates: list[tuple[Span, str]] = []
    seen: set[tuple[tuple[tuple[int, int], ...], str]] = set()

    def skip(span: Span, message: str) -> None:
        outcome.not_placed += 1
        outcome.notes.append(_note(item.origin, text, span.start, f"{_describe(span, text)}: {message}"))

    for span in item.spans:
        fragments = _trimmed(text, span.fragments)
        if fragments is None:
            skip(span, f"offsets outside the text (it has {len(text)} characters): not placed")
            continue
        if not fragments:
            skip(span, "the span is empty or only white space: not placed")
            continue
        span = Span(fragments, span.label, span.text, span.ref)
        actual = " ".join(text[a:b] for a, b in fragments)
        if span.text is not None and _folded(span.text) != _folded(actual):
            skip(span, f"the annotation says {span.text!r}, but the text there reads {actual!r}: not placed")
            continue
        kind = label_kind(span.label)
        if kind is None:
            skip(span, f"unknown label '{span.label}' (known: {', '.join(sorted(LABEL_KINDS))}): not placed")
            continue
        problem = next((p for a, b in fragments if (p := placement_problem(text, a, b))), None)
        if problem:
            skip(span, f"{problem}: not placed")
            continue
        key = (fragments, kind)
        if key in seen:
            continue  # the same span twice (two annotators, say)
        seen.add(key)
        candidates.append((span, kind))

    kept: list[tuple[Span, str]] = []
    for span, kind in sorted(candidates, key=lambda c: -c[0].length):  # stable: ties keep file order
        other = next((k for k, _ in kept if _overlap(span, k)), None)
        if other is not None:
            line, column = where(text, other.start)
            skip(
                span,
                f"overlaps {_describe(other, text)} at {line}:{column}, which is longer (or first) "
                "and was kept: not placed",
            )
            continue
        kept.append((span, kind))

    placements: list[Placement] = []
    span_of: list[int] = []
    for number, (span, kind) in enumerate(sorted(kept, key=lambda c: c[0].fragments)):
        name = _folded(" ".join(text[a:b] for a, b in span.fragments))
        try:
            record_id, _created = registry.resolve(name, kind)
        except _Unplaced as exc:
            skip(span, f"{exc}: not placed")
            continue
        for a, b in span.fragments:
            placements.append(Placement(a, b, record_id, registry.name_of[record_id]))
            span_of.append(number)
    order = sorted(range(len(placements)), key=lambda i: placements[i].start)
    return [placements[i] for i in order], [span_of[i] for i in order]


def _trimmed(text: str, fragments: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...] | None:
    """Fragments without surrounding white space, empty ones dropped; ``None`` when outside."""
    out = []
    for a, b in fragments:
        if not 0 <= a <= b <= len(text):
            return None
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return tuple(sorted(out))


def _overlap(a: Span, b: Span) -> bool:
    return any(x1 < y2 and x2 < y1 for x1, y1 in a.fragments for x2, y2 in b.fragments)


def _describe(span: Span, text: str) -> str:
    shown = " ".join(text[a:b] for a, b in span.fragments) if span.fragments else span.text or ""
    return f"{span.ref} {_folded(shown)!r} ({span.label})"


def first_line_title(text: str) -> str | None:
    """The first non-empty line as a title (Markdown heading marks dropped), cut at a word
    boundary to :data:`TITLE_LIMIT` characters."""
    for line in text.lstrip("\ufeff").splitlines():
        title = _folded(line.strip().lstrip("#"))
        if title:
            if len(title) > TITLE_LIMIT:
                cut = title[:TITLE_LIMIT]
                title = (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:") + " …"
            return title
    return None


def _source_id(date: str, title: str) -> str:
    """``2021-09-17-neighbours-meet-in-tehran``: the date and up to 60 characters of title."""
    slug = slugify(title)
    if len(slug) > 60:
        slug = slug[:60]
        slug = slug[: slug.rfind("-")] if "-" in slug else slug
    return "-".join(part for part in (date, slug.strip("-")) if part)


def run(
    tool: str,
    path: Path,
    content: Path,
    *,
    published: str | None = None,
    dry_run: bool = False,
    base: Path | None = None,
) -> Outcome:
    """Read ``path`` with the reader of ``tool`` (``brat`` or ``label-studio``) and import it.

    Raises :class:`ImportUsageError` for what cannot be read, and for a bad ``published``."""
    base = base if base is not None else Path.cwd()
    if published is not None:
        try:
            published = PartialDate.parse(published).iso()
        except ValueError as exc:
            raise ImportUsageError(f"--published: {exc}") from None
    if tool == "brat":
        reading = read_brat(path, base)
    elif tool == "label-studio":
        if not path.is_file():
            raise ImportUsageError(f"{path}: no such file (give a Label Studio JSON export)")
        reading = read_label_studio(path, base)
    else:
        raise ImportUsageError(f"unknown tool '{tool}': brat or label-studio")
    return import_texts(
        tool,
        reading,
        content,
        origin=display_path(path, base),
        published=published,
        dry_run=dry_run,
        base=base,
    )
