"""Suggestions for annotators: names written without a link, and names no record has yet.

- **unlinked mentions**: a record's name or alias in a text where auto-linking is off (an
  entity's curated prose, a source with ``autolink: false``), or written in another case or
  form (``taliban``, ``Al Qaeda`` for ``al-Qaeda``) anywhere; the edit makes it ``[[id|text]]``;
- **candidate records**: capitalised names that the texts repeat and no record has; the edit
  is the record ``generator new`` would write.

Texts are read, parsed and auto-linked by the core (:func:`generator.site.check`,
:func:`generator.mentions.resolve` with the corpus's own matcher), so a suggestion never
disagrees with what the site would link. Function words come from the ``stop-words``
package's list for the text's language, not from a hand-kept list.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from generator.mentions import Block, Matcher, Segment, Text, parse, resolve
from generator.reading import slugify
from generator.records import Record
from generator.schema import Source

SuggestionKind = Literal["unlinked", "candidate"]
SUGGESTION_KINDS: tuple[SuggestionKind, ...] = ("unlinked", "candidate")
CANDIDATE_MIN_COUNT = 2
_CONNECTORS = frozenset("of for and de al bin the".split())
_CALENDAR = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December".split()
)
_WORD_RE = re.compile(r"[^\W\d_][\w'’-]*")
_SEPARATORS = r"[\s\-‐‑–]+"


@dataclass(frozen=True)
class Suggestion:
    """One edit an author may want, at a place of a file (lines and columns from 1; the end
    column is the first column after the text)."""

    kind: SuggestionKind
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str  # what stands in the file there
    replacement: str  # what the edit writes instead
    target: str  # the record's id (unlinked) or the id a new record would get (candidate)
    message: str

    def format(self, number: int) -> str:
        return (
            f"{number:>3}. {self.path}:{self.line}:{self.column}: {self.kind}: {self.message}\n"
            f"       edit: {self.text!r} -> {self.replacement!r}"
        )

    def as_dict(self, number: int) -> dict[str, object]:
        return {"number": number, **asdict(self)}


# --- where segments stand in the file ---------------------------------------------------------


def _advance(line: int, column: int, consumed: str) -> tuple[int, int]:
    breaks = consumed.count("\n")
    if breaks:
        return line + breaks, len(consumed) - consumed.rfind("\n")
    return line, column + len(consumed)


def located_segments(block: Block) -> Iterator[tuple[Segment, int, int]]:
    """Each segment of a block with the line and column where its raw text starts.

    Auto-linking splits a text segment into pieces (text and auto-linked names); the pieces'
    raw texts add up to the whole's, and the first piece starts where the whole did, so each
    piece's place is counted from there (whatever place the pieces themselves carry)."""
    run: tuple[int, int] | None = None
    consumed = ""
    for seg in block.segments:
        if seg.kind != "text" and not (seg.kind == "mention" and not seg.explicit):
            run = None
            yield seg, seg.line, seg.column
            continue
        if run is None:
            run, consumed = (seg.line, seg.column), ""
        line, column = _advance(run[0], run[1], consumed)
        consumed += seg.raw
        yield seg, line, column


def place_in(lines: Sequence[str], line: int, column: int, raw: str) -> tuple[int, int]:
    """The line and column of ``raw`` near where the parser says it starts: heading texts are
    parsed without their ``#`` marks, so their columns are found again in the line."""
    if 1 <= line <= len(lines):
        here = lines[line - 1]
        first = raw.split("\n", 1)[0]
        if here[column - 1 : column - 1 + len(first)] == first:
            return line, column
        found = here.find(first)
        if found >= 0:
            return line, found + 1
    return line, column


# --- matching names loosely -------------------------------------------------------------------


def _loose_key(surface: str) -> str:
    return " ".join(w for w in re.split(_SEPARATORS, surface.casefold()) if w)


def _is_acronym(surface: str) -> bool:
    return surface.isupper() and len(surface) <= 5


_TOKEN_RE = re.compile(r"\w+")
_GAP_RE = re.compile(_SEPARATORS)
_Entry = tuple[tuple[str, ...], tuple[str, ...]]  # a name's words (case-folded), and what stands between them


@dataclass(frozen=True)
class LooseMatcher:
    """Names and aliases in any case, with hyphens and spaces interchangeable. Acronyms
    (``US``, ``SCO``) keep their case: ``us`` is not the United States.

    Matched word by word (a dictionary from a name's first word), not by one regular
    expression of every name: with thousands of names, a case-insensitive alternation took
    9 of `suggest`'s 28 s at 1,000 sources."""

    by_first: Mapping[str, tuple[_Entry, ...]]  # longest names first
    targets: Mapping[tuple[str, ...], tuple[str, ...]]

    @classmethod
    def of(cls, matcher: Matcher) -> LooseMatcher:
        targets: dict[tuple[str, ...], set[str]] = {}
        entries: dict[str, set[_Entry]] = {}
        for surface, ids in matcher.targets.items():
            if _is_acronym(surface):
                continue
            words = list(_TOKEN_RE.finditer(surface))
            if not words:
                continue
            key = tuple(w.group(0).casefold() for w in words)
            gaps = tuple(surface[a.end() : b.start()] for a, b in zip(words, words[1:], strict=False))
            targets.setdefault(key, set()).update(ids)
            entries.setdefault(key[0], set()).add((key, gaps))
        by_first = {w: tuple(sorted(e, key=lambda x: (-len(x[0]), x))) for w, e in entries.items()}
        return cls(by_first, {k: tuple(sorted(v)) for k, v in targets.items()})

    def find(self, raw: str) -> Iterator[tuple[int, int, str]]:
        """``(start, end, id)`` of every unambiguous loose match in ``raw``, longest first."""
        tokens = list(_TOKEN_RE.finditer(raw))
        folded = [t.group(0).casefold() for t in tokens]
        i = 0
        while i < len(tokens):
            width = 0
            for key, gaps in self.by_first.get(folded[i], ()):
                n = len(key)
                if tuple(folded[i : i + n]) != key:
                    continue
                between = [raw[tokens[i + k].end() : tokens[i + k + 1].start()] for k in range(n - 1)]
                if all(g == own or _GAP_RE.fullmatch(g) for g, own in zip(between, gaps, strict=True)):
                    width = n
                    ids = self.targets[key]
                    if len(ids) == 1:
                        yield tokens[i].start(), tokens[i + n - 1].end(), ids[0]
                    break
            i += width or 1


# --- unlinked mentions ------------------------------------------------------------------------


class Names(Mapping[str, str]):
    """A record id's name, looked up when asked (a text names few of the corpus's records)."""

    def __init__(self, records: Mapping[str, Record]) -> None:
        self.records = records

    def __getitem__(self, key: str) -> str:
        return self.records[key].name

    def __iter__(self) -> Iterator[str]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)


def linked_text(record: Record, records: Mapping[str, Record], matcher: Matcher) -> Text:
    """A record's text with every name the matcher knows linked, as auto-linking would link
    it (in the text's language and forms), whether or not the text is auto-linked."""
    return resolve(
        parse(record.body, record.body_line), Names(records), matcher, record.language.tag, record.inflects
    )


def _autolinked(record: Record) -> bool:
    return isinstance(record.front, Source) and record.front.autolink


def unlinked_mentions(
    record: Record,
    records: Mapping[str, Record],
    matcher: Matcher,
    loose: LooseMatcher | None = None,
    lines: range | None = None,
    linked: Text | None = None,
) -> list[Suggestion]:
    """Names and aliases of records in this record's text that are not links (only in the
    file's ``lines``, if given). ``loose`` is ``LooseMatcher.of(matcher)`` and ``linked``
    :func:`linked_text`, for a caller that has them already."""
    if not record.body.strip():
        return []
    linked = linked if linked is not None else linked_text(record, records, matcher)
    file_lines = [""] * (record.body_line - 1) + record.body.split("\n")
    auto = _autolinked(record)
    why = (
        "auto-linking is off in this text (autolink: false)"
        if isinstance(record.front, Source)
        else "names in a record's own prose are not auto-linked"
    )
    loose = loose or LooseMatcher.of(matcher)
    found: list[Suggestion] = []
    for block in linked.blocks:
        if block.kind != "paragraph":
            continue
        if lines is not None and not _overlaps(block, lines):
            continue
        for seg, line, column in located_segments(block):
            if seg.kind == "mention" and seg.target == record.id:
                continue  # a record's own name in its own prose links nowhere new
            if seg.kind == "mention" and not seg.explicit and not auto:
                line, column = place_in(file_lines, line, column, seg.raw)
                found.append(_unlinked(record, records, seg.target, seg.raw, line, column, why))
            elif seg.kind == "text":
                for start, end, target in loose.find(seg.raw):
                    surface = seg.raw[start:end]
                    if surface in matcher.targets or target == record.id:
                        continue  # exact but ambiguous, or a name the matcher left for a reason
                    at_line, at_column = _advance(line, column, seg.raw[:start])
                    found.append(
                        _unlinked(
                            record,
                            records,
                            target,
                            surface,
                            at_line,
                            at_column,
                            "written in another case or form than the record's names",
                        )
                    )
    return found


def _overlaps(block: Block, lines: range) -> bool:
    last = block.line + sum(seg.raw.count("\n") for seg in block.segments)
    return block.line < lines.stop and last >= lines.start


def _unlinked(
    record: Record, records: Mapping[str, Record], target: str, surface: str, line: int, column: int, why: str
) -> Suggestion:
    end_line, end_column = _advance(line, column, surface)
    shown = " ".join(surface.split())
    other = records[target]
    return Suggestion(
        "unlinked",
        record.path,
        line,
        column,
        end_line,
        end_column,
        surface,
        f"[[{target}|{shown}]]",
        target,
        f"'{shown}' names {target} ({other.label.lower()} {other.name!r}) but is not linked: {why}",
    )


# --- candidate records ------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def stop_words(language: str) -> frozenset[str]:
    """The ``stop-words`` package's list for a BCP 47 tag's language (English when it has none)."""
    from stop_words import StopWordError, get_stop_words  # type: ignore[import-untyped]

    primary = language.split("-")[0].lower()
    try:
        return frozenset(get_stop_words(primary))
    except StopWordError:
        return frozenset(get_stop_words("en"))


@dataclass(frozen=True)
class _Occurrence:
    path: str
    line: int
    column: int
    surface: str


def _phrases(raw: str, words_stop: frozenset[str]) -> Iterator[tuple[int, int]]:
    """Runs of capitalised words in a raw text run (connectors such as 'of' inside), stop
    words and calendar words trimmed from both ends."""
    tokens = list(_WORD_RE.finditer(raw))
    i = 0
    while i < len(tokens):
        if not tokens[i].group(0)[0].isupper():
            i += 1
            continue
        run = [tokens[i]]
        j = i + 1
        while j < len(tokens):
            gap = raw[run[-1].end() : tokens[j].start()]
            if gap.strip() or "\n\n" in gap:
                break
            word = tokens[j].group(0)
            joins = (
                word.lower() in _CONNECTORS and j + 1 < len(tokens) and tokens[j + 1].group(0)[0].isupper()
            )
            if word[0].isupper() or joins:
                run.append(tokens[j])
            else:
                break
            j += 1
        i = j
        while run and (run[0].group(0).lower() in words_stop or run[0].group(0).lower() in _CONNECTORS):
            run.pop(0)
        while run and (
            run[-1].group(0).lower() in words_stop
            or run[-1].group(0).lower() in _CONNECTORS
            or run[-1].group(0) in _CALENDAR
        ):
            run.pop()
        if not run or all(t.group(0) in _CALENDAR for t in run):
            continue
        start, end = run[0].start(), run[-1].end()
        phrase = raw[start:end]
        for tail in ("'s", "’s"):
            if phrase.endswith(tail):
                end -= len(tail)
        if end - start > 1:
            yield start, end


def candidate_records(
    texts: Iterable[tuple[Record, Text]],
    records: Mapping[str, Record],
    matcher: Matcher,
    min_count: int = CANDIDATE_MIN_COUNT,
) -> list[Suggestion]:
    """Capitalised names that occur ``min_count`` times or more and that no record has, in
    ``texts`` (each record with its :func:`linked_text`: what is a mention is no candidate).

    A single word is left out when the texts also use it in lower case (a sentence's first
    word: 'Officials said'); function words at either end are dropped (the stop-words
    package's list for each text's language)."""
    known = {_loose_key(s) for s in matcher.targets}
    known.update(_loose_key(r.name) for r in records.values())
    lower_words: Counter[str] = Counter()
    occurrences: dict[str, list[_Occurrence]] = {}
    for record, text in texts:
        language = record.front.language if isinstance(record.front, Source) else "en"
        words_stop = stop_words(language)
        linked = text  # with every name linked (linked_text)
        for block in linked.blocks:
            if block.kind != "paragraph":
                continue
            for seg, line, column in located_segments(block):
                if seg.kind != "text":
                    continue
                lower_words.update(w.group(0) for w in _WORD_RE.finditer(seg.raw) if w.group(0).islower())
                for start, end in _phrases(seg.raw, words_stop):
                    surface = " ".join(seg.raw[start:end].split())
                    if _loose_key(surface) in known:
                        continue
                    at_line, at_column = _advance(line, column, seg.raw[:start])
                    occurrences.setdefault(surface, []).append(
                        _Occurrence(record.path, at_line, at_column, seg.raw[start:end])
                    )
    found = []
    for surface, where in occurrences.items():
        if len(where) < min_count:
            continue
        if " " not in surface and lower_words[surface.lower()] > 0:
            continue
        new_id = slugify(surface)
        if not new_id or new_id in records:
            continue
        first = where[0]
        end_line, end_column = _advance(first.line, first.column, first.surface)
        others = ", ".join(f"{o.path}:{o.line}:{o.column}" for o in where[1:4])
        more = f" and {len(where) - 4} more" if len(where) > 4 else ""
        found.append(
            Suggestion(
                "candidate",
                first.path,
                first.line,
                first.column,
                end_line,
                end_column,
                first.surface,
                f"[[{new_id}|{surface}]]",
                new_id,
                f"'{surface}' occurs {len(where)} times (also {others}{more}) and no record has this name: "
                f'create it with `python -m generator new KIND "{surface}"` (--apply N --kind KIND)',
            )
        )
    return found


# --- the command ------------------------------------------------------------------------------


def suggestions(
    records: Mapping[str, Record],
    matcher: Matcher,
    only: Sequence[Path] | None = None,
    base: Path | None = None,
    texts: Mapping[str, Text] | None = None,
) -> list[Suggestion]:
    """Every suggestion for the records' texts (only those under ``only``, if given), numbered
    in a stable order: unlinked mentions, then candidates, each by file and place. ``texts``
    are the linked texts of a check of the same records (``Corpus.texts``), reused where the
    text is auto-linked."""
    chosen = [r for r in records.values() if r.body.strip() and _selected(r, only, base)]
    loose = LooseMatcher.of(matcher)
    found: list[Suggestion] = []
    linked: dict[str, Text] = {}
    for record in chosen:
        text = (texts or {}).get(record.id) if _autolinked(record) else None  # as check linked it
        linked[record.id] = text if text is not None else linked_text(record, records, matcher)
        found.extend(unlinked_mentions(record, records, matcher, loose, linked=linked[record.id]))
    found.extend(candidate_records(((r, linked[r.id]) for r in chosen), records, matcher))
    order = {k: i for i, k in enumerate(SUGGESTION_KINDS)}
    return sorted(found, key=lambda s: (order[s.kind], s.path, s.line, s.column, s.target))


def _selected(record: Record, only: Sequence[Path] | None, base: Path | None) -> bool:
    if not only:
        return True
    path = ((base or Path.cwd()) / record.path).resolve()
    return any(path == p.resolve() or p.resolve() in path.parents for p in only)


class ApplyError(Exception):
    """A selection of suggestions that cannot be applied, with the reason."""


def select(found: Sequence[Suggestion], picks: Sequence[str]) -> list[tuple[int, Suggestion]]:
    """The suggestions a person picked: numbers (``3``, ``1,4``, ``2-5``) or a kind
    (``unlinked``, ``candidate``) for all of that kind."""
    chosen: dict[int, Suggestion] = {}
    for pick in (p.strip() for arg in picks for p in arg.split(",")):
        if not pick:
            continue
        if pick in SUGGESTION_KINDS:
            chosen.update({i: s for i, s in enumerate(found, 1) if s.kind == pick})
            continue
        low, _, high = pick.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            raise ApplyError(
                f"'{pick}' is neither a suggestion number nor a kind ({', '.join(SUGGESTION_KINDS)})"
            )
        for number in range(int(low), int(high or low) + 1):
            if not 1 <= number <= len(found):
                raise ApplyError(f"there is no suggestion {number} (there are {len(found)})")
            chosen[number] = found[number - 1]
    return sorted(chosen.items())


def apply_edits(base: Path, picked: Sequence[Suggestion]) -> list[str]:
    """Make the ``[[id|text]]`` edits in their files, last first so that earlier places do not
    move. An edit whose text is no longer there is skipped and said so."""
    report: list[str] = []
    by_path: dict[str, list[Suggestion]] = {}
    for s in picked:
        by_path.setdefault(s.path, []).append(s)
    for shown, edits in sorted(by_path.items()):
        path = base / shown
        with path.open(encoding="utf-8", newline="") as fh:  # line ends kept as they are
            text = fh.read()
        starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                starts.append(i + 1)
        done = 0
        last_start = len(text) + 1
        for s in sorted(edits, key=lambda e: (e.line, e.column), reverse=True):
            start = starts[s.line - 1] + s.column - 1
            end = starts[s.end_line - 1] + s.end_column - 1
            if text[start:end] != s.text or end > last_start:
                report.append(
                    f"{s.path}:{s.line}:{s.column}: skipped: the text there is no longer {s.text!r}"
                )
                continue
            text = text[:start] + s.replacement + text[end:]
            last_start = start
            done += 1
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        report.append(f"{shown}: {done} edit{'s' * (done != 1)}")
    return report


def to_json(found: Sequence[Suggestion]) -> str:
    return json.dumps([s.as_dict(i) for i, s in enumerate(found, 1)], ensure_ascii=False, indent=2)


def run(
    content: Path,
    paths: Sequence[Path],
    picks: Sequence[str],
    fmt: str,
    kind: str | None,
    shown_base: Path,
) -> int:
    """``python -m generator suggest``: list (or, with picks, apply) suggestions. Exit code 0,
    or 2 when a pick cannot be applied."""
    import sys

    from generator.authoring import AuthoringError, new_record
    from generator.linking import build_matcher
    from generator.site import check

    for path in paths:
        if not path.exists():
            print(f"{path}: no such file or folder", file=sys.stderr)
            return 2
    corpus, problems = check(content, shown_base)
    records = dict(corpus.records) if corpus is not None else {}
    matcher = build_matcher(records)
    found = suggestions(records, matcher, paths or None, shown_base, corpus.texts if corpus else None)
    errors = sum(p.severity.value == "error" for p in problems)
    if errors:
        print(
            f"note: the corpus has {errors} error{'s' * (errors != 1)} (see `python -m generator check`); "
            "files with errors are left out",
            file=sys.stderr,
        )
    if not picks:
        if fmt == "json":
            print(to_json(found))
        else:
            for number, s in enumerate(found, 1):
                print(s.format(number))
            counts = Counter(s.kind for s in found)
            print(f"{counts['unlinked']} unlinked mentions, {counts['candidate']} candidate records")
        return 0
    try:
        picked = select(found, picks)
    except ApplyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    edits = [s for _n, s in picked if s.kind == "unlinked"]
    created: list[str] = []
    for _n, s in picked:
        if s.kind != "candidate":
            continue
        if kind is None:
            print(f"error: suggestion {_n} creates a record: say which kind with --kind", file=sys.stderr)
            return 2
        try:
            record = new_record(content, kind, " ".join(s.text.split()), record_id=s.target)
        except AuthoringError as exc:
            print(f"error: suggestion {_n}: {exc}", file=sys.stderr)
            return 2
        record.path.parent.mkdir(parents=True, exist_ok=True)
        with record.path.open("x", encoding="utf-8") as fh:
            fh.write(record.text)
        created.append(f"wrote {record.path}")
    report = apply_edits(shown_base, edits) if edits else []
    if fmt == "json":
        print(json.dumps({"applied": [n for n, _s in picked], "report": [*created, *report]}, indent=2))
    else:
        for line in [*created, *report]:
            print(line)
    return 0
