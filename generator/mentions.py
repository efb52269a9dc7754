"""Texts as blocks of segments: ``[[id]]`` mentions, auto-linked names, safe Markdown out.

A body (a source text, or an entity's curated prose) is split into blocks
(paragraphs, headings, code, rules) and each block into segments (plain text,
code spans, links, mentions). Everything the reader sees of a text is rebuilt
from these segments, so nothing from the corpus reaches the page unexamined:

- raw HTML is shown as text (``<`` becomes ``&lt;``);
- attribute lists (``{: onclick=...}``) and reference links cannot form
  (``{ } [ ]`` are escaped);
- only ``http``, ``https`` and ``mailto`` links survive; others keep their text;
- images are replaced by their text (the site loads nothing from outside).
"""

from __future__ import annotations

import bisect
import functools
import operator
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import quote

from generator.languages import (
    MARK,
    PAGE_LANGUAGE,
    SPACED_LETTER,
    SPACED_WORD,
    UNSPACED,
    Language,
    forms_of,
    has_prefixes,
    inflects,
    is_unspaced,
    language,
    stems_only,
)
from generator.slotted import quick_init

SegmentKind = Literal["text", "code", "link", "mention"]
BlockKind = Literal["paragraph", "heading", "code", "rule"]

_PUNCT = r"!-/:-@\[-`{-~"
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)(.*?)(?:[ \t]+#+)?[ \t]*$")
_RULE_RE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")

_INLINE_RE = re.compile(
    r"(?P<lit>\\\[\[)"
    r"|(?P<esc>\\[" + _PUNCT + r"])"
    r"|(?P<mention>\[\[(?P<mid>[^\[\]|\n]*)(?:\|(?P<mtext>[^\[\]\n]*))?\]\])"
    # a code span as Python-Markdown reads one: a whole run of backticks, closed by the first
    # run of exactly as many (shorter fallbacks are left as text, which is escaped: safe)
    r"|(?P<code>(?<!`)(?P<ticks>`++)(?P<ctext>.+?)(?<!`)(?P=ticks)(?!`))"
    r"|(?P<image>!\[(?P<alt>[^\[\]\n]*)\]\((?P<iurl>[^()\s]*)(?:\s+\"[^\"\n]*\")?\))"
    r"|(?P<link>\[(?P<ltext>[^\[\]]*)\]\(\s*<?(?P<url>[^()\s<>]*)>?(?:\s+\"[^\"\n]*\")?\s*\))"
    r"|(?P<auto><(?P<aurl>(?:https?|mailto):[^\s<>]+)>)",
    re.DOTALL,
)
# Every alternative of _INLINE_RE starts with one of these characters. The engine cannot
# see that through the named groups, so it would try the whole alternation at every
# position; searching for these first and matching only there gives the same matches.
_INLINE_START_RE = re.compile(r"[\\\[`!<]")
_SAFE_SCHEMES = ("http", "https", "mailto")
_TEXT_ESCAPE_RE = re.compile(r"\\<|\\[" + _PUNCT + r"]|[<{}\[\]]")
_TEXT_ESCAPE_START_RE = re.compile(r"[\\<{}\[\]]")
"""Where a match of _TEXT_ESCAPE_RE can start: most runs of text hold none, and one search
for a class is cheaper than the alternation tried at every character."""
_SENTENCE_END_RE = re.compile(
    # One class of every stop first, and then which stop it was (a lookbehind at the start of
    # each branch): a pattern that starts with one class lets the engine skip at once to the
    # next stop, where three alternatives of a class each were tried at every character
    # (2.3 times faster; test_mentions checks it against the three alternatives themselves).
    r"[.!?…؟۔。！？](?:"
    r"(?<=[.!?…])[\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[A-Z0-9])"
    # other scripts: a capital Cyrillic or Greek letter, or a letter of a script without
    # case (Arabic, Hebrew, Devanagari) after a full stop; the Arabic question mark and the
    # Urdu full stop; Chinese and Japanese stops, which no space follows
    r"|(?<=[.!?…؟۔])[\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[А-ЯЁЂ-ЏҐΑ-Ω\u0590-\u06ff\u0900-\u097f])"
    r"|(?<=[。！？])[」』”’）)]*\s*(?=\S))"
)


@quick_init  # made by the million: see generator/slotted.py
@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a block: what it was in the file, what a reader sees, what it links to.

    Slotted: a corpus holds a million of them at 10,000 sources, and without a ``__dict__``
    each takes half the memory (about 110 MB less in all)."""

    kind: SegmentKind
    raw: str
    plain: str
    target: str = ""  # a record id (mention) or a URL (link); empty for an unsafe link
    explicit: bool = False
    line: int = 0
    column: int = 0
    form_of: str = ""  # an auto-linked mention not written as the name: the name it is a form of
    via: str = ""  # and how it was matched: "declined", "stem" or "prefix" (see generator.languages)


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    line: int
    number: int = 0  # paragraph number for the anchor ``p-N``; 0 for code and rules
    segments: tuple[Segment, ...] = ()
    level: int = 0
    code: str = ""

    @property
    def plain(self) -> str:
        """The block's text without its markup (made when asked for: kept, every paragraph
        of the corpus would be held twice)."""
        return "".join(s.plain for s in self.segments)

    @property
    def anchor(self) -> str:
        return f"p-{self.number}" if self.number else ""


@dataclass(frozen=True)
class Text:
    """A parsed body."""

    blocks: tuple[Block, ...]
    language: str = PAGE_LANGUAGE  # the BCP 47 tag of the language it is written in

    def mentions(self) -> Iterable[tuple[Block, Segment, int]]:
        """Every mention with its block and its offset in the block's plain text."""
        for block in self.blocks:
            offset = 0
            for seg in block.segments:
                if seg.kind == "mention":
                    yield block, seg, offset
                offset += len(seg.plain)

    @property
    def paragraphs(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.number)


# --- plain text of raw Markdown ----------------------------------------------------------


def _plain_map(raw: str) -> tuple[str, list[int]]:
    """The reader's text of a raw run and, for each of its characters, the raw index.

    Backslash escapes show their character; emphasis asterisks show nothing.
    """
    if "\\" not in raw and "*" not in raw:
        return raw, list(range(len(raw)))
    chars: list[str] = []
    index: list[int] = []
    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch == "\\" and i + 1 < n and _PUNCT_CHAR_RE.match(raw[i + 1]):
            chars.append(raw[i + 1])
            index.append(i)
            i += 2
            continue
        if ch == "*":
            i += 1
            continue
        chars.append(ch)
        index.append(i)
        i += 1
    return "".join(chars), index


_PLAIN_RE = re.compile(r"\\([" + _PUNCT + r"])|\*")
_PUNCT_CHAR_RE = re.compile(r"[" + _PUNCT + r"]")


def plain_of(raw: str) -> str:
    """The reader's text of a raw run (same rules as :func:`_plain_map`, faster)."""
    if "\\" not in raw and "*" not in raw:
        return raw
    return _PLAIN_RE.sub(lambda m: m.group(1) or "", raw)


# --- parsing -------------------------------------------------------------------------------


def parse(body: str, first_line: int = 1) -> Text:
    """Split a Markdown body into blocks and segments. Never fails."""
    if "\r" in body:  # line ends as Markdown reads them (the reader gives "\n" only already)
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    lines = body.split("\n")
    blocks: list[Block] = []
    number = 0
    i = 0
    para: list[str] = []
    para_start = 0

    def flush() -> None:
        nonlocal para, number
        if para:
            number += 1
            start_line = first_line + para_start
            blocks.append(Block("paragraph", start_line, number, _inline("\n".join(para), start_line)))
            para = []

    while i < len(lines):
        line = lines[i]
        fence = _FENCE_RE.match(line)
        if fence:
            flush()
            marker = fence.group(1)
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(marker[0] * len(marker)):
                j += 1
            blocks.append(Block("code", first_line + i, code="\n".join(lines[i + 1 : j])))
            i = j + 1
            continue
        if not line.strip():
            flush()
            i += 1
            continue
        if para and _SETEXT_RE.match(line):
            level = 1 if line.strip().startswith("=") else 2
            text = "\n".join(para)
            start_line = first_line + para_start
            para = []
            number += 1
            blocks.append(
                Block("heading", start_line, number, _inline(text, start_line, mentions_only=True), level)
            )
            i += 1
            continue
        heading = _HEADING_RE.match(line)
        if heading:
            flush()
            number += 1
            blocks.append(
                Block(
                    "heading",
                    first_line + i,
                    number,
                    _inline(heading.group(2), first_line + i),
                    len(heading.group(1)),
                )
            )
            i += 1
            continue
        if _RULE_RE.match(line):
            flush()
            blocks.append(Block("rule", first_line + i))
            i += 1
            continue
        if not para and (line.startswith("    ") or line.startswith("\t")):
            j = i
            while j < len(lines) and (lines[j].startswith(("    ", "\t")) or not lines[j].strip()):
                j += 1
            code_lines = [ln[4:] if ln.startswith("    ") else ln.lstrip("\t") for ln in lines[i:j]]
            while code_lines and not code_lines[-1].strip():
                code_lines.pop()
            blocks.append(Block("code", first_line + i, code="\n".join(code_lines)))
            i = j
            continue
        if not para:
            para_start = i
        para.append(line)
        i += 1
    flush()
    return Text(tuple(blocks))


def _inline(raw: str, first_line: int, mentions_only: bool = False) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    pos = 0

    breaks = _line_breaks(raw)

    def where(offset: int) -> tuple[int, int]:
        return _line_column(breaks, first_line, offset)

    def text(upto: int) -> None:
        if upto > pos:
            chunk = raw[pos:upto]
            line, column = where(pos)
            segments.append(Segment("text", chunk, plain_of(chunk), line=line, column=column))

    for m in _inline_matches(raw):
        kind = m.lastgroup
        if kind in ("lit", "esc"):
            continue  # stays inside the surrounding text run
        text(m.start())
        line, column = where(m.start())
        if kind == "mention":
            target = (m.group("mid") or "").strip()
            shown = m.group("mtext")
            segments.append(
                Segment(
                    "mention", m.group(0), (shown if shown is not None else ""), target, True, line, column
                )
            )
        elif kind == "code":
            segments.append(Segment("code", m.group(0), m.group("ctext"), line=line, column=column))
        elif kind == "image":
            alt = m.group("alt")
            segments.append(Segment("text", _escape_all(alt), alt, line=line, column=column))
        elif kind == "link":
            label = m.group("ltext")
            url = _safe_url(m.group("url"))
            segments.append(Segment("link", label, plain_of(label), url, line=line, column=column))
        elif kind == "auto":
            url = _safe_url(m.group("aurl"))
            segments.append(
                Segment("link", _escape_all(m.group("aurl")), m.group("aurl"), url, line=line, column=column)
            )
        pos = m.end()
    text(len(raw))
    return tuple(segments)


def _line_breaks(raw: str) -> list[int]:
    """Where the line breaks of a text are (for :func:`_line_column`)."""
    return [i for i, ch in enumerate(raw) if ch == "\n"] if "\n" in raw else []


def _line_column(breaks: list[int], first_line: int, offset: int) -> tuple[int, int]:
    """The line and column (from 1) of an offset, without slicing the text before it."""
    before = bisect.bisect_left(breaks, offset)  # line breaks before the offset
    line_start = breaks[before - 1] + 1 if before else 0
    return first_line + before, offset - line_start + 1


def _inline_matches(raw: str) -> Iterator[re.Match[str]]:
    """``_INLINE_RE.finditer(raw)``, faster: no match is tried where none can start."""
    search = _INLINE_START_RE.search
    match = _INLINE_RE.match
    pos = 0
    while True:
        candidate = search(raw, pos)
        if candidate is None:
            return
        at = candidate.start()
        m = match(raw, at)
        if m is None:
            pos = at + 1
            continue
        yield m
        pos = m.end()


def _safe_url(url: str) -> str:
    """The URL if it is a plain http, https or mailto address, else an empty string."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", url)
    scheme = cleaned.split(":", 1)[0].lower() if ":" in cleaned else ""
    if scheme not in _SAFE_SCHEMES:
        return ""
    return quote(cleaned, safe=":/?#@!$&'*+,;=%~-._")


# --- auto-linking --------------------------------------------------------------------------


@dataclass(frozen=True)
class Matcher:
    """Finds the names and aliases of records in text, longest first: whole words in scripts
    that separate words, anywhere in running text in those that do not (Han, Kana, Thai...).

    :meth:`for_text` gives the matcher of one text's language, which also knows the declined
    and prefixed forms of the names written in that language's script."""

    pattern: re.Pattern[str] | None
    targets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fixed: frozenset[str] = frozenset()  # records whose names match only as written
    forms: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # form -> (name, how)
    _variants: dict[tuple[str, frozenset[str]], Matcher] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )
    # each text found, as written, -> what its mention holds (None: no one record's name):
    # the names are found again and again, half a million times at 10,000 sources
    _found: dict[str, tuple[str, str, str, str, str] | None] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )

    def found(self, shown: str) -> tuple[str, str, str, str, str] | None:
        """For a text the pattern found: (the text, its plain text, the record it names,
        the name it is a form of, how it was matched), or None when it names no one record
        (an ambiguous name: left as text, reported where the alias is declared)."""
        try:
            return self._found[shown]
        except KeyError:
            pass
        key = " ".join(shown.split())
        ids = self.targets.get(key, ())
        made = None
        if len(ids) == 1:
            form_of, via = self.forms.get(key, ("", ""))
            shown = sys.intern(shown)  # one string for each name found (30 MB at 10k)
            made = (shown, plain_of(shown), ids[0], form_of, via)
        self._found[shown] = made
        return made

    @functools.cached_property
    def signature(self) -> str:
        """Equal for matchers that link the same names to the same records."""
        if not self.pattern:
            return ""
        return self.pattern.pattern + repr(sorted(self.targets.items())) + repr(sorted(self.fixed))

    @classmethod
    def build(
        cls, names: Mapping[str, Iterable[str]], fixed: Iterable[str] = (), find: bool = True
    ) -> Matcher:
        """``names`` maps a record id to the names it is known by; ``fixed`` are the ids
        whose names never match in declined or prefixed forms (``inflect: false``).
        ``find=False``: the names and whom each names, without the pattern that finds them
        (what :meth:`ambiguous` needs; 0.3 s less at 10,000 sources)."""
        targets: dict[str, set[str]] = {}
        for record_id, surfaces in names.items():
            for surface in surfaces:
                key = " ".join(surface.split())
                if key:
                    targets.setdefault(key, set()).add(record_id)
        if not targets:
            return cls(None, {}, frozenset(fixed))
        pattern = _names_regex(targets) if find else None
        return cls(pattern, {k: tuple(sorted(v)) for k, v in targets.items()}, frozenset(fixed))

    def ambiguous(self) -> dict[str, tuple[str, ...]]:
        return {k: v for k, v in self.targets.items() if len(v) > 1 and k not in self.forms}

    def for_text(self, lang: Language, inflect: bool = True, body: str = "") -> Matcher:
        """The matcher for a text in ``lang``: with the declined forms (Russian, Ukrainian
        from pymorphy3; Snowball stems of the words of ``body`` elsewhere) and the prefixed
        forms (Arabic) of every name written in the language's script, unless ``inflect``
        is false. A form that is some record's name as written stays that record's; a form
        of two records' names is ambiguous and not linked."""
        if not inflect or self.pattern is None or not (inflects(lang) or has_prefixes(lang)):
            return self
        by_text = stems_only(lang)  # forms found in the words of each text, not in a dictionary
        if not by_text:
            kept = self._variants.get((lang.tag, frozenset()))
            if kept is not None:
                return kept
        found: dict[str, set[str]] = {}
        origin: dict[str, tuple[str, str]] = {}
        for surface, ids in sorted(self.targets.items()):
            free = [i for i in ids if i not in self.fixed]
            if not free:
                continue
            for form, how in sorted(forms_of(surface, lang, body).items()):
                if form in self.targets:
                    continue
                found.setdefault(form, set()).update(free)
                origin.setdefault(form, (surface, how))
        key = (lang.tag, frozenset(found) if by_text else frozenset())
        made = self._variants.get(key)
        if made is None:
            made = self
            if found:
                targets = {**self.targets, **{k: tuple(sorted(v)) for k, v in found.items()}}
                made = Matcher(_names_regex(targets), targets, self.fixed, origin)
            self._variants[key] = made
        return made


def _names_regex(targets: Iterable[str]) -> re.Pattern[str]:
    """One pattern for all names. A name that starts (ends) with a letter of a script that
    separates words must not have a letter of such a script before (after) it; a letter of
    Han, Kana, Thai... needs no boundary, since these scripts run words together."""
    words = sorted(targets)
    trie = _trie_regex(words)
    # two lookbehinds of one class each: as fast as the plain (?<!\w) (an alternation in
    # one lookbehind costs half as much again over the whole text)
    not_after = r"(?<!" + SPACED_LETTER + r")(?<!" + MARK + r")"
    if not any(is_unspaced(w[0]) or is_unspaced(w[-1]) for w in words):
        return re.compile(not_after + trie + r"(?!" + SPACED_WORD + r")")
    before = r"(?:" + not_after + r"|(?=" + UNSPACED + r"))"
    after = r"(?:(?<=" + UNSPACED + r")|(?!" + SPACED_WORD + r"))"
    return re.compile(before + trie + after)


Trie = dict[str, "Trie"]


def _trie_regex(words: Sequence[str]) -> str:
    """One regex for many names, merged by common prefix so the engine does not try each
    name at each position. Greedy optional branches make the longest name win, as an
    alternation sorted longest-first would; a space in a name matches any white space."""
    trie: Trie = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: Trie) -> str:
        ends = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            head = r"\s+" if ch == " " else re.escape(ch)
            branches.append(head + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return "(?:" + emit(trie) + ")"


def resolve(
    text: Text,
    names: Mapping[str, str],
    matcher: Matcher | None = None,
    language_tag: str = PAGE_LANGUAGE,
    inflect: bool = True,
) -> Text:
    """Give ``[[id]]`` mentions the record's name as their text, and, with a matcher,
    turn every unambiguous name or alias in paragraph text into a mention.

    ``language_tag`` is the text's language: it decides which forms of the names are
    mentions too (see :meth:`Matcher.for_text`; none when ``inflect`` is false) and is kept
    on the result, whose rendering marks every block with it."""
    lang = language(language_tag)
    if matcher is not None and matcher.pattern is not None:
        body = "".join(s.raw for b in text.blocks if b.kind == "paragraph" for s in b.segments)
        matcher = matcher.for_text(lang, inflect, body)
    blocks = []
    for block in text.blocks:
        link_names = matcher is not None and matcher.pattern is not None and block.kind == "paragraph"
        segments: list[Segment] = []
        for seg in block.segments:
            if seg.kind == "mention" and seg.explicit and not seg.plain:
                segments.append(replace(seg, plain=names.get(seg.target, seg.target)))
            elif seg.kind == "text" and link_names:
                assert matcher is not None
                segments.extend(_link_names(seg, matcher))
            else:
                segments.append(seg)
        blocks.append(replace(block, segments=tuple(segments)))
    return Text(tuple(blocks), lang.tag)


def _link_names(seg: Segment, matcher: Matcher) -> list[Segment]:
    assert matcher.pattern is not None
    out: list[Segment] = []
    pos = 0
    raw = seg.raw
    found = matcher.found
    for m in matcher.pattern.finditer(raw):
        mention = found(m.group(0))
        if mention is None:
            continue
        start = m.start()
        if start > pos:
            chunk = raw[pos:start]
            out.append(Segment("text", chunk, plain_of(chunk), "", False, seg.line, seg.column))
        shown, plain, target, form_of, via = mention
        line, column = _position(seg, start)
        out.append(Segment("mention", shown, plain, target, False, line, column, form_of, via))
        pos = m.end()
    if pos == 0:
        return [seg]
    if pos < len(raw):
        chunk = raw[pos:]
        out.append(Segment("text", chunk, plain_of(chunk), "", False, seg.line, seg.column))
    return out


def _position(seg: Segment, offset: int) -> tuple[int, int]:
    """The line and column in the file of an offset in a segment's raw text."""
    breaks = seg.raw.count("\n", 0, offset)
    if not breaks:
        return seg.line, seg.column + offset
    return seg.line + breaks, offset - seg.raw.rfind("\n", 0, offset)


# --- sentences -----------------------------------------------------------------------------


def sentence_bounds(plain: str) -> list[tuple[int, int]]:
    """Where each sentence of ``plain`` starts and ends (end exclusive, trailing space dropped)."""
    bounds = []
    start = 0
    for m in _SENTENCE_END_RE.finditer(plain):
        bounds.append((start, m.start() + len(m.group(0).rstrip())))
        start = m.end()
    bounds.append((start, len(plain)))
    return bounds


_START = operator.itemgetter(0)


def sentence_at(
    plain: str, offset: int, limit: int = 400, bounds: list[tuple[int, int]] | None = None
) -> tuple[str, int]:
    """The sentence of ``plain`` that holds ``offset``, white space folded, and the
    offset's position in it. Long sentences are cut around the offset with ellipses.
    ``bounds`` (from :func:`sentence_bounds`) saves splitting the same text again."""
    bounds = bounds if bounds is not None else sentence_bounds(plain)
    # by the starts, without a list of them made for every mention of the block
    index = bisect.bisect_right(bounds, offset, key=_START) - 1
    start, end = bounds[max(index, 0)]
    end = max(end, min(offset + 1, len(plain)))
    sentence = plain[start:end]
    local = offset - start
    before, after = sentence[:local], sentence[local:]
    lead = " ".join(before.split())
    if before[-1:].isspace() and lead:
        lead += " "
    tail = " ".join(after.split())
    if after[:1].isspace() and tail:
        tail = " " + tail
    if len(lead) > limit // 2:
        cut = lead[-(limit // 2) :]
        lead = "… " + cut[cut.find(" ") + 1 :] if " " in cut else "… " + cut
    if len(tail) > limit // 2:
        cut = tail[: limit // 2]
        tail = (cut[: cut.rfind(" ")] if " " in cut else cut) + " …"
    return lead + tail, len(lead)


class Sentences:
    """The sentences of one block's plain text, for all the mentions in it: each sentence is
    cut out once and shared by the mentions it holds. :meth:`at` gives what
    :func:`sentence_at` gives; a sentence already folded (one space between words) and short
    enough to need no ellipsis is returned as it stands, without being split again."""

    __slots__ = ("plain", "bounds", "_cut")

    def __init__(self, plain: str) -> None:
        self.plain = plain
        self.bounds = sentence_bounds(plain)
        self._cut: dict[int, tuple[str, bool]] = {}  # sentence index -> (its text, already folded)

    def at(self, offset: int, limit: int = 400) -> tuple[str, int]:
        bounds = self.bounds
        index = max(bisect.bisect_right(bounds, offset, key=_START) - 1, 0)
        start, end = bounds[index]
        if offset < end:
            cut = self._cut.get(index)
            if cut is None:
                text = self.plain[start:end]
                cut = self._cut[index] = (text, " ".join(text.split()) == text)
            text, folded = cut
            local = offset - start
            if folded and local <= limit // 2 and len(text) - local <= limit // 2:
                return text, local
        return sentence_at(self.plain, offset, limit, bounds)


# --- Markdown out --------------------------------------------------------------------------

_BANG_BEFORE_LINK_RE = re.compile(r"(?<!\\)!\[")
_HASH_AT_LINE_START_RE = re.compile(r"^(\s*)#", re.MULTILINE)  # a heading, if left as it is
_MD_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", **{c: "\\" + c for c in "\\`*_{}[]()#+!|~>"}})
"""``&`` and ``<`` as entities, Markdown's special characters after a backslash: one pass of
:meth:`str.translate` (a regular expression substitution per character class cost twice as much)."""
_MD_SPECIAL_RE = re.compile("[" + re.escape("".join(map(chr, _MD_ESCAPES))) + "]")
"""Any character :data:`_MD_ESCAPES` changes. Most runs of prose hold none (of the words
around the mentions of the seed texts, 3 in 100): looking for one costs a fifth of
translating, which then only happens where there is something to escape."""


_ORDERED_ITEM_RE = re.compile(r"^(\s*)(\d+)\.", re.MULTILINE)
_BULLET_RE = re.compile(r"^(\s*)-", re.MULTILINE)


@functools.lru_cache(maxsize=1 << 16)  # names and titles recur on every page that links them
def escape_markdown(text: str) -> str:
    """Plain text as inert Markdown: every special character escaped, no HTML."""
    return escape_once(text)


def escape_once(text: str) -> str:
    """:func:`escape_markdown` without its cache, for text that seldom recurs (the words
    around a mention): caching it would only push the names and titles out."""
    if _MD_SPECIAL_RE.search(text) is not None:
        text = text.translate(_MD_ESCAPES)
    # a line that starts like a list item: only where a line starts (the first, or after a
    # line break), which is tested before the whole text is searched
    if "." in text and ("\n" in text or text.lstrip()[:1].isdigit()):
        text = _ORDERED_ITEM_RE.sub(r"\1\2\\.", text)
    if "-" in text and ("\n" in text or text.lstrip()[:1] == "-"):
        text = _BULLET_RE.sub(r"\1\\-", text)
    return text


def _escape_all(text: str) -> str:
    return escape_markdown(text)


def _escape_raw(raw: str) -> str:
    """Raw text Markdown with its emphasis kept, but no HTML, attribute list or link syntax."""
    if _TEXT_ESCAPE_START_RE.search(raw) is None:
        return raw

    def sub(m: re.Match[str]) -> str:
        s = m.group(0)
        if s == "\\<" or s == "<":
            return "&lt;"
        if s.startswith("\\"):
            return s
        return "\\" + s

    return _TEXT_ESCAPE_RE.sub(sub, raw)


LinkFor = Callable[[str], "str | None"]


def render(
    text: Text,
    link: LinkFor,
    *,
    marks: Mapping[int, Sequence[tuple[int, int]]] | None = None,
    heading_shift: int = 1,
    anchors: bool = True,
) -> str:
    """The body as safe Markdown: mentions linked through ``link`` (a record id → a link
    destination, or ``None`` to show the text only), ``marks`` (block number → plain
    offset ranges) highlighted, each paragraph given its ``p-N`` anchor. A text in another
    language than the page's has each paragraph and heading marked with it (``lang``, and
    ``dir="rtl"`` for a right-to-left script)."""
    out: list[str] = []
    marked = language(text.language).attributes if text.language != PAGE_LANGUAGE else ""
    for block in text.blocks:
        if block.kind == "code":
            out.append(
                "\n".join("    " + ln if ln.strip() else "" for ln in block.code.split("\n")) or "    "
            )
            continue
        if block.kind == "rule":
            out.append("* * *")
            continue
        spans = sorted((marks or {}).get(block.number, ()))
        # a "!" of the text right before a link would turn it into an image
        body = _render_segments(block.segments, link, spans)
        if "![" in body:  # (the test first: most paragraphs hold none, and it is cheaper than the search)
            body = _BANG_BEFORE_LINK_RE.sub(r"\\![", body)
        attributes = " ".join(filter(None, (f"#{block.anchor}" if anchors and block.anchor else "", marked)))
        if block.kind == "heading":
            level = min(6, block.level + heading_shift)
            shown = "#" * level + " " + " ".join(body.split("\n"))
            out.append(shown + (f" {{ {attributes} }}" if attributes else ""))
        else:
            if "#" in body:
                body = _HASH_AT_LINE_START_RE.sub(r"\1\\#", body)
            out.append(body + (f"\n{{ {attributes} }}" if attributes else ""))
    return "\n\n".join(out) + "\n"


def _render_segments(segments: Sequence[Segment], link: LinkFor, spans: Sequence[tuple[int, int]]) -> str:
    # Positions (in the block's plain text) where a <mark> opens or closes.
    events: list[tuple[int, str]] = []
    for start, end in spans:
        events.append((start, "<mark>"))
        events.append((end, "</mark>"))
    if not events:
        return "".join(_render_segment(seg, link) for seg in segments)
    events.sort(key=lambda e: (e[0], e[1] == "<mark>"))
    parts: list[str] = []
    offset = 0
    for seg in segments:
        seg_end = offset + len(seg.plain)
        inside = [
            e
            for e in events
            if offset <= e[0] < seg_end or (e[0] == seg_end and e[1] == "</mark>" and seg_end == offset)
        ]
        if seg.kind == "text" and inside:
            parts.append(_render_text_with_marks(seg.raw, offset, inside))
        else:
            opening = [e for e in inside if e[1] == "<mark>"]
            closing = [e for e in inside if e[1] == "</mark>" and e[0] > offset]
            parts.extend(tag for _, tag in opening)
            parts.append(_render_segment(seg, link))
            parts.extend(tag for _, tag in closing)
            if seg.kind != "text":
                # a closing mark at this segment's start belongs before it
                early = [e for e in inside if e[1] == "</mark>" and e[0] == offset]
                if early:
                    parts.insert(len(parts) - 1 - len(closing), "</mark>" * len(early))
        events = [e for e in events if e not in inside]
        offset = seg_end
    parts.extend(tag for _, tag in events)  # marks that end at the very end
    return "".join(parts)


def _render_text_with_marks(raw: str, offset: int, events: list[tuple[int, str]]) -> str:
    plain, index = _plain_map(raw)
    pieces: list[str] = []
    last = 0
    for pos, tag in events:
        local = pos - offset
        cut = index[local] if local < len(index) else len(raw)
        pieces.append(_escape_raw(raw[last:cut]))
        pieces.append(tag)
        last = cut
    pieces.append(_escape_raw(raw[last:]))
    return "".join(pieces)


def _render_segment(seg: Segment, link: LinkFor) -> str:
    if seg.kind == "text":
        return _escape_raw(seg.raw)
    if seg.kind == "code":
        # A span across lines is shown with spaces, as Markdown shows it: kept as lines, a
        # line of it could start a block (raw HTML, a list, a quote) before spans are read.
        return seg.raw.replace("\n", " ") if "\n" in seg.raw else seg.raw
    if seg.kind == "link":
        label = _escape_raw(seg.raw)
        return f"[{label}]({seg.target})" if seg.target else label
    # a mention
    shown = escape_markdown(" ".join(seg.plain.split())) if seg.explicit else _escape_raw(seg.raw)
    destination = link(seg.target)
    return f"[{shown}]({destination})" if destination else shown
