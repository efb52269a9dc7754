"""Finding a quote in a text, ignoring white space and the style of quotation marks."""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass

from generator.mentions import Text

# Curly and other quotation marks become straight ones (two regex passes: much faster than
# ``str.translate`` with a table on long texts, and the same result).
_DOUBLE_MARKS_RE = re.compile("[“”„‟″«»]")
_SINGLE_MARKS_RE = re.compile("[‘’‚‛′`]")


@dataclass(frozen=True)
class Found:
    """Where a quote stands: the paragraph it starts in and the highlighted ranges."""

    first_paragraph: int
    spans: dict[int, list[tuple[int, int]]]  # paragraph number → plain-text ranges


_LONG_SPACE_RE = re.compile(r"\s\s+")


def normalize(text: str) -> tuple[str, list[int]]:
    """Folded text (one space for any white space, straight quotation marks) and, for each
    of its characters, the index of the character it came from."""
    folded, breaks = _fold(text)
    return folded, [_origin(breaks, i) for i in range(len(folded))]


def _fold(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Folded text and its breakpoints: (folded offset, original offset) where the mapping
    from folded to original offsets stops being a plain shift.

    Leading and trailing white space goes, every inner run of white space becomes one
    space. A run of a single white-space character keeps its length, so the only breaks
    are the start of the text and each longer run (its space stands for the run's last
    character); everything between two breaks maps one to one."""
    if text.isascii():  # of the marks only the backtick is ASCII: no pass over the text for the rest
        translated = text.replace("`", "'") if "`" in text else text
    else:
        translated = _SINGLE_MARKS_RE.sub("'", _DOUBLE_MARKS_RE.sub('"', text))
    lead = len(translated) - len(translated.lstrip())
    body = translated[lead : len(translated.rstrip())]
    if not body:
        return "", []
    breaks: list[tuple[int, int]] = [(0, lead)]
    removed = 0
    for m in _LONG_SPACE_RE.finditer(body):
        start, end = m.span()
        breaks.append((start - removed, lead + end - 1))
        removed += end - start - 1
    return " ".join(body.split()), breaks  # str.split's white space is the regex's \s, and faster


def _origin(breaks: list[tuple[int, int]], folded_index: int) -> int:
    i = bisect.bisect_right(breaks, (folded_index, float("inf"))) - 1
    folded_at, original_at = breaks[i]
    return original_at + (folded_index - folded_at)


def _layout(text: Text) -> tuple[str, list[tuple[int, int]]]:
    """The text's paragraphs joined, with (start offset, paragraph number) of each."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0
    for block in text.paragraphs:
        starts.append((offset, block.number))
        plain = block.plain
        parts.append(plain)
        offset += len(plain) + 2
        parts.append("\n\n")
    return "".join(parts), starts


@dataclass(frozen=True)
class Haystack:
    """A text prepared once for finding any number of quotes in it."""

    full: str
    starts: list[tuple[int, int]]
    folded: str
    breaks: list[tuple[int, int]]

    @classmethod
    def of(cls, text: Text) -> Haystack:
        full, starts = _layout(text)
        folded, breaks = _fold(full)
        return cls(full, starts, folded, breaks)


def find(quote: str, text: Text | Haystack) -> Found | None:
    prepared = text if isinstance(text, Haystack) else Haystack.of(text)
    full, starts = prepared.full, prepared.starts
    haystack, breaks = prepared.folded, prepared.breaks
    needle, _ = _fold(quote)
    if not needle:
        return None
    at = haystack.find(needle)
    if at < 0:
        return None
    begin = _origin(breaks, at)
    end = _origin(breaks, at + len(needle) - 1) + 1
    spans: dict[int, list[tuple[int, int]]] = {}
    first = 0
    for i, (start, number) in enumerate(starts):
        stop = starts[i + 1][0] - 2 if i + 1 < len(starts) else len(full)
        lo, hi = max(begin, start), min(end, stop)
        if lo < hi:
            spans.setdefault(number, []).append((lo - start, hi - start))
            first = first or number
    return Found(first, spans)


def closest_passage(quote: str, text: Text) -> str:
    """The stretch of the text most like the quote, for an error message."""
    full, _ = _layout(text)
    haystack, _ = normalize(full)
    needle, _ = normalize(quote)
    if not haystack or not needle:
        return ""
    sentences = [s for s in re.split(r"(?<=[.!?\"])\s+", haystack) if s]
    best = max(sentences, key=lambda s: difflib.SequenceMatcher(None, needle, s).ratio(), default="")
    return best if len(best) <= 160 else best[:157] + "…"
